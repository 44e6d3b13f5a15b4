"""Which units of a level become tasks: the ones worth an annotator's time.

A sentence push made tasks of titles (already the task's header) and bylines; a lead wants body
sentences, a reproducible sample of them, a cap, or one source's. A :class:`Selection` is applied
to the units read for a push before anything is sent, in this order: roles, ``where`` (the
document's metadata), ``sample``, ``limit``. Every step is deterministic and independent of the
units file's order where it matters, so a push with the same options is idempotent, and a larger
``--sample`` with the same seed contains the smaller one (the day's sample grows, never reshuffles).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from curation.errors import UsageError
from curation.units import Article, Document, Sentence

# What a task of each level is made of when no role is named: a sentence task of a title or a
# byline asks about text the task already shows as its header, or that says nothing.
DEFAULT_ROLES: dict[str, tuple[str, ...]] = {"sentence": ("body",), "article": ("main", "teaser")}
ROLES: dict[str, tuple[str, ...]] = {"sentence": ("title", "heading", "body", "byline"), "article": ("main", "teaser")}


def parse_where(conditions: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """``key=value`` conditions on a document's metadata; a key given twice accepts either value."""
    found: dict[str, tuple[str, ...]] = {}
    for condition in conditions:
        key, sep, value = condition.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--where {condition!r}: write KEY=VALUE, e.g. source=BBC")
        found[key.strip()] = (*found.get(key.strip(), ()), value.strip())
    return found


@dataclass(frozen=True)
class Selection:
    """What a push keeps of a level's units; the empty selection keeps the level's default roles."""

    roles: tuple[str, ...] = ()  # empty: DEFAULT_ROLES of the level
    where: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # document meta key -> accepted values
    sample: int | None = None
    seed: int = 0
    limit: int | None = None

    def roles_of(self, level: str) -> tuple[str, ...]:
        """The roles kept at ``level``; a role the level does not have is a usage error."""
        known = ROLES[level]
        unknown = [role for role in self.roles if role not in known]
        if unknown:
            raise UsageError(f"--roles {','.join(unknown)}: a {level} is one of {', '.join(known)}")
        return self.roles or DEFAULT_ROLES[level]

    def check(self) -> None:
        for name, value in (("--sample", self.sample), ("--limit", self.limit)):
            if value is not None and value < 0:
                raise UsageError(f"{name} must be 0 or more, not {value}")

    def apply(self, level: str, units: Mapping[str, Article | Sentence], units_path: Path) -> dict[str, Article | Sentence]:
        """The units kept, in their file order."""
        self.check()
        roles = set(self.roles_of(level))
        kept = {uid: unit for uid, unit in units.items() if unit.role in roles}
        if self.where:
            documents = matching_documents(units_path, self.where)
            kept = {uid: unit for uid, unit in kept.items() if unit.doc_id in documents}
        if self.sample is not None and self.sample < len(kept):
            chosen = set(sorted(kept, key=lambda uid: _draw(self.seed, uid))[: self.sample])
            kept = {uid: unit for uid, unit in kept.items() if uid in chosen}
        if self.limit is not None:
            kept = dict(list(kept.items())[: self.limit])
        return kept


def _draw(seed: int, unit_id: str) -> bytes:
    """A unit's place in the sample of ``seed``: a hash of both, so it does not depend on the file's order."""
    return hashlib.blake2b(f"{seed}:{unit_id}".encode(), digest_size=8).digest()


def matching_documents(units_path: Path, where: Mapping[str, tuple[str, ...]]) -> set[str]:
    """Ids of the documents of ``units_path`` whose metadata has, for every key, one of its values."""
    from curation.unitfile import iter_units

    return {
        unit.id
        for unit in iter_units(units_path, "document", [])
        if isinstance(unit, Document) and all(str(unit.meta.get(key, "")) in values for key, values in where.items())
    }


def describe(selection: Selection, level: str) -> str:
    """The selection in words, for the command's summary."""
    parts = [f"roles {','.join(selection.roles_of(level))}"]
    parts += [f"{key}={'|'.join(values)}" for key, values in selection.where.items()]
    if selection.sample is not None:
        parts.append(f"sample {selection.sample} (seed {selection.seed})")
    if selection.limit is not None:
        parts.append(f"limit {selection.limit}")
    return "; ".join(parts)

