"""Whole-process measurement for every bench: wall seconds, CPU seconds of the process tree (user +
system of the command and every child it waited for) and peak summed PSS of the tree (sampled every
50 ms, the tree re-read every 0.5 s: pages a worker shares with its parent count once), with the
spread over rounds and the load average, so that figures from a shared machine can be read by
someone else.

    from measure import measure, spread, load
    run = measure([python, "-m", "curation.cli", "dedup", ...], cwd=folder)
"""

from __future__ import annotations

import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SAMPLE_EVERY = 0.05
WALK_EVERY = 0.5  # a walk of all of /proc (6 ms at 150 processes) finds new children; between walks the known ones are sampled


@dataclass(slots=True)
class Measured:
    """One run of a command: wall and CPU seconds of its process tree, peak summed PSS in MB."""

    wall: float
    cpu: float
    pss: float
    refused: str = ""  # with exit 1 (problems found in the data): the last line the command said


def tree(root: int) -> list[int]:
    """``root`` and its living descendants, from /proc."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]
        except (OSError, ValueError, IndexError):
            continue
        if state not in ("Z", "X"):
            children.setdefault(int(ppid), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, ()))
    return found


def pss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in text.splitlines() if line.startswith("Pss:")), 0)
    return total / 1024


def tree_cpu(root: int, *, children: bool = True) -> float:
    """CPU seconds (user + system) so far of ``root`` and its living descendants (only ``root``
    without ``children``: a walk of /proc costs 20 ms), and of the children they waited for: for
    a process that runs beside the bench (a server), read before and after a step."""
    pids = tree(root) if children else [root]
    return sum(_cpu_ticks(pid, children=True) for pid in pids) / os.sysconf("SC_CLK_TCK")


def own_cpu(pids: list[int]) -> dict[int, float]:
    """CPU seconds (user + system) each of ``pids`` has used itself so far."""
    ticks = os.sysconf("SC_CLK_TCK")
    return {pid: _cpu_ticks(pid, children=False) / ticks for pid in pids}


def _cpu_ticks(pid: int, children: bool) -> int:
    """utime + stime of ``pid`` (and cutime + cstime with ``children``), 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0
    return sum(int(value) for value in fields[11 : 15 if children else 13])


def measure(args: list[str], cwd: Path) -> Measured:
    """``args`` in a fresh process, its bytecode cached under ``cwd`` as an installed package's
    is (whatever PYTHONDONTWRITEBYTECODE says here); exit 1 (problems found in the data, said
    so) is accepted, with its last line in ``refused``. What the command says goes to a file, not
    a pipe that nobody reads while it runs (a chatty command would block on a full pipe).

    CPU: the rusage of the command and the children it waited for, or, when larger, the sum of
    what every process of the tree was last seen to have used: a process nobody waits for (Ray's
    daemons, killed at the end) is missing from the rusage."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(cwd / "pycache")
    with tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(args, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        peak, walked = 0.0, 0.0
        seen: dict[int, float] = {}
        pids: list[int] = []
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - walked >= WALK_EVERY:
                pids, walked = tree(process.pid), time.perf_counter()
            peak = max(peak, pss_mb(pids))
            for seen_pid, used in own_cpu(pids).items():  # 0 for one gone meanwhile: keep what it had
                seen[seen_pid] = max(seen.get(seen_pid, 0.0), used)
            time.sleep(SAMPLE_EVERY)
        wall = time.perf_counter() - started
        stderr.seek(0)
        said = stderr.read().decode(errors="replace")
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed ({process.returncode}):\n{said[-2000:]}")
    refused = next((line for line in reversed(said.splitlines()) if line.strip()), "") if process.returncode else ""
    cpu = max(usage.ru_utime + usage.ru_stime, sum(seen.values()))
    return Measured(wall, cpu, peak, refused[:200])


def spread(values: list[float], shown: Callable[[float], str]) -> str:
    return f"{shown(statistics.median(values))} ({shown(min(values))}-{shown(max(values))})"


def load() -> str:
    """The 1-minute load average, printed beside every round: a figure taken at load 4 on two cores is noise."""
    return f"load average {os.getloadavg()[0]:.1f}"
