"""Pull every annotation of a project into the local store: incremental, idempotent, lossless.

The first pull reads Label Studio's export snapshots of annotated tasks (its cheapest bulk path). Later
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
from typing import TYPE_CHECKING

from curation.progress import SILENT, Progress, counted
from curation.schema import Schema
from curation.studio import DEFAULT_ANNOTATIONS_DIR, DEFAULT_STUDIO_DIR
from curation.studio.client import ProjectMissing, StudioError
from curation.studio.contract import ExportedAnnotation, ExportedTask, StudioGateway, task_filter
from curation.studio.identities import annotator_identities
from curation.studio.projects import ProjectRef, find_project
from curation.studio.results import SetAside, from_results
from curation.studio.store import AnnotationStore, Flagged, Key, PullState, Rejected, Rejections
from curation.units import Annotation

if TYPE_CHECKING:
    from curation.studio.connection import StudioClient

EXPORT_CHUNK = 500  # task ids per export request, to keep the URL short
SAMPLE_REASONS = 10
EXPORT_FOLDER = "export"  # where a local Label Studio leaves a copy of every JSON export...
SNAPSHOT_FOLDER = Path("media", "export")  # ... and, under the project's id, the file of every export snapshot


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
    regions_trimmed: int = 0  # kept without the white space at their edges (new or changed annotations)
    reasons: list[str] = field(default_factory=list)
    rejections: Rejections = field(default_factory=Rejections)

    @property
    def changed(self) -> bool:
        return bool(self.new or self.updated or self.deleted or self.rejected or self.regions_set_aside)

    def note(self, reason: str) -> None:
        if len(self.reasons) < SAMPLE_REASONS:
            self.reasons.append(reason)


def default_store_path(schema: Schema, level: str) -> Path:
    return DEFAULT_ANNOTATIONS_DIR / f"{schema.name}-{level}.jsonl"


def _export(gateway: StudioGateway, ref: ProjectRef, task_ids: list[int] | None) -> Iterator[ExportedTask]:
    """Label Studio's JSON export: all annotated tasks (by export snapshots), or exactly ``task_ids``
    (annotated or not)."""
    if task_ids is None:
        yield from gateway.annotated_tasks(ref.id)
        return
    for start in range(0, len(task_ids), EXPORT_CHUNK):
        yield from gateway.export(ref.id, task_ids[start : start + EXPORT_CHUNK])


@dataclass(slots=True)
class StoreState:
    """The store's three keyed tables while a pull folds tasks into them."""

    stored: dict[Key, Annotation]
    rejects: dict[Key, Rejected]
    set_aside: dict[Key, Flagged]

    def keys_by_unit(self) -> dict[str, set[Key]]:
        by_unit: dict[str, set[Key]] = {}
        for key in list(self.stored) + list(self.rejects):
            by_unit.setdefault(key[0], set()).add(key)
        return by_unit


@dataclass(frozen=True, slots=True)
class PulledAnnotation:
    """One exported annotation read against its task: the answer (valid regions only), the reasons
    it fails as a whole beyond the schema, and the regions set aside from it."""

    annotation: Annotation
    problems: list[str]
    set_aside: tuple[SetAside, ...]
    trimmed: tuple[str, ...] = ()


def to_annotation(
    task: ExportedTask, exported: ExportedAnnotation, ref: ProjectRef, annotators: dict[int, str], schema: Schema | None = None
) -> PulledAnnotation:
    """One exported annotation as a data-model record, checked region by region (with ``schema``,
    span labels the schema does not know are set aside too)."""
    read = from_results(task.text, exported.result, schema, ref.level)
    author = exported.completed_by
    problems = [] if task.unit_id else [f"task {task.id} has no unit_id: it was not pushed by curation"]
    annotation = Annotation(
        unit_id=task.unit_key,
        level=ref.level,  # type: ignore[arg-type]
        annotator="unknown" if author is None else annotators.get(author, str(author)),
        annotation_id=exported.id,
        choices=read.choices,
        spans=read.spans,
        schema_version=ref.schema_version,
        created_at=exported.created_at,
        updated_at=exported.updated_at,
        lead_time=exported.lead_time,
        cancelled=exported.cancelled,
        ground_truth=exported.ground_truth,
        model_version=exported.model_version,
    )
    return PulledAnnotation(annotation, problems, tuple(read.set_aside), tuple(read.trimmed))


def merge_tasks(
    tasks: Iterable[ExportedTask],
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
        seen: set[Key] = set()
        for exported in task.annotations:
            pulled = to_annotation(task, exported, ref, annotators, schema)
            reasons = pulled.problems + schema.validate(pulled.annotation, task.text)
            seen.add(pulled.annotation.key)
            _fold(state, pulled, reasons, task.id, report)
        mark_deleted(by_unit.pop(task.unit_key, set()) - seen, state, report)
    return by_unit


def _fold(state: StoreState, pulled: PulledAnnotation, reasons: list[str], task_id: int, report: PullReport) -> None:
    """Place one fetched annotation: rejected whole, or stored (its bad regions set aside)."""
    annotation, key = pulled.annotation, pulled.annotation.key
    who = f"unit {annotation.unit_id}, annotation {key[2]} by {key[1]}"
    if reasons:
        rejected = Rejected(annotation, tuple(reasons + [region.reason for region in pulled.set_aside]), task_id)
        if state.rejects.get(key) != rejected:
            report.rejected += 1
            report.note(f"{who} rejected: " + "; ".join(rejected.reasons))
        state.rejects[key] = rejected
        state.stored.pop(key, None)
        state.set_aside.pop(key, None)
        return
    state.rejects.pop(key, None)
    _flag(state, Flagged(annotation, pulled.set_aside, task_id), who, report)
    previous = state.stored.get(key)
    if previous == annotation:
        report.unchanged += 1
    else:
        report.new += previous is None
        report.updated += previous is not None
        state.stored[key] = annotation
        report.regions_trimmed += len(pulled.trimmed)
        for notice in pulled.trimmed:
            report.note(f"{who}: {notice}")


def _flag(state: StoreState, flagged: Flagged, who: str, report: PullReport) -> None:
    """Record the regions set aside from a kept annotation (none: forget any recorded before)."""
    key = flagged.annotation.key
    if not flagged.regions:
        state.set_aside.pop(key, None)
        return
    if state.set_aside.get(key) != flagged:
        report.regions_set_aside += len(flagged.regions)
        for region in flagged.regions:
            report.note(f"{who}: region set aside, unit flagged: {region.reason}")
    state.set_aside[key] = flagged


def mark_deleted(keys: Iterable[Key], state: StoreState, report: PullReport) -> None:
    """Flag annotations that are gone from Label Studio: kept in the store, never dropped."""
    for key in keys:
        if key in state.stored and not state.stored[key].deleted:
            state.stored[key] = replace(state.stored[key], deleted=True)
            report.deleted += 1
            if key in state.set_aside:
                flagged = state.set_aside[key]
                state.set_aside[key] = replace(flagged, annotation=replace(flagged.annotation, deleted=True))
        elif key in state.rejects and not state.rejects[key].annotation.deleted:
            rejected = state.rejects[key]
            state.rejects[key] = replace(rejected, annotation=replace(rejected.annotation, deleted=True))
            report.deleted += 1


def pull_annotations(
    client: StudioClient,
    url: str,
    schema: Schema,
    level: str,
    *,
    store_path: str | Path | None = None,
    state_dir: Path = DEFAULT_STUDIO_DIR,
    full: bool = False,
    progress: Progress = SILENT,
) -> PullReport:
    """Bring the project's annotations into the store; ``full`` re-reads every task; ``progress``
    hears the tasks read (against their count when it is known before the export)."""
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
    try:
        with store.writing():
            _pull_locked(gateway, ref, schema, store, report, full, Path(state_dir), progress)
    except ProjectMissing:  # the key works (whoami above): the project itself is gone; the store is written
        raise ProjectMissing(  # only after every task is read, so it is as the last pull left it
            f"project {ref.title!r} (id {ref.id}) no longer exists at {url}: the annotations already pulled stay "
            f"in {store.path}; `curation push ... --recreate` creates the project again."
        ) from None
    report.rejections = store.rejections()
    return report


def _fetch(
    gateway: StudioGateway, ref: ProjectRef, since: PullState | None, tables: StoreState
) -> tuple[Iterable[ExportedTask], str | None, int | None]:
    """The tasks to read, the watermark after them and how many they are (None: not known before
    the export): with ``since`` the tasks changed past its watermark; else every annotated task
    (every task, when the store already holds answers)."""
    if since is not None:
        changed = list(gateway.iter_tasks(ref.id, "id,updated_at", [task_filter("updated_at", "greater", "Datetime", since.watermark)]))
        watermark = max((task.updated_at for task in changed if task.updated_at), default=since.watermark)
        return (_export(gateway, ref, [task.id for task in changed]) if changed else ()), watermark, len(changed)
    watermark = gateway.latest_update(ref.id)
    everything = [task.id for task in gateway.iter_tasks(ref.id, "id")] if tables.stored or tables.rejects else None
    return _export(gateway, ref, everything), watermark, None if everything is None else len(everything)



def _pull_locked(
    gateway: StudioGateway, ref: ProjectRef, schema: Schema, store: AnnotationStore, report: PullReport,
    full: bool, state_dir: Path, progress: Progress = SILENT,
) -> None:
    state = store.state()
    since = state if not full and state is not None and state.project_id == ref.id and state.watermark else None
    annotators = annotator_identities(gateway, state_dir)
    tables = StoreState(store.by_key(), store.rejects(), store.set_aside())
    started = time.time()
    tasks, watermark, count = _fetch(gateway, ref, since, tables)
    progress.start(f"pulling {ref.level} annotations", count, "tasks")
    unvisited = merge_tasks(counted(tasks, progress), schema, ref, annotators, tables, report)
    if since is None:  # every task was fetched: units left over had their task deleted
        mark_deleted((key for keys in unvisited.values() for key in keys), tables, report)
    remove_export_copies(state_dir, ref, started)

    if report.changed:
        store.write(tables.stored, tables.rejects, tables.set_aside)
    new_state = PullState(ref.url, ref.id, watermark)
    if new_state != state:
        store.write_state(new_state)


def remove_export_copies(state_dir: Path, ref: ProjectRef, since: float) -> None:
    """A local Label Studio keeps a copy of every export it serves (``export/project-ID-at-*``)
    and the file of every export snapshot even once the snapshot is deleted
    (``media/export/ID/project-ID-at-*``): remove the ones made since ``since`` (this pull's, a
    status's), so the data folder does not grow at every call."""
    if not ref.local:
        return
    for folder in (state_dir / EXPORT_FOLDER, state_dir / SNAPSHOT_FOLDER / str(ref.id)):
        for copy in folder.glob(f"project-{ref.id}-at-*.json") if folder.is_dir() else ():
            try:
                if copy.stat().st_mtime >= since - 1:
                    copy.unlink()
            except FileNotFoundError:
                continue
