"""The gold a model learns from: one example per unit and family, with the text annotators read.

Gold is what adjudication decided (:mod:`curation.agreement`): a ground-truth annotation, else the
reviewer's decision when the review store is given, else the majority; a unit without gold (an
unresolved conflict) teaches nothing. A stance family reads its target before the text, so the
model judges the stance towards that target.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from curation.agreement import Adjudication
from curation.schema import Schema
from curation.studio.tasks import unit_text
from curation.units import Article, EntitySpan, Sentence

TARGET_SEPARATOR = "\n"


@dataclass(frozen=True, slots=True)
class Example:
    """One unit's gold for one family: the model's input text and the gold value."""

    unit_id: str
    text: str
    value: tuple[str, ...] | tuple[EntitySpan, ...]

    def fingerprint(self) -> str:
        """What the model's version hashes: the unit, its text and its gold."""
        value = [v.to_dict() if isinstance(v, EntitySpan) else v for v in self.value]
        return hashlib.sha256(repr((self.unit_id, self.text, value)).encode()).hexdigest()


@dataclass
class FamilyGold:
    """The examples of one label family at one level (``stance@article`` and ``stance@sentence`` are two)."""

    family: str
    level: str
    kind: str  # "choice" | "span"
    multiple: bool
    target: str | None
    examples: list[Example] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.family}@{self.level}"


def model_input(text: str, target: str | None) -> str:
    """What a classifier reads for a unit: the target first for a stance family, then the text."""
    return f"{target}{TARGET_SEPARATOR}{text}" if target else text


def unit_texts(units: Path, wanted: set[str]) -> dict[str, tuple[str, str]]:
    """``unit id -> (level, text annotators read)`` of the ``wanted`` article and sentence units."""
    from curation.unitfile import iter_units

    found: dict[str, tuple[str, str]] = {}
    errors: list[object] = []  # a bad line of the units file only leaves its units out (said by the caller)
    for unit in iter_units(units, None, errors):
        if unit.id in wanted and isinstance(unit, (Article, Sentence)):
            found[unit.id] = ("article" if isinstance(unit, Article) else "sentence", unit_text(unit))
    return found


def level_texts(units: Path, level: str) -> Iterator[str]:
    """The text annotators read of every unit at ``level``, labelled or not: what the tagger's word
    clusters learn from (a bad line of the units file only leaves its units out)."""
    from curation.unitfile import iter_units

    kind = Article if level == "article" else Sentence
    for unit in iter_units(units, level, []):
        if isinstance(unit, kind):
            yield unit_text(unit)


def gold_examples(adjudication: Adjudication, schema: Schema, units: Path) -> tuple[list[FamilyGold], list[str]]:
    """The gold of every family, in schema order, and the units whose text could not be found."""
    texts = unit_texts(units, set(adjudication.gold))
    families: dict[str, FamilyGold] = {}
    for level in schema.levels:
        for declared in schema.families(level):
            target = schema.default_target(level) if declared.target else None
            made = FamilyGold(declared.name, level, declared.kind, declared.multiple, target)
            families[made.key] = made
    missing = []
    for unit_id in sorted(adjudication.gold):
        if unit_id not in texts:
            missing.append(f"unit {unit_id}: has gold but is not in {units}; left out of training")
            continue
        level, text = texts[unit_id]
        for name, gold in sorted(adjudication.gold[unit_id].items()):
            family = families.get(f"{name}@{level}")
            if family is None or (family.kind == "choice" and not gold.value):
                continue
            if family.kind == "span":
                family.examples.append(Example(unit_id, text, gold.value))
            else:
                family.examples.append(Example(unit_id, model_input(text, family.target), tuple(str(v) for v in gold.value)))
    return [family for family in families.values() if family.examples], missing


def gold_digest(families: Iterable[FamilyGold]) -> str:
    """sha256 of every family's examples: the same gold gives the same digest."""
    digest = hashlib.sha256()
    for family in families:
        digest.update(family.key.encode())
        for example in family.examples:
            digest.update(example.fingerprint().encode())
    return digest.hexdigest()
