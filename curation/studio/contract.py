"""The Label Studio contract in one place: task data keys, object names, the endpoints the bridge
calls, the shapes of what they answer, and the one gateway through which every call goes.

Pinned against the locked Label Studio (1.23) by ``tests/studio/test_contract.py``. The labelling
config generator (:mod:`curation.schema.studio_config`) reads its names from here, so this module
loads neither the SDK nor httpx: importing it costs nothing. Every call goes through the client's
raw channel (:class:`curation.studio.connection.RawChannel`): on the bulk paths (Data Manager task
listing, JSON export by ``ids[]``, task import) the SDK's typed models cost more than the request at
100,000 tasks, some calls it names differently from the server, and loading it at all (pandas,
pyarrow: 1.5 s of CPU) costs a `curation push` more than its own work.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from curation.studio.client import ProjectMissing, StudioError, answer_body, explained

if TYPE_CHECKING:
    import httpx

    from curation.studio.connection import StudioClient

OBJECT_NAME = "text"  # <Text name="text" value="$text"/>: every control points at it
# Task ``data`` keys the labelling config and the bridge rely on.
TEXT_KEY, TITLE_KEY, TARGET_KEY, UNIT_KEY, DOC_KEY = "text", "title", "target", "unit_id", "doc_id"
# A sentence task's read-only context: its article's title (TITLE_KEY) and the sentences around it.
BEFORE_KEY, AFTER_KEY = "before", "after"

HEALTH_ENDPOINT = "health"  # {"status": "UP"} once the server serves requests
PROJECTS_ENDPOINT = "api/projects/"
TASKS_ENDPOINT = "api/tasks"
WHOAMI_ENDPOINT = "api/current-user/whoami"
PREDICTIONS_ENDPOINT = "api/predictions"
INVITE_ENDPOINT = "api/invite"
USERS_ENDPOINT = "api/users/"
TOKEN_REFRESH_ENDPOINT = "api/token/refresh/"  # personal access token -> access token
USER_TOKEN_ENDPOINT = "api/current-user/token"  # a logged-in user's legacy token
RESET_TOKEN_ENDPOINT = "api/current-user/reset-token/"  # POST: the logged-in user's legacy token replaced
LOGIN_PAGE = "user/login/"
DELETED_USER = "Deleted"  # what the users API shows as the e-mail of a member removed from the organisation
PAGE_SIZE = 5000
SNAPSHOT_POLL_S = 0.5  # a server with a job queue (Redis) makes snapshots in the background...
SNAPSHOT_WAIT_S = 1800.0  # ... and one whose worker died leaves them "in progress" for ever
# Tasks with at least one annotation: Label Studio's snapshot filters offer no "any annotation",
# only a not-skipped one or a skipped one, so the first pull takes both (a task may be in both).
ANNOTATED_TASKS = ({"annotated": "only"}, {"skipped": "only"})


def variable(key: str) -> str:
    """How a labelling config names a task data key: ``$text``."""
    return f"${key}"


def project_endpoint(project_id: int) -> str:
    return f"api/projects/{project_id}/"


def config_check_endpoint(project_id: int) -> str:
    """The strict check the web UI runs before saving a labelling config (a PATCH alone only logs removed labels)."""
    return f"api/projects/{project_id}/validate/"


def prediction_endpoint(prediction_id: int) -> str:
    return f"{PREDICTIONS_ENDPOINT}/{prediction_id}/"


def export_endpoint(project_id: int) -> str:
    return f"api/projects/{project_id}/export"


def snapshots_endpoint(project_id: int) -> str:
    """Export snapshots: made in one pass, served as the file written (``GET .../ID/download``)."""
    return f"api/projects/{project_id}/exports/"


def snapshot_endpoint(project_id: int, snapshot_id: int) -> str:
    return f"api/projects/{project_id}/exports/{snapshot_id}"


def import_endpoint(project_id: int) -> str:
    return f"api/projects/{project_id}/import"


def predictions_import_endpoint(project_id: int) -> str:
    return f"api/projects/{project_id}/import/predictions"


def admin_user_page(user_id: int) -> str:
    """Django's admin form of one user: the community edition's only way to switch ``is_active``."""
    return f"admin/users/user/{user_id}/change/"


def admin_password_page(user_id: int) -> str:
    return f"admin/users/user/{user_id}/password/"


def memberships_endpoint(organization_id: int) -> str:
    return f"api/organizations/{organization_id}/memberships"


@contextmanager
def server_import_lock(url: str) -> Iterator[None]:
    """Hold this machine's lock on the Label Studio at ``url`` while one import runs into it.

    Label Studio on SQLite numbers the tasks and predictions of an import "latest id + 1" without
    a lock of its own: two imports at once, even into two projects, lose predictions (2 x 3,000
    tasks with a prediction each in batches of 500: 1,500 kept per project). Every import of
    tasks or predictions from this machine into one server waits for the one before; a file in
    the temporary folder named by the server's address, opened read-only so that any user's
    process can lock it. Processes on other machines are not covered."""
    name = hashlib.sha256(url.rstrip("/").encode("utf-8")).hexdigest()[:16]
    handle = os.open(Path(tempfile.gettempdir()) / f"curation-studio-import-{name}.lock", os.O_RDONLY | os.O_CREAT, 0o644)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)


def bulk_body(items: list[dict[str, Any]]) -> bytes:
    """The JSON body of a bulk import: UTF-8 without spaces, as the SDK (httpx) sends it (22.1 MB,
    not 22.6, for 20,000 sentences), the JSON ``json.dumps(items, ensure_ascii=False,
    separators=(",", ":"))`` writes. Written by pydantic_core (which the Label Studio SDK
    requires): 0.05 s of CPU for 16,000 sentence tasks, where the json module takes 0.12 s."""
    from pydantic_core import to_json  # 12 ms to import: for the commands that send tasks only

    return to_json(items)


def task_filter(field: str, operator: str, kind: str, value: Any) -> dict[str, Any]:
    """One Data Manager filter item, e.g. ``task_filter("updated_at", "greater", "Datetime", ts)``."""
    return {"filter": f"filter:tasks:{field}", "operator": operator, "type": kind, "value": value}


class JunkAnswer(StudioError):
    """The server answered 200 with something that is not what Label Studio sends."""


def _int(value: object) -> int | None:
    return int(value) if isinstance(value, (int, str)) and str(value).lstrip("-").isdigit() else None


def _text(value: object) -> str | None:
    return None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class TaskRow:
    """A task as the Data Manager lists it: the fields asked for (``include``), the others None."""

    id: int
    unit_id: str | None = None
    text: str | None = None
    updated_at: str | None = None

    @classmethod
    def from_json(cls, item: Mapping[str, Any]) -> TaskRow:
        data = item.get("data") or {}
        task_id = _int(item.get("id"))
        if task_id is None:
            raise ValueError(f"a task without an id: {str(item)[:80]!r}")
        return cls(task_id, _text(data.get(UNIT_KEY)) or None, _text(data.get(TEXT_KEY)), _text(item.get("updated_at")))


@dataclass(frozen=True, slots=True)
class ExportedAnnotation:
    """One annotation of Label Studio's JSON export; ``result`` holds its regions as stored
    (read region by region by :func:`curation.studio.results.from_results`)."""

    id: str
    completed_by: int | None
    result: tuple[Mapping[str, Any], ...]
    created_at: str | None = None
    updated_at: str | None = None
    lead_time: float | None = None
    cancelled: bool = False
    ground_truth: bool = False
    model_version: str | None = None  # of the prediction shown when it was saved (Label Studio's ``prediction``)

    @classmethod
    def from_json(cls, item: Mapping[str, Any]) -> ExportedAnnotation:
        author = item.get("completed_by")
        if isinstance(author, Mapping):  # some versions export the user object
            author = author.get("id")
        lead_time, annotation_id = item.get("lead_time"), item.get("id")
        if annotation_id is None:
            raise ValueError(f"an annotation without an id: {str(item)[:80]!r}")
        return cls(
            id=str(annotation_id),
            completed_by=_int(author),
            result=tuple(region for region in item.get("result") or () if isinstance(region, Mapping)),
            created_at=_text(item.get("created_at")),
            updated_at=_text(item.get("updated_at")),
            lead_time=float(lead_time) if isinstance(lead_time, (int, float)) else None,
            cancelled=bool(item.get("was_cancelled")),
            ground_truth=bool(item.get("ground_truth")),
            model_version=_shown_prediction_version(item.get("prediction")),
        )


def _shown_prediction_version(prediction: Any) -> str | None:
    """The model version of the prediction Label Studio copied into an annotation when it was saved:
    the task's prediction of the project's ``model_version`` (the one the labelling view pre-fills),
    ``{}`` when there was none."""
    if not isinstance(prediction, Mapping) or not prediction.get("result"):
        return None
    return _text(prediction.get("model_version")) or None


@dataclass(frozen=True, slots=True)
class ExportedTask:
    """One task of Label Studio's JSON export: the unit it shows, the text, every annotation."""

    id: int
    unit_id: str | None
    text: str
    annotations: tuple[ExportedAnnotation, ...] = ()

    @property
    def unit_key(self) -> str:
        """The unit id, or ``task:ID`` for a task curation did not push (kept, never dropped)."""
        return self.unit_id or f"task:{self.id}"

    @classmethod
    def from_json(cls, item: Mapping[str, Any]) -> ExportedTask:
        row = TaskRow.from_json(item)
        annotations = tuple(ExportedAnnotation.from_json(a) for a in item.get("annotations") or () if isinstance(a, Mapping))
        return cls(row.id, row.unit_id, row.text or "", annotations)


@dataclass(frozen=True, slots=True)
class StoredPrediction:
    """A prediction as the server keeps it."""

    id: int
    task: int
    model_version: str | None
    result: tuple[Mapping[str, Any], ...]
    score: float | None = None

    @classmethod
    def from_json(cls, item: Mapping[str, Any]) -> StoredPrediction:
        prediction_id, task = _int(item.get("id")), _int(item.get("task"))
        if prediction_id is None or task is None:
            raise ValueError(f"a prediction without id or task: {str(item)[:80]!r}")
        score = item.get("score")
        return cls(prediction_id, task, _text(item.get("model_version")) or None,
                   tuple(item.get("result") or ()), float(score) if isinstance(score, (int, float)) else None)


@dataclass(frozen=True, slots=True)
class StudioUser:
    id: int
    email: str | None
    username: str | None

    @property
    def name(self) -> str:
        """The annotator name stored: the e-mail (stable across servers, unlike ids)."""
        return self.email or self.username or str(self.id)

    @property
    def removed(self) -> bool:
        """Shown as "Deleted": a member removed from the organisation (their e-mail is hidden)."""
        return self.email == DELETED_USER


@dataclass(frozen=True, slots=True)
class StudioGateway:
    """Every call the bridge makes to one Label Studio, each failure explained in one line.

    ``client`` comes from :func:`curation.studio.client.connect` (its raw channel serves the
    calls the SDK does not wrap, or wraps at too high a cost)."""

    client: StudioClient
    url: str

    def request(
        self, path: str, params: dict[str, Any] | None = None, *, what: str, method: str = "GET", body: bytes | None = None
    ) -> httpx.Response:
        """One raw call; a refusal or an unreachable server is a :class:`StudioError`."""
        with explained(self.url, what):
            return self.client.raw.request(method, path, params, body)

    def get_json(
        self, path: str, params: dict[str, Any] | None = None, *, what: str, method: str = "GET", body: bytes | None = None
    ) -> Any:
        response = self.request(path, params, what=what, method=method, body=body)
        try:
            return response.json()
        except ValueError:  # 2xx but not JSON
            raise JunkAnswer(f"{self.url} answered {path} with something that is not JSON while {what}: "
                             "is this Label Studio?") from None

    def _shaped(self, body: object, kind: type, path: str) -> Any:
        if not isinstance(body, kind):
            raise JunkAnswer(f"{self.url} answered {path} with {str(body)[:80]!r}: is this Label Studio?")
        return body

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

    def _task_page(self, params: dict[str, Any], page: int, what: str) -> tuple[list[TaskRow], int]:
        """One page of a task listing, and the total it announces."""
        body = self.get_json(TASKS_ENDPOINT, {**params, "page": page}, what=what)
        tasks = body.get("tasks") if isinstance(body, dict) else None
        if not isinstance(tasks, list) or not isinstance(body.get("total"), int):
            raise JunkAnswer(f"{self.url} answered {TASKS_ENDPOINT} page {page} without a task list: is this Label Studio?")
        try:
            return [TaskRow.from_json(task) for task in tasks], body["total"]
        except (ValueError, AttributeError) as exc:
            raise JunkAnswer(f"{self.url} answered {TASKS_ENDPOINT} page {page} with {exc}: is this Label Studio?") from None

    def iter_tasks(self, project_id: int, include: str, filters: list[dict[str, Any]] | None = None) -> Iterator[TaskRow]:
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
        last_id: int | None = None
        seen = page = 0
        while total is None or seen < total:
            page += 1
            tasks, announced = self._task_page(params, page, what)
            total = announced if total is None else total
            if tasks and (tasks[-1].id == last_id or seen + len(tasks) > total):
                raise JunkAnswer(f"{self.url} keeps answering {TASKS_ENDPOINT} past the {total} task(s) it announced "
                                 f"(page {page}): stopped paging; is this Label Studio?")
            yield from tasks
            seen += len(tasks)
            last_id = tasks[-1].id if tasks else None
            if len(tasks) < PAGE_SIZE:
                return

    def project_exists(self, project_id: int) -> bool:
        """Whether the project is still there, asked where it is cheap: one page of one task id
        (the project's own endpoint computes all its counters: seconds at 20,000 tasks)."""
        params = {"project": project_id, "fields": "task_only", "include": "id", "page_size": 1}
        try:
            self.get_json(TASKS_ENDPOINT, params, what=f"opening project {project_id}")
        except ProjectMissing:
            return False
        return True

    def projects_titled(self, title: str) -> list[int]:
        """The ids of the server's projects called exactly ``title`` (the listing's ``title`` filter is a
        case-insensitive "contains"), read without the counters a listing computes by default."""
        ids: list[int] = []
        page = 0
        while True:
            page += 1
            params = {"title": title, "include": "id,title", "page": page, "page_size": 100}
            body = self._shaped(self.get_json(PROJECTS_ENDPOINT, params, what="looking for the project"), dict, PROJECTS_ENDPOINT)
            listed = self._shaped(body.get("results"), list, PROJECTS_ENDPOINT)
            ids.extend(found for item in listed if isinstance(item, dict) and item.get("title") == title
                       and (found := _int(item.get("id"))) is not None)  # fmt: skip
            if not listed or not body.get("next"):
                return ids

    def create_project(self, title: str, label_config: str) -> int:
        """A new project's id. One POST, never resent (a resent POST whose answer was lost makes a
        second project): the caller asks the server what became of it when the answer fails."""
        body = json.dumps({"title": title, "label_config": label_config}, ensure_ascii=False).encode("utf-8")
        made = self._shaped(self.get_json(PROJECTS_ENDPOINT, what="creating the project", method="POST", body=body),
                            dict, PROJECTS_ENDPOINT)  # fmt: skip
        project_id = _int(made.get("id"))
        if project_id is None:
            raise JunkAnswer(f"Label Studio at {self.url} created project {title!r} without an id")
        return project_id

    def project(self, project_id: int) -> dict[str, Any]:
        """A project's settings (the server computes all its counters too: seconds at 20,000 tasks)."""
        path = project_endpoint(project_id)
        return self._shaped(self.get_json(path, what=f"opening project {project_id}"), dict, path)

    def update_project(self, project_id: int, settings: dict[str, Any], what: str) -> None:
        body = json.dumps(settings, ensure_ascii=False).encode("utf-8")
        self.request(project_endpoint(project_id), what=what, method="PATCH", body=body)

    def config_refusal(self, project_id: int, label_config: str) -> object | None:
        """Why the server refuses ``label_config`` for the project (its answer), or None when it accepts it."""
        import httpx  # only where a server is called: importing the contract costs nothing

        body = json.dumps({"label_config": label_config}, ensure_ascii=False).encode("utf-8")
        with explained(self.url, f"checking the labelling config of project {project_id}"):
            try:
                self.client.raw.request("POST", config_check_endpoint(project_id), None, body)
            except httpx.HTTPStatusError as exc:
                if exc.response.status_code != 400:
                    raise
                return answer_body(exc.response)
        return None

    def task_count(self, project_id: int) -> int:
        """How many tasks the project has (the total one page of one task id announces)."""
        params = {"project": project_id, "fields": "task_only", "include": "id", "page_size": 1}
        _, total = self._task_page(params, 1, f"counting the tasks of project {project_id}")
        return total

    def latest_update(self, project_id: int) -> str | None:
        """The newest task ``updated_at`` of a project."""
        query = json.dumps({"filters": {"conjunction": "and", "items": []}, "ordering": ["-tasks:updated_at"]})
        params = {"project": project_id, "fields": "task_only", "include": "id,updated_at", "page_size": 1, "query": query}
        tasks, _ = self._task_page(params, 1, "reading the project's last change")
        return tasks[0].updated_at if tasks else None

    def export(self, project_id: int, task_ids: list[int] | None = None, *, every_task: bool = False) -> list[ExportedTask]:
        """Label Studio's JSON export: every annotated task, or exactly ``task_ids`` (annotated or
        not), or with ``every_task`` all tasks of the project."""
        params: dict[str, Any] = {"exportType": "JSON"}
        if task_ids is not None or every_task:
            params["download_all_tasks"] = "true"
        if task_ids is not None:
            params["ids[]"] = task_ids
        path = export_endpoint(project_id)
        body = self._shaped(self.get_json(path, params, what="exporting annotations"), list, path)
        try:
            return [ExportedTask.from_json(task) for task in body]
        except (ValueError, AttributeError) as exc:
            raise JunkAnswer(f"{self.url} answered the export of project {project_id} with {exc}: is this Label Studio?") from None

    def annotated_tasks(self, project_id: int) -> Iterator[ExportedTask]:
        """Every task with an annotation (skipped ones too), each once, by export snapshots: the server
        serialises each task once and serves the file it wrote, where the one-call export serialises
        the tasks, encodes them twice more (a copy on disk, its checksum) and runs its converter:
        about 0.6x of that export's server CPU at 2,000 annotated tasks (docs/benchmarks.md)."""
        seen: set[int] = set()
        for task_filter_options in ANNOTATED_TASKS:
            for task in self.snapshot(project_id, task_filter_options):
                if task.id not in seen:
                    seen.add(task.id)
                    yield task

    def snapshot(self, project_id: int, task_filter_options: dict[str, Any]) -> list[ExportedTask]:
        """The tasks an export snapshot of ``task_filter_options`` holds (all their annotations, every
        field as the JSON export has it); the snapshot is deleted once read."""
        what = f"exporting annotations of project {project_id}"
        body = json.dumps({"task_filter_options": task_filter_options}).encode("utf-8")
        made = self._shaped(self.get_json(snapshots_endpoint(project_id), what=what, method="POST", body=body), dict,
                            snapshots_endpoint(project_id))  # fmt: skip
        snapshot_id = _int(made.get("id"))
        if snapshot_id is None:
            raise JunkAnswer(f"{self.url} made an export snapshot without an id: {str(made)[:80]!r}: is this Label Studio?")
        path = snapshot_endpoint(project_id, snapshot_id)
        try:
            tasks = self._snapshot_tasks(project_id, snapshot_id, made)
        except StudioError:
            with suppress(StudioError):  # the error that stopped the pull is the one to tell
                self.request(path, what=f"deleting export snapshot {snapshot_id}", method="DELETE")
            raise
        self.request(path, what=f"deleting export snapshot {snapshot_id} of project {project_id}", method="DELETE")
        return tasks

    def _snapshot_tasks(self, project_id: int, snapshot_id: int, made: dict[str, Any]) -> list[ExportedTask]:
        """The tasks of a snapshot, once the server has made it."""
        path = snapshot_endpoint(project_id, snapshot_id)
        what = f"exporting annotations of project {project_id}"
        deadline = time.monotonic() + SNAPSHOT_WAIT_S
        try:
            while made.get("status") != "completed":
                if made.get("status") == "failed" or time.monotonic() > deadline:
                    raise StudioError(f"Label Studio at {self.url} did not finish export snapshot {snapshot_id} of project "
                                      f"{project_id} (status {made.get('status')!r}): see its log; nothing was pulled")  # fmt: skip
                time.sleep(SNAPSHOT_POLL_S)
                made = self._shaped(self.get_json(path, what=what), dict, path)
            tasks = self._shaped(self.get_json(f"{path}/download", what=what), list, path)
            return [ExportedTask.from_json(task) for task in tasks]
        except (ValueError, AttributeError) as exc:
            raise JunkAnswer(f"{self.url} answered export snapshot {snapshot_id} of project {project_id} with {exc}: "
                             "is this Label Studio?") from None  # fmt: skip

    def import_tasks(self, project_id: int, tasks: list[dict[str, Any]], what: str) -> list[int]:
        """Create ``tasks``; the new task ids in order when the server returns them all, else ``[]``.
        Sent as one JSON body serialised here: the SDK's own call encodes object by object, which
        costs a third of the import at 10,000 tasks."""
        body = bulk_body(tasks)
        with server_import_lock(self.url):
            answer = self.get_json(import_endpoint(project_id), {"return_task_ids": "true"}, what=what, method="POST", body=body)
        ids = answer.get("task_ids") if isinstance(answer, dict) else None
        return [int(i) for i in ids] if isinstance(ids, list) and len(ids) == len(tasks) else []

    def import_predictions(self, project_id: int, predictions: list[dict[str, Any]]) -> None:
        """Add predictions (each with its ``task`` id) to existing tasks in one request."""
        body = bulk_body(predictions)
        with server_import_lock(self.url):
            self.request(predictions_import_endpoint(project_id), what=f"adding {len(predictions)} prediction(s)", method="POST", body=body)

    def project_predictions(self, project_id: int) -> list[StoredPrediction]:
        """Every prediction of a project."""
        body = self.get_json(PREDICTIONS_ENDPOINT, {"project": project_id}, what=f"listing predictions of project {project_id}")
        try:
            return [StoredPrediction.from_json(item) for item in self._shaped(body, list, PREDICTIONS_ENDPOINT)]
        except (ValueError, AttributeError) as exc:
            raise JunkAnswer(f"{self.url} answered the predictions of project {project_id} with {exc}") from None

    def delete_prediction(self, prediction_id: int) -> None:
        self.request(prediction_endpoint(prediction_id), what=f"deleting prediction {prediction_id}", method="DELETE")

    def users(self) -> list[StudioUser]:
        """Every account of the organisation (a raw call: no SDK to load for a pull or a status)."""
        body = self._shaped(self.get_json(USERS_ENDPOINT, what="listing users"), list, USERS_ENDPOINT)
        try:
            return [StudioUser(int(u["id"]), _text(u.get("email")) or None, _text(u.get("username")) or None) for u in body]
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise JunkAnswer(f"{self.url} answered {USERS_ENDPOINT} with {exc!r}: is this Label Studio?") from None

    def annotators(self) -> dict[int, str]:
        """User id -> the name an annotation's author is stored under (:attr:`StudioUser.name`)."""
        return {user.id: user.name for user in self.users()}

    def annotators_per_task(self, project_id: int) -> int:
        """How many annotations each task of the project wants (its ``maximum_annotations``)."""
        return _int(self.project(project_id).get("maximum_annotations")) or 1

    def set_model_version(self, project_id: int, model_version: str) -> None:
        """The prediction version the labelling view copies into a new annotation."""
        self.update_project(project_id, {"model_version": model_version}, f"setting the model version of project {project_id}")

    def invite_link(self) -> str:
        """The path of the organisation's invite link (sign-up is by invitation only)."""
        body = self.get_json(INVITE_ENDPOINT, what="creating an invite link")
        link = body.get("invite_url") if isinstance(body, dict) else None
        return str(self._shaped(link, str, INVITE_ENDPOINT))

    def memberships(self) -> tuple[int, dict[int, bool]]:
        """The organisation of the key's account, and per user id whether their membership is active."""
        organization = _int(self.whoami().get("active_organization"))
        if organization is None:
            raise JunkAnswer(f"{self.url} answered {WHOAMI_ENDPOINT} without an organisation: is this Label Studio?")
        path = memberships_endpoint(organization)
        page = self.get_json(path, {"page_size": 10_000, "contributed_to_projects": 0}, what="reading the organisation")
        rows = page.get("results", page) if isinstance(page, dict) else page
        active: dict[int, bool] = {}
        for row in self._shaped(rows, list, path):
            user = _int((row.get("user") or {}).get("id")) if isinstance(row, dict) else None
            if user is not None:
                active[user] = row.get("deleted_at") is None
        return organization, active


def answers_health(url: str, timeout: float = 3.0) -> bool:
    """True when the server at ``url`` answers its health check with ``{"status": "UP"}``."""
    import httpx  # only when a server is asked: --help stays light

    try:
        response = httpx.get(f"{url.rstrip('/')}/{HEALTH_ENDPOINT}", timeout=timeout)
        return response.status_code == 200 and response.json().get("status") == "UP"
    except (httpx.HTTPError, ValueError, AttributeError):
        return False


def accepts_key(url: str, api_key: str) -> bool:
    """True when the server at ``url`` knows the legacy token ``api_key`` (so the answer comes
    from the server started with it, not from whatever else listens there): a probe made while a
    server starts, before any client exists."""
    import httpx

    try:
        response = httpx.get(f"{url}/{WHOAMI_ENDPOINT}", headers={"Authorization": f"Token {api_key}"}, timeout=5)
    except httpx.HTTPError:
        return False
    return response.status_code == 200


class _FormFields(HTMLParser):
    """The values a browser would submit from a page's forms (text, hidden, checked boxes and radios)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        given = dict(attrs)
        name, kind = given.get("name"), (given.get("type") or "text").lower()
        if tag != "input" or not name or kind in ("submit", "button", "file"):
            return
        if kind in ("checkbox", "radio") and "checked" not in given:
            return
        self.fields[name] = given.get("value") or ("on" if kind == "checkbox" else "")


class WebSession:
    """Label Studio's web pages as a person uses them, with a session cookie instead of an API
    key: the community edition has no API to create a user with a password, so annotators sign
    up through the invite link, and a user's own token is read after logging in."""

    def __init__(self, url: str) -> None:
        import httpx  # only when a person's session is opened

        self.url = url.rstrip("/")
        self.web = httpx.Client(base_url=self.url, follow_redirects=True, timeout=60)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.web.close()

    def _form(self, page: str, fields: dict[str, str], *, keep: bool = False, drop: tuple[str, ...] = ()) -> int:
        """Open ``page`` (for its CSRF cookie) and post its form, as the browser does: ``fields``
        over what the page's form holds when ``keep``, without the ``drop`` fields; the status of
        the page answering the post (a form refused shows itself again: 200 on the same page)."""
        shown = self.web.get(page)
        if shown.status_code != 200:
            return shown.status_code
        kept: dict[str, str] = {}
        if keep:
            parser = _FormFields()
            parser.feed(shown.text)
            kept = {name: value for name, value in parser.fields.items() if name not in drop}
        form = {**kept, **fields, "csrfmiddlewaretoken": self.web.cookies.get("csrftoken", "")}
        answer = self.web.post(page, data=form, headers={"Referer": f"{self.url}/{page.lstrip('/')}"})
        refused = answer.status_code == 200 and answer.url.path.rstrip("/") == f"/{page.strip('/')}"
        return 400 if refused else answer.status_code

    def set_active(self, user_id: int, active: bool) -> bool:
        """Switch a user's ``is_active`` in the admin site (the session must be a superuser's): an
        inactive user can neither log in nor use a token, and their open sessions end. False when
        the admin site refused (not a superuser, no such user)."""
        drop = () if active else ("is_active",)
        fields = {"is_active": "on"} if active else {}
        return self._form(f"/{admin_user_page(user_id)}", fields, keep=True, drop=drop) in (200, 302)

    def set_password(self, user_id: int, password: str) -> bool:
        """Give a user a new password in the admin site; False when it was refused."""
        fields = {"usable_password": "true", "password1": password, "password2": password}
        return self._form(f"/{admin_password_page(user_id)}", fields, keep=True) in (200, 302)

    def sign_up(self, invite_link: str, email: str, password: str) -> None:
        self._form(invite_link, {"email": email, "password": password})

    def log_in(self, email: str, password: str) -> None:
        self._form(f"/{LOGIN_PAGE}", {"email": email, "password": password})

    def reset_token(self) -> str | None:
        """Replace the logged-in user's legacy API token by a new one (the old one stops working at
        once); the new token, or None when the session is not logged in."""
        answer = self.web.post(f"/{RESET_TOKEN_ENDPOINT}", headers={
            "X-CSRFToken": self.web.cookies.get("csrftoken") or "", "Referer": f"{self.url}/"})  # fmt: skip
        body = answer.json() if answer.status_code == 201 else None
        return str(body["token"]) if isinstance(body, dict) and "token" in body else None

    def token(self) -> str | None:
        """The logged-in user's legacy API token; None when the session is not logged in."""
        response = self.web.get(f"/{USER_TOKEN_ENDPOINT}")
        body = response.json() if response.status_code == 200 else None
        return str(body["token"]) if isinstance(body, dict) and "token" in body else None
