"""Label Studio JSON exports (``Export > JSON``): one item per task, one answer per annotation
(by its annotator) and per prediction (by its model version).

Offsets are read as code points (what Label Studio 1.23's web UI stores) and each region is
checked against the ``text`` it carries; a region that fails is reported and only it is left out.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curation.imports.model import Answer, ImportedItem, ImportProblem
from curation.schema import Schema
from curation.units import EntitySpan

Report = Callable[[str], None]  # records one problem of the answer being read


class _RegionReader:
    """One answer's result regions, checked against the task text and the schema: a region that
    does not fit is reported and left out alone, the others are kept."""

    def __init__(self, text: str, schema: Schema, label_map: Mapping[str, str], report: Report) -> None:
        self.text, self.schema, self.label_map, self.report = text, schema, label_map, report
        span_family = schema.span_family()
        self.known_spans = set(span_family.values) if span_family else set()
        self.spans: list[EntitySpan] = []
        self.choices: dict[str, tuple[str, ...]] = {}

    def read(self, result: list[Any]) -> tuple[tuple[EntitySpan, ...], dict[str, tuple[str, ...]]]:
        """The spans (in text order) and the choices per family of ``result``."""
        for region in result:
            if not isinstance(region, dict):
                self.report(f"region {region!r} is not an object: left out")
                continue
            value = region.get("value") or {}
            where = f"region {region.get('id')}"
            if region.get("type") == "labels":
                self._span_region(where, value)
            elif region.get("type") == "choices":
                self._choice_region(where, str(region.get("from_name")), value)
            else:
                self.report(f"{where}: result type {region.get('type')!r} is not imported: left out")
        return tuple(sorted(self.spans, key=lambda s: (s.start, s.end, s.label))), self.choices

    def _label(self, raw: Any) -> str:
        return self.label_map.get(str(raw), str(raw))

    def _span_region(self, where: str, value: Any) -> None:
        placed = self._placed(where, value)
        if placed is None:
            return
        start, end = placed
        for raw in value.get("labels") or ():
            label = self._label(raw)
            if label in self.known_spans:
                self.spans.append(EntitySpan(start, end, label, self.text[start:end]))
            else:
                self.report(f"{where}: unknown label {raw!r}: span left out")

    def _placed(self, where: str, value: Any) -> tuple[int, int] | None:
        """The region's offsets, when they are numbers inside the text and the text there is the region's."""
        try:
            start, end = int(value["start"]), int(value["end"])
        except (KeyError, TypeError, ValueError):
            self.report(f"{where}: no readable start/end: left out")
            return None
        there = self.text[start:end]
        if not 0 <= start < end <= len(self.text) or value.get("text", there) != there:
            self.report(f"{where} [{start}:{end}] {value.get('text')!r}: not what the task text holds there "
                        f"({there!r}): left out")
            return None
        return start, end

    def _choice_region(self, where: str, family_name: str, value: Any) -> None:
        family = next((f for f in self.schema.all_families if f.name == family_name and f.kind == "choice"), None)
        if family is None:
            self.report(f"{where}: {family_name!r} is not a choice family of schema {self.schema.name}: left out")
            return
        picked = []
        for raw in value.get("choices") or ():
            label = self._label(raw)
            if label in family.values:
                picked.append(label)
            else:
                self.report(f"{where}: unknown {family_name} label {raw!r}: left out")
        if picked:
            self.choices[family_name] = self.choices.get(family_name, ()) + tuple(picked)


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
        """Every answer of ``task`` but the cancelled ones, annotations first."""
        answers = []
        for kind, entries in (("annotation", task.get("annotations") or []), ("prediction", task.get("predictions") or [])):
            for entry in entries:
                if isinstance(entry, dict) and not entry.get("was_cancelled"):
                    answers.append(self._answer(kind, entry, f"{task_name}, {kind} {entry.get('id')}", text))
        return tuple(answers)

    def _answer(self, kind: str, entry: dict[str, Any], where: str, text: str) -> Answer:
        def report(message: str) -> None:
            self.problems.append(ImportProblem(str(self.path), None, f"{where}: {message}"))

        spans, choices = _RegionReader(text, self.schema, self.label_map, report).read(entry.get("result") or [])
        who = _who(kind, entry)
        prediction = kind == "prediction"
        return Answer(
            source=f"{self.source}:{who}", spans=spans, choices=choices,
            kind="prediction" if prediction else None,
            model_version=who if prediction else None,
            score=_score(entry) if prediction else None,
            ground_truth=bool(entry.get("ground_truth")), spans_checked=self.spans_checked,
        )


def read_labelstudio(
    path: str | Path,
    source: str,
    schema: Schema,
    label_map: Mapping[str, str] | None = None,
    text_field: str = "text",
    problems: list[ImportProblem] | None = None,
) -> Iterator[ImportedItem]:
    """Items of one export file; problems name the file and the task, annotation and region."""
    path = Path(path)
    problems = problems if problems is not None else []
    tasks = _tasks(path, problems)
    if tasks is None:
        return
    reader = _AnswerReader(path, source, schema, label_map or {}, problems, spans_checked=_has_spans(tasks))
    for index, task in enumerate(tasks):
        task_name = f"task {task.get('id', index) if isinstance(task, dict) else index}"
        text = (task.get("data") or {}).get(text_field) if isinstance(task, dict) else None
        if not isinstance(text, str) or not text.strip():
            problems.append(ImportProblem(str(path), None, f"{task_name}: no text in data.{text_field}: left out"))
            continue
        yield ImportedItem(key=f"{path.name}#{task.get('id', index)}", text=text, path=str(path), line=None,
                           answers=reader.answers(task, task_name, text))


def _tasks(path: Path, problems: list[ImportProblem]) -> list[Any] | None:
    """The export's list of tasks, or None with the problem recorded."""
    try:
        tasks = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.append(ImportProblem(str(path), getattr(exc, "lineno", None), f"not a Label Studio JSON export: {exc}"))
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
        for a in (t.get("annotations") or []) + (t.get("predictions") or []) if isinstance(a, dict)
        for r in a.get("result") or ()
    )


def _score(entry: dict[str, Any]) -> float | None:
    score = entry.get("score")
    return float(score) if isinstance(score, int | float) else None


def _who(kind: str, entry: dict[str, Any]) -> str:
    """The annotator (e-mail or id) of an annotation, the model version of a prediction."""
    if kind == "prediction":
        return str(entry.get("model_version") or "unknown-model")
    completed_by = entry.get("completed_by")
    if isinstance(completed_by, dict):
        completed_by = completed_by.get("email") or completed_by.get("id")
    return str(completed_by if completed_by is not None else "unknown")
