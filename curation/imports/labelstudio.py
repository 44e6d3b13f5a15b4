"""Label Studio JSON exports (``Export > JSON``): one item per task, one answer per annotation
(by its annotator) and per prediction (by its model version).

Offsets are read as code points (what Label Studio 1.23's web UI stores) and each region is
checked against the ``text`` it carries; a region that fails is reported and only it is left out.
What ``curation pull`` keeps, an import keeps: a region the UI stored twice is kept once (with a
notice), every annotation of an annotator is its own answer (keyed by its Label Studio id), a
cancelled (skipped) annotation is kept as such and counted, and times and lead times ride along.
An export of any other shape (a string where a region should be, nesting too deep for the parser)
is one line naming the task, annotation and region, never a traceback.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from curation.errors import shown
from curation.imports.model import Answer, ImportedItem, ImportProblem
from curation.schema import Schema
from curation.units import SHOWN_FIELDS, EntitySpan

Report = Callable[[str], None]  # records one problem of the answer being read


class _RegionReader:
    """One answer's result regions, checked against the task text and the schema: a region that
    does not fit is reported and left out alone, the others are kept."""

    def __init__(self, text: str, schema: Schema, label_map: Mapping[str, str], report: Report) -> None:
        self.text, self.schema, self.label_map, self.report = text, schema, label_map, report
        span_family = schema.span_family()
        self.known_spans = set(span_family.values) if span_family else set()
        self.spans: dict[tuple[int, int, str], EntitySpan] = {}
        self.choices: dict[str, tuple[str, ...]] = {}

    def read(self, result: Any) -> tuple[tuple[EntitySpan, ...], dict[str, tuple[str, ...]]]:
        """The spans (in text order) and the choices per family of ``result``."""
        if not isinstance(result, list):
            if result is not None:
                self.report(f"result is {_kind(result)}, not a list of regions: left out")
            result = []
        for region in result:
            if not isinstance(region, dict):
                self.report(f"region {_shown(region)} is {_kind(region)}, not an object: left out")
                continue
            value = region.get("value")
            where = f"region {_name(region.get('id'))}"
            if not isinstance(value, dict):
                self.report(f"{where}: value is {_kind(value)}, not an object: left out")
            elif region.get("type") == "labels":
                self._span_region(where, value)
            elif region.get("type") == "choices":
                self._choice_region(where, str(region.get("from_name")), value)
            else:
                self.report(f"{where}: result type {_shown(region.get('type'))} is not imported: left out")
        return tuple(sorted(self.spans.values(), key=lambda s: (s.start, s.end, s.label))), self.choices

    def _label(self, raw: Any) -> str:
        return self.label_map.get(str(raw), str(raw))

    def _span_region(self, where: str, value: dict[str, Any]) -> None:
        placed = self._placed(where, value)
        labels = _listed(value, "labels", where, self.report)
        if placed is None or labels is None:
            return
        start, end = placed
        for raw in labels:
            label = self._label(raw)
            if label not in self.known_spans:
                self.report(f"{where}: unknown label {_shown(raw)}: span left out")
            elif (start, end, label) in self.spans:
                self.report(f"{where}: [{start}:{end}] {label} is stored twice: kept once")
            else:
                self.spans[(start, end, label)] = EntitySpan(start, end, label, self.text[start:end])

    def _placed(self, where: str, value: dict[str, Any]) -> tuple[int, int] | None:
        """The region's offsets, when they are integers inside the text and the text there is the region's."""
        start, end = _offset(value.get("start")), _offset(value.get("end"))
        if start is None or end is None:
            self.report(f"{where}: start/end {_shown(value.get('start'))}/{_shown(value.get('end'))} are not integer "
                        "offsets: left out")
            return None
        there = self.text[start:end] if 0 <= start < end <= len(self.text) else None
        if there is None or value.get("text", there) != there:
            self.report(f"{where} [{start}:{end}] {_shown(value.get('text'))}: not what the task text holds there "
                        f"({_shown(there)}): left out")
            return None
        return start, end

    def _choice_region(self, where: str, family_name: str, value: dict[str, Any]) -> None:
        family = next((f for f in self.schema.all_families if f.name == family_name and f.kind == "choice"), None)
        if family is None:
            self.report(f"{where}: {_shown(family_name)} is not a choice family of schema {self.schema.name}: left out")
            return
        picked = []
        for raw in _listed(value, "choices", where, self.report) or ():
            label = self._label(raw)
            if label in family.values:
                picked.append(label)
            else:
                self.report(f"{where}: unknown {family_name} label {_shown(raw)}: left out")
        if picked:
            self.choices[family_name] = self.choices.get(family_name, ()) + tuple(picked)


SHOWN_CHARS = 60
_shown = partial(shown, limit=SHOWN_CHARS + 3)  # a value from the export, cut to SHOWN_CHARS and '...'


def _kind(value: Any) -> str:
    """What a JSON value is, for a message: ``null``, ``a str``, ``an int``."""
    if value is None:
        return "null"
    name = type(value).__name__
    return f"{'an' if name[0] in 'aeiou' else 'a'} {name}"


def _offset(value: Any) -> int | None:
    """An offset: an int, or a float with no fractional part (JSON has one number type); not a bool."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    return int(value) if isinstance(value, float) and value.is_integer() else None


def _name(value: Any) -> str:
    """An id from the export as written when it is a plain string or number, else shown."""
    plain = (isinstance(value, str | int) and not isinstance(value, bool) and len(str(value)) <= SHOWN_CHARS
             and str(value).isprintable())  # a line break in an id must not break the one-line message
    return str(value) if plain else _shown(value)


def _listed(value: dict[str, Any], key: str, where: str, report: Report) -> list[str] | None:
    """``value[key]`` as a list of label strings, or None with the problem reported."""
    found = value.get(key)
    if not isinstance(found, list) or not all(isinstance(item, str) for item in found):
        report(f"{where}: {key} is {_shown(found)}, not a list of labels: left out")
        return None
    return found


@dataclass(frozen=True, slots=True)
class _AnswerReader:
    """Turns a task's annotations and predictions into answers, problems naming the file and
    the task, annotation and region."""

    path: Path
    source: str
    schema: Schema
    label_map: Mapping[str, str]
    problems: list[ImportProblem]
    spans_checked: bool  # the export labels spans somewhere: an answer without any says "no entity"

    def answers(self, task: dict[str, Any], task_name: str, text: str) -> tuple[Answer, ...]:
        """Every answer of ``task``, annotations first (cancelled ones marked so)."""
        answers = []
        for kind, key in (("annotation", "annotations"), ("prediction", "predictions")):
            entries = task.get(key)
            if entries is None:
                continue
            if not isinstance(entries, list):
                self._report(f"{task_name}: {key} is {_kind(entries)}, not a list: left out")
                continue
            for index, entry in enumerate(entries):
                if not isinstance(entry, dict):
                    self._report(f"{task_name}, {kind} #{index}: {_shown(entry)} is {_kind(entry)}, not an object: left out")
                    continue
                answers.append(self._answer(kind, entry, f"{task_name}, {kind} {_name(entry.get('id'))}", text))
        return tuple(answers)

    def _report(self, message: str) -> None:
        self.problems.append(ImportProblem(str(self.path), None, message))

    def _answer(self, kind: str, entry: dict[str, Any], where: str, text: str) -> Answer:
        def report(message: str) -> None:
            self._report(f"{where}: {message}")

        spans, choices = _RegionReader(text, self.schema, self.label_map, report).read(entry.get("result"))
        who = _who(kind, entry)
        prediction = kind == "prediction"
        own_id = entry.get("id")
        return Answer(
            source=f"{self.source}:{who}", spans=spans, choices=choices,
            kind="prediction" if prediction else None,
            model_version=who if prediction else None,
            score=_score(entry) if prediction else None,
            ground_truth=entry.get("ground_truth") is True, spans_checked=self.spans_checked,
            annotation_id=None if prediction or own_id is None else str(own_id),
            created_at=_text(entry.get("created_at")), updated_at=_text(entry.get("updated_at")),
            lead_time=_number(entry.get("lead_time")),
            cancelled=not prediction and entry.get("was_cancelled") is True,
        )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) else None


def read_labelstudio(
    path: str | Path,
    source: str,
    schema: Schema,
    label_map: Mapping[str, str] | None = None,
    text_field: str = "text",
    problems: list[ImportProblem] | None = None,
    field_names: Mapping[str, str] | None = None,
) -> Iterator[ImportedItem]:
    """Items of one export file; problems name the file and the task, annotation and region. A task's
    ``data.title`` and ``data.target`` (or the keys ``field_names`` gives for them) ride along as the
    fields its unit shows."""
    path = Path(path)
    problems = problems if problems is not None else []
    tasks = _tasks(path, problems)
    if tasks is None:
        return
    reader = _AnswerReader(path, source, schema, label_map or {}, problems, spans_checked=_has_spans(tasks))
    for index, task in enumerate(tasks):
        if not isinstance(task, dict):
            problems.append(ImportProblem(str(path), None, f"task #{index}: {_shown(task)} is {_kind(task)}, not an object: left out"))
            continue
        own_id = task.get("id", index)
        task_name = f"task {_name(own_id)}"
        data = task.get("data")
        data = data if isinstance(data, dict) else {}
        text = data.get(text_field)
        if not isinstance(text, str) or not text.strip():
            problems.append(ImportProblem(str(path), None, f"{task_name}: no text in data.{text_field}: left out"))
            continue
        if not _writable(text):
            problems.append(ImportProblem(str(path), None, f"{task_name}: data.{text_field} holds a lone surrogate, "
                                          "not a Unicode character: left out"))
            continue
        fields = {key: data[name] for key, name in ((k, (field_names or {}).get(k, k)) for k in SHOWN_FIELDS)
                  if isinstance(data.get(name), str) and _writable(data[name])}
        yield ImportedItem(key=f"{path.name}#{own_id}", text=text, path=str(path), line=None,
                           answers=reader.answers(task, task_name, text), fields=fields)


def _writable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _tasks(path: Path, problems: list[ImportProblem]) -> list[Any] | None:
    """The export's list of tasks, or None with the problem recorded."""
    try:
        tasks = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.append(ImportProblem(str(path), getattr(exc, "lineno", None), f"not a Label Studio JSON export: {exc}"))
        return None
    except RecursionError:
        problems.append(ImportProblem(str(path), None, "not a Label Studio JSON export: nested too deeply to read"))
        return None
    if not isinstance(tasks, list):
        problems.append(ImportProblem(str(path), None, "not a Label Studio JSON export: expected a list of tasks"))
        return None
    return tasks


def _has_spans(tasks: list[Any]) -> bool:
    """Whether any annotation or prediction of the export has a span region."""
    return any(
        isinstance(r, dict) and r.get("type") == "labels"
        for t in tasks if isinstance(t, dict)
        for key in ("annotations", "predictions") if isinstance(t.get(key), list)
        for a in t[key] if isinstance(a, dict) and isinstance(a.get("result"), list)
        for r in a["result"]
    )


def _score(entry: dict[str, Any]) -> float | None:
    return _number(entry.get("score"))


def _who(kind: str, entry: dict[str, Any]) -> str:
    """The annotator (e-mail or id) of an annotation, the model version of a prediction."""
    if kind == "prediction":
        return str(entry.get("model_version") or "unknown-model")
    completed_by = entry.get("completed_by")
    if isinstance(completed_by, dict):
        completed_by = completed_by.get("email") or completed_by.get("id")
    return str(completed_by) if isinstance(completed_by, str | int) and _writable(str(completed_by)) else "unknown"
