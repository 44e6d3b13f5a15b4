"""A workspace: one ``curation.yaml`` that says where a corpus, its schema and its data live.

Every command looks for the file by walking up from the current folder, as git looks for
``.git``, so a user names the schema, the data folder and the server once, in the file, instead
of on every command line. Options and environment variables still override it (see
``curation/cli/_common.py``). Paths in the file are relative to the file's folder.

Problems are reported as ``curation.yaml:LINE: key: what is wrong``, every one at once.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any

from curation.errors import CurationError
from curation.fileio import atomic_writer
from curation.yamlfile import YamlFileError, key_line, load_yaml, where

WORKSPACE_FILE = "curation.yaml"
# Points at a workspace file from anywhere (as GIT_DIR does); set by scripts and tests.
WORKSPACE_ENV = "CURATION_WORKSPACE"
LEVELS = ("document", "article", "sentence")
_KEYS = {"name", "schema", "inputs", "data", "server", "annotators", "recipe"}
_SERVER_KEYS = {"url"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
MAX_WORKSPACE_BYTES = 1 << 20  # `curation init` writes 1 KB; a megabyte is no workspace file


class WorkspaceError(CurationError, ValueError):
    """A workspace file that cannot be used; ``problems`` are ``file:line key: message`` lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems), problems)


@dataclass(frozen=True, slots=True)
class Workspace:
    """What a workspace file says, with every path made absolute against the file's folder."""

    file: Path
    name: str
    schema: Path | None = None
    inputs: tuple[str, ...] = ()
    data: Path = Path("data")
    server_url: str | None = None
    annotators: dict[str, int] = field(default_factory=dict)
    recipe: Path | None = None

    @property
    def root(self) -> Path:
        return self.file.parent

    @property
    def studio_dir(self) -> Path:
        """The local Label Studio's folder (database, credentials, push/pull state)."""
        return self.data / "studio"

    @property
    def annotations_dir(self) -> Path:
        """Where ``curation pull`` keeps one annotation store per schema and level."""
        return self.data / "annotations"

    @property
    def units_file(self) -> Path:
        """Where ``curation segment`` writes the units of the workspace's inputs."""
        return self.data / "units.jsonl"

    @property
    def report_file(self) -> Path:
        return self.data / "report.html"

    def input_paths(self) -> tuple[str, ...]:
        """The inputs as the readers take them: relative entries resolved against the root."""
        return tuple(str(self.root / entry) for entry in self.inputs)

    @property
    def imports_dir(self) -> Path:
        """Where ``curation import`` keeps the units (and predictions) of what it brings in."""
        return self.data / "imports"

    def import_places(self, name: str) -> dict[str, Path]:
        """Where ``curation import`` of ``name`` puts what ``segment``, ``push`` and ``build`` must
        take up with no recipe edited: its pages (``docs``) in the first input that is a folder
        (``pages/``), its annotations among the stores the recipe reads
        (``data/annotations/import-NAME.jsonl``). The rest stays next to ``imports_dir / NAME``."""
        folders = [Path(path) for path in self.input_paths() if Path(path).is_dir()]
        places = {"annotations": self.annotations_dir / f"import-{name}.jsonl"}
        if folders:
            places["docs"] = folders[0] / f"{name}.docs.jsonl"
        return places


def find_workspace_file(start: Path | None = None) -> Path | None:
    """``$CURATION_WORKSPACE`` if set, else the nearest ``curation.yaml`` in ``start`` or above."""
    named = os.environ.get(WORKSPACE_ENV)
    if named:
        return Path(named)
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / WORKSPACE_FILE).is_file():
            return candidate / WORKSPACE_FILE
    return None


class _Reader:
    """Reads one parsed file, collecting every problem instead of stopping at the first."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.problems: list[str] = []

    def fail(self, mapping: Any, key: str, message: str) -> None:
        self.problems.append(f"{where(str(self.file), key_line(mapping, key) or 1, str(key))}: {message}")

    def text(self, mapping: Any, key: str, default: str | None = None) -> str | None:
        value = mapping.get(key, default)
        if value is None or (isinstance(value, str) and value.strip()):
            return value
        self.fail(mapping, key, f"must be a non-empty string, got {value!r}")
        return default

    def path(self, mapping: Any, key: str, default: str | None = None) -> Path | None:
        value = self.text(mapping, key, default)
        return None if value is None else self.file.parent / value

    def inputs(self, data: Any) -> tuple[str, ...]:
        value = data.get("inputs", [])
        value = [value] if isinstance(value, str) else value
        if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
            self.fail(data, "inputs", "must list files, folders or globs of pages")
            return ()
        return tuple(value)

    def server_url(self, data: Any) -> str | None:
        server = data.get("server")
        if server is None:
            return None
        if not isinstance(server, dict):
            self.fail(data, "server", "must be a mapping such as {url: http://host:8080}")
            return None
        for key in server:
            if key not in _SERVER_KEYS:
                self.fail(server, key, f"unknown key under server (expected one of: {', '.join(sorted(_SERVER_KEYS))})")
        url = self.text(server, "url")
        if url is not None and not re.match(r"^https?://", url):
            self.fail(server, "url", f"must start with http:// or https://, got {url!r}")
            return None
        return url.rstrip("/") if url else None

    def annotators(self, data: Any) -> dict[str, int]:
        value = data.get("annotators") or {}
        if not isinstance(value, dict):
            self.fail(data, "annotators", "must map a level (article, sentence) to annotators per task")
            return {}
        found = {}
        for level, count in value.items():
            if level not in LEVELS:
                self.fail(value, level, f"unknown level (expected one of: {', '.join(LEVELS)})")
            elif not isinstance(count, int) or isinstance(count, bool) or count < 1:
                self.fail(value, level, f"annotators per task must be a whole number >= 1, got {count!r}")
            else:
                found[level] = count
        return found

    def read(self, data: Any) -> Workspace | None:
        if not isinstance(data, dict):
            self.problems.append(f"{self.file}:1: a workspace file must be a YAML mapping (see `curation init`)")
            return None
        for key in data:
            if key not in _KEYS:
                self.fail(data, key, f"unknown key (expected one of: {', '.join(sorted(_KEYS))})")
        name = self.text(data, "name")
        if name is None:
            self.problems.append(f"{self.file}:1: name: missing required key 'name'")
        return Workspace(
            file=self.file,
            name=name or "",
            schema=self.path(data, "schema"),
            inputs=self.inputs(data),
            data=self.path(data, "data", "data") or self.file.parent / "data",
            server_url=self.server_url(data),
            annotators=self.annotators(data),
            recipe=self.path(data, "recipe"),
        )


def load_workspace(file: str | Path) -> Workspace:
    """Read and check a workspace file; :class:`WorkspaceError` lists every problem with its line."""
    path = Path(file).absolute()
    try:  # a FIFO, /dev/zero, a huge or deeply nested file is one line, never a hang
        data = load_yaml(path, max_bytes=MAX_WORKSPACE_BYTES, what="workspace file", shown=str(file))
    except YamlFileError as exc:
        raise WorkspaceError(exc.problems) from None
    reader = _Reader(path)
    workspace = reader.read(data)
    if reader.problems or workspace is None:
        raise WorkspaceError(reader.problems)
    return workspace


def set_annotators(file: str | Path, per_level: dict[str, int]) -> None:
    """Write ``annotators:`` per level into the workspace file, keeping its comments and other keys:
    the one place the overlap setting lives in a workspace (``curation studio overlap`` calls it)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.width = 4096
    path = Path(file)
    workspace = load_workspace(path)  # a broken or hostile file is refused before it is rewritten
    data = load_yaml(workspace.file, max_bytes=MAX_WORKSPACE_BYTES, what="workspace file", shown=str(file))
    current = data.get("annotators")
    if not isinstance(current, dict):
        data["annotators"] = current = {}
    current.update(per_level)
    out = StringIO()
    yaml.dump(data, out)
    with atomic_writer(path) as handle:
        handle.write(out.getvalue())
    load_workspace(path)  # what was written still reads back


def current_workspace(start: Path | None = None) -> Workspace | None:
    """The workspace the current folder belongs to, or None outside any workspace."""
    found = find_workspace_file(start)
    return None if found is None else load_workspace(found)


# --- curation init ------------------------------------------------------------------------------

_WORKSPACE_TEMPLATE = """\
# A curation workspace: every `curation` command run in this folder or below reads it, so the
# schema, the data folder and the server are named once. Paths are relative to this file.
# Options (--schema, --data-dir, --url) and environment variables (CURATION_SCHEMA,
# CURATION_DATA_DIR, LABEL_STUDIO_URL) override it.
name: {name}
schema: schema.yaml           # your label schema: edit it, then `curation schema check`
inputs: [pages]               # raw pages: .txt, .jsonl[.gz], .html, .warc files, folders or globs
data: data                    # units, annotation stores, Label Studio's database, reports, exports
server:
  url: null                   # an existing Label Studio (key in LABEL_STUDIO_API_KEY); null = the local one
recipe: recipe.yaml           # what `curation build` builds when no recipe is named
# How many annotators see each task: `curation studio overlap 2` writes it here, e.g.
# annotators: {{article: 2, sentence: 2}}; unset, Label Studio gives each task to one person.
"""

_RECIPE_TEMPLATE = """\
# What `curation build` builds in this workspace (paths relative to this file).
name: {name}
description: ""
license: other
inputs: [pages]
schema: schema.yaml
annotations: data/annotations  # every store `curation pull` wrote (a folder, a file or a list)
adjudication: [ground-truth, majority]
dedup: true
split:
  seed: 13
  ratios: {{train: 0.8, validation: 0.1, test: 0.1}}
  group_by: document
formats: [huggingface, jsonl, conll]
output: data/exports/{name}
"""


@dataclass(frozen=True, slots=True)
class InitReport:
    """What ``curation init`` wrote, and what it left alone because it was already there."""

    workspace: Path
    written: tuple[Path, ...]
    kept: tuple[Path, ...]


def workspace_name(folder: Path) -> str:
    """A schema/dataset name from a folder name: lowercase ASCII letters, digits and underscores."""
    name = re.sub(r"[^a-z0-9_]+", "_", folder.resolve().name.lower()).strip("_")
    return name if _NAME.match(name) else f"corpus_{name}".rstrip("_")


def init_workspace(
    folder: str | Path = ".",
    name: str | None = None,
    *,
    target: str | None = None,
    topics: Sequence[str] = (),
    entities: Sequence[str] = (),
) -> InitReport:
    """Create a workspace in ``folder``: ``curation.yaml``, a starter ``schema.yaml`` (topic, entity,
    stance towards ``target``; ``topics`` and ``entities`` replace the starter's labels),
    ``recipe.yaml``, empty ``pages/`` and ``data/annotations/`` folders and a ``.gitignore`` for
    ``data/``. Files already there are kept."""
    from curation.schema.generate import starter_schema

    root = Path(folder)
    chosen = name or workspace_name(root)
    if not _NAME.match(chosen):
        raise WorkspaceError([f"{chosen!r}: a workspace name is lowercase letters, digits and '_', starting with a letter"])
    try:
        schema = starter_schema(chosen, target=target, topics=topics, entities=entities)
    except ValueError as exc:
        raise WorkspaceError([str(exc)]) from None
    contents = {
        WORKSPACE_FILE: _WORKSPACE_TEMPLATE.format(name=chosen),
        "schema.yaml": schema,
        "recipe.yaml": _RECIPE_TEMPLATE.format(name=chosen),
        ".gitignore": "# outputs of curation commands (units, stores, Label Studio database, exports)\ndata/\n",
    }
    written, kept = [], []
    for relative, text in contents.items():
        path = root / relative
        if path.exists():
            kept.append(path)
            continue
        with atomic_writer(path) as handle:
            handle.write(text)
        written.append(path)
    # pages/ for the user's raw pages; data/annotations/ where `curation pull` writes and the recipe reads
    for folder in (root / "pages", root / "data" / "annotations"):
        if not folder.exists():
            folder.mkdir(parents=True)
            written.append(folder)
    return InitReport(root / WORKSPACE_FILE, tuple(written), tuple(kept))
