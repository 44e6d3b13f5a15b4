"""Shared fixtures, and what the test processes of one run share.

The suite runs in parallel under pytest-xdist (``make test``: ``-n``, ``--dist loadgroup``) or in
one process; either way the run has one process that owns it (xdist's controller, else pytest
itself) and a shared folder, made by that owner and handed to every worker.

``studio_server`` is a real Label Studio, started through the same library code as ``curation
studio up``: one per test process (xdist worker), shared by all its tests. Not one for the whole
run: Label Studio on SQLite numbers new tasks and predictions "latest id + 1" with no lock, so two
clients importing at once lose predictions (measured: two projects given 3,000 tasks with a
prediction each, in concurrent imports of 500, kept 1,500 predictions each; imported one after
the other, 3,000). A process that collects a test needing it launches a short-lived helper that
starts its server under a file lock in the shared folder, so Label Studio boots while the first
tests run; the fixture waits on that lock. The owner of the run stops every server of the shared
folder, by the pid holding its server lock, when the run ends. The owner is a child subreaper,
so a server, once its helper has exited, is the owner's child to reap: stopping it never waits
on a zombie. Tests that kill or restart a server start their own.

``browser`` and ``module_browser`` are Debian's headless Chromium for a test or a module, never
longer (see :func:`_chromium`). Tests using a local Ray cluster share an xdist group (two clusters
never start at once), and the tests of a module-scoped fixture their module's group (it is made
once, in one worker).
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from curation.studio.server import StudioServer, start_server, stop_server
from curation.unitfile import write_unit_records
from curation.units import Document, Provenance, Sentence, sha256_hex

if TYPE_CHECKING:
    from playwright.sync_api import Browser

SHARED_FOLDER = pytest.StashKey[Path]()
STARTER = pytest.StashKey["subprocess.Popen[bytes]"]()
SHARED_FOLDER_INPUT = "curation_shared_folder"  # the key in xdist's workerinput
STUDIO_PREFIX = "label-studio-"  # + the test process (gw0, gw1... or main): its server's data folder
PR_SET_CHILD_SUBREAPER = 36  # linux/prctl.h

# Debian's package: Playwright never downloads a browser. These flags keep Chromium from reaching
# the network on its own (the report test checks that its page asks for nothing outside the file).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
GROUPS = {"local_ray_cluster": "ray"}  # fixture -> the xdist group of its tests

# What the fault-injection suite tried (tests/faults/conftest.py counts); summed over the workers.
FAULT_TALLY: Counter[str] = Counter()
FAULT_TALLY_OUTPUT = "fault_tally"  # the key in xdist's workeroutput
FAULT_TALLY_HEADLINES = ("inputs and faults tried", "commands run", "clear errors", "tracebacks", "hangs", "lost files")


def _worker_input(config: pytest.Config) -> dict[str, Any] | None:
    """What xdist's controller handed this worker; None in the process that owns the run."""
    return getattr(config, "workerinput", None)


def _worker_output(config: pytest.Config) -> dict[str, Any] | None:
    """What this xdist worker hands back to the controller when it ends; None outside a worker."""
    return getattr(config, "workeroutput", None)


def pytest_configure(config: pytest.Config) -> None:
    _no_tqdm_monitor_thread()
    given = _worker_input(config)
    if given is not None:
        config.stash[SHARED_FOLDER] = Path(given[SHARED_FOLDER_INPUT])
        return
    config.stash[SHARED_FOLDER] = Path(tempfile.mkdtemp(prefix="curation-tests-"))
    _become_subreaper()


def _no_tqdm_monitor_thread() -> None:
    """Once a progress bar has shown (datasets shows some), tqdm's monitor thread lives as long as
    the process, and curation spawns pipeline workers instead of forking them while any other
    thread runs (curation.pipeline.run._fork_is_safe): in a test process that runs hundreds of
    builds, each then paid seconds of re-imports (a seed build, 1-2 s, took 10-40 s)."""
    import tqdm

    tqdm.tqdm.monitor_interval = 0


def _become_subreaper() -> None:
    """Orphaned descendants (the shared server once its starter exits) become this process's children."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER) failed")


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist, in the controller: each worker learns the run's shared folder."""
    node.workerinput[SHARED_FOLDER_INPUT] = str(node.config.stash[SHARED_FOLDER])


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups off the items
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """xdist groups (one per test: xdist makes one group of several names): the tests of a fixture
    in GROUPS share its group; other tests using a module-scoped fixture (a build, a browser login,
    a user on the shared server) share their module's group, so that the fixture is made once,
    not once in each worker."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        group = next((group for fixture, group in GROUPS.items() if fixture in fixtures), None)
        if group is None and _uses_module_fixture(item):
            group = item.nodeid.split("::")[0]
        if group is not None:
            item.add_marker(pytest.mark.xdist_group(group))


def _uses_module_fixture(item: pytest.Item) -> bool:
    info = getattr(item, "_fixtureinfo", None)  # pytest's own record of the item's fixtures
    definitions = info.name2fixturedefs.values() if info is not None else ()
    return any(d.scope in ("module", "package", "class") for defs in definitions for d in defs)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Have Label Studio boot while the first tests run, if a selected test needs it."""
    if session.config.option.collectonly:
        return
    if any("studio_server" in getattr(item, "fixturenames", ()) for item in session.items):
        _launch_studio_starter(session.config)


def _studio_folder(config: pytest.Config) -> Path:
    """This test process's Label Studio data folder, in the shared folder (where the owner finds it)."""
    return config.stash[SHARED_FOLDER] / f"{STUDIO_PREFIX}{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


def _launch_studio_starter(config: pytest.Config) -> None:
    folder = _studio_folder(config)
    folder.mkdir(mode=0o700)
    lock = os.open(_lock_path(folder), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX)  # the starter inherits the lock and holds it until it exits
        with folder.with_name(folder.name + "-starter.log").open("wb") as log:
            config.stash[STARTER] = subprocess.Popen(
                [sys.executable, "-c", "import sys; from curation.studio.server import start_server; start_server(sys.argv[1])",
                 str(folder)],
                pass_fds=(lock,), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
    finally:
        os.close(lock)


def _lock_path(folder: Path) -> Path:
    """Held while the server of ``folder`` is started (by its starter) or looked up."""
    return folder.with_name(folder.name + ".lock")


@contextmanager
def _studio_lock(folder: Path) -> Iterator[None]:
    with _lock_path(folder).open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@pytest.fixture(scope="session")
def studio_server(pytestconfig: pytest.Config) -> StudioServer:
    """This test process's Label Studio, with ``.url``, ``.api_key`` and ``.client()``: the one its
    starter launched (waited for under the lock), or, if that start failed, started here."""
    folder = _studio_folder(pytestconfig)
    with _studio_lock(folder):
        return start_server(folder)


@pytest.hookimpl(trylast=True)  # in the controller, after xdist has ended its workers
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    starter = config.stash.get(STARTER, None)
    if starter is not None:
        starter.poll()  # reaped if it has ended
    output = _worker_output(config)
    if output is not None:
        output[FAULT_TALLY_OUTPUT] = dict(FAULT_TALLY)
        return
    for folder in sorted(f for f in config.stash[SHARED_FOLDER].glob(STUDIO_PREFIX + "*") if f.is_dir()):
        with _studio_lock(folder):  # a start still under way ends first: no server outlives the run
            stop_server(folder)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _worker_input(config) is None and SHARED_FOLDER in config.stash:
        shutil.rmtree(config.stash[SHARED_FOLDER], ignore_errors=True)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist, in the controller: add up what each worker's fault tests tried."""
    FAULT_TALLY.update(getattr(node, "workeroutput", {}).get(FAULT_TALLY_OUTPUT, {}))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not FAULT_TALLY:
        return
    terminalreporter.section("fault injection")
    for key in FAULT_TALLY_HEADLINES:
        terminalreporter.write_line(f"{key}: {FAULT_TALLY[key]}")
    for key in sorted(k for k in FAULT_TALLY if k.startswith("tried: ")):
        terminalreporter.write_line(f"  {key[7:]}: {FAULT_TALLY[key]}")


@contextmanager
def _chromium() -> Iterator[Browser]:
    """Debian's headless Chromium through Playwright, for as long as the block runs. Not for a
    whole session: while Playwright runs, its threads live and its event loop is marked running in
    this process, so every pipeline run here would spawn its workers (curation forks only while no
    other thread runs: a build then takes 10-40 s instead of 1-2 s) and asyncio.run would fail."""
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), "install Debian's chromium: apt-get install -y chromium"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def browser() -> Iterator[Browser]:
    """A headless Chromium for one test."""
    with _chromium() as launched:
        yield launched


@pytest.fixture(scope="module")
def module_browser() -> Iterator[Browser]:
    """A headless Chromium for a module's tests (one login for all of them)."""
    with _chromium() as launched:
        yield launched


def write_sentence_units(path: Path, texts: list[str]) -> Path:
    """A units file of one page whose sentences ``s0``, ``s1``... are ``texts``, one a line."""
    page = "\n".join(texts)
    records = [Document("d1", page, Provenance("page.txt", None, sha256_hex(page))).to_record()]
    start = 0
    for number, text in enumerate(texts):
        records.append(Sentence(f"s{number}", "d1", "a1", start, start + len(text), text, "body", number).to_record())
        start += len(text) + 1
    write_unit_records(path, records)
    return path


@pytest.fixture
def sentence_units() -> Callable[[Path, list[str]], Path]:
    """:func:`write_sentence_units`, for the tests of any folder (the pre-annotation and fault suites)."""
    return write_sentence_units


@pytest.fixture
def local_ray_cluster(monkeypatch: pytest.MonkeyPatch) -> Callable[[], AbstractContextManager[None]]:
    """A two-CPU Ray cluster started by the test, as a context entered only after any local
    (forking) run: a process holding Ray's threads must not fork."""
    # a loaded machine starts Ray's agents slowly: wait for them instead of failing the start
    monkeypatch.setenv("RAY_agent_register_timeout_ms", "300000")
    monkeypatch.setenv("RAY_raylet_start_wait_time_s", "300")

    @contextmanager
    def cluster() -> Iterator[None]:
        import ray

        for attempt in range(3):  # Ray gives its raylet a fixed 30 s to register, too short on a busy machine
            try:
                ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
                break
            except Exception:
                ray.shutdown()
                if attempt == 2:
                    raise
        try:
            yield
        finally:
            ray.shutdown()

    return cluster
