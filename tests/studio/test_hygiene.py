"""Messages that name the real cause, bounded paging on junk answers, and a data folder that
does not fill up with export copies or temporary files."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

from curation.cli import main
from curation.studio.accounts import add_annotator
from curation.studio.client import connect
from curation.studio.contract import PAGE_SIZE, JunkAnswer, StudioGateway
from curation.studio.launch import team_progress
from curation.studio.pull import pull_annotations
from curation.studio.push import TaskMap, push_units
from curation.studio.server import StudioServer
from curation.studio.store import read_annotations

from .conftest import TRICKY_SENTENCES, named_schema, unit_records

KEY = "0123456789abcdef0123456789abcdef01234567"


class FakeWeb(BaseHTTPRequestHandler):
    """A web server that is not Label Studio; ``answers`` maps a path prefix to (status, body)."""

    answers: dict[str, tuple[int, bytes]] = {}
    hits: list[str] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        status, body = next((a for prefix, a in self.answers.items() if self.path.startswith(prefix)), (404, b"Not Found"))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture
def fake_web() -> Iterator[tuple[str, type[FakeWeb]]]:
    handler = type("Handler", (FakeWeb,), {"answers": {}, "hits": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", handler
    finally:
        httpd.shutdown()
        httpd.server_close()


def run_cli(args: list[str], monkeypatch: pytest.MonkeyPatch, key: str = KEY) -> tuple[int, str]:
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", key)
    result = CliRunner().invoke(main, args)
    return result.exit_code, " ".join(result.output.split())


def test_a_server_that_is_not_label_studio_is_named_as_such(
    fake_web: tuple[str, type[FakeWeb]], seed_units: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = fake_web  # answers 404 to everything, like any web server
    schema = named_schema(tmp_path, "notls")
    for command in (["push", str(seed_units), "--level", "sentence"], ["pull"]):
        code, output = run_cli([*command, "--url", url, "--data-dir", str(tmp_path), "--schema", str(schema.path)], monkeypatch)
        assert code == 1 and "is this Label Studio?" in output, output
        assert "deleted" not in output and "--recreate" not in output and "push first" not in output


def test_junk_task_pages_stop_paging_at_once(fake_web: tuple[str, type[FakeWeb]]) -> None:
    url, handler = fake_web
    page = {"tasks": [{"id": i} for i in range(PAGE_SIZE)], "total": 10**6}  # the same full page, forever
    handler.answers = {"/api/tasks": (200, json.dumps(page).encode())}
    gateway = StudioGateway(connect(url, KEY, timeout=10), url)
    with pytest.raises(JunkAnswer, match="is this Label Studio"):
        list(gateway.iter_tasks(1, "id"))
    assert len(handler.hits) == 2
    handler.answers = {"/api/tasks": (200, b"<html>hello</html>")}
    with pytest.raises(JunkAnswer, match="not JSON"):
        list(gateway.iter_tasks(1, "id"))


def test_wrong_token_without_a_recorded_project_says_the_token_is_wrong(
    studio_server: StudioServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = named_schema(tmp_path, "wrong_then_nothing")
    code, output = run_cli(["pull", "--url", studio_server.url, "--data-dir", str(tmp_path), "--schema", str(schema.path)], monkeypatch)
    assert code == 1 and "refused the API key" in output and "push" not in output


def test_pull_without_level_pulls_every_level_pushed(
    studio_server: StudioServer, tricky_units: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = named_schema(tmp_path, "only_sentences")
    push_units(studio_server.client(), studio_server.url, tricky_units, "sentence", schema, state_dir=tmp_path)
    store_dir = tmp_path / "run"
    store_dir.mkdir()
    monkeypatch.chdir(store_dir)
    # someone signs a friend up with the invite link any member can read, bypassing `studio users add`
    add_annotator(studio_server.client(), studio_server.url, "friend@invite.example", "Friend-pass-1234")
    code, output = run_cli(["pull", "--url", studio_server.url, "--data-dir", str(tmp_path), "--schema", str(schema.path)],
                           monkeypatch, key=studio_server.api_key)
    assert code == 0, output
    assert "sentence" in output and "only_sentences-article" not in output
    assert "friend@invite.example did not join through `curation studio users add`" in " ".join(output.split())
    assert (store_dir / ".curation" / "annotations" / "only_sentences-sentence.state.json").exists()


def test_pull_leaves_no_export_copies_nor_stale_temporary_files(studio_server: StudioServer, tricky_units: Path, tmp_path: Path) -> None:
    """With the workspace's own server, Label Studio's copy of each export (and the file of each export
    snapshot) is removed after the pull;
    a temporary file left by a pull killed mid-write is removed by the next one."""
    workspace = studio_server.data_dir
    assert workspace is not None
    schema = named_schema(tmp_path, "no_litter")
    client = studio_server.client()
    pushed = push_units(client, studio_server.url, tricky_units, "sentence", schema, state_dir=workspace)
    assert pushed.project.local
    unit = unit_records(tricky_units, "sentence")[2]
    client.annotations.create(TaskMap(pushed.project.folder).ids[unit["id"]],
                              result=[{"from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": ["favor"]}}])
    store = tmp_path / "store" / "no_litter.jsonl"
    store.parent.mkdir()
    stale = store.parent / f".{store.name}.k1ll3d.tmp"
    stale.write_bytes(b"")
    for full in (False, True):
        report = pull_annotations(client, studio_server.url, schema, "sentence", store_path=store, state_dir=workspace, full=full)
        assert report.rejections.annotations == 0
    assert not stale.exists()
    assert not list((workspace / "export").glob(f"project-{pushed.project.id}-at-*"))
    assert not list((workspace / "media" / "export").glob(f"{pushed.project.id}/project-*"))  # the first pull's snapshots
    (progress,) = [p for p in team_progress(studio_server, workspace) if p.project_id == pushed.project.id]
    assert progress.tasks == len(TRICKY_SENTENCES)  # what `curation studio status` shows, read from an export...
    assert not list((workspace / "export").glob(f"project-{pushed.project.id}-at-*"))  # ...whose copy is removed
    assert unit["text"] == TRICKY_SENTENCES[2]


def test_pull_trims_white_space_at_region_edges_and_says_so(studio_server: StudioServer, tricky_units: Path, tmp_path: Path) -> None:
    schema = named_schema(tmp_path, "trimmed")
    client = studio_server.client()
    pushed = push_units(client, studio_server.url, tricky_units, "sentence", schema, state_dir=tmp_path)
    unit = unit_records(tricky_units, "sentence")[2]
    city = unit["text"].index("باماكو")
    drawn = {"from_name": "entity", "to_name": "text", "type": "labels",
             "value": {"start": city, "end": city + 7, "text": unit["text"][city : city + 7], "labels": ["GPE"]}}
    stance = {"from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": ["favor"]}}
    client.annotations.create(TaskMap(pushed.project.folder).ids[unit["id"]], result=[stance, drawn])
    store = tmp_path / "store.jsonl"
    report = pull_annotations(client, studio_server.url, schema, "sentence", store_path=store, state_dir=tmp_path)
    assert report.regions_trimmed == 1 and any("white space trimmed" in reason for reason in report.reasons)
    (kept,) = read_annotations(store)
    assert [(s.start, s.end, s.text) for s in kept.spans] == [(city, city + 6, "باماكو")]
