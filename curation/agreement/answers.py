"""Turning Label Studio annotation records into one answer per (family, unit, annotator).

Every measure and every adjudication policy works on the same table, so the rules about which
annotations count live here once: deleted and cancelled (skipped) annotations never count as
answers, and when one annotator left several live annotations on a unit the latest one counts.
Nothing is dropped silently: each annotation left out is listed with its reason, and values the
schema does not know are kept (they simply disagree) and reported as issues.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from curation.schema import Schema
from curation.studio.offsets import reach
from curation.units import Annotation, EntitySpan

FamilyKind = Literal["choice", "span"]
ENTITY_FAMILY = "entity"
COUNTING_RULE = (
    "deleted and cancelled (skipped) annotations never count as answers; when an annotator left "
    "several live annotations on one unit, only the latest (updated_at, created_at, id) counts"
)

ChoiceValue = tuple[str, ...]
SpanValue = tuple[EntitySpan, ...]
AnswerValue = ChoiceValue | SpanValue
Ranges = tuple[tuple[int, int], ...]
WHOLE_UNIT: Ranges = ((0, sys.maxsize),)  # where a region lies when its unit's text is not at hand


ExclusionKind = Literal["deleted", "cancelled", "superseded"]


@dataclass(frozen=True, slots=True)
class Family:
    """A label family as annotated at one level (``stance`` on articles and on sentences are two)."""

    name: str
    level: str
    kind: FamilyKind
    multiple: bool = False
    labels: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.name}@{self.level}"


@dataclass(frozen=True, slots=True)
class Answer:
    """One annotator's counted answer for one family on one unit.

    ``value`` is the sorted tuple of chosen labels, or of entity spans trimmed of surrounding
    whitespace; an empty span tuple means "no entity here", an empty choice is never an answer.
    ``unread`` holds the code-point ranges of regions set aside from the annotation: there the
    answer abstains instead of saying "no entity".
    """

    annotator: str
    annotation_id: str
    value: AnswerValue
    ground_truth: bool = False
    unread: tuple[tuple[int, int], ...] = ()  # where regions of this answer were set aside

    def speaks_for(self, span: EntitySpan) -> bool:
        """Whether this answer votes on ``span``: it marked it, or it is readable where the span
        lies. A region set aside (at pull or build) may have been this very mention under a label
        the schema does not know, so not marking it there is no "no"."""
        return span in self.value or not any(start < span.end and span.start < end for start, end in self.unread)


@dataclass(frozen=True, slots=True)
class Exclusion:
    """An annotation that is not counted, and why."""

    unit_id: str
    annotator: str
    annotation_id: str
    kind: ExclusionKind
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {
            "unit_id": self.unit_id,
            "annotator": self.annotator,
            "annotation_id": self.annotation_id,
            "kind": self.kind,
            "reason": self.reason,
        }


@dataclass(slots=True)
class AnswerTable:
    """Counted answers: ``answers[family.key][unit_id][annotator]``."""

    families: tuple[Family, ...]
    answers: dict[str, dict[str, dict[str, Answer]]]
    total_annotations: int
    exclusions: list[Exclusion] = field(default_factory=list)
    issues: list[str] = field(default_factory=list)

    def units(self, family: Family) -> dict[str, dict[str, Answer]]:
        return self.answers.get(family.key, {})

    def annotators(self, family: Family) -> list[str]:
        return sorted({a for unit in self.units(family).values() for a in unit})

    def all_answers(self) -> list[Answer]:
        """Every counted answer of every family."""
        return [answer for units in self.answers.values() for unit in units.values() for answer in unit.values()]


def trim_span(span: EntitySpan) -> EntitySpan:
    """The span without surrounding whitespace, so `` Cairo`` and ``Cairo`` are the same mention."""
    lead = len(span.text) - len(span.text.lstrip())
    trail = len(span.text) - len(span.text.rstrip())
    if lead + trail >= len(span.text):
        return span
    return EntitySpan(span.start + lead, span.end - trail, span.label, span.text.strip())


def span_sort_key(span: EntitySpan) -> tuple[int, int, str, str]:
    return (span.start, span.end, span.label, span.text)


def families_from_schema(schema: Schema, levels: Iterable[str]) -> list[Family]:
    """Families a ``curation.schema.Schema`` declares for each of the levels."""
    found: list[Family] = []
    for level in sorted(set(levels)):
        for family in schema.families(level):
            kind: FamilyKind = "span" if family.kind == "span" else "choice"
            found.append(Family(family.name, level, kind, family.multiple, tuple(family.values)))
    return found


def _revision_key(annotation: Annotation) -> tuple[str, str, int, str]:
    aid = annotation.annotation_id
    return (
        annotation.updated_at or "",
        annotation.created_at or "",
        int(aid) if aid.isdigit() else -1,
        aid,
    )


def _live_annotations(annotations: Iterable[Annotation], exclusions: list[Exclusion]) -> list[Annotation]:
    """Drop deleted, cancelled and superseded annotations, recording each with its reason."""
    latest: dict[tuple[str, str], Annotation] = {}
    for annotation in annotations:
        if annotation.deleted or annotation.cancelled:
            kind: ExclusionKind = "deleted" if annotation.deleted else "cancelled"
            reason = "deleted in Label Studio" if annotation.deleted else "cancelled (skipped) by the annotator"
            exclusions.append(
                Exclusion(annotation.unit_id, annotation.annotator, annotation.annotation_id, kind, reason)
            )
            continue
        slot = (annotation.unit_id, annotation.annotator)
        previous = latest.get(slot)
        if previous is None:
            latest[slot] = annotation
            continue
        newer, older = (
            (annotation, previous) if _revision_key(annotation) > _revision_key(previous) else (previous, annotation)
        )
        latest[slot] = newer
        exclusions.append(
            Exclusion(
                older.unit_id,
                older.annotator,
                older.annotation_id,
                "superseded",
                f"superseded by annotation {newer.annotation_id} of the same annotator",
            )
        )
    return sorted(latest.values(), key=lambda a: (a.unit_id, a.annotator))


def _infer_families(annotations: list[Annotation]) -> list[Family]:
    """Without a schema: every choice key seen is a family (multiple if anyone chose two values),
    and a level where anyone marked a span has an entity family."""
    multiple: dict[tuple[str, str], bool] = {}
    span_levels: set[str] = set()
    for annotation in annotations:
        for name, values in annotation.choices.items():
            slot = (name, annotation.level)
            multiple[slot] = multiple.get(slot, False) or len(values) > 1
        if annotation.spans:
            span_levels.add(annotation.level)
    families = [Family(name, level, "choice", is_multiple) for (name, level), is_multiple in multiple.items()]
    families += [Family(ENTITY_FAMILY, level, "span") for level in span_levels]
    return families


def collect_answers(annotations: Iterable[Annotation], schema: Schema | None = None) -> AnswerTable:
    """Build the answer table; ``schema`` (from ``curation.schema.load_schema``) fixes the families,
    otherwise they are inferred from the annotations themselves."""
    annotations = list(annotations)
    exclusions: list[Exclusion] = []
    live = _live_annotations(annotations, exclusions)
    issues: list[str] = []

    levels = {a.level for a in annotations}
    if schema is None:
        families = _infer_families(live)
    else:
        families = families_from_schema(schema, levels)
        _add_unlisted(families, _infer_families(live), issues)
    table = _answer_cells(live, families, issues)
    families.sort(key=lambda f: (f.level, f.name))
    return AnswerTable(tuple(families), table, len(annotations), exclusions, issues)


def _add_unlisted(families: list[Family], found: list[Family], issues: list[str]) -> None:
    """Count the families annotators answered that the schema does not list, each reported (an
    entity family at a level that has one already is that one)."""
    by_key = {f.key: f for f in families}
    for extra in found:
        if extra.key not in by_key and not (extra.kind == "span" and _has_span_family(families, extra.level)):
            issues.append(f"family {extra.name!r} at level {extra.level!r} is not in the schema; counted as found")
            by_key[extra.key] = extra
            families.append(extra)


def _answer_cells(
    live: list[Annotation], families: list[Family], issues: list[str]
) -> dict[str, dict[str, dict[str, Answer]]]:
    """family key -> unit id -> annotator -> answer, for every family asked at each annotation's level."""
    table: dict[str, dict[str, dict[str, Answer]]] = defaultdict(dict)
    for annotation in live:
        for family in families:
            if family.level != annotation.level:
                continue
            value = _answer_value(annotation, family, issues)
            if value is None:
                continue
            table[family.key].setdefault(annotation.unit_id, {})[annotation.annotator] = Answer(
                annotation.annotator, annotation.annotation_id, value, annotation.ground_truth
            )
    return dict(table)


def _has_span_family(families: list[Family], level: str) -> bool:
    return any(f.kind == "span" and f.level == level for f in families)


def _answer_value(annotation: Annotation, family: Family, issues: list[str]) -> AnswerValue | None:
    where = f"annotation {annotation.annotation_id} by {annotation.annotator} on {annotation.unit_id}"
    if family.kind == "span":
        return _spans_value(annotation, family, where, issues)
    return _choices_value(annotation, family, where, issues)


def _spans_value(annotation: Annotation, family: Family, where: str, issues: list[str]) -> AnswerValue:
    """The annotation's mentions, trimmed, once each and in text order; unknown labels are kept and reported."""
    spans = tuple(sorted({trim_span(s) for s in annotation.spans}, key=span_sort_key))
    unknown = sorted({s.label for s in spans} - set(family.labels)) if family.labels else []
    if unknown:
        issues.append(f"{where}: entity label(s) {unknown} not in the schema; kept")
    return spans


def _choices_value(annotation: Annotation, family: Family, where: str, issues: list[str]) -> AnswerValue | None:
    """The family's chosen labels, sorted, once each (None: no answer); more than the family
    allows, or labels it does not know, are kept and reported."""
    values = annotation.choices.get(family.name, ())
    if not values:
        return None
    value = tuple(sorted(set(values)))
    if len(value) > 1 and not family.multiple:
        issues.append(f"{where}: {family.name} allows one choice but has {list(value)}; kept as given")
    unknown = sorted(set(value) - set(family.labels)) if family.labels else []
    if unknown:
        issues.append(f"{where}: {family.name} value(s) {unknown} not in the schema; kept")
    return value


def set_aside_ranges(
    set_aside: Mapping[tuple[str, str], Iterable[Mapping[str, Any]]], texts: Mapping[str, str]
) -> dict[tuple[str, str], Ranges]:
    """Where the regions set aside from each annotation lie, by (unit id, annotation id), as the
    build places them: in the unit's text (``texts`` by unit id) through
    :func:`curation.studio.offsets.reach`, so a region whose offsets do not match the text concerns
    all of it; a unit whose text is not given, the whole unit."""
    found: dict[tuple[str, str], Ranges] = {}
    for key, regions in set_aside.items():
        text = texts.get(key[0])
        ranges: set[tuple[int, int]] = set()
        for region in regions:
            value = region.get("value") or {}
            ranges.update(WHOLE_UNIT if text is None else (reach(text, value.get("start"), value.get("end"), value.get("text")),))
        if ranges:
            found[key] = tuple(sorted(ranges))
    return found


def abstain_where_set_aside(table: AnswerTable, unread: Mapping[tuple[str, str], Ranges]) -> AnswerTable:
    """The table with each span answer of an annotation that had regions set aside abstaining
    there (``unread``: ranges by unit id and annotation id, see :func:`set_aside_ranges`): a
    region kept out of an answer is not that annotator's "no entity" (:meth:`Answer.speaks_for`);
    the agreement figures leave such an answer out. Changed in place and returned."""
    for family in table.families:
        if family.kind != "span":
            continue
        for unit_id, by_annotator in table.answers.get(family.key, {}).items():
            for annotator, answer in list(by_annotator.items()):
                ranges = unread.get((unit_id, answer.annotation_id))
                if ranges:
                    by_annotator[annotator] = replace(answer, unread=tuple(sorted(set(answer.unread) | set(ranges))))
    return table
