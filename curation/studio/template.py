"""The migrated, user-less database a new Label Studio data folder starts from.

Migrating a new database (about 400 Django migrations) was most of the first `curation studio up`:
210 s on a busy two-core machine, against 25 s for a start with nothing to migrate. So a new data
folder gets a copy of a template, which is made, once per machine and Label Studio version, in
``~/.cache/curation/``: from the SQL dump shipped in ``curation/studio/data/`` for the Label Studio
version it was made with (under a second), else by running Label Studio's migrations (minutes).

The dump is regenerated for a new Label Studio with ``python -m curation.studio.template``; a
test checks that it is the one of the installed version.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from curation.fileio import atomic_writer
from curation.secrets import scrub
from curation.studio.client import StudioError

DATABASE_FILE = "label_studio.sqlite3"
DUMPS = Path(__file__).resolve().parent / "data"


def label_studio_version() -> str:
    from importlib.metadata import version  # 10 ms of imports: not for every command that records a server

    return version("label-studio")


def shipped_dump(for_version: str | None = None) -> Path:
    """Where the SQL dump of a freshly migrated database of ``for_version`` (default: the installed one) is shipped."""
    return DUMPS / f"label-studio-{for_version or label_studio_version()}.sql"


def cache_folder() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "curation"


def template_database() -> Path:
    """The template of the installed Label Studio, made now if this machine has none yet."""
    template = cache_folder() / f"label-studio-{label_studio_version()}.sqlite3"
    if template.exists():
        return template
    template.parent.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix="ls-template-", dir=template.parent))
    try:
        dump = shipped_dump()
        if dump.is_file():
            _load_dump(dump, build / DATABASE_FILE)
        else:
            _migrate(build)
        os.replace(build / DATABASE_FILE, template)  # atomic: a concurrent first start finds a whole file or none
    finally:
        shutil.rmtree(build, ignore_errors=True)  # our own temporary folder (migrations leave media/ and export/ in it)
    return template


def _load_dump(dump: Path, database: Path) -> None:
    connection = sqlite3.connect(database)
    try:
        connection.executescript(dump.read_text(encoding="utf-8"))
    finally:
        connection.close()


def _migrate(folder: Path) -> None:
    """Label Studio's own migrations, run on a new database in ``folder``."""
    spec = importlib.util.find_spec("label_studio")
    if spec is None or spec.origin is None:
        raise StudioError("Label Studio is not installed: `pip install 'curation[studio]'`")
    manage_py = Path(spec.origin).parent / "manage.py"
    env = dict(os.environ, LABEL_STUDIO_BASE_DATA_DIR=str(folder), LATEST_VERSION_CHECK="false")
    result = subprocess.run(
        [sys.executable, str(manage_py), "migrate", "--no-color", "-v", "0"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise StudioError(f"preparing Label Studio's database failed: {scrub(result.stderr[-800:])}")


def write_dump() -> Path:
    """Migrate a new database with the installed Label Studio and ship its SQL dump."""
    with tempfile.TemporaryDirectory(prefix="ls-dump-") as folder:
        _migrate(Path(folder))
        connection = sqlite3.connect(Path(folder) / DATABASE_FILE)
        try:
            text = "\n".join(connection.iterdump()) + "\n"
        finally:
            connection.close()
    target = shipped_dump()
    with atomic_writer(target) as handle:
        handle.write(text)
    return target


if __name__ == "__main__":
    print(write_dump())
