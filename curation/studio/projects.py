"""One Label Studio project per schema and level, found again from a record kept locally.

Each project has a folder under the state directory (``.curation/studio/projects/<slug>/``)
holding ``project.json`` (server URL, project id, stable title, the schema version and
fingerprint its labelling config came from) and the push journal (see :mod:`push`).

Records of the workspace's own server (the one ``curation studio up`` runs on this data folder)
are keyed by the workspace, not the URL: ``projects/<schema>-<level>/``, so a restart on another
port finds them again (the recorded URL follows). Records of any other server (``--url``) are
keyed by its URL: ``projects/<schema>-<level>-<hash of URL>/``. Records written by older
versions, keyed by the URL of the local server, are moved to the workspace key on first use.
"""

from __future__ import annotations

import fcntl
import json
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from curation.fileio import atomic_writer
from curation.schema import Schema
from curation.studio import DEFAULT_STUDIO_DIR
from curation.studio.client import ProjectMissing, StudioError
from curation.studio.contract import StudioGateway
from curation.studio.overlap import apply_overlap
from curation.studio.server import recorded_url
from curation.units import content_id

if TYPE_CHECKING:
    from curation.studio.connection import StudioClient

PROJECT_FILE = "project.json"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class Origin(Enum):
    """Where :func:`ensure_project` found the project, which says whether its tasks must be read back."""

    RECORDED = "recorded"  # the local record's: the task map knows its tasks
    ADOPTED = "adopted"  # found by its title (a record lost, a creation's answer lost): tasks unknown
    CREATED = "created"  # made by this call, its id answered: no task yet


class SchemaChangeRejected(StudioError):
    """Label Studio refuses the new labelling config because existing annotations use what it removes."""


@dataclass(frozen=True, slots=True)
class ProjectRef:
    """A project as recorded locally."""

    url: str
    id: int
    title: str
    level: str
    schema_name: str
    schema_version: int
    fingerprint: str
    folder: Path
    local: bool = False  # on the workspace's own server (see the module docstring)
    # annotators per task last set on the project by a push: reading the project back to compare
    # computes all its counters (seconds at 20,000 tasks), so a push sets it only when it changes
    annotators_per_task: int | None = None

    @property
    def state_dir(self) -> Path:
        """The studio folder holding this record (``STATE_DIR/projects/NAME``)."""
        return self.folder.parents[1]

    def save(self) -> None:
        record = {k: v for k, v in asdict(self).items() if k != "folder"}
        with atomic_writer(self.folder / PROJECT_FILE) as handle:
            json.dump(record, handle, indent=2)


def project_title(schema: Schema, level: str) -> str:
    """Stable across schema versions, so a version bump updates the project instead of forking it."""
    return f"curation · {schema.name} · {level}"


def is_workspace_server(url: str, state_dir: Path) -> bool:
    """True when ``url`` is where this workspace's own Label Studio listens (``server.json``)."""
    return recorded_url(Path(state_dir)) == url.rstrip("/")


def project_folder(state_dir: Path, url: str, schema: Schema, level: str) -> Path:
    slug = f"{schema.name}-{level}"
    if is_workspace_server(url, state_dir):
        return Path(state_dir) / "projects" / slug
    return Path(state_dir) / "projects" / f"{slug}-{content_id('', url.rstrip('/'))[:8]}"


def load_project(folder: Path) -> ProjectRef | None:
    try:
        record = json.loads((folder / PROJECT_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise StudioError(f"{folder / PROJECT_FILE}: corrupt project record ({exc}); delete it and re-run") from None
    return ProjectRef(folder=folder, **record)


def _migrate_url_keyed(state_dir: Path, url: str, schema: Schema, level: str, folder: Path) -> None:
    """Move an older record of the local server (keyed by its URL then) to the workspace key."""
    candidates = [
        old for old in sorted((Path(state_dir) / "projects").glob(f"{schema.name}-{level}-*"))
        if (ref := load_project(old)) is not None and urlsplit(ref.url).hostname in LOOPBACK and ref.level == level
    ]
    if not candidates:
        return
    if len(candidates) > 1:
        raise StudioError(
            f"several older {schema.name} {level} project records of a local server in {state_dir}/projects "
            f"({', '.join(c.name for c in candidates)}): keep the right one, rename it to {folder.name}, and re-run"
        )
    candidates[0].rename(folder)


def find_project(url: str, schema: Schema, level: str, state_dir: Path = DEFAULT_STUDIO_DIR) -> ProjectRef | None:
    """The recorded project of ``schema`` at ``level`` on the server at ``url``, or None.

    For the workspace's own server, a record made when it listened elsewhere is brought to the
    current URL (and an older URL-keyed record migrated).
    """
    folder = project_folder(state_dir, url, schema, level)
    local = is_workspace_server(url, state_dir)
    if local and not folder.exists():
        _migrate_url_keyed(state_dir, url, schema, level, folder)
    ref = load_project(folder)
    if ref is not None and local and (ref.url != url.rstrip("/") or not ref.local):
        ref = replace(ref, url=url.rstrip("/"), local=True)
        ref.save()
    return ref


def pushed_levels(url: str, schema: Schema, levels: Iterable[str], state_dir: Path = DEFAULT_STUDIO_DIR) -> list[str]:
    """The ``levels`` that have a recorded project on the server at ``url``."""
    return [level for level in levels if find_project(url, schema, level, state_dir) is not None]


@contextmanager
def project_lock(state_dir: Path, url: str, schema: Schema, level: str) -> Iterator[None]:
    """Serialise everything that changes one project's tasks (push, predictions): a second
    process waits here until the first is done, then sees its journal."""
    folder = project_folder(state_dir, url, schema, level)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with (folder.parent / f".{folder.name}.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def ensure_project(
    client: StudioClient,
    url: str,
    schema: Schema,
    level: str,
    state_dir: Path = DEFAULT_STUDIO_DIR,
    *,
    recreate: bool = False,
    annotators_per_task: int | None = None,
) -> tuple[ProjectRef, Origin]:
    """The project for ``schema`` at ``level``, created or updated as needed, and where it came from
    (a project adopted by its title has tasks the local map may not know: the caller must read them
    back before pushing). A project deleted on the server raises :class:`ProjectMissing` unless
    ``recreate`` is set, which forgets the local record and creates it again. Every call is a raw
    request: a push loads no SDK.
    """
    gateway = StudioGateway(client, url)
    folder = project_folder(state_dir, url, schema, level)
    ref = find_project(url, schema, level, state_dir)
    origin = Origin.RECORDED
    if ref is not None and not gateway.project_exists(ref.id):
        if not recreate:
            raise ProjectMissing(
                f"project {ref.title!r} (id {ref.id}) no longer exists at {url}: re-run with --recreate "
                "to create it again and push every unit anew (annotations already pulled stay in the store)."
            )
        shutil.rmtree(folder)
        ref = None
    if ref is None:
        ref, origin = _find_or_create(gateway, schema, level, folder)
    if ref.fingerprint != schema.fingerprint:
        ref = _update_config(gateway, ref, schema)
    if annotators_per_task is not None and ref.annotators_per_task != annotators_per_task:
        apply_overlap(client, url, ref.id, annotators_per_task)
        ref = replace(ref, annotators_per_task=annotators_per_task)
        ref.save()
    return ref, origin


def _project_titled(gateway: StudioGateway, title: str) -> int | None:
    """The id of the server's project called ``title`` (made by an earlier push whose record is
    gone, or whose answer was lost): the oldest when there are several, always the same one."""
    return min(gateway.projects_titled(title), default=None)


def _create_once(gateway: StudioGateway, title: str, config: str) -> tuple[int, Origin]:
    """Create the project, never twice: the POST goes once, and when its answer fails the server is
    asked whether the project was made anyway (it usually was: the work was done, only the answer
    is missing); one found so is adopted, as it may be an earlier one of the same title."""
    try:
        return gateway.create_project(title, config), Origin.CREATED
    except StudioError:
        made = _project_titled(gateway, title)
        if made is None:
            raise
        return made, Origin.ADOPTED


def _find_or_create(gateway: StudioGateway, schema: Schema, level: str, folder: Path) -> tuple[ProjectRef, Origin]:
    """The project found by its title or created, recorded at once: before any task is sent, so
    a push that dies later resumes into it."""
    title = project_title(schema, level)
    existing = _project_titled(gateway, title)
    if existing is None:
        (project_id, origin), fingerprint = _create_once(gateway, title, schema.label_config(level)), schema.fingerprint
    else:
        project_id, origin, fingerprint = existing, Origin.ADOPTED, ""  # unknown config: force an update check below
    url = gateway.url.rstrip("/")
    local = is_workspace_server(url, folder.parent.parent)
    ref = ProjectRef(url, project_id, title, level, schema.name, schema.version, fingerprint, folder, local)
    ref.save()
    return ref, origin


def _update_config(gateway: StudioGateway, ref: ProjectRef, schema: Schema) -> ProjectRef:
    config = schema.label_config(ref.level)
    refusal = gateway.config_refusal(ref.id, config)  # the UI's strict check: a PATCH alone only logs removed labels
    if refusal is not None:
        raise SchemaChangeRejected(
            f"Label Studio refuses schema {schema.name} v{schema.version} for project {ref.title!r} "
            f"(made from v{ref.schema_version}): {_reason(refusal)}. Migration path: `curation pull` the "
            "annotations, declare the change under `migrations:` in the schema so `Schema.migrate` maps old "
            "labels to new ones, then push into a fresh project with --recreate (or keep the old labels "
            "in the schema until the project is done)."
        )
    gateway.update_project(ref.id, {"label_config": config}, "updating the labelling config")
    updated = replace(ref, schema_name=schema.name, schema_version=schema.version, fingerprint=schema.fingerprint)
    updated.save()
    return updated


def _reason(body: object) -> str:
    if isinstance(body, dict):
        detail = body.get("validation_errors") or body.get("detail") or body
        return json.dumps(detail, ensure_ascii=False)[:400]
    return str(body)[:400]
