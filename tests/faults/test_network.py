"""Network faults: a Hub that accepts connections and never answers, a port already taken, and
an invalid token shaped like a JWT: each is a one-line error, and a token is never echoed."""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from curation.studio.server import StudioServer

from .conftest import assert_clean_failure, run_cli, tried

HF_TOKEN = "hf_FaultSuiteTokenNeverPrinted0123456789"


@pytest.fixture
def silent_server() -> Iterator[str]:
    """A real TCP server that accepts every connection and never sends a byte."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(), which close() alone does not:
        listener.close()  # a thread left behind would make every later pipeline run in this process spawn
        for connection in accepted:
            connection.close()
        thread.join(timeout=5)


def hub_ready_folder(folder: Path) -> Path:
    folder.mkdir()
    (folder / "README.md").write_text("---\nlicense: other\n---\n# a build\n", encoding="utf-8")
    (folder / "manifest.json").write_text('{"outputs": {}}\n', encoding="utf-8")
    return folder


def test_publish_timeout_is_honoured_against_a_silent_server(silent_server: str, tmp_path: Path) -> None:
    """Connecting works, no answer ever comes: --timeout ends it with one line (before: > 200 s)."""
    tried("publish --timeout against a server that never answers")
    export = hub_ready_folder(tmp_path / "export")
    ran = run_cli(
        ["publish", str(export), "--repo", "someone/news", "--timeout", "2"], tmp_path,
        env={"HF_TOKEN": HF_TOKEN, "HF_ENDPOINT": silent_server, "HF_HOME": str(tmp_path / "hf-home")},
    )  # fmt: skip
    assert_clean_failure(ran, 1, f"the Hub at {silent_server} did not answer within 2 s (--timeout); no commit was made")
    assert HF_TOKEN not in ran.output


def test_studio_up_on_a_taken_port_fails_at_once_with_the_port_named(tmp_path: Path) -> None:
    tried("studio up --port P with P taken")
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", 0))
        squatter.listen()
        port = squatter.getsockname()[1]
        ran = run_cli(["studio", "up", "--port", str(port), "--data-dir", str(tmp_path / "studio")], tmp_path)
    assert_clean_failure(ran, 1, f"port {port} on 127.0.0.1 is taken by another program")
    assert not (tmp_path / "studio" / "server.json").exists()


def jwt_shaped() -> str:
    """What a Label Studio personal access token looks like (a signed refresh JWT), but invalid."""

    def part(value: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    header = part({"alg": "HS256", "typ": "JWT"})
    payload = part({"token_type": "refresh", "exp": 4102444800, "jti": "fault-suite", "user_id": 1})
    return f"{header}.{payload}.c2lnbmF0dXJlLW5vdC12YWxpZC0xMjM0NTY3ODkw"


def test_an_invalid_jwt_shaped_token_is_one_line_and_never_echoed(studio_server: StudioServer, tmp_path: Path) -> None:
    tried("invalid JWT-shaped API key (pull)")
    token = jwt_shaped()
    ran = run_cli(
        ["pull", "--url", studio_server.url, "--data-dir", str(tmp_path / "state")], tmp_path,
        env={"LABEL_STUDIO_API_KEY": token},
    )  # fmt: skip
    assert_clean_failure(ran, 1, f"Label Studio at {studio_server.url} refused the API key (HTTP 401)")
    for secret in (token, *token.split(".")):
        assert secret not in ran.output
