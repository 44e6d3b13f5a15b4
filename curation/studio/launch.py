"""Starting the local Label Studio for a team, and reading the team's progress from it.

:func:`serve` is ``curation studio up``: one server per data folder (an already running one is
reported, never doubled), a refusal to serve beyond localhost while any known password is weak,
and what the server is doing while it starts, for a live display.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from pathlib import Path

from curation.results import StudioResult
from curation.studio.client import StudioError
from curation.studio.progress import ProjectProgress
from curation.studio.server import (
    CREDENTIALS_FILE,
    DATABASE_FILE,
    DEFAULT_HOST,
    LOG_FILE,
    StudioServer,
    server_status,
    start_server,
)

# Told what a starting server is doing and the seconds since the start, every half second.
OnWait = Callable[[str, float], None]


def startup_activity(data_dir: Path) -> str:
    """What a starting server is doing, as its files show it, in curation's words: Label Studio's
    own messages (warnings about its settings, request lines) go to its log, never to the terminal."""
    if not (data_dir / DATABASE_FILE).exists():
        return "preparing Label Studio's database (once per data folder)"
    return f"starting Label Studio (its messages: {data_dir / LOG_FILE})"


def _start_watched(data_dir: Path, port: int | None, host: str, on_wait: OnWait | None) -> StudioServer:
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=1) as pool:
        started = pool.submit(start_server, data_dir, port=port, host=host)
        while not wait([started], timeout=0.5).done:
            if on_wait is not None:
                on_wait(startup_activity(data_dir), time.monotonic() - began)
        return started.result()


def _lan_checks(host: str, data_dir: Path) -> list[str]:
    """Before serving beyond localhost: the warning to show; a refusal while a known password is weak."""
    from curation.studio.accounts import LAN_WARNING, lan_problems

    warning = LAN_WARNING.format(host=host)
    problems = lan_problems(data_dir)
    if problems:  # the warning says why the passwords matter
        raise StudioError(problems=[warning, "not serving on the network: " + "; ".join(problems)])
    return [warning]


def _unvetted(server: StudioServer, data_dir: Path) -> list[str]:
    from curation.studio.accounts import unvetted_warnings

    return unvetted_warnings(server.client(), server.url, data_dir, server.username)


def serve(data_dir: Path, port: int | None = None, host: str | None = None, on_wait: OnWait | None = None) -> StudioResult:
    """Start the server of ``data_dir`` unless one runs; the result names its URL and the file
    holding the admin's credentials (mode 0600), never the password itself."""
    host = host or DEFAULT_HOST
    running = server_status(data_dir)
    if running.running:
        return StudioResult(data_dir, running.url, running.pid, True, running.healthy, running.username,
                            credentials=data_dir / CREDENTIALS_FILE)  # fmt: skip
    warnings = _lan_checks(host, data_dir) if host != DEFAULT_HOST else []
    began = time.monotonic()
    server = _start_watched(data_dir, port, host, on_wait)
    if host != DEFAULT_HOST:
        warnings += _unvetted(server, data_dir)
    return StudioResult(
        data_dir, server.url, server.pid, True, True, server.username, started=True,
        seconds=round(time.monotonic() - began, 1), credentials=data_dir / CREDENTIALS_FILE, warnings=warnings,
    )  # fmt: skip


def team_progress(server: StudioServer, data_dir: Path) -> list[ProjectProgress]:
    """Per recorded project and annotator: done, remaining, disagreements so far."""
    from curation.studio.accounts import read_accounts
    from curation.studio.progress import project_progress, recorded_projects

    client = server.client()
    team = [a.email for a in read_accounts(data_dir).values() if a.role == "annotator"]
    return [project_progress(client, ref, team) for ref in recorded_projects(data_dir)]
