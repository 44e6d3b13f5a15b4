"""Pull every annotation of a project into the local store: incremental, idempotent, lossless.

The first pull reads Label Studio's own JSON export of annotated tasks (its bulk path). Later
pulls ask the Data Manager only for tasks whose ``updated_at`` is past the watermark (Label
Studio bumps it when an annotation on the task is created, edited, skipped or deleted) and
export just those tasks. For each fetched task, a stored annotation the server no longer has
is kept and flagged ``deleted``; an edited one is replaced. Each region is checked on its own
(:func:`curation.studio.results.from_results`): a bad region is set aside with its reason and
the rest of the annotation is kept; an annotation failing the schema as a whole moves to the
rejects file. Nothing is written when nothing changed.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from label_studio_sdk import LabelStudio

from curation.schema import Schema
from curation.studio.client import ProjectMissing, StudioError
from curation.studio.contract import TEXT_KEY, UNIT_KEY, StudioGateway, task_filter
from curation.studio.projects import DEFAULT_STATE_DIR, ProjectRef, find_project
from curation.studio.results import from_results
from curation.studio.store import AnnotationStore, Key, Rejections
from curation.units import Annotation

DEFAULT_STORE_DIR = Path(".curation/annotations")
EXPORT_CHUNK = 500  # task ids per export request, to keep the URL short
SAMPLE_REASONS = 10
EXPORT_FOLDER = "export"  # where a local Label Studio leaves a copy of every JSON export


@dataclass
class PullReport:
    """Counts of one pull; ``reasons`` samples why annotations or regions were kept out.

    ``rejected``/``regions_set_aside`` count what changed in this pull; ``rejections`` is the
    store's standing total afterwards (what a build will report).
    """

    project: ProjectRef
    store: Path
    tasks_fetched: int = 0
    new: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    rejected: int = 0
    regions_set_aside: int = 0
    reasons: list[str] = field(default_factory=list)
    rejections: Rejections = field(default_factory=Rejections)

    @property
    def changed(self) -> bool:
        return bool(self.new or self.updated or self.deleted or self.rejected or self.regions_set_aside)

    def note(self, reason: str) -> None:
        if len(self.reasons) < SAMPLE_REASONS:
            self.reasons.append(reason)


def default_store_path(schema: Schema, level: str) -> Path:
    return DEFAULT_STORE_DIR / f"{schema.name}-{level}.jsonl"


def _export(gateway: StudioGateway, ref: ProjectRef, task_ids: list[int] | None) -> Iterator[dict[str, Any]]:
    """Label Studio's JSON export: all annotated tasks, or exactly ``task_ids`` (annotated or not)."""
    if task_ids is None:
        yield from gateway.export(ref.id)
        return
    for start in range(0, len(task_ids), EXPORT_CHUNK):
        yield from gateway.export(ref.id, task_ids[start : start + EXPORT_CHUNK])


@dataclass(slots=True)
class StoreState:
    """The store's three keyed tables while a pull folds tasks into them."""

    stored: dict[Key, Annotation]
    rejects: dict[Key, dict[str, Any]]
    set_aside: dict[Key, dict[str, Any]]

    def keys_by_unit(self) -> dict[str, set[Key]]:
        by_unit: dict[str, set[Key]] = {}
        for key in list(self.stored) + list(self.rejects):
            by_unit.setdefault(key[0], set()).add(key)
        return by_unit


def to_annotation(
    task: dict[str, Any], raw: dict[str, Any], ref: ProjectRef, annotators: dict[int, str], schema: Schema | None = None
) -> tuple[Annotation, list[str], list[dict[str, Any]]]:
    """One exported annotation as a data-model record (valid regions only), the reasons it fails
    as a whole (beyond the schema), and its set-aside regions with their reasons."""
    data = task.get("data") or {}
    text = str(data.get(TEXT_KEY) or "")
    read = from_results(text, raw.get("result") or [], schema, ref.level)
    problems: list[str] = []
    completed_by = raw.get("completed_by")
    if isinstance(completed_by, dict):
        completed_by = completed_by.get("id")
    annotator = annotators.get(int(completed_by), str(completed_by)) if completed_by is not None else "unknown"
    unit_id = data.get(UNIT_KEY)
    if not unit_id:
        problems.append(f"task {task.get('id')} has no unit_id: it was not pushed by curation")
    annotation = Annotation(
        unit_id=str(unit_id or f"task:{task.get('id')}"),
        level=ref.level,  # type: ignore[arg-type]
        annotator=annotator,
        annotation_id=str(raw["id"]),
        choices=read.choices,
        spans=read.spans,
        schema_version=ref.schema_version,
        created_at=raw.get("created_at"),
        updated_at=raw.get("updated_at"),
        lead_time=raw.get("lead_time"),
        cancelled=bool(raw.get("was_cancelled")),
        ground_truth=bool(raw.get("ground_truth")),
    )
    return annotation, problems, [item.to_dict() for item in read.set_aside]


def merge_tasks(
    tasks: Iterable[dict[str, Any]],
    schema: Schema,
    ref: ProjectRef,
    annotators: dict[int, str],
    state: StoreState,
    report: PullReport,
) -> dict[str, set[Key]]:
    """Fold fetched tasks into ``state`` in place, counting in ``report``; returns the stored
    keys of units no fetched task carried."""
    by_unit = state.keys_by_unit()
    for task in tasks:
        report.tasks_fetched += 1
        data = task.get("data") or {}
        text = str(data.get(TEXT_KEY) or "")
        seen: set[Key] = set()
        unit_id = str(data.get(UNIT_KEY) or f"task:{task.get('id')}")
        for raw in task.get("annotations") or ():
            annotation, reasons, regions = to_annotation(task, raw, ref, annotators, schema)
            reasons += schema.validate(annotation, text)
            key = annotation.key
            seen.add(key)
            _fold(state, key, annotation, reasons, regions, task.get("id"), report)
        mark_deleted(by_unit.pop(unit_id, set()) - seen, state, report)
    return by_unit


def _fold(
    state: StoreState,
    key: Key,
    annotation: Annotation,
    reasons: list[str],
    regions: list[dict[str, Any]],
    task_id: object,
    report: PullReport,
) -> None:
    """Place one fetched annotation: rejected whole, or stored (its bad regions set aside)."""
    who = f"unit {annotation.unit_id}, annotation {key[2]} by {key[1]}"
    if reasons:
        entry = {"record": annotation.to_record(), "reasons": reasons + [r["reason"] for r in regions], "task_id": task_id}
        if state.rejects.get(key) != entry:
            report.rejected += 1
            report.note(f"{who} rejected: " + "; ".join(entry["reasons"]))
        state.rejects[key] = entry
        state.stored.pop(key, None)
        state.set_aside.pop(key, None)
        return
    state.rejects.pop(key, None)
    if regions:
        entry = {"record": annotation.to_record(), "regions": regions, "task_id": task_id}
        if state.set_aside.get(key) != entry:
            report.regions_set_aside += len(regions)
            for region in regions:
                report.note(f"{who}: region set aside, unit flagged: {region['reason']}")
        state.set_aside[key] = entry
    else:
        state.set_aside.pop(key, None)
    previous = state.stored.get(key)
    if previous == annotation:
        report.unchanged += 1
    else:
        report.new += previous is None
        report.updated += previous is not None
        state.stored[key] = annotation


def mark_deleted(keys: Iterable[Key], state: StoreState, report: PullReport) -> None:
    """Flag annotations that are gone from Label Studio: kept in the store, never dropped."""
    for key in keys:
        if key in state.stored and not state.stored[key].deleted:
            state.stored[key] = replace(state.stored[key], deleted=True)
            report.deleted += 1
            if key in state.set_aside:
                state.set_aside[key]["record"]["deleted"] = True
        elif key in state.rejects and not state.rejects[key]["record"].get("deleted"):
            state.rejects[key]["record"]["deleted"] = True
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
    gateway = StudioGateway(client, url)
    gateway.whoami()  # a wrong key or a server that is not Label Studio is named first
    ref = find_project(url, schema, level, state_dir)
    if ref is None:
        raise StudioError(
            f"no {schema.name} {level} project recorded in {Path(state_dir).resolve()} for {url}: "
            f"run `curation push UNITS.jsonl --level {level}` first."
        )
    store = AnnotationStore(store_path or default_store_path(schema, level))
    report = PullReport(ref, store.path)
    if not gateway.project_exists(ref.id):  # the key works (whoami above): the project itself is gone
        raise ProjectMissing(
            f"project {ref.title!r} (id {ref.id}) no longer exists at {url}: the annotations already pulled stay "
            f"in {store.path}; `curation push ... --recreate` creates the project again."
        )
    with store.writing():
        _pull_locked(gateway, ref, schema, store, report, full, Path(state_dir))
    report.rejections = store.rejections()
    return report


def _pull_locked(
    gateway: StudioGateway, ref: ProjectRef, schema: Schema, store: AnnotationStore, report: PullReport,
    full: bool, state_dir: Path,
) -> None:
    state = store.state()
    incremental = not full and state.get("project_id") == ref.id and state.get("watermark")
    annotators = gateway.annotators()
    tables = StoreState(store.by_key(), store.rejects(), store.set_aside())
    started = time.time()
    if incremental:
        changed = list(gateway.iter_tasks(ref.id, "id,updated_at",
                                          [task_filter("updated_at", "greater", "Datetime", state["watermark"])]))
        watermark = max((t["updated_at"] for t in changed), default=state["watermark"])
        tasks: Iterable[dict[str, Any]] = _export(gateway, ref, [int(t["id"]) for t in changed]) if changed else ()
    else:
        watermark = gateway.latest_update(ref.id)
        everything = tables.stored or tables.rejects
        tasks = _export(gateway, ref, [int(t["id"]) for t in gateway.iter_tasks(ref.id, "id")] if everything else None)
    unvisited = merge_tasks(tasks, schema, ref, annotators, tables, report)
    if not incremental:  # every task was fetched: units left over had their task deleted
        mark_deleted((key for keys in unvisited.values() for key in keys), tables, report)
    _remove_export_copies(state_dir, ref, started)

    if report.changed:
        store.write(tables.stored, tables.rejects, tables.set_aside)
    new_state = {"url": ref.url, "project_id": ref.id, "watermark": watermark}
    if new_state != state:
        store.write_state(new_state)


def _remove_export_copies(state_dir: Path, ref: ProjectRef, since: float) -> None:
    """A local Label Studio keeps a copy of every export it serves (``export/project-ID-at-*``):
    remove the ones this pull caused, so the data folder does not grow at every pull."""
    folder = state_dir / EXPORT_FOLDER
    if not ref.local or not folder.is_dir():
        return
    for copy in folder.glob(f"project-{ref.id}-at-*.json"):
        try:
            if copy.stat().st_mtime >= since - 1:
                copy.unlink()
        except FileNotFoundError:
            continue
