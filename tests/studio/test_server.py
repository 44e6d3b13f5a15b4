"""One server per workspace, found again whatever the clock or a kill -9 does; status and stop
never touch a process that is not the folder's server; nothing private is readable by others."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from curation.cli import main
from curation.studio.accounts import weak_password_reason
from curation.studio.client import StudioError
from curation.studio.projects import find_project
from curation.studio.push import push_units
from curation.studio.serve import IN_USE
from curation.studio.server import (
    CREDENTIALS_FILE,
    DATABASE_FILE,
    LOCK_FILE,
    LOG_FILE,
    PID_FILE,
    Credentials,
    StudioServer,
    load_or_create_credentials,
    lock_holder,
    server_status,
    start_server,
    stop_server,
)

from .conftest import named_schema


def test_status_without_server_says_how_to_start(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["studio", "status", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "curation studio up" in " ".join(result.output.split())  # rich wraps lines


def test_down_leaves_the_pid_of_a_stale_record_alone(tmp_path: Path) -> None:
    """The record names a live process that holds no lock on the folder (the pid was reused):
    nothing is signalled."""
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / PID_FILE).write_text(json.dumps({"pid": other.pid, "port": 1, "url": "http://127.0.0.1:1"}))
        assert server_status(tmp_path).running is False
        assert stop_server(tmp_path) is False
        assert other.poll() is None  # still running
    finally:
        other.kill()
        other.wait()


def test_the_lock_belongs_to_the_launched_process_and_refuses_a_second(tmp_path: Path) -> None:
    lock = tmp_path / LOCK_FILE
    first = subprocess.Popen([sys.executable, "-m", "curation.studio.serve", str(lock), "/bin/sleep", "60"])
    try:
        deadline = time.monotonic() + 30
        while lock_holder(tmp_path) is None and time.monotonic() < deadline:
            time.sleep(0.1)
        assert lock_holder(tmp_path) == first.pid  # the exec'd program itself holds it
        second = subprocess.run([sys.executable, "-m", "curation.studio.serve", str(lock), "/bin/true"],
                                capture_output=True, text=True, check=False)
        assert second.returncode == IN_USE and "another Label Studio" in second.stderr
    finally:
        first.kill()
        first.wait()
    assert lock_holder(tmp_path) is None  # killed: the kernel released it


def test_credentials_are_private_and_stable(tmp_path: Path) -> None:
    first = load_or_create_credentials(tmp_path)
    assert (tmp_path / CREDENTIALS_FILE).stat().st_mode & 0o777 == 0o600
    assert load_or_create_credentials(tmp_path) == first
    server = StudioServer("http://127.0.0.1:1", first.api_key, first.username, first.password)
    assert first.api_key not in repr(server) and first.password not in repr(server)


def test_session_server_is_private_silent_and_invite_only(studio_server: StudioServer) -> None:
    data_dir = studio_server.data_dir
    assert data_dir is not None
    assert lock_holder(data_dir) == studio_server.pid
    assert data_dir.stat().st_mode & 0o777 == 0o700
    assert (data_dir / DATABASE_FILE).stat().st_mode & 0o777 == 0o600
    # Another local user can read neither the database (which holds the token) nor the credentials.
    for secret in (data_dir / DATABASE_FILE, data_dir / CREDENTIALS_FILE):
        denied = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "cat", str(secret)],
                                capture_output=True, check=False)
        assert denied.returncode != 0 and b"Permission denied" in denied.stderr
    environ = dict(item.split("=", 1) for item in
                   Path(f"/proc/{studio_server.pid}/environ").read_text(errors="replace").split("\0") if "=" in item)
    assert environ["SENTRY_DSN"] == environ["FRONTEND_SENTRY_DSN"] == ""
    assert environ["COLLECT_ANALYTICS"] == environ["LATEST_VERSION_CHECK"] == "false"
    with httpx.Client(base_url=studio_server.url, follow_redirects=True) as web:  # sign-up without the invite link
        web.get("/user/signup/")
        form = {"email": "stranger@example.org", "password": "stranger-Secret-1",
                "csrfmiddlewaretoken": web.cookies.get("csrftoken", "")}
        refused = web.post("/user/signup/", data=form, headers={"Referer": studio_server.url + "/user/signup/"})
    assert refused.status_code == 403
    assert "stranger@example.org" not in {u.email for u in studio_server.client().users.list()}


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[Path]:
    """A data folder with its own real server, which the test may kill and restart."""
    data_dir = tmp_path / "workspace"
    start_server(data_dir)
    try:
        yield data_dir
    finally:
        stop_server(data_dir)


def shift_recorded_start(data_dir: Path, seconds: float) -> None:
    record = json.loads((data_dir / PID_FILE).read_text())
    record["started_at"] += seconds
    (data_dir / PID_FILE).write_text(json.dumps(record))


def test_one_server_per_workspace_through_clock_steps_and_kill_9(own_server: Path, seed_units: Path) -> None:
    data_dir = own_server
    first = server_status(data_dir)
    assert first.healthy and first.pid == lock_holder(data_dir)
    schema = named_schema(data_dir.parent, "workspace_keyed")
    server = start_server(data_dir)  # already running: the same one, not a second
    assert (server.pid, server.url) == (first.pid, first.url)
    pushed = push_units(server.client(), server.url, seed_units, "sentence", schema, state_dir=data_dir)

    for step in (30, -30):  # the clock is stepped (NTP): nothing about the server may change
        shift_recorded_start(data_dir, step)
        assert server_status(data_dir).healthy
        result = CliRunner().invoke(main, ["studio", "up", "--data-dir", str(data_dir)])
        assert result.exit_code == 0 and "already running" in result.output and str(first.pid) in result.output
        assert lock_holder(data_dir) == first.pid

    os.kill(first.pid, 9)
    deadline = time.monotonic() + 30
    while lock_holder(data_dir) is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not server_status(data_dir).running
    restarted = start_server(data_dir)
    assert restarted.url == first.url and restarted.pid != first.pid  # same port
    ref = find_project(restarted.url, schema, "sentence", data_dir)
    assert ref is not None and ref.id == pushed.project.id and ref.local
    again = push_units(restarted.client(), restarted.url, seed_units, "sentence", schema, state_dir=data_dir)
    assert (again.created, again.already_pushed) == (0, pushed.created)

    result = CliRunner().invoke(main, ["studio", "down", "--data-dir", str(data_dir)])
    assert result.exit_code == 0 and "stopped" in result.output
    assert lock_holder(data_dir) is None and not server_status(data_dir).running


def test_occupied_port_is_an_immediate_clear_error(tmp_path: Path) -> None:
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        with pytest.raises(StudioError, match=f"port {port} on 127.0.0.1 is taken by another program"):
            start_server(tmp_path / "workspace", port=port)
    assert lock_holder(tmp_path / "workspace") is None
    assert not (tmp_path / "workspace" / LOG_FILE).exists()  # refused before Label Studio was ever launched


def test_records_keyed_by_url_move_to_the_workspace(tmp_path: Path) -> None:
    """A record written when records were keyed by the local server's URL (then on port 5555)
    is found again, now keyed by the workspace, for the server's current URL."""
    schema = named_schema(tmp_path, "migrated")
    old = tmp_path / "projects" / "migrated-sentence-0a1b2c3d"
    old.mkdir(parents=True)
    (old / "project.json").write_text(json.dumps({
        "url": "http://127.0.0.1:5555", "id": 7, "title": "t", "level": "sentence", "schema_name": "migrated",
        "schema_version": 1, "fingerprint": "f"}))
    (old / "tasks.jsonl").write_text('{"unit_id": "u1", "task_id": 3}\n')
    (tmp_path / PID_FILE).write_text(json.dumps({"pid": 1, "port": 6666, "url": "http://127.0.0.1:6666"}))
    ref = find_project("http://127.0.0.1:6666", schema, "sentence", tmp_path)
    assert ref is not None and (ref.id, ref.url, ref.local) == (7, "http://127.0.0.1:6666", True)
    assert ref.folder == tmp_path / "projects" / "migrated-sentence" and not old.exists()
    assert (ref.folder / "tasks.jsonl").read_text() == '{"unit_id": "u1", "task_id": 3}\n'
    assert find_project("http://example.org:8080", schema, "sentence", tmp_path) is None  # another server


def test_a_generated_admin_password_is_always_strong_enough_for_the_network() -> None:
    """`up --host 0.0.0.0` refuses a weak admin password; the one curation makes must never be one
    (a urlsafe token has no digit nor sign about once in 150 draws: 2,000 draws would meet it)."""
    assert all(weak_password_reason(Credentials.generate().password) is None for _ in range(2000))
