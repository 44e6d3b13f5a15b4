"""How many different annotators label each task, enforced by Label Studio's own queue.

One setting says how many: in a workspace, ``annotators:`` of ``curation.yaml`` per level;
outside one, ``team.json`` in the studio folder per schema (see ``Project.annotators_per_task``).
Unset, a push leaves the project's overlap as it is (Label Studio's default is one). The setting
becomes the project's overlap: every task wants that
many annotations (``maximum_annotations`` with ``overlap_cohort_percentage`` 100), so "Label All
Tasks" (the ``next`` endpoint) keeps handing a task out, to annotators who have not done it,
until it has them; the queue never sends an annotator the others' answers (``next`` serves the
task without annotations) and annotation history stays hidden.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curation.fileio import atomic_writer
from curation.studio.client import StudioError
from curation.studio.contract import StudioGateway

if TYPE_CHECKING:
    from curation.studio.connection import StudioClient

TEAM_FILE = "team.json"


def overlap_fields(annotators_per_task: int) -> dict[str, Any]:
    """The project settings that make the queue give each task to that many different people."""
    return {
        "maximum_annotations": annotators_per_task,
        "overlap_cohort_percentage": 100,
        "show_overlap_first": annotators_per_task > 1,
        "show_annotation_history": False,
    }


def read_workspace_json(path: Path, what: str, default: Any) -> Any:
    """A small JSON file of the workspace (``default`` when absent); unreadable: one-line StudioError."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return default
    except ValueError as exc:
        raise StudioError(f"{path}: unreadable {what} ({exc}); fix or delete it") from None


def _team(state_dir: Path) -> dict[str, Any]:
    path = Path(state_dir) / TEAM_FILE
    data = read_workspace_json(path, "team settings", {})
    if not isinstance(data, dict):
        raise StudioError(f"{path}: team settings must be a JSON object")
    return data


def annotators_per_task(state_dir: Path, schema_name: str) -> int | None:
    """The setting for projects of ``schema_name`` outside a workspace (None when never set)."""
    value = _team(state_dir).get("annotators_per_task", {}).get(schema_name)
    if value is None:
        return None
    if not isinstance(value, int) or value < 1:
        raise StudioError(f"{Path(state_dir) / TEAM_FILE}: annotators_per_task for {schema_name} must be a positive integer")
    return value


def set_annotators_per_task(state_dir: Path, schema_name: str, value: int) -> None:
    """Record the setting; the next push (or :func:`apply_overlap`) sets it on the server."""
    if value < 1:
        raise ValueError(f"annotators per task must be at least 1, not {value}")
    team = _team(state_dir)
    team.setdefault("annotators_per_task", {})[schema_name] = value
    with atomic_writer(Path(state_dir) / TEAM_FILE) as handle:
        json.dump(team, handle, indent=2, sort_keys=True)


def apply_overlap(client: StudioClient, url: str, project_id: int, value: int) -> bool:
    """Give project ``project_id`` the overlap for ``value`` annotators per task; True when it changed.
    Label Studio then re-marks its existing tasks (``overlap`` and ``is_labeled``) itself."""
    wanted = overlap_fields(value)
    gateway = StudioGateway(client, url)
    project = gateway.project(project_id)
    if all(project.get(name) == setting for name, setting in wanted.items()):
        return False
    gateway.update_project(project_id, wanted, f"setting the overlap of project {project_id}")
    return True
