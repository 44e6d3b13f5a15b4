"""Where a team stands: per project and per annotator, tasks done, tasks left, disagreements so far.

Read live from the server (the export of the project's annotated tasks, and its task count), so
it counts what annotators did a minute ago, before anyone pulls; a task nobody answered is only
counted, never exported (exporting all 500 tasks of a fresh project was 3 of the 4 s of a
`curation studio status` on a busy machine). "Remaining" for an annotator is what the queue can still give
them: tasks short of their annotators-per-task that they have not done. A disagreement is a task
where two counted answers differ on any label family.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from curation.agreement import adjudicate
from curation.studio.contract import StudioGateway
from curation.studio.identities import annotator_identities
from curation.studio.projects import ProjectRef, load_project
from curation.studio.pull import remove_export_copies, to_annotation
from curation.units import Annotation

if TYPE_CHECKING:
    from curation.studio.connection import StudioClient


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


def _live_annotations(gateway: StudioGateway, ref: ProjectRef) -> tuple[int, list[Annotation]]:
    """How many tasks the project has, and every annotation on them as it stands now."""
    started = time.time()
    tasks = gateway.export(ref.id)  # Label Studio's default export: the tasks with an annotation
    remove_export_copies(ref.state_dir, ref, started)
    names = annotator_identities(gateway, ref.state_dir) if tasks else {}
    annotations = [to_annotation(task, exported, ref, names).annotation for task in tasks for exported in task.annotations]
    return gateway.task_count(ref.id), annotations


def _done_by(counted: Iterable[Annotation], team: Iterable[str]) -> dict[str, set[str]]:
    """The units each annotator answered (``team`` listed even before their first answer)."""
    done: dict[str, set[str]] = {who: set() for who in team}
    for annotation in counted:
        done.setdefault(annotation.annotator, set()).add(annotation.unit_id)
    return done


def _disagreements(annotations: list[Annotation]) -> set[str]:
    """Units on which two counted answers differ on some label family."""
    return {conflict.unit_id for conflict in adjudicate(annotations, "majority").conflicts if len(conflict.answers) > 1}


def project_progress(client: StudioClient, ref: ProjectRef, team: Iterable[str] = ()) -> ProjectProgress:
    """Progress of one project, counted from its tasks and their live annotations; ``team`` names
    annotators to list even before their first annotation."""
    gateway = StudioGateway(client, ref.url)
    per_task = gateway.annotators_per_task(ref.id)
    tasks, annotations = _live_annotations(gateway, ref)
    counted = [a for a in annotations if not a.cancelled]
    answers = Counter(a.unit_id for a in counted)
    complete = sum(1 for count in answers.values() if count >= per_task)
    started = {unit for unit, count in answers.items() if count < per_task}  # open, and someone answered
    conflicted = _disagreements(annotations)
    rows = [  # an annotator can still get every open task but the started ones they did
        AnnotatorProgress(who, len(done), tasks - complete - len(started & done), len(done & conflicted))
        for who, done in sorted(_done_by(counted, team).items())
    ]
    return ProjectProgress(ref.title, ref.id, tasks, per_task, complete, len(conflicted), rows)
