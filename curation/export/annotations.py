"""The label side of a build: read the annotation snapshot, migrate and validate each annotation
against the schema, adjudicate gold per unit (the one place the exporter calls
``curation.agreement``), and take labels from source metadata when a recipe asks for it.

An annotation that cannot be used (unreadable line, unknown unit, fails the schema) is kept aside
with its reason and reported; it never silently disappears.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from curation.agreement import (
    Adjudication,
    AnswerTable,
    abstain_where_set_aside,
    adjudicate,
    agreement_report,
    collect_answers,
    set_aside_ranges,
)
from curation.agreement.adjudication import REVIEWER
from curation.export.rows import UnitLabels
from curation.schema import MigrationProblem, Schema
from curation.schema.model import ENTITIES_FEATURE
from curation.studio.offsets import reach
from curation.studio.store import AnnotationStore, Rejections, rejections_of
from curation.studio.store import store_files as stores_in
from curation.units import Annotation, Document, EntitySpan, Level, sha256_hex


@dataclass(slots=True)
class AnnotationSnapshot:
    """The annotations a build uses, grouped by unit, with the problems found reading them and
    the store files read (name as the recipe wrote it, path)."""

    by_unit: dict[str, list[Annotation]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    fingerprint: str | None = None
    total: int = 0
    stores: list[tuple[str, Path]] = field(default_factory=list)
    rejections: Rejections = field(default_factory=Rejections)  # kept out at pull (curation.studio.store)
    # regions set aside at pull from annotations otherwise kept, by (unit id, annotation id)
    set_aside: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)

    def pre_annotated(self) -> dict[str, int]:
        """Submitted annotations per model version of the prediction they were made beside (what
        pre-annotated the gold), from the stores alone: a later ``curation train`` changes nothing here."""
        counts = Counter(a.model_version for unit in self.by_unit.values() for a in unit
                         if a.model_version is not None and not (a.cancelled or a.deleted))  # fmt: skip
        return dict(sorted(counts.items()))


def store_files(entries: Sequence[str], base: Path) -> list[tuple[str, Path]]:
    """Each entry (relative to ``base``) as store files: a folder stands for its ``*.jsonl`` stores
    (as `curation pull` writes one per schema and level; their .rejects/.regions sidecars are not
    stores), in name order; a file for itself."""
    found: list[tuple[str, Path]] = []
    for entry in entries:
        path = base / entry
        if path.is_dir():
            found.extend((f"{entry.rstrip('/')}/{inner.name}", inner) for inner in stores_in(path))
        else:
            found.append((entry, path))
    return found


def read_snapshot(path: Path, schema: Schema, name: str | None = None) -> AnnotationSnapshot:
    """One annotation store as :func:`read_stores` reads it; problems name the file as ``name``."""
    return read_stores([(name or str(path), path)], schema)


def read_stores(stores: Sequence[tuple[str, Path]], schema: Schema) -> AnnotationSnapshot:
    """Read annotation stores (JSONL of ``Annotation.to_record()``; pairs of the name problems use
    and the path), bringing annotations made under an older schema version up to date. The
    fingerprint covers the records of all stores in a canonical order, so re-pulling the same
    annotations in another order, or into other files, does not change it."""
    snapshot = AnnotationSnapshot(stores=list(stores))
    by_unit: dict[str, list[Annotation]] = defaultdict(list)
    canonical: list[str] = []
    for where, path in stores:
        for number, record, annotation in AnnotationStore(path).read(snapshot.problems, where):
            snapshot.total += 1
            canonical.append(json.dumps(record, ensure_ascii=False, sort_keys=True))
            if annotation.schema_version not in (None, schema.version):
                migrated = schema.migrate(annotation)
                if isinstance(migrated, MigrationProblem):
                    snapshot.problems.append(f"{where}:{number}: {migrated}")
                    continue
                annotation = migrated
            by_unit[annotation.unit_id].append(annotation)
    snapshot.by_unit = dict(by_unit)
    snapshot.rejections = rejections_of(path for _, path in stores)
    for _, path in stores:
        for (unit_id, _annotator, annotation_id), flagged in AnnotationStore(path).set_aside().items():
            snapshot.set_aside.setdefault((unit_id, annotation_id), []).extend(r.region for r in flagged.regions)
    snapshot.fingerprint = sha256_hex("\n".join(sorted(canonical)))
    return snapshot


def usable_part(schema: Schema, annotation: Annotation, unit_text: str) -> Annotation | None:
    """``annotation`` without the spans that break the schema on their own, if what remains is
    valid: one bad span must not take the valid spans of its unit with it. None otherwise."""
    alone = set(schema.validate(replace(annotation, spans=()), unit_text))
    spans = tuple(s for s in annotation.spans if set(schema.validate(replace(annotation, spans=(s,)), unit_text)) <= alone)
    if len(spans) == len(annotation.spans):
        return None
    part = replace(annotation, spans=spans)
    return None if schema.validate(part, unit_text) else part


def _as_labels(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return tuple(str(v) for v in value)
    return (str(value),)


def _annotators_by_level(pending: Iterable[list[Annotation]]) -> dict[str, set[str]]:
    """Who answered at each level, not counting deleted or cancelled annotations."""
    annotators: dict[str, set[str]] = defaultdict(set)
    for unit_annotations in pending:
        for a in unit_annotations:
            if not (a.deleted or a.cancelled):
                annotators[a.level].add(a.annotator)
    return annotators


def _check_meta_families(schema: Schema, labels_from_meta: Mapping[str, str]) -> None:
    """Metadata can only label whole articles: each family it fills must be an article-level one."""
    article_families = {f.name for f in schema.families("article")}
    for family in labels_from_meta:
        if family not in article_families:
            raise ValueError(
                f"labels_from_meta: {family!r} is not an article-level family of schema {schema.name} "
                f"(article families: {', '.join(sorted(article_families)) or 'none'})"
            )


def _fill_labels(labels: UnitLabels, unit_id: str, result: Adjudication) -> None:
    """The unit's gold value per column and each annotator's answer; an answer with regions left
    unread is incomplete and gives no column value. Entity gold is decided mention by mention:
    when some mention of the unit is still disputed, the decided ones are the gold and the
    disputed ones are listed apart (:data:`~curation.export.rows.DISPUTED_COLUMN`)."""
    for family in result.table.families:
        column = ENTITIES_FEATURE if family.kind == "span" else family.name
        gold = result.gold_value(unit_id, family.name)
        if gold is None and family.kind == "span":
            decisions = [d for d in result.spans if d.unit_id == unit_id and d.family == family.name]
            if decisions:
                gold = tuple(sorted((d.span for d in decisions if d.outcome == "kept"), key=_span_order))
                labels.disputed[column] = tuple(sorted((d.span for d in decisions if d.outcome == "disputed"), key=_span_order))
        if gold is not None:
            labels.gold[column] = gold
        answers = result.table.answers.get(family.key, {}).get(unit_id, {})
        complete = {annotator: answer.value for annotator, answer in answers.items() if not answer.unread}
        if complete:
            labels.answers[column] = complete


def _span_order(span: EntitySpan) -> tuple[int, int, str]:
    return span.start, span.end, span.label


@dataclass(slots=True)
class MentionTally:
    """Mentions marked on the units a build met: how many, how many the policies decided without a
    reviewer (what `curation agree` reports decided), and how many ended decided in the export."""

    marked: int = 0
    decided_without_review: int = 0
    exported_decided: int = 0

    def add(self, other: MentionTally) -> None:
        self.marked += other.marked
        self.decided_without_review += other.decided_without_review
        self.exported_decided += other.exported_decided

    def count(self, result: Adjudication) -> None:
        self.marked += len(result.spans)
        self.decided_without_review += sum(1 for d in result.spans if d.outcome != "disputed" and d.source != REVIEWER)
        self.exported_decided += sum(1 for d in result.spans if d.outcome != "disputed")

    def shares(self) -> dict[str, Any]:
        def share(count: int) -> str:
            return f"{count / self.marked:.1%} ({count} of {self.marked})" if self.marked else "no mention marked"

        return {"mentions decided before review (as `agree` reports)": share(self.decided_without_review),
                "span-gold yield (mentions decided in the export)": share(self.exported_decided)}


@dataclass(slots=True)
class LabelsMet:
    """What a :class:`LabelSource` learnt in one part of the rows pass (one rank's pages), for
    the build's own source to :meth:`~LabelSource.absorb`, parts in page order."""

    units: list[str] = field(default_factory=list)  # units met that had annotations
    used: list[Annotation] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    conflicts: int = 0
    unresolved: int = 0
    unread: dict[tuple[str, str], tuple[tuple[int, int], ...]] = field(default_factory=dict)
    mentions: MentionTally = field(default_factory=MentionTally)


class LabelSource:
    """Gold labels and every annotator's answers for units as the build meets them."""

    def __init__(
        self,
        schema: Schema,
        snapshot: AnnotationSnapshot | None = None,
        policy: Sequence[str] = (),
        reviewer: str | None = None,
        labels_from_meta: dict[str, str] | None = None,
        reviews: AnnotationSnapshot | None = None,
    ) -> None:
        self.schema = schema
        self.reviews = reviews  # review decisions: they decide under 'reviewer', never count as answers
        self.pending = dict(snapshot.by_unit) if snapshot else {}
        self.set_aside = snapshot.set_aside if snapshot else {}
        self.unread: dict[tuple[str, str], tuple[tuple[int, int], ...]] = {}  # (unit, annotation id) -> ranges
        self._annotators = _annotators_by_level(self.pending.values())
        self.policy = tuple(policy)
        self.reviewer = reviewer
        self.labels_from_meta = labels_from_meta or {}
        self.used: list[Annotation] = []
        self.problems: list[str] = []
        self.conflicts = 0
        self.unresolved = 0
        self.mentions = MentionTally()
        self._met: list[str] = []
        _check_meta_families(schema, self.labels_from_meta)

    def labels(self, unit_id: str, level: Level, unit_text: str, document: Document, where: str) -> UnitLabels:
        labels = UnitLabels()
        annotations = self.pending.pop(unit_id, [])
        if annotations:
            self._met.append(unit_id)
            self._adjudicated(unit_id, annotations, unit_text, labels, where)
        if level == "article":
            self._from_meta(document, labels, where)
        return labels

    def _adjudicated(
        self, unit_id: str, annotations: list[Annotation], unit_text: str, labels: UnitLabels, where: str
    ) -> None:
        valid = []
        for annotation in annotations:
            usable = self._usable(unit_id, annotation, unit_text, where)
            if usable is not None:
                valid.append(usable)
        if not valid:
            return
        self.used.extend(valid)
        decisions = None if self.reviews is None else self.reviews.by_unit.get(unit_id, [])
        table = self._with_unread(collect_answers(valid, self.schema))
        result = adjudicate(table, self.policy, reviewer=self.reviewer, schema=self.schema, reviews=decisions)
        self.conflicts += len(result.conflicts)
        self.unresolved += len(result.unresolved)
        self.mentions.count(result)
        _fill_labels(labels, unit_id, result)

    def _usable(self, unit_id: str, annotation: Annotation, unit_text: str, where: str) -> Annotation | None:
        """What of ``annotation`` may vote: all of it when valid, its valid spans when only some
        spans are wrong, else nothing. Regions set aside and spans dropped are noted unread (they
        abstain), and each invalid annotation is a problem saying what was kept."""
        reasons = [] if annotation.deleted or annotation.cancelled else self.schema.validate(annotation, unit_text)
        key = (unit_id, annotation.annotation_id)
        placed = set_aside_ranges({key: self.set_aside.get(key, [])}, {unit_id: unit_text})
        self._note_unread(unit_id, annotation, list(placed.get(key, ())))
        if not reasons:
            return annotation
        part = usable_part(self.schema, annotation, unit_text)
        if part is not None:
            dropped = set(annotation.spans) - set(part.spans)
            self._note_unread(unit_id, annotation, [reach(unit_text, s.start, s.end, s.text) for s in dropped])
        kept = (
            f"only its {len(part.spans)} valid span(s) kept, no vote where the others lie"
            if part
            else "kept out of the gold"
        )
        self.problems.append(
            f"{where}: annotation {annotation.annotation_id} by {annotation.annotator} on {unit_id} "
            f"{kept}: {'; '.join(reasons)}"
        )
        return part

    def _note_unread(self, unit_id: str, annotation: Annotation, ranges: list[tuple[int, int]]) -> None:
        if ranges:
            key = (unit_id, annotation.annotation_id)
            self.unread[key] = tuple(sorted(set(self.unread.get(key, ()) + tuple(ranges))))

    def _with_unread(self, table: AnswerTable) -> AnswerTable:
        """Span answers of annotations with regions set aside or spans dropped abstain there: a
        region kept out is not a "no entity"."""
        return abstain_where_set_aside(table, self.unread)

    def _from_meta(self, document: Document, labels: UnitLabels, where: str) -> None:
        for family_name, meta_field in self.labels_from_meta.items():
            if family_name in labels.gold:
                continue
            value = _as_labels(document.meta.get(meta_field))
            if value is None:
                continue
            family = self.schema.family(family_name)
            unknown = sorted(set(value) - set(family.values))
            if unknown:
                self.problems.append(
                    f"{where}: metadata {meta_field}={', '.join(unknown)} is not a {family_name} label of schema "
                    f"{self.schema.name} v{self.schema.version}; the row has no gold {family_name}"
                )
                continue
            labels.gold[family_name] = value

    def met(self) -> LabelsMet:
        """Everything this source learnt from the units it met."""
        return LabelsMet(self._met, self.used, self.problems, self.conflicts, self.unresolved, self.unread, self.mentions)

    def absorb(self, part: LabelsMet) -> None:
        """Take in what a copy of this source learnt on other pages, as if this one had met them."""
        for unit_id in part.units:
            self.pending.pop(unit_id, None)
        self._met.extend(part.units)
        self.used.extend(part.used)
        self.problems.extend(part.problems)
        self.conflicts += part.conflicts
        self.unresolved += part.unresolved
        self.unread.update(part.unread)
        self.mentions.add(part.mentions)

    def finish(self) -> list[str]:
        """Report annotations whose unit the build never met (e.g. segmenter settings changed)."""
        for unit_id, pending in sorted(self.pending.items()):
            for a in pending:
                self.problems.append(
                    f"annotation {a.annotation_id} by {a.annotator} is on unit {unit_id}, which this build does not "
                    "contain (were the inputs or segmenter settings changed?)"
                )
        self.pending = {}
        return self.problems

    def annotators(self, level: Level) -> tuple[str, ...]:
        """Everyone with a live annotation at ``level`` in the snapshot: one answer column each."""
        return tuple(sorted(self._annotators.get(level, ())))

    def agreement(self) -> list[dict[str, Any]]:
        """Figures over the answers as read; an entity answer with regions set aside is left out
        (what it says about those characters is unknown)."""
        if not self.used:
            return []
        table = self._with_unread(collect_answers(self.used, self.schema))
        return agreement_report(table, self.schema).to_dict()["families"]
