"""Imported items -> pages, units, annotations or predictions, through the project's own steps.

Each item becomes one page in ``PREFIX.docs.jsonl``; that file is read back with
:func:`curation.ingest.read_jsonl_file` and segmented with the default segmenter, so the unit ids
are exactly the ones ``curation segment`` and a ``curation build`` recipe with ``inputs:
[PREFIX.docs.jsonl]`` produce. Labels are then moved onto the units that hold them: spans onto
their sentence (offsets made relative to it), choices onto the single article or sentence.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from curation.fileio import write_jsonl
from curation.imports.model import Answer, ImportedItem, ImportProblem
from curation.ingest import IngestError, canonicalize, read_jsonl_file
from curation.schema import Schema
from curation.segment.pipeline import SegmentedDocument, segment_document
from curation.studio.store import AnnotationStore, Key, Rejected
from curation.units import Annotation, EntitySpan, content_id

ImportAs = Literal["annotations", "predictions"]
IMPORT_AS: tuple[str, ...] = ("annotations", "predictions")
_KIND = {"annotations": "annotation", "predictions": "prediction"}


@dataclass
class ImportReport:
    """What an import produced and every problem it met; ``outputs`` names the files written."""

    items: int = 0
    units: int = 0
    spans: int = 0
    choices: int = 0
    annotations: int = 0
    predictions: int = 0
    rejected: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    outputs: dict[str, Path] = field(default_factory=dict)


def output_paths(prefix: Path, as_: ImportAs) -> dict[str, Path]:
    """``docs`` (build input), ``units`` (push input) and ``annotations`` or ``predictions``."""
    base = prefix.name
    return {
        "docs": prefix.with_name(f"{base}.docs.jsonl"),
        "units": prefix.with_name(f"{base}.units.jsonl"),
        as_: prefix.with_name(f"{base}.{as_}.jsonl"),
    }


def _canonical(item: ImportedItem, problems: list[ImportProblem]) -> ImportedItem:
    """The item with NFC/LF text, span offsets moved along (rare: most readers give NFC text)."""
    text = canonicalize(item.text)
    if text == item.text:
        return item

    def moved(offset: int) -> int:
        return len(canonicalize(item.text[:offset]))

    answers = []
    for answer in item.answers:
        spans = []
        for span in answer.spans:
            start, end = moved(span.start), moved(span.end)
            spans.append(EntitySpan(start, end, span.label, text[start:end]))
        answers.append(replace(answer, spans=tuple(spans)))
    problems.append(ImportProblem(item.path, item.line, "text was not NFC with LF line ends: normalised, offsets moved with it"))
    return replace(item, text=text, answers=tuple(answers))


@dataclass(frozen=True, slots=True)
class UnitLabels:
    """One answer moved onto one unit."""

    unit_id: str
    level: str
    text: str
    answer: Answer
    spans: tuple[EntitySpan, ...]
    choices: dict[str, tuple[str, ...]]


def _place(
    item: ImportedItem, segmented: SegmentedDocument, schema: Schema, problems: list[ImportProblem]
) -> Iterator[UnitLabels]:
    """Every answer of ``item`` split over the units of its page."""
    sentences = segmented.sentences
    for answer in item.answers:
        per_sentence: dict[str, list[EntitySpan]] = {}
        for span in answer.spans:
            home = next((s for s in sentences if s.start <= span.start and span.end <= s.end), None)
            if home is None:
                problems.append(ImportProblem(item.path, item.line, f"span {span.label} {span.text!r} [{span.start}:{span.end}] "
                                              "crosses a sentence boundary the segmenter drew: span left out"))
                continue
            per_sentence.setdefault(home.id, []).append(
                EntitySpan(span.start - home.start, span.end - home.start, span.label, span.text))
        choices_at: dict[str, dict[str, tuple[str, ...]]] = {}
        for family_name, values in answer.choices.items():
            levels = schema.family(family_name).levels
            level = "article" if "article" in levels else "sentence"
            units = segmented.articles if level == "article" else sentences
            if len(units) != 1:
                problems.append(ImportProblem(item.path, item.line, f"{family_name} {', '.join(values)}: the page became "
                                              f"{len(units)} {level} units, not one: choice left out"))
                continue
            choices_at.setdefault(units[0].id, {})[family_name] = values
        for sentence in sentences:
            spans = tuple(per_sentence.get(sentence.id, ()))
            choices = choices_at.pop(sentence.id, {})
            if spans or choices or (answer.spans_checked and schema.span_family("sentence") is not None):
                yield UnitLabels(sentence.id, "sentence", sentence.text, answer, spans, choices)
        for article in segmented.articles:
            if article.id in choices_at:
                yield UnitLabels(article.id, "article", article.body, answer, (), choices_at[article.id])


def _annotation(placed: UnitLabels, item: ImportedItem, schema: Schema) -> Annotation:
    return Annotation(
        unit_id=placed.unit_id,
        level=placed.level,  # type: ignore[arg-type]
        annotator=placed.answer.source,
        annotation_id=content_id("i", item.key, placed.answer.source, placed.unit_id),
        choices=placed.choices,
        spans=placed.spans,
        schema_version=schema.version,
        ground_truth=placed.answer.ground_truth,
    )


def _prediction(placed: UnitLabels, model_version: str | None) -> dict[str, Any]:
    return {
        "unit_id": placed.unit_id,
        "choices": {k: list(v) for k, v in placed.choices.items()},
        "spans": [s.to_dict() for s in placed.spans],
        "model_version": placed.answer.model_version or model_version or placed.answer.source,
        "score": placed.answer.score,
    }


def materialize(
    items: Iterable[ImportedItem],
    schema: Schema,
    prefix: str | Path,
    *,
    as_: ImportAs = "annotations",
    model_version: str | None = None,
    report: ImportReport | None = None,
) -> ImportReport:
    """Write the pages, the units and the labels of ``items`` next to ``prefix``."""
    report = report or ImportReport()
    paths = output_paths(Path(prefix), as_)
    report.outputs = paths
    kept: dict[str, ImportedItem] = {}
    records = []
    for item in items:
        item = _canonical(item, report.problems)
        if item.key in kept:
            report.problems.append(ImportProblem(item.path, item.line, f"a second item with key {item.key!r}: left out"))
            continue
        if not item.text.strip():
            report.problems.append(ImportProblem(item.path, item.line, "empty text: left out"))
            continue
        kept[item.key] = item
        records.append({"id": item.key, "text": item.text, "source": item.path, "line": item.line})
    report.items = len(kept)
    write_jsonl(paths["docs"], records)

    unit_records: list[dict[str, Any]] = []
    annotations: dict[Key, Annotation] = {}
    rejects: dict[Key, Rejected] = {}
    predictions: list[dict[str, Any]] = []
    for document in read_jsonl_file(paths["docs"]):
        if isinstance(document, IngestError):
            report.problems.append(ImportProblem(document.path, document.line, document.reason))
            continue
        item = kept[str(document.meta["id"])]
        segmented = segment_document(document)
        unit_records.extend(segmented.records())
        report.units += len(segmented.articles) + len(segmented.sentences)
        for placed in _place(item, segmented, schema, report.problems):
            report.spans += len(placed.spans)
            report.choices += sum(len(v) for v in placed.choices.values())
            if (placed.answer.kind or _KIND[as_]) == "prediction":
                predictions.append(_prediction(placed, model_version))
                continue
            annotation = _annotation(placed, item, schema)
            reasons = schema.validate(annotation, placed.text)
            if reasons:
                report.rejected += 1
                rejects[annotation.key] = Rejected(annotation, tuple(reasons))
                for reason in reasons:
                    report.problems.append(ImportProblem(item.path, item.line, f"unit {placed.unit_id}: {reason}; "
                                                         "kept aside in the rejects file"))
                continue
            annotations[annotation.key] = annotation
    write_jsonl(paths["units"], unit_records)
    if as_ == "predictions" or predictions:
        predictions_path = paths.get("predictions") or Path(prefix).with_name(f"{Path(prefix).name}.predictions.jsonl")
        report.outputs["predictions"] = predictions_path
        report.predictions = write_jsonl(predictions_path, predictions)
    if as_ == "annotations":
        _merge_store(paths["annotations"], annotations, rejects)
        report.annotations = len(annotations)
    return report


def _merge_store(path: Path, annotations: dict[Key, Annotation], rejects: dict[Key, Rejected]) -> None:
    """Add to the store at ``path`` under its lock, keeping every record this import does not replace."""
    store = AnnotationStore(path)
    with store.writing():
        stored, stored_rejects = store.by_key(), store.rejects()
        stored.update(annotations)
        for key in annotations:
            stored_rejects.pop(key, None)
        stored_rejects.update(rejects)
        store.write(stored, stored_rejects, store.set_aside())
