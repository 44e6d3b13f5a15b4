"""Label Studio JSON exports (``Export > JSON``): one item per task, one answer per annotation
(by its annotator) and per prediction (by its model version).

Offsets are read as code points (what Label Studio 1.23's web UI stores) and each region is
checked against the ``text`` it carries; a region that fails is reported and only it is left out.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from curation.imports.model import Answer, ImportedItem, ImportProblem
from curation.schema import Schema
from curation.units import EntitySpan


def _regions(
    text: str, result: list[Any], schema: Schema, label_map: Mapping[str, str], report: Any
) -> tuple[tuple[EntitySpan, ...], dict[str, tuple[str, ...]]]:
    span_family = schema.span_family()
    known_spans = set(span_family.values) if span_family else set()
    spans: list[EntitySpan] = []
    choices: dict[str, tuple[str, ...]] = {}
    for region in result:
        if not isinstance(region, dict):
            report(f"region {region!r} is not an object: left out")
            continue
        value = region.get("value") or {}
        where = f"region {region.get('id')}"
        if region.get("type") == "labels":
            try:
                start, end = int(value["start"]), int(value["end"])
            except (KeyError, TypeError, ValueError):
                report(f"{where}: no readable start/end: left out")
                continue
            if not 0 <= start < end <= len(text) or value.get("text", text[start:end]) != text[start:end]:
                report(f"{where} [{start}:{end}] {value.get('text')!r}: not what the task text holds there "
                       f"({text[start:end]!r}): left out")
                continue
            for raw in value.get("labels") or ():
                label = label_map.get(str(raw), str(raw))
                if label not in known_spans:
                    report(f"{where}: unknown label {raw!r}: span left out")
                    continue
                spans.append(EntitySpan(start, end, label, text[start:end]))
        elif region.get("type") == "choices":
            family_name = str(region.get("from_name"))
            family = next((f for f in schema.all_families if f.name == family_name and f.kind == "choice"), None)
            if family is None:
                report(f"{where}: {family_name!r} is not a choice family of schema {schema.name}: left out")
                continue
            picked = []
            for raw in value.get("choices") or ():
                label = label_map.get(str(raw), str(raw))
                if label in family.values:
                    picked.append(label)
                else:
                    report(f"{where}: unknown {family_name} label {raw!r}: left out")
            if picked:
                choices[family_name] = choices.get(family_name, ()) + tuple(picked)
        else:
            report(f"{where}: result type {region.get('type')!r} is not imported: left out")
    return tuple(sorted(spans, key=lambda s: (s.start, s.end, s.label))), choices


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
    label_map = label_map or {}
    try:
        tasks = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        problems.append(ImportProblem(str(path), getattr(exc, "lineno", None), f"not a Label Studio JSON export: {exc}"))
        return
    if not isinstance(tasks, list):
        problems.append(ImportProblem(str(path), None, "not a Label Studio JSON export: expected a list of tasks"))
        return
    has_spans = any(
        isinstance(r, dict) and r.get("type") == "labels"
        for t in tasks if isinstance(t, dict)
        for a in (t.get("annotations") or []) + (t.get("predictions") or []) if isinstance(a, dict)
        for r in a.get("result") or ()
    )
    for index, task in enumerate(tasks):
        task_name = f"task {task.get('id', index) if isinstance(task, dict) else index}"
        text = (task.get("data") or {}).get(text_field) if isinstance(task, dict) else None
        if not isinstance(text, str) or not text.strip():
            problems.append(ImportProblem(str(path), None, f"{task_name}: no text in data.{text_field}: left out"))
            continue
        answers = []
        for kind, entries in (("annotation", task.get("annotations") or []), ("prediction", task.get("predictions") or [])):
            for entry in entries:
                if not isinstance(entry, dict) or entry.get("was_cancelled"):
                    continue
                who = _who(kind, entry)
                where = f"{task_name}, {kind} {entry.get('id')}"

                def report(message: str, where: str = where) -> None:
                    problems.append(ImportProblem(str(path), None, f"{where}: {message}"))

                spans, choices = _regions(text, entry.get("result") or [], schema, label_map, report)
                score = entry.get("score") if kind == "prediction" else None
                answers.append(Answer(
                    source=f"{source}:{who}", spans=spans, choices=choices,
                    kind="prediction" if kind == "prediction" else None,
                    model_version=who if kind == "prediction" else None,
                    score=float(score) if isinstance(score, int | float) else None,
                    ground_truth=bool(entry.get("ground_truth")), spans_checked=has_spans,
                ))
        yield ImportedItem(key=f"{path.name}#{task.get('id', index)}", text=text, path=str(path), line=None,
                           answers=tuple(answers))


def _who(kind: str, entry: dict[str, Any]) -> str:
    """The annotator (e-mail or id) of an annotation, the model version of a prediction."""
    if kind == "prediction":
        return str(entry.get("model_version") or "unknown-model")
    completed_by = entry.get("completed_by")
    if isinstance(completed_by, dict):
        completed_by = completed_by.get("email") or completed_by.get("id")
    return str(completed_by if completed_by is not None else "unknown")
