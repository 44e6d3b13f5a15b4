"""One Label Studio project per schema and level, found again from a record kept locally.

Each project has a folder under the state directory (``.curation/studio/projects/<slug>/``)
holding ``project.json`` (server URL, project id, stable title, the schema version and
fingerprint its labelling config came from) and the push journal (see :mod:`push`).
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

from label_studio_sdk import LabelStudio
from label_studio_sdk.core.api_error import ApiError

from curation.fileio import atomic_writer
from curation.schema import Schema
from curation.studio.client import ProjectMissing, StudioError, explained, studio_call
from curation.studio.overlap import annotators_per_task, apply_overlap
from curation.units import content_id

DEFAULT_STATE_DIR = Path(".curation/studio")
PROJECT_FILE = "project.json"


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

    def save(self) -> None:
        record = {k: v for k, v in asdict(self).items() if k != "folder"}
        with atomic_writer(self.folder / PROJECT_FILE) as handle:
            json.dump(record, handle, indent=2)


def project_title(schema: Schema, level: str) -> str:
    """Stable across schema versions, so a version bump updates the project instead of forking it."""
    return f"curation · {schema.name} · {level}"


def project_folder(state_dir: Path, url: str, schema: Schema, level: str) -> Path:
    return Path(state_dir) / "projects" / f"{schema.name}-{level}-{content_id('', url.rstrip('/'))[:8]}"


def load_project(folder: Path) -> ProjectRef | None:
    try:
        record = json.loads((folder / PROJECT_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError as exc:
        raise StudioError(f"{folder / PROJECT_FILE}: corrupt project record ({exc}); delete it and re-run") from None
    return ProjectRef(folder=folder, **record)


def ensure_project(
    client: LabelStudio,
    url: str,
    schema: Schema,
    level: str,
    state_dir: Path = DEFAULT_STATE_DIR,
    *,
    recreate: bool = False,
) -> tuple[ProjectRef, bool]:
    """The project for ``schema`` at ``level``, created or updated as needed.

    Returns the project and whether it was adopted or created without a local task map (the
    caller must then reconcile the map with the server before pushing). A project deleted on
    the server raises :class:`ProjectMissing` unless ``recreate`` is set, which forgets the
    local record and creates it again.
    """
    folder = project_folder(state_dir, url, schema, level)
    ref = load_project(folder)
    fresh = False
    if ref is not None:
        try:
            with explained(url, f"opening project {ref.id}"):
                client.projects.get(ref.id)
        except ProjectMissing:
            if not recreate:
                raise ProjectMissing(
                    f"project {ref.title!r} (id {ref.id}) no longer exists at {url}: re-run with --recreate "
                    "to create it again and push every unit anew (annotations already pulled stay in the store)."
                ) from None
            shutil.rmtree(folder)
            ref = None
    if ref is None:
        ref = _find_or_create(client, url, schema, level, folder)
        fresh = True
    if ref.fingerprint != schema.fingerprint:
        ref = _update_config(client, ref, schema)
    apply_overlap(client, url, ref.id, annotators_per_task(state_dir, schema.name))
    return ref, fresh


def _find_or_create(client: LabelStudio, url: str, schema: Schema, level: str, folder: Path) -> ProjectRef:
    title = project_title(schema, level)
    config = schema.label_config(level)
    with explained(url, "looking for the project"):
        existing = next((p for p in client.projects.list(title=title) if p.title == title), None)
    if existing is None:
        project = studio_call(url, "creating the project", lambda: client.projects.create(title=title, label_config=config))
        fingerprint = schema.fingerprint
    else:
        project, fingerprint = existing, ""  # unknown config: force an update check below
    ref = ProjectRef(url, int(project.id), title, level, schema.name, schema.version, fingerprint, folder)
    ref.save()
    return ref


def _update_config(client: LabelStudio, ref: ProjectRef, schema: Schema) -> ProjectRef:
    config = schema.label_config(ref.level)
    with explained(ref.url, "updating the labelling config"):
        try:
            # The strict check the web UI runs before saving: PATCH alone only logs removed labels.
            client.projects.validate_label_config(ref.id, label_config=config)
            client.projects.update(ref.id, label_config=config)
        except ApiError as exc:
            if exc.status_code != 400:
                raise
            raise SchemaChangeRejected(
                f"Label Studio refuses schema {schema.name} v{schema.version} for project {ref.title!r} "
                f"(made from v{ref.schema_version}): {_reason(exc.body)}. Migration path: `curation pull` the "
                "annotations, declare the change under `migrations:` in the schema so `Schema.migrate` maps old "
                "labels to new ones, then push into a fresh project with --recreate (or keep the old labels "
                "in the schema until the project is done)."
            ) from None
    updated = ProjectRef(
        ref.url, ref.id, ref.title, ref.level, schema.name, schema.version, schema.fingerprint, ref.folder
    )
    updated.save()
    return updated


def _reason(body: object) -> str:
    if isinstance(body, dict):
        detail = body.get("validation_errors") or body.get("detail") or body
        return json.dumps(detail, ensure_ascii=False)[:400]
    return str(body)[:400]
