"""The most useful task next, through Label Studio Community's own queue.

Label Studio Community's "Label All Tasks" queue has an *Uncertainty sampling* mode
(``projects/functions/next_task.py``, ``_try_uncertainty_sampling``): among the open tasks that
carry a prediction of the project's ``model_version``, it serves the lowest prediction ``score``
first, and before that the tasks of the prediction ``cluster`` this annotator has labelled least.
So the trained model's predictions carry its confidence as ``score`` (lowest = least sure) and the
dedup cluster of their unit as ``cluster``, and the project is switched to that mode with the
model's version: the queue then orders tasks by uncertainty and serves a near-duplicate of a task
the annotator just labelled only after the other clusters. Overlap is untouched: the queue still
completes tasks other annotators have started (its breadth-first and overlap-first steps run
before sampling) and never gives one person a task twice. With several members in the
organisation, Label Studio picks at random among the ``members + 1`` least sure open tasks, so
two annotators do not collide on the same one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from curation.studio.contract import StudioGateway

if TYPE_CHECKING:
    from curation.studio.connection import StudioClient

UNCERTAINTY_SAMPLING = "Uncertainty sampling"


def cluster_numbers(clusters_file: Path) -> dict[str, int]:
    """Member unit id -> a number per dedup cluster of two or more (``curation dedup``'s clusters JSONL)."""
    from curation.fileio import iter_jsonl

    numbers: dict[str, int] = {}
    for line, record in iter_jsonl(clusters_file):
        if int(record.get("size", 0)) > 1:
            for member in record["members"]:
                numbers[str(member["id"])] = line
    return numbers


def serve_by_uncertainty(client: StudioClient, url: str, project_id: int, model_version: str) -> None:
    """Make the project's "Label All Tasks" queue serve by the predictions of ``model_version``,
    the least sure first (call once that version's predictions are on the server: Label Studio
    accepts only a version it has predictions of)."""
    StudioGateway(client, url).update_project(project_id, {"sampling": UNCERTAINTY_SAMPLING, "model_version": model_version},
                                              f"setting the task queue of project {project_id}")
