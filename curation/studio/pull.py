"""Pull every annotation of a project into the local store: incremental, idempotent, lossless.

The first pull reads Label Studio's own JSON export of annotated tasks (its bulk path). Later
pulls ask the Data Manager only for tasks whose ``updated_at`` is past the watermark (Label
Studio bumps it when an annotation on the task is created, edited, skipped or deleted) and
export just those tasks. For each fetched task, a stored annotation the server no longer has
is kept and flagged ``deleted``; an edited one is replaced; one failing the schema moves to
the rejects file with its reasons. Nothing is written when nothing changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from label_studio_sdk import LabelStudio

from curation.schema import Schema
from curation.studio.client import StudioError, explained, raw_json, studio_call
from curation.studio.listing import iter_tasks, task_filter
from curation.studio.projects import DEFAULT_STATE_DIR, ProjectRef, load_project, project_folder
from curation.studio.results import from_results
from curation.studio.store import AnnotationStore, Key
from curation.units import Annotation

DEFAULT_STORE_DIR = Path(".curation/annotations")
EXPORT_CHUNK = 500  # task ids per export request, to keep the URL short
SAMPLE_REASONS = 10


@dataclass
class PullReport:
    """Counts of one pull; ``reasons`` samples why annotations were rejected."""

    project: ProjectRef
    store: Path
    tasks_fetched: int = 0
    new: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    rejected: int = 0
    reasons: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.new or self.updated or self.deleted or self.rejected)


def default_store_path(schema: Schema, level: str) -> Path:
    return DEFAULT_STORE_DIR / f"{schema.name}-{level}.jsonl"


def _export(client: LabelStudio, ref: ProjectRef, task_ids: list[int] | None) -> Iterator[dict[str, Any]]:
    """Label Studio's JSON export: all annotated tasks, or exactly ``task_ids`` (annotated or not)."""
    if task_ids is None:
        yield from studio_call(ref.url, "exporting annotations",
                               lambda: raw_json(client, f"api/projects/{ref.id}/export", {"exportType": "JSON"}))
        return
    for start in range(0, len(task_ids), EXPORT_CHUNK):
        chunk = task_ids[start : start + EXPORT_CHUNK]
        params = {"exportType": "JSON", "download_all_tasks": "true", "ids[]": chunk}
        yield from studio_call(ref.url, "exporting changed tasks",
                               lambda: raw_json(client, f"api/projects/{ref.id}/export", params))


def _latest_update(client: LabelStudio, ref: ProjectRef) -> str | None:
    """The newest task ``updated_at`` on the server: the next pull starts after it."""
    query = json.dumps({"filters": {"conjunction": "and", "items": []}, "ordering": ["-tasks:updated_at"]})
    params = {"project": ref.id, "fields": "task_only", "include": "id,updated_at", "page_size": 1, "query": query}
    with explained(ref.url, "reading the project's last change"):
        tasks = raw_json(client, "api/tasks", params).get("tasks") or []
    return tasks[0]["updated_at"] if tasks else None


def _annotators(client: LabelStudio, ref: ProjectRef) -> dict[int, str]:
    """User id -> e-mail, the annotator name stored (stable across servers, unlike ids)."""
    with explained(ref.url, "listing users"):
        return {int(u.id): (u.email or u.username or str(u.id)) for u in client.users.list()}


def to_annotation(
    task: dict[str, Any], raw: dict[str, Any], ref: ProjectRef, annotators: dict[int, str]
) -> tuple[Annotation, list[str]]:
    """One exported annotation as a data-model record, plus what is wrong with its regions."""
    data = task.get("data") or {}
    text = str(data.get("text") or "")
    choices, spans, problems = from_results(text, raw.get("result") or [])
    completed_by = raw.get("completed_by")
    if isinstance(completed_by, dict):
        completed_by = completed_by.get("id")
    annotator = annotators.get(int(completed_by), str(completed_by)) if completed_by is not None else "unknown"
    unit_id = data.get("unit_id")
    if not unit_id:
        problems.append(f"task {task.get('id')} has no unit_id: it was not pushed by curation")
    annotation = Annotation(
        unit_id=str(unit_id or f"task:{task.get('id')}"),
        level=ref.level,  # type: ignore[arg-type]
        annotator=annotator,
        annotation_id=str(raw["id"]),
        choices=choices,
        spans=spans,
        schema_version=ref.schema_version,
        created_at=raw.get("created_at"),
        updated_at=raw.get("updated_at"),
        lead_time=raw.get("lead_time"),
        cancelled=bool(raw.get("was_cancelled")),
        ground_truth=bool(raw.get("ground_truth")),
    )
    return annotation, problems


def merge_tasks(
    tasks: Iterable[dict[str, Any]],
    schema: Schema,
    ref: ProjectRef,
    annotators: dict[int, str],
    stored: dict[Key, Annotation],
    rejects: dict[Key, dict[str, Any]],
    report: PullReport,
) -> dict[str, set[Key]]:
    """Fold fetched tasks into ``stored``/``rejects`` in place, counting in ``report``; returns
    the stored keys of units no fetched task carried."""
    by_unit: dict[str, set[Key]] = {}
    for key in list(stored) + list(rejects):
        by_unit.setdefault(key[0], set()).add(key)
    for task in tasks:
        report.tasks_fetched += 1
        text = str((task.get("data") or {}).get("text") or "")
        seen: set[Key] = set()
        unit_id = str((task.get("data") or {}).get("unit_id") or f"task:{task.get('id')}")
        for raw in task.get("annotations") or ():
            annotation, reasons = to_annotation(task, raw, ref, annotators)
            reasons += schema.validate(annotation, text)
            key = annotation.key
            seen.add(key)
            if reasons:
                entry = {"record": annotation.to_record(), "reasons": reasons, "task_id": task.get("id")}
                if rejects.get(key) != entry:
                    report.rejected += 1
                    if len(report.reasons) < SAMPLE_REASONS:
                        report.reasons.append(f"unit {annotation.unit_id}, annotation {key[2]} by {key[1]}: " + "; ".join(reasons))
                rejects[key] = entry
                stored.pop(key, None)
                continue
            rejects.pop(key, None)
            previous = stored.get(key)
            if previous == annotation:
                report.unchanged += 1
            else:
                report.new += previous is None
                report.updated += previous is not None
                stored[key] = annotation
        mark_deleted(by_unit.pop(unit_id, set()) - seen, stored, rejects, report)
    return by_unit


def mark_deleted(
    keys: Iterable[Key], stored: dict[Key, Annotation], rejects: dict[Key, dict[str, Any]], report: PullReport
) -> None:
    """Flag annotations that are gone from Label Studio: kept in the store, never dropped."""
    for key in keys:
        if key in stored and not stored[key].deleted:
            stored[key] = replace(stored[key], deleted=True)
            report.deleted += 1
        elif key in rejects and not rejects[key]["record"].get("deleted"):
            rejects[key]["record"]["deleted"] = True
            report.deleted += 1


def pull_annotations(
    client: LabelStudio,
    url: str,
    schema: Schema,
    level: str,
    *,
    store_path: str | Path | None = None,
    state_dir: Path = DEFAULT_STATE_DIR,
    full: bool = False,
) -> PullReport:
    """Bring the project's annotations into the store; ``full`` re-reads every task."""
    ref = load_project(project_folder(state_dir, url, schema, level))
    if ref is None:
        raise StudioError(
            f"no {schema.name} {level} project recorded for {url}: run `curation push UNITS.jsonl --level {level}` first."
        )
    store = AnnotationStore(store_path or default_store_path(schema, level))
    report = PullReport(ref, store.path)
    with explained(url, f"opening project {ref.id}"):
        client.projects.get(ref.id)
    state = store.state()
    incremental = not full and state.get("project_id") == ref.id and state.get("url") == ref.url and state.get("watermark")
    annotators = _annotators(client, ref)
    stored, rejects = store.by_key(), store.rejects()

    if incremental:
        changed = list(iter_tasks(client, url, ref.id, "id,updated_at",
                                  [task_filter("updated_at", "greater", "Datetime", state["watermark"])]))
        watermark = max((t["updated_at"] for t in changed), default=state["watermark"])
        tasks: Iterable[dict[str, Any]] = _export(client, ref, [int(t["id"]) for t in changed]) if changed else ()
    else:
        watermark = _latest_update(client, ref)
        tasks = _export(client, ref, None if not stored and not rejects else _all_task_ids(client, ref))
    unvisited = merge_tasks(tasks, schema, ref, annotators, stored, rejects, report)
    if not incremental:  # every task was fetched: units left over had their task deleted
        mark_deleted((key for keys in unvisited.values() for key in keys), stored, rejects, report)

    if report.changed:
        store.write(stored, rejects)
    new_state = {"url": ref.url, "project_id": ref.id, "watermark": watermark}
    if new_state != state:
        store.write_state(new_state)
    return report


def _all_task_ids(client: LabelStudio, ref: ProjectRef) -> list[int]:
    """Every task id, so that a full re-pull also sees tasks whose annotations were all deleted."""
    return [int(t["id"]) for t in iter_tasks(client, ref.url, ref.id, "id")]
