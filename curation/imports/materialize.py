"""Imported items -> pages, units, annotations or predictions, through the project's own steps.

Each item becomes one page in ``PREFIX.docs.jsonl``; that file is read back with
:func:`curation.ingest.read_jsonl_file` and segmented, so the unit ids are exactly the ones
``curation segment`` and a ``curation build`` recipe with ``inputs: [PREFIX.docs.jsonl]`` produce.
An item is one unit as its corpus drew it (the page says ``"segmentation": "given"``, which the
segmenter honours; its tokens ride along as given for the export's ``tokens``), unless
``segment=True`` asks for the news-page segmenter. Labels are then moved onto the units that hold
them: spans onto their sentence (offsets made relative to it), choices onto the single article or
sentence.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from curation.fileio import write_jsonl
from curation.imports.model import Answer, ImportedItem, ImportProblem
from curation.ingest import IngestError, canonicalize, read_jsonl_file
from curation.schema import Schema
from curation.segment.pipeline import GIVEN, SEGMENTATION_KEY, SegmentedDocument, segment_document
from curation.studio.store import AnnotationStore, Key, Rejected
from curation.units import FIELDS_KEY, TOKEN_OFFSETS_KEY, TOKENS_KEY, Annotation, EntitySpan, content_id

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
    cancelled: int = 0  # annotations the annotator skipped: kept in the store as cancelled, counted here
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


def written_by_import(path: Path) -> bool:
    """Whether an import may write its pages at ``path``: nothing is there, or a pages file an import
    wrote (its first record names its source file and line). A user's own file is never overwritten."""
    try:
        with path.open(encoding="utf-8") as handle:
            first = json.loads(handle.readline() or "{}")
    except FileNotFoundError:
        return True
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return isinstance(first, dict) and {"id", "text", "source", "line"} <= first.keys()


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
    token_offsets = tuple((moved(start), moved(end)) for start, end in item.token_offsets)
    return replace(item, text=text, answers=tuple(answers), token_offsets=token_offsets)


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
    for answer in item.answers:
        per_sentence = _spans_by_sentence(item, answer, segmented, problems)
        choices_at = _choices_by_unit(item, answer, segmented, schema, problems)
        yield from _labelled_units(answer, segmented, schema, per_sentence, choices_at)


def _spans_by_sentence(
    item: ImportedItem, answer: Answer, segmented: SegmentedDocument, problems: list[ImportProblem]
) -> dict[str, list[EntitySpan]]:
    """The answer's spans on the sentence that holds each, offsets relative to it; a span across
    a sentence boundary is reported and left out."""
    per_sentence: dict[str, list[EntitySpan]] = {}
    for index, span in enumerate(answer.spans):
        home = next((s for s in segmented.sentences if s.start <= span.start and span.end <= s.end), None)
        if home is None:
            line = answer.lines[index] if index < len(answer.lines) else item.line
            problems.append(ImportProblem(item.path, line, f"span {span.label} {span.text!r} [{span.start}:{span.end}]: "
                                          f"{_outside_why(span, segmented)}: span left out"))
            continue
        per_sentence.setdefault(home.id, []).append(
            EntitySpan(span.start - home.start, span.end - home.start, span.label, span.text))
    return per_sentence


def _outside_why(span: EntitySpan, segmented: SegmentedDocument) -> str:
    """Why no sentence holds ``span`` (only the news-page segmenter, asked for with ``segment``, cuts an
    imported text): it crosses a boundary the segmenter drew, or lies in a part kept from annotators."""
    if any(s.start < span.start < s.end or s.start < span.end < s.end for s in segmented.sentences):
        return "the news-page segmenter (asked for with segment) cut a sentence boundary inside it"
    return "it lies in what the news-page segmenter (asked for with segment) kept out of every sentence " \
           "(a dateline, byline, caption or boilerplate line)"


def _choices_by_unit(
    item: ImportedItem, answer: Answer, segmented: SegmentedDocument, schema: Schema, problems: list[ImportProblem]
) -> dict[str, dict[str, tuple[str, ...]]]:
    """The answer's choices on the one unit of their family's level (the article where the family
    is asked of articles); a page that became several such units is reported and left out."""
    choices_at: dict[str, dict[str, tuple[str, ...]]] = {}
    for family_name, values in answer.choices.items():
        levels = schema.family(family_name).levels
        level = "article" if "article" in levels else "sentence"
        units = segmented.articles if level == "article" else segmented.sentences
        if len(units) != 1:
            problems.append(ImportProblem(item.path, item.line, f"{family_name} {', '.join(values)}: the page became "
                                          f"{len(units)} {level} units, not one: choice left out"))
            continue
        choices_at.setdefault(units[0].id, {})[family_name] = values
    return choices_at


def _labelled_units(
    answer: Answer,
    segmented: SegmentedDocument,
    schema: Schema,
    per_sentence: dict[str, list[EntitySpan]],
    choices_at: dict[str, dict[str, tuple[str, ...]]],
) -> Iterator[UnitLabels]:
    """The answer on each unit it labels; when it was checked for spans, every sentence of a
    schema with sentence spans, since one without any says "no entity here". A cancelled (skipped)
    answer says nothing, yet it is kept, on the units of the first level the schema asks."""
    every_sentence = answer.spans_checked and schema.span_family("sentence") is not None
    placed = False
    for sentence in segmented.sentences:
        spans = tuple(per_sentence.get(sentence.id, ()))
        choices = choices_at.pop(sentence.id, {})
        if spans or choices or every_sentence:
            placed = True
            yield UnitLabels(sentence.id, "sentence", sentence.text, answer, spans, choices)
    for article in segmented.articles:
        if article.id in choices_at:
            placed = True
            yield UnitLabels(article.id, "article", article.body, answer, (), choices_at[article.id])
    if answer.cancelled and not placed:
        if "article" in schema.levels:
            yield from (UnitLabels(a.id, "article", a.body, answer, (), {}) for a in segmented.articles)
        else:
            yield from (UnitLabels(s.id, "sentence", s.text, answer, (), {}) for s in segmented.sentences)


def _annotation(placed: UnitLabels, item: ImportedItem, schema: Schema) -> Annotation:
    """The store record of one answer on one unit; its id names the source's own answer id when
    there is one, so two answers by one annotator are two records."""
    answer = placed.answer
    own = () if answer.annotation_id is None else (answer.annotation_id,)
    return Annotation(
        unit_id=placed.unit_id,
        level=placed.level,  # type: ignore[arg-type]
        annotator=answer.source,
        annotation_id=content_id("i", item.key, answer.source, placed.unit_id, *own),
        choices=placed.choices,
        spans=placed.spans,
        schema_version=schema.version,
        created_at=answer.created_at,
        updated_at=answer.updated_at,
        lead_time=answer.lead_time,
        cancelled=answer.cancelled,
        ground_truth=answer.ground_truth,
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
    segment: bool = False,
    paths: Mapping[str, Path] | None = None,
) -> ImportReport:
    """Write the pages, the units and the labels of ``items`` next to ``prefix`` (or at ``paths``, as
    :func:`output_paths` names them); each item is one unit unless ``segment`` asks for the news-page
    segmenter."""
    report = report or ImportReport()
    paths = dict(paths) if paths else output_paths(Path(prefix), as_)
    for path in paths.values():
        path.parent.mkdir(parents=True, exist_ok=True)
    report.outputs = paths
    kept = _kept_items(items, report.problems)
    report.items = len(kept)
    write_jsonl(paths["docs"], [_page(item, segment) for item in kept.values()])
    labels = _PageLabels(schema, report, _KIND[as_], model_version)
    for document in read_jsonl_file(paths["docs"]) if kept else ():  # an empty file is no news when nothing was read
        if isinstance(document, IngestError):
            report.problems.append(ImportProblem(document.path, document.line, document.reason))
            continue
        labels.add_page(kept[str(document.meta["id"])], segment_document(document))
    write_jsonl(paths["units"], labels.unit_records)
    if as_ == "predictions" or labels.predictions:
        predictions_path = paths.get("predictions") or Path(prefix).with_name(f"{Path(prefix).name}.predictions.jsonl")
        report.outputs["predictions"] = predictions_path
        report.predictions = write_jsonl(predictions_path, labels.predictions)
    if as_ == "annotations":
        _merge_store(paths["annotations"], labels.annotations, labels.rejects)
        report.annotations = len(labels.annotations)
    return report


def _page(item: ImportedItem, segment: bool) -> dict[str, Any]:
    """The page record of ``item`` (a line of ``PREFIX.docs.jsonl``)."""
    page: dict[str, Any] = {"id": item.key, "text": item.text, "source": item.path, "line": item.line}
    if not segment:
        page[SEGMENTATION_KEY] = GIVEN
    if item.fields:
        page[FIELDS_KEY] = dict(item.fields)
    if item.tokens:
        page[TOKENS_KEY] = list(item.tokens)
        page[TOKEN_OFFSETS_KEY] = [list(pair) for pair in item.token_offsets]
    return page


def _kept_items(items: Iterable[ImportedItem], problems: list[ImportProblem]) -> dict[str, ImportedItem]:
    """The items to import by key, in order, their text canonical; a second item with a key and
    an item without text are reported and left out."""
    kept: dict[str, ImportedItem] = {}
    for item in items:
        item = _canonical(item, problems)
        if item.key in kept and not _same_file(item.path, kept[item.key].path):
            item = replace(item, key=_qualified(item.key, item.path, kept[item.key].path))
        if item.key in kept:
            problems.append(ImportProblem(item.path, item.line, f"a second item with key {item.key!r}: left out"))
        elif not item.text.strip():
            problems.append(ImportProblem(item.path, item.line, "empty text: left out"))
        else:
            kept[item.key] = item
    return kept


def _same_file(one: str, other: str) -> bool:
    return Path(one).resolve() == Path(other).resolve()


def _qualified(key: str, path: str, other: str) -> str:
    """``key`` led by the folders that tell ``path`` from ``other``, a file of the same name
    elsewhere (``test/data.txt`` beside ``train/data.txt``): the two never share an id."""
    mine, theirs = Path(path).resolve().parent, Path(other).resolve().parent
    common = Path(os.path.commonpath([mine, theirs]))
    return f"{mine.relative_to(common).as_posix()}/{key}"


@dataclass
class _PageLabels:
    """What the import makes of its segmented pages: their unit records, and each answer on a unit
    as an annotation (or a reject, when the schema refuses it) or as a prediction."""

    schema: Schema
    report: ImportReport
    default_kind: str  # "annotation" or "prediction": what an answer that does not say is
    model_version: str | None
    unit_records: list[dict[str, Any]] = field(default_factory=list)
    annotations: dict[Key, Annotation] = field(default_factory=dict)
    rejects: dict[Key, Rejected] = field(default_factory=dict)
    predictions: list[dict[str, Any]] = field(default_factory=list)

    def add_page(self, item: ImportedItem, segmented: SegmentedDocument) -> None:
        self.unit_records.extend(segmented.records())
        self.report.units += len(segmented.articles) + len(segmented.sentences)
        for placed in _place(item, segmented, self.schema, self.report.problems):
            self.report.spans += len(placed.spans)
            self.report.choices += sum(len(v) for v in placed.choices.values())
            if (placed.answer.kind or self.default_kind) == "prediction":
                self.predictions.append(_prediction(placed, self.model_version))
            else:
                self._add_annotation(placed, item)

    def _add_annotation(self, placed: UnitLabels, item: ImportedItem) -> None:
        annotation = _annotation(placed, item, self.schema)
        self.report.cancelled += annotation.cancelled
        reasons = self.schema.validate(annotation, placed.text)
        if not reasons:
            self.annotations[annotation.key] = annotation
            return
        self.report.rejected += 1
        self.rejects[annotation.key] = Rejected(annotation, tuple(reasons))
        for reason in reasons:
            self.report.problems.append(ImportProblem(item.path, item.line, f"unit {placed.unit_id}: {reason}; "
                                                      "kept aside in the rejects file"))


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
