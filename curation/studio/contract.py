"""The Label Studio contract in one place: task data keys, object names, and the raw endpoints
the bridge calls, behind one typed gateway.

Pinned against the locked Label Studio (1.23) by ``tests/studio/test_contract.py``. The SDK's
typed calls are used where they are cheap; the bulk paths (Data Manager task listing, JSON
export by ``ids[]``, task import) go through :meth:`StudioGateway.get_json` on the SDK's
own authenticated HTTP client, because the typed models cost more than the request at 100,000
tasks, or the SDK names the parameters differently from the server.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from curation.studio.client import ProjectMissing, StudioError, explained, raw_json

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio

OBJECT_NAME = "text"  # <Text name="text" value="$text"/>: every control points at it
# Task ``data`` keys the labelling config and the bridge rely on.
TEXT_KEY, TITLE_KEY, TARGET_KEY, UNIT_KEY, DOC_KEY = "text", "title", "target", "unit_id", "doc_id"
# A sentence task's read-only context: its article's title (TITLE_KEY) and the sentences around it.
BEFORE_KEY, AFTER_KEY = "before", "after"
TASKS_ENDPOINT = "api/tasks"
WHOAMI_ENDPOINT = "api/current-user/whoami"
PREDICTIONS_ENDPOINT = "api/predictions"
PAGE_SIZE = 5000


def export_endpoint(project_id: int) -> str:
    return f"api/projects/{project_id}/export"


def import_endpoint(project_id: int) -> str:
    return f"api/projects/{project_id}/import"


def predictions_import_endpoint(project_id: int) -> str:
    return f"api/projects/{project_id}/import/predictions"


def task_filter(field: str, operator: str, kind: str, value: Any) -> dict[str, Any]:
    """One Data Manager filter item, e.g. ``task_filter("updated_at", "greater", "Datetime", ts)``."""
    return {"filter": f"filter:tasks:{field}", "operator": operator, "type": kind, "value": value}


class JunkAnswer(StudioError):
    """The server answered 200 with something that is not what Label Studio sends."""


@dataclass(frozen=True, slots=True)
class StudioGateway:
    """Every call the bridge makes to one Label Studio, each failure explained in one line."""

    client: LabelStudio
    url: str

    def get_json(
        self, path: str, params: dict[str, Any] | None = None, *, what: str, method: str = "GET", body: bytes | None = None
    ) -> Any:
        with explained(self.url, what):
            try:
                return raw_json(self.client, path, params, method=method, body=body)
            except ValueError:  # 2xx but not JSON
                raise JunkAnswer(f"{self.url} answered {path} with something that is not JSON while {what}: "
                                 "is this Label Studio?") from None

    def whoami(self) -> dict[str, Any]:
        """The account the key belongs to: the first call of a command, so a wrong key or a
        server that is not Label Studio is named before anything else is said."""
        try:
            body = self.get_json(WHOAMI_ENDPOINT, what="checking the API key")
        except ProjectMissing:
            body = None  # a web server, but not Label Studio
        if not isinstance(body, dict) or "id" not in body:
            raise JunkAnswer(f"{self.url} answered {WHOAMI_ENDPOINT} with {str(body)[:80]!r}: is this Label Studio?")
        return body

    def iter_tasks(
        self, project_id: int, include: str, filters: list[dict[str, Any]] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Tasks of a project (only the ``include`` fields, e.g. ``"id,data"``) matching all
        ``filters``, ordered by id so that paging is stable while tasks change.

        Paging is bounded by the ``total`` the first page announces; a page that is not a task
        list, repeats the previous page, or runs past ``total`` is a :class:`JunkAnswer`.
        """
        query = json.dumps({"filters": {"conjunction": "and", "items": filters or []}, "ordering": ["tasks:id"]})
        params: dict[str, Any] = {"project": project_id, "fields": "task_only", "include": include,
                                  "page_size": PAGE_SIZE, "query": query}
        what = f"listing tasks of project {project_id}"
        total: int | None = None
        seen = 0
        last_id: object = None
        for page in range(1, 10**9):
            try:
                body = self.get_json(TASKS_ENDPOINT, {**params, "page": page}, what=what)
            except StudioError:
                if page > 1 and total is not None and seen >= total:  # past the last page: 404
                    return
                raise
            tasks = body.get("tasks") if isinstance(body, dict) else None
            if not isinstance(tasks, list) or not isinstance(body.get("total"), int):
                raise JunkAnswer(f"{self.url} answered {TASKS_ENDPOINT} page {page} without a task list: is this Label Studio?")
            total = body["total"] if total is None else total
            if tasks and (tasks[-1].get("id") == last_id or seen + len(tasks) > total):
                raise JunkAnswer(
                    f"{self.url} keeps answering {TASKS_ENDPOINT} past the {total} task(s) it announced "
                    f"(page {page}): stopped paging; is this Label Studio?"
                )
            yield from tasks
            seen += len(tasks)
            last_id = tasks[-1].get("id") if tasks else None
            if len(tasks) < PAGE_SIZE or seen >= total:
                return
        raise AssertionError("unreachable")  # pragma: no cover

    def project_exists(self, project_id: int) -> bool:
        """Whether the project is still there, asked where it is cheap: one page of one task id
        (the project's own endpoint computes all its counters: seconds at 20,000 tasks)."""
        params = {"project": project_id, "fields": "task_only", "include": "id", "page_size": 1}
        try:
            self.get_json(TASKS_ENDPOINT, params, what=f"opening project {project_id}")
        except ProjectMissing:
            return False
        return True

    def latest_update(self, project_id: int) -> str | None:
        """The newest task ``updated_at`` of a project."""
        query = json.dumps({"filters": {"conjunction": "and", "items": []}, "ordering": ["-tasks:updated_at"]})
        params = {"project": project_id, "fields": "task_only", "include": "id,updated_at", "page_size": 1, "query": query}
        body = self.get_json(TASKS_ENDPOINT, params, what="reading the project's last change")
        tasks = body.get("tasks") if isinstance(body, dict) else None
        if not isinstance(tasks, list):
            raise JunkAnswer(f"{self.url} answered {TASKS_ENDPOINT} without a task list: is this Label Studio?")
        return tasks[0]["updated_at"] if tasks else None

    def export(self, project_id: int, task_ids: list[int] | None = None) -> list[dict[str, Any]]:
        """Label Studio's JSON export: every annotated task, or exactly ``task_ids`` (annotated or not)."""
        params: dict[str, Any] = {"exportType": "JSON"}
        if task_ids is not None:
            params |= {"download_all_tasks": "true", "ids[]": task_ids}
        body = self.get_json(export_endpoint(project_id), params, what="exporting annotations")
        if not isinstance(body, list):
            raise JunkAnswer(f"{self.url} answered the export of project {project_id} with {str(body)[:80]!r}")
        return body

    def import_tasks(self, project_id: int, tasks: list[dict[str, Any]], what: str) -> list[int]:
        """Create ``tasks``; the new task ids in order when the server returns them all, else ``[]``.
        Sent as one JSON body serialised here: the SDK's own call encodes object by object, which
        costs a third of the import at 10,000 tasks."""
        body = json.dumps(tasks, ensure_ascii=False).encode("utf-8")
        answer = self.get_json(import_endpoint(project_id), {"return_task_ids": "true"}, what=what, method="POST", body=body)
        ids = answer.get("task_ids") if isinstance(answer, dict) else None
        return [int(i) for i in ids] if isinstance(ids, list) and len(ids) == len(tasks) else []

    def import_predictions(self, project_id: int, predictions: list[dict[str, Any]]) -> None:
        """Add predictions (each with its ``task`` id) to existing tasks in one request."""
        with explained(self.url, f"adding {len(predictions)} prediction(s)"):
            self.client.projects.import_predictions(project_id, request=predictions)

    def project_predictions(self, project_id: int) -> list[dict[str, Any]]:
        """Every prediction of a project (``id``, ``task``, ``model_version``, ``result``...)."""
        body = self.get_json(PREDICTIONS_ENDPOINT, {"project": project_id}, what=f"listing predictions of project {project_id}")
        if not isinstance(body, list):
            raise JunkAnswer(f"{self.url} answered the predictions of project {project_id} with {str(body)[:80]!r}")
        return body

    def delete_prediction(self, prediction_id: int) -> None:
        with explained(self.url, f"deleting prediction {prediction_id}"):
            self.client.predictions.delete(prediction_id)

    def annotators(self) -> dict[int, str]:
        """User id -> e-mail, the annotator name stored (stable across servers, unlike ids)."""
        with explained(self.url, "listing users"):
            return {int(u.id): (u.email or u.username or str(u.id)) for u in self.client.users.list()}
