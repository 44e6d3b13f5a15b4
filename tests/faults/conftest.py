"""The fault-injection suite's harness: run the real ``curation`` command on a hostile input in a
subprocess (a bounded wait: a hang is a failure, never a stuck CI), and check what a user sees.

Every fault test ends in :func:`assert_clean_failure` (or checks the same things itself): the exit
code, each expected message on one line, no traceback; and :func:`assert_nothing_lost` checks
that every file that was there before is still there, byte for byte. The tally of what was tried
(inputs, clear errors, tracebacks, hangs, lost files) is printed at the end of the test run (by
tests/conftest.py, which adds up the tallies of parallel workers).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..conftest import FAULT_TALLY as TALLY

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
NEWS_SCHEMA = REPO / "schemas" / "news.yaml"
CURATION = str(Path(sys.executable).parent / "curation")
HANG_AFTER_S = 300  # far above any command here on a loaded machine: reaching it means a hang


@dataclass
class Ran:
    args: Sequence[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def run_cli(
    args: Sequence[str],
    cwd: Path,
    *,
    env: dict[str, str] | None = None,
    preexec_fn: Callable[[], None] | None = None,
    bound_by_permissions: bool = False,
) -> Ran:
    """``curation ARGS`` in ``cwd``; a run that does not end in time counts as a hang and fails."""
    TALLY["commands run"] += 1
    full_env = {**os.environ, "COLUMNS": "200", "NO_COLOR": "1", **(env or {})}
    prefix = without_root_privileges() if bound_by_permissions else []
    try:
        done = subprocess.run(
            [*prefix, CURATION, *args], cwd=cwd, env=full_env, capture_output=True, timeout=HANG_AFTER_S,
            preexec_fn=preexec_fn,
        )  # fmt: skip
    except subprocess.TimeoutExpired:
        TALLY["hangs"] += 1
        pytest.fail(f"curation {' '.join(args)} hung (no end after {HANG_AFTER_S} s)")
    ran = Ran(args, done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace"))
    if "Traceback (most recent call last)" in ran.output:
        TALLY["tracebacks"] += 1
    return ran


def assert_clean_failure(ran: Ran, exit_code: int, *messages: str) -> None:
    """Exit ``exit_code``, no traceback, and each message whole on one line of the output."""
    assert "Traceback" not in ran.output, ran.output
    assert ran.returncode == exit_code, ran.output
    lines = ran.output.splitlines()
    for message in messages:
        assert any(message in line for line in lines), f"{message!r} not on one line of:\n{ran.output}"
    TALLY["clear errors"] += len(messages)


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every regular file under ``folder`` (symlinks and special files not followed)."""
    found = {}
    for root, _dirs, names in os.walk(folder):
        for name in names:
            path = Path(root, name)
            if path.is_file() and not path.is_symlink():
                found[os.fsdecode(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def assert_nothing_lost(before: dict[str, str], folder: Path) -> None:
    """Every file of ``before`` is still in ``folder`` with the same bytes."""
    after = snapshot(folder)
    lost = sorted(name for name, digest in before.items() if after.get(name) != digest)
    TALLY["lost files"] += len(lost)
    assert not lost, f"lost or changed: {lost}"


def tried(what: str, count: int = 1) -> None:
    """Count ``count`` hostile inputs or injected faults of kind ``what`` in the summary."""
    TALLY["inputs and faults tried"] += count
    TALLY[f"tried: {what}"] += count


def without_root_privileges() -> list[str]:
    """A command prefix under which file permissions bind even for root (root reads a mode-0
    folder otherwise): the capabilities that override them are dropped with util-linux setpriv."""
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("running as root without util-linux setpriv: file permissions cannot be made to bind")
    drop = "-dac_override,-dac_read_search"
    return ["setpriv", f"--bounding-set={drop}", f"--inh-caps={drop}"]
