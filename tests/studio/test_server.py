"""Server records: status and stop never touch a process that is not the one we started."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from curation.cli import main
from curation.studio.server import (
    PID_FILE,
    StudioServer,
    load_or_create_credentials,
    process_signature,
    read_pid_file,
    server_status,
    stop_server,
)


def test_status_without_server_says_how_to_start(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["studio", "status", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "curation studio up" in " ".join(result.output.split())  # rich wraps lines


def test_down_leaves_a_reused_pid_alone(tmp_path: Path) -> None:
    """The pid file names a live process whose start time and command differ from the record
    (the pid was reused): nothing is signalled, the stale record goes."""
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (tmp_path / PID_FILE).write_text(json.dumps(
            {"pid": other.pid, "port": 1, "url": "http://127.0.0.1:1", "signature": "Mon Jan  1 00:00:00 2024 label-studio start"}
        ))
        assert server_status(tmp_path).running is False
        assert stop_server(tmp_path) is False
        assert other.poll() is None  # still running
        assert process_signature(other.pid) is not None
        assert not (tmp_path / PID_FILE).exists()
    finally:
        other.kill()
        other.wait()


def test_credentials_are_private_and_stable(tmp_path: Path) -> None:
    first = load_or_create_credentials(tmp_path)
    assert (tmp_path / "credentials.json").stat().st_mode & 0o777 == 0o600
    assert load_or_create_credentials(tmp_path) == first
    server = StudioServer("http://127.0.0.1:1", first.api_key, first.username, first.password)
    assert first.api_key not in repr(server) and first.password not in repr(server)


def test_recorded_signature_is_the_label_studio_process(studio_server: StudioServer) -> None:
    """Read straight after fork, the signature would show the parent's command line (pytest's),
    and the session fixture's stop would then refuse to stop the server."""
    record = read_pid_file(studio_server.data_dir)
    assert record is not None
    assert "label-studio start" in record["signature"]
    assert process_signature(studio_server.pid) == record["signature"]
