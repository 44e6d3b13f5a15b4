"""`curation studio up --host ADDR`: a team on the network gets a warning, and weak passwords stop it."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from curation.cli import main
from curation.studio.accounts import ACCOUNTS_FILE, generate_password, read_accounts, weak_password_reason
from curation.studio.client import StudioError
from curation.studio.server import CREDENTIALS_FILE, load_or_create_credentials, server_status, stop_server


def lan_address() -> str:
    """This machine's address on its network (not loopback), as a team would reach it."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect(("192.0.2.1", 9))  # TEST-NET: no packet is sent for a UDP connect
        return probe.getsockname()[0]


@pytest.mark.parametrize("weak", ["short", "alllowercaseletters"])
def test_weak_passwords_are_refused(weak: str) -> None:
    assert weak_password_reason(weak) is not None
    assert weak_password_reason(generate_password()) is None


def test_a_weak_password_in_the_workspace_stops_serving_on_the_network(tmp_path: Path) -> None:
    credentials = load_or_create_credentials(tmp_path)
    (tmp_path / ACCOUNTS_FILE).write_text(
        json.dumps([{"email": "old@team.example", "role": "annotator", "user_id": 7, "password": "password1"}])
    )
    result = CliRunner().invoke(main, ["studio", "up", "--host", "0.0.0.0", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "plain HTTP" in result.output and "every member open every project" in result.output.replace("\n", " ")
    assert "the password of old@team.example is weak" in result.output.replace("\n", " ")
    assert "password1" not in result.output and credentials.password not in result.output
    assert not server_status(tmp_path).running  # nothing was started


def test_up_on_every_interface_prints_the_address_the_team_uses(tmp_path: Path) -> None:
    host = lan_address()
    assert not host.startswith("127.")
    data_dir = tmp_path / "lan"
    try:
        result = CliRunner().invoke(main, ["studio", "up", "--host", "0.0.0.0", "--data-dir", str(data_dir)])
        assert result.exit_code == 0, result.output
        assert "warning" in result.output and "listen on 0.0.0.0" in result.output.replace("\n", " ")
        url = f"http://{host}:{(data_dir / 'port').read_text().strip()}"
        assert f"annotators open: {url}" in result.output  # not http://0.0.0.0:..., which only this machine can use
        assert httpx.get(f"{url}/health", timeout=10).json()["status"] == "UP"
        assert json.loads((data_dir / CREDENTIALS_FILE).read_text())["password"] not in result.output
    finally:
        stop_server(data_dir)


@pytest.mark.parametrize("content", ['{"not": "a list"}', '[{"role": "annotator"}]', "{truncated"])
def test_a_damaged_accounts_file_is_one_clear_error(tmp_path: Path, content: str) -> None:
    (tmp_path / ACCOUNTS_FILE).write_text(content)
    with pytest.raises(StudioError, match=rf"{ACCOUNTS_FILE}: (malformed|unreadable) accounts file"):
        read_accounts(tmp_path)
