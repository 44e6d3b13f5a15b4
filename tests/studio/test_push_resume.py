"""A push whose project-creating request reached a loaded Label Studio but whose answer was lost:
one project of that title, recorded before any task is sent, and the rerun resumes into it.

The fault is on the network, not in Label Studio: a real server does the work, and a relay in
front of it swallows the answer to the first ``POST /api/projects/`` (the server closes the
connection, as a proxy or an overloaded server does). Before: the SDK resent the POST and the
server held two projects of the same title, one of them empty forever."""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from curation.studio.client import connect
from curation.studio.projects import project_title
from curation.studio.push import push_units
from curation.studio.server import StudioServer

from ..faults.conftest import tried
from .conftest import named_schema, unit_records

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}


class LosingRelay(ThreadingHTTPServer):
    """Relays every request to ``upstream``; drops the answer of the first ``lose`` project creations."""

    daemon_threads = True

    def __init__(self, upstream: str, lose: int) -> None:
        super().__init__(("127.0.0.1", 0), _Relay)
        self.upstream = urlsplit(upstream)
        self.lose, self.lost = lose, 0


class _Relay(BaseHTTPRequestHandler):
    server: LosingRelay

    def _relay(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        upstream = http.client.HTTPConnection(self.server.upstream.hostname, self.server.upstream.port, timeout=120)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP | {"accept-encoding"}}
        upstream.request(self.command, self.path, body=body or None, headers=headers)
        answer = upstream.getresponse()
        payload = answer.read()
        upstream.close()
        if self.command == "POST" and self.path.rstrip("/").endswith("/api/projects") and self.server.lost < self.server.lose:
            self.server.lost += 1  # the project is made; its answer never arrives
            self.close_connection = True
            return
        self.send_response(answer.status)
        for key, value in answer.getheaders():
            if key.lower() not in HOP_BY_HOP:
                self.send_header(key, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_POST = do_PATCH = do_PUT = do_DELETE = _relay

    def log_message(self, format: str, *args: object) -> None:  # quiet: the test reads no access log
        pass


@pytest.fixture
def losing_relay(studio_server: StudioServer) -> Iterator[LosingRelay]:
    relay = LosingRelay(studio_server.url, lose=1)
    thread = threading.Thread(target=relay.serve_forever, daemon=True)
    thread.start()
    try:
        yield relay
    finally:
        relay.shutdown()
        relay.server_close()
        thread.join(timeout=5)


def _projects_titled(server: StudioServer, title: str) -> list[int]:
    return sorted(int(p.id) for p in server.client().projects.list(title=title) if p.title == title)


def test_a_lost_answer_to_project_creation_leaves_one_project_and_the_push_goes_on(
    studio_server: StudioServer, losing_relay: LosingRelay, seed_units: Path, tmp_path: Path
) -> None:
    tried("push: the answer to the project creation lost")
    schema = named_schema(tmp_path, "lost_creation")
    relay_url = f"http://127.0.0.1:{losing_relay.server_address[1]}"
    client = connect(relay_url, studio_server.api_key, timeout=120)
    report = push_units(client, relay_url, seed_units, "article", schema, state_dir=tmp_path)
    assert losing_relay.lost == 1  # the fault did happen
    assert _projects_titled(studio_server, project_title(schema, "article")) == [report.project.id]
    assert report.created == len(unit_records(seed_units, "article"))
    again = push_units(client, relay_url, seed_units, "article", schema, state_dir=tmp_path)
    assert again.project.id == report.project.id and again.created == 0


def test_a_push_whose_record_is_gone_resumes_into_the_oldest_project_of_its_title(
    studio_server: StudioServer, seed_units: Path, tmp_path: Path
) -> None:
    """Two projects of the title (what a resent POST left before): the rerun adopts the oldest,
    every time, and creates no third."""
    tried("push: two projects of the same title, no local record")
    schema = named_schema(tmp_path, "twice_titled")
    client = studio_server.client()
    title = project_title(schema, "article")
    first, second = (client.projects.create(title=title, label_config=schema.label_config("article")).id for _ in range(2))
    report = push_units(client, studio_server.url, seed_units, "article", schema, state_dir=tmp_path / "state")
    assert report.project.id == min(first, second)
    assert _projects_titled(studio_server, title) == sorted([first, second])
