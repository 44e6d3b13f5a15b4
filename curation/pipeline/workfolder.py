"""Temporary work folders (spills, shards, signatures, logs), and the tidying of those a killed run left.

``build``, ``segment`` and ``dedup`` remove their work folder when they end, however they end, unless killed
outright (the out-of-memory killer, ``kill -9``): then up to hundreds of megabytes stay behind. A
folder is removed by a later run only when it proves it was a run's: its owner file names this
machine and a process that no longer runs (the process id *and* its start time, since ids are
reused). A folder whose owner ran on another machine (shared storage on a cluster) is left, and so
is one without an owner file: a failed run keeps its logs that way (the error names them), and so
does a Slurm run, whose jobs still read the folder after the submitting process has ended.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import socket
import tempfile
from pathlib import Path

import psutil

OWNER = ".owner.json"


def make_work_folder(parent: str | Path | None, prefix: str, suffix: str = "") -> Path:
    """A new folder ``prefix...suffix`` under ``parent`` (default: the system's temporary folder), owned by this process."""
    work = Path(tempfile.mkdtemp(prefix=prefix, suffix=suffix, dir=parent))
    (work / OWNER).write_text(json.dumps(_owner(os.getpid())), encoding="utf-8")
    return work


def disown(work: Path) -> None:
    """Keep ``work`` out of any later tidying (it holds logs an error message names)."""
    (work / OWNER).unlink(missing_ok=True)


def tidy_abandoned(parent: str | Path | None, prefix: str, suffix: str = "") -> list[tuple[Path, int]]:
    """Remove the folders ``prefix...suffix`` under ``parent`` that killed runs of this machine left;
    each with its size in bytes."""
    folder = Path(parent) if parent is not None else Path(tempfile.gettempdir())
    removed: list[tuple[Path, int]] = []
    for work in sorted(folder.glob(f"{glob.escape(prefix)}*{glob.escape(suffix)}")):
        if work.is_symlink() or not work.is_dir() or not _abandoned(work):
            continue
        size = sum(path.stat().st_size for path in work.rglob("*") if path.is_file() and not path.is_symlink())
        shutil.rmtree(work, ignore_errors=True)
        removed.append((work, size))
    return removed


def _owner(pid: int) -> dict[str, object]:
    return {"host": socket.gethostname(), "pid": pid, "started": psutil.Process(pid).create_time()}


def _abandoned(work: Path) -> bool:
    """Whether ``work``'s owner file names a process of this machine that has ended."""
    try:
        owner = json.loads((work / OWNER).read_text(encoding="utf-8"))
        host, pid, started = owner["host"], int(owner["pid"]), float(owner["started"])
    except (OSError, ValueError, KeyError, TypeError):
        return False  # no owner file, or not ours to judge
    if host != socket.gethostname():
        return False
    try:
        return abs(psutil.Process(pid).create_time() - started) > 0.01  # the id now names another process
    except psutil.NoSuchProcess:
        return True
    except psutil.Error:
        return False
