"""Where ``curation build`` may write, and when it may replace what is there.

A build owns exactly the files its previous ``manifest.json`` lists (plus the manifest). It
refuses an output folder holding anything else, the working directory, a folder holding the
recipe or an input, and a folder inside an input folder (the next build would read its own
output). The new export is built in ``.NAME.building-PID`` beside the target and swapped in
only when the build found no problems (unless the caller allows them), so a failed, refused
or killed build leaves the previous export as it was. Leftovers of killed builds are tidied
on the next run: a staging folder of a dead process is removed, and a previous export that a
kill left parked as ``.NAME.old-PID`` is put back when nothing replaced it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterable
from pathlib import Path

from curation.errors import CurationError
from curation.export.manifest import MANIFEST_NAME, relative

SHOWN_FILES = 3


class OutputError(CurationError, ValueError):
    """The output folder cannot be used as asked; nothing was written, moved or removed."""


class ProblemsFound(OutputError):
    """The build found problems, so its result was not swapped in; the previous export is intact."""

    def __init__(self, target: Path, problems: list[str]) -> None:
        super().__init__(
            f"{target}: the build found {len(problems)} problem(s), so the previous export was kept and nothing "
            "was replaced; fix them, or pass --allow-problems to publish anyway (card and manifest then list them)"
        )
        self.problems = problems


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _files(folder: Path) -> list[str]:
    """Every file and symlink under ``folder`` (not following links), relative, sorted."""
    found: list[str] = []
    for root, dirs, names in os.walk(folder):
        base = Path(root)
        found.extend(relative(base / name, folder) for name in names)
        found.extend(relative(base / name, folder) for name in dirs if (base / name).is_symlink())
    return sorted(found)


def owned_files(folder: Path) -> set[str]:
    """The files a previous build says it wrote there (empty when there is no readable manifest)."""
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
        outputs = manifest["outputs"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError):
        return set()
    if not isinstance(outputs, dict):
        return set()
    return {str(name) for name in outputs} | {MANIFEST_NAME}


def foreign_files(folder: Path) -> list[str]:
    """Files in ``folder`` that no previous build of ours wrote there."""
    if not folder.is_dir():
        return []
    owned = owned_files(folder)
    return [name for name in _files(folder) if name not in owned]


def check_output_folder(target: Path, protected: Iterable[Path], cwd: Path | None = None) -> None:
    """Raise :class:`OutputError` unless the build may replace ``target``.

    ``protected`` are the recipe file, the schema, the annotation store and every input
    (files or folders): none of them may be inside the target, and the target may not be
    inside an input folder.
    """
    resolved = target.resolve()
    here = (cwd or Path.cwd()).resolve()
    if _inside(here, resolved):
        raise OutputError(f"{target}: is the working directory or holds it; give the export a folder of its own")
    for path in protected:
        _check_apart(target, resolved, path)
    _check_replaceable(target, resolved)


def _check_apart(target: Path, resolved: Path, path: Path) -> None:
    """The target (``resolved``) may neither hold ``path``, which the build reads, nor be inside it."""
    other = path.resolve()
    if _inside(other, resolved):
        raise OutputError(f"{target}: holds {path}, which this build reads; give the export a folder of its own")
    if other.is_dir() and _inside(resolved, other):
        raise OutputError(f"{target}: is inside the input folder {path}; the next build would read its own output")


def _check_replaceable(target: Path, resolved: Path) -> None:
    """The target is absent, or a folder holding only files an earlier build wrote."""
    if resolved.exists() and not resolved.is_dir():
        raise OutputError(f"{target}: exists and is not a folder")
    foreign = foreign_files(resolved)
    if foreign:
        shown = ", ".join(foreign[:SHOWN_FILES]) + (", ..." if len(foreign) > SHOWN_FILES else "")
        raise OutputError(
            f"{target}: holds {len(foreign)} file(s) no build wrote ({shown}); a build only replaces a folder "
            f"whose {MANIFEST_NAME} lists every file in it: choose another output folder or empty this one"
        )


def _pid_alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def tidy_leftovers(target: Path) -> list[Path]:
    """Remove staging folders of dead builds of ``target``; restore a parked export; return what was done."""
    pattern = re.compile(rf"^\.{re.escape(target.name)}\.(building|old)-(\d+)$")
    touched: list[Path] = []
    if not target.parent.is_dir():
        return touched
    for entry in sorted(target.parent.iterdir()):
        match = pattern.match(entry.name)
        if not match or not entry.is_dir() or entry.is_symlink() or _pid_alive(int(match.group(2))):
            continue
        if match.group(1) == "old" and not target.exists():
            entry.rename(target)  # killed between parking the old export and moving the new one in
        else:
            shutil.rmtree(entry)
        touched.append(entry)
    return touched


def staging_folder(target: Path) -> Path:
    """A fresh, empty folder beside ``target`` for this process to build into."""
    tidy_leftovers(target)
    staging = target.with_name(f".{target.name}.building-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    return staging


def swap_in(staging: Path, target: Path, problems: list[str], allow_problems: bool) -> None:
    """Replace ``target`` with ``staging`` when the build is clean (or problems are allowed)."""
    if problems and not allow_problems:
        raise ProblemsFound(target, problems)
    foreign = foreign_files(target)
    if foreign:  # something appeared in the folder while we were building
        raise OutputError(f"{target}: {foreign[0]} appeared during the build; the previous export was kept")
    old = target.with_name(f".{target.name}.old-{os.getpid()}")
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)
