"""Push units as Label Studio tasks: in large batches, idempotent, resumable after a crash.

The unit id -> task id map is a local append-only journal (``tasks.jsonl`` in the project
folder). Before each batch its unit ids are written to ``pending.json``; only after the map
lines for the batch are safely on disk is the marker removed. A push interrupted anywhere in
between (server killed, network cut, Ctrl-C) leaves the marker, and the next push first asks
the server which tasks exist beyond the last mapped one, so nothing is sent twice and
nothing is missing. Task ids from the import response are used when the server returns them
all; otherwise the same server lookup fills the map.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from label_studio_sdk import LabelStudio

from curation.fileio import atomic_writer
from curation.schema import Schema
from curation.studio.client import studio_call
from curation.studio.listing import iter_tasks, task_filter
from curation.studio.projects import DEFAULT_STATE_DIR, ProjectRef, ensure_project
from curation.studio.tasks import PUSHABLE_LEVELS, Prediction, read_predictions, task_data, unit_text
from curation.unitfile import iter_unit_records

BATCH_SIZE = 10_000
MAP_FILE = "tasks.jsonl"
PENDING_FILE = "pending.json"


class TaskMap:
    """unit id -> task id for one project, as an fsynced append-only JSONL journal."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / MAP_FILE
        self.pending_path = folder / PENDING_FILE
        self.ids: dict[str, int] = {}
        if self.path.exists():
            with self.path.open(encoding="utf-8") as handle:
                for line in handle:
                    try:
                        item = json.loads(line)
                    except ValueError:
                        continue  # a line torn by a crash; the pending marker makes us re-check
                    self.ids[item["unit_id"]] = int(item["task_id"])

    def add(self, pairs: Iterable[tuple[str, int]]) -> int:
        new = [(u, t) for u, t in pairs if u not in self.ids]
        if not new:
            return 0
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write("".join(json.dumps({"unit_id": u, "task_id": t}) + "\n" for u, t in new))
            handle.flush()
            os.fsync(handle.fileno())
        self.ids.update(new)
        return len(new)

    @property
    def pending(self) -> bool:
        return self.pending_path.exists()

    def mark_pending(self, unit_ids: list[str]) -> None:
        with atomic_writer(self.pending_path) as handle:
            json.dump({"unit_ids": unit_ids}, handle)

    def clear_pending(self) -> None:
        self.pending_path.unlink(missing_ok=True)


@dataclass
class PushReport:
    """What a push did; ``problems`` lists every input that was not sent and why."""

    project: ProjectRef
    units: int = 0
    already_pushed: int = 0
    created: int = 0
    recovered: int = 0
    predictions: int = 0
    problems: list[str] = field(default_factory=list)


def reconcile(client: LabelStudio, ref: ProjectRef, task_map: TaskMap) -> int:
    """Map every task on the server beyond the last mapped id (ids only grow); returns how
    many were found that the local map did not know."""
    last = max(task_map.ids.values(), default=0)
    found = (
        (task["data"].get("unit_id"), int(task["id"]))
        for task in iter_tasks(client, ref.url, ref.id, "id,data", [task_filter("id", "greater", "Number", last)])
    )
    recovered = task_map.add((u, t) for u, t in found if u)
    task_map.clear_pending()
    return recovered


def _prediction_problem(prediction: Prediction, text: str) -> str | None:
    for span in prediction.spans:
        if not 0 <= span.start < span.end <= len(text) or text[span.start : span.end] != span.text:
            return (
                f"prediction for unit {prediction.unit_id}: span [{span.start}:{span.end}] {span.label} "
                f"{span.text!r} does not match the unit text there ({text[span.start:span.end]!r})"
            )
    return None


def push_units(
    client: LabelStudio,
    url: str,
    units_path: str | Path,
    level: str,
    schema: Schema,
    *,
    state_dir: Path = DEFAULT_STATE_DIR,
    predictions_path: str | Path | None = None,
    batch_size: int = BATCH_SIZE,
    recreate: bool = False,
) -> PushReport:
    """Create a task for every ``level`` unit of ``units_path`` that the project lacks."""
    if level not in PUSHABLE_LEVELS:
        raise ValueError(f"level must be one of {', '.join(PUSHABLE_LEVELS)}, not {level!r}")
    records: dict[str, dict[str, Any]] = {}
    for record in iter_unit_records(units_path, level):
        records.setdefault(record["id"], record)
    predictions = {p.unit_id: p for p in read_predictions(predictions_path)} if predictions_path else {}

    ref, fresh = ensure_project(client, url, schema, level, state_dir, recreate=recreate)
    report = PushReport(ref, units=len(records))
    task_map = TaskMap(ref.folder)
    if fresh or task_map.pending:
        report.recovered = reconcile(client, ref, task_map)

    todo = [record for uid, record in records.items() if uid not in task_map.ids]
    report.already_pushed = len(records) - len(todo)
    for uid in sorted(set(predictions) - set(records)):
        report.problems.append(f"prediction for unit {uid}: no such {level} unit in {units_path}")
    for uid in sorted(set(predictions) & (set(records) - {r["id"] for r in todo})):
        report.problems.append(f"prediction for unit {uid}: task already pushed; predictions go in with new tasks only")

    default_target = schema.default_target(level)
    span_family = schema.span_family(level)
    for start in range(0, len(todo), batch_size):
        batch = todo[start : start + batch_size]
        tasks = []
        for record in batch:
            task: dict[str, Any] = {"data": task_data(record, default_target)}
            prediction = predictions.get(record["id"])
            if prediction is not None:
                text = unit_text(record)
                problem = _prediction_problem(prediction, text)
                if problem:
                    report.problems.append(problem)
                else:
                    task["predictions"] = [prediction.to_task_prediction(text, span_family.name if span_family else None)]
                    report.predictions += 1
            tasks.append(task)
        unit_ids = [record["id"] for record in batch]
        task_map.mark_pending(unit_ids)
        response = studio_call(
            url,
            f"importing tasks {start + 1}-{start + len(batch)} of {len(todo)}",
            lambda: client.projects.import_tasks(ref.id, request=tasks, return_task_ids=True),
        )
        task_ids = list(getattr(response, "task_ids", None) or [])
        if len(task_ids) == len(batch):
            report.created += task_map.add(zip(unit_ids, map(int, task_ids)))
            task_map.clear_pending()
        else:
            report.created += reconcile(client, ref, task_map)
    return report
