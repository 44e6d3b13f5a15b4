"""Where a team stands: per project and per annotator, tasks done, tasks left, disagreements so far.

Read live from the server (one export of the project's tasks), so it counts what annotators did
a minute ago, before anyone pulls. "Remaining" for an annotator is what the queue can still give
them: tasks short of their annotators-per-task that they have not done. A disagreement is a task
where two counted answers differ on any label family.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from label_studio_sdk import LabelStudio

from curation.agreement import adjudicate
from curation.studio.client import raw_json, studio_call
from curation.studio.projects import ProjectRef, load_project
from curation.studio.pull import to_annotation


@dataclass(frozen=True, slots=True)
class AnnotatorProgress:
    annotator: str
    done: int
    remaining: int
    disagreements: int


@dataclass(slots=True)
class ProjectProgress:
    """One project: ``complete`` tasks have ``annotators_per_task`` annotations."""

    title: str
    project_id: int
    tasks: int
    annotators_per_task: int
    complete: int
    disagreements: int
    annotators: list[AnnotatorProgress] = field(default_factory=list)


def recorded_projects(state_dir: Path) -> list[ProjectRef]:
    """Every project this workspace pushed (its records under ``projects/``)."""
    folders = sorted((Path(state_dir) / "projects").glob("*/"))
    return [ref for ref in map(load_project, folders) if ref is not None]


def project_progress(client: LabelStudio, ref: ProjectRef, team: Iterable[str] = ()) -> ProjectProgress:
    """Progress of one project, counted from its tasks and their live annotations; ``team`` names
    annotators to list even before their first annotation."""
    project = studio_call(ref.url, f"opening project {ref.id}", lambda: client.projects.get(ref.id))
    per_task = int(project.maximum_annotations or 1)
    params = {"exportType": "JSON", "download_all_tasks": "true"}
    tasks = studio_call(ref.url, "reading tasks", lambda: raw_json(client, f"api/projects/{ref.id}/export", params))
    with_names = studio_call(ref.url, "listing users", lambda: client.users.list())
    names = {int(u.id): (u.email or str(u.id)) for u in with_names}
    annotations = []
    done_by: dict[str, set[str]] = {who: set() for who in team}
    for task in tasks:  # type: ignore[union-attr]
        for raw in task.get("annotations") or ():
            annotation = to_annotation(task, raw, ref, names)[0]
            annotations.append(annotation)
            if not annotation.cancelled:
                done_by.setdefault(annotation.annotator, set()).add(annotation.unit_id)
    counts = Counter(a.unit_id for a in annotations if not a.cancelled)
    open_units = {str((t.get("data") or {}).get("unit_id")) for t in tasks if counts[str((t.get("data") or {}).get("unit_id"))] < per_task}  # type: ignore[union-attr]
    conflicted = {c.unit_id for c in adjudicate(annotations, "majority").conflicts if len(c.answers) > 1}
    rows = [
        AnnotatorProgress(who, len(units), len(open_units - units), len(units & conflicted))
        for who, units in sorted(done_by.items())
    ]
    complete = len(tasks) - len(open_units)  # type: ignore[arg-type]
    return ProjectProgress(ref.title, ref.id, len(tasks), per_task, complete, len(conflicted), rows)  # type: ignore[arg-type]
