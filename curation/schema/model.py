"""The label schema as immutable data: families of labels, the levels they apply to, and the
migration steps from older versions.

The schema is the single source of truth the other stages consult: the Label Studio config,
the validator, the dataset features and the migrations are all derived from these objects, so
they cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from curation.errors import CurationError
from curation.units import Annotation

if TYPE_CHECKING:
    from datasets.features.features import FeatureType

FamilyKind = Literal["choice", "span"]
SchemaLevel = Literal["document", "article", "sentence"]
LEVELS: tuple[str, ...] = ("document", "article", "sentence")
KINDS: tuple[str, ...] = ("choice", "span")
GRANULARITIES: tuple[str, ...] = ("symbol", "word")
ENTITIES_FEATURE = "entities"
NER_TAGS_FEATURE = "ner_tags"


class SchemaError(CurationError):
    """A schema file that cannot be used; ``problems`` lists every defect found, each with the
    file, line and key path, so one run of ``curation schema check`` shows them all."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems), problems)


@dataclass(frozen=True, slots=True)
class Label:
    """One answer an annotator can give: ``value`` is stored, ``ar`` is what annotators read."""

    value: str
    ar: str
    description: str
    example: str
    hotkey: str
    color: str


@dataclass(frozen=True, slots=True)
class LabelFamily:
    """A question asked about a unit: a choice among labels (topic, stance) or labelled spans
    of the unit's text (entity)."""

    name: str
    kind: FamilyKind
    levels: tuple[str, ...]
    labels: tuple[Label, ...]
    multiple: bool = False
    required: bool = False
    title: str = ""
    guideline: str = ""
    target: str | None = None
    overlap: bool = False
    granularity: str = "symbol"

    @property
    def values(self) -> list[str]:
        """Label values in declaration order, which is also their ClassLabel id order."""
        return [label.value for label in self.labels]

    def label(self, value: str) -> Label | None:
        return next((label for label in self.labels if label.value == value), None)


@dataclass(frozen=True, slots=True)
class MigrationStep:
    """How labels of version ``from_version`` become labels of ``from_version + 1``.

    ``mapping[family][old] = new`` covers both renames and merges; ``retired[family]`` holds
    values that have no successor.
    """

    from_version: int
    mapping: dict[str, dict[str, str]] = field(default_factory=dict)
    retired: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class MigrationProblem:
    """An annotation that could not be brought to the current schema version, kept whole with
    the reasons so that a reviewer can relabel it instead of losing it."""

    annotation: Annotation
    reasons: tuple[str, ...]
    from_version: int | None
    to_version: int

    def __str__(self) -> str:
        unit, annotator, annotation_id = self.annotation.key
        where = f"unit {unit}, annotator {annotator}, annotation {annotation_id}"
        return f"{where}: " + "; ".join(self.reasons)


@dataclass(frozen=True, slots=True)
class Schema:
    """A loaded, validated label schema (see :func:`curation.schema.load_schema`).

    The derived artefacts live in their own modules, imported on use so that loading a schema
    (e.g. in the CLI) does not pull in ``datasets`` or the Label Studio SDK.
    """

    name: str
    version: int
    description: str
    all_families: tuple[LabelFamily, ...]
    migrations: tuple[MigrationStep, ...]
    fingerprint: str
    path: Path | None = None

    @property
    def levels(self) -> list[str]:
        """Levels that at least one family asks about, in pipeline order."""
        return [level for level in LEVELS if self.families(level)]

    def families(self, level: str) -> list[LabelFamily]:
        return [family for family in self.all_families if level in family.levels]

    def family(self, name: str) -> LabelFamily:
        for family in self.all_families:
            if family.name == name:
                return family
        raise KeyError(f"schema {self.name} v{self.version} has no label family {name!r}")

    def span_family(self, level: str | None = None) -> LabelFamily | None:
        """The schema's span family (there is at most one), optionally only if asked at ``level``."""
        for family in self.all_families:
            if family.kind == "span" and (level is None or level in family.levels):
                return family
        return None

    def default_target(self, level: str) -> str | None:
        """The stance target a ``level`` task shows when its unit carries none (``$target``)."""
        return next((f.target for f in self.families(level) if f.target is not None), None)

    def bio_names(self) -> list[str]:
        """``["O", "B-PER", "I-PER", ...]`` in label order, for token-level ``ner_tags``."""
        family = self.span_family()
        if family is None:
            return ["O"]
        return ["O"] + [f"{prefix}-{value}" for value in family.values for prefix in ("B", "I")]

    def label_config(self, level: str) -> str:
        """The Label Studio labeling config (XML) for tasks of ``level``."""
        from curation.schema.studio_config import label_config

        return label_config(self, level)

    def label_features(self, level: str) -> dict[str, FeatureType]:
        """``datasets`` features for the label columns of ``level``."""
        from curation.schema.features import label_features

        return label_features(self, level)

    def validate(self, annotation: Annotation, unit_text: str) -> list[str]:
        """Every reason ``annotation`` breaks the schema, ``[]`` if none; never raises."""
        from curation.schema.validation import validate_annotation

        return validate_annotation(self, annotation, unit_text)

    def migrate(self, annotation: Annotation) -> Annotation | MigrationProblem:
        """``annotation`` brought to this version, or the reasons it cannot be; never raises."""
        from curation.schema.migration import migrate_annotation

        return migrate_annotation(self, annotation)

    def summary(self) -> dict[str, Any]:
        """Name, version, fingerprint and labels per family: what a manifest or card records."""
        return {
            "name": self.name,
            "version": self.version,
            "fingerprint": self.fingerprint,
            "families": {
                family.name: {"kind": family.kind, "levels": list(family.levels), "labels": family.values}
                for family in self.all_families
            },
        }
