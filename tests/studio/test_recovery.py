"""Interrupted pushes resume with no duplicate and no missing task."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from curation.studio.client import StudioError
from curation.studio.contract import StudioGateway
from curation.studio.push import TaskMap, push_units
from curation.studio.server import StudioServer, start_server, stop_server
from curation.studio.tasks import task_data
from curation.unitfile import write_unit_records
from curation.units import Sentence, content_id

from .conftest import named_schema, unit_records


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[StudioServer]:
    """A second real server this test may kill; the session server survives."""
    data_dir = tmp_path / "label-studio"
    server = start_server(data_dir)
    try:
        yield server
    finally:
        stop_server(data_dir)


def synthetic_units(path: Path, count: int) -> Path:
    doc_id = content_id("d", "synthetic", count)
    records = [
        Sentence(Sentence.make_id(doc_id, i * 40, i * 40 + 30), doc_id, "a0", i * 40, i * 40 + 30,
                 f"الجملة رقم {i} من نص تجريبي 😀", "body", i).to_record()
        for i in range(count)
    ]
    write_unit_records(path, records)
    return path


def assert_each_unit_once(server: StudioServer, project_id: int, expected: set[str]) -> None:
    counts = Counter(t.unit_id for t in StudioGateway(server.client(), server.url).iter_tasks(project_id, "id,data"))
    assert set(counts) == expected
    assert max(counts.values()) == 1


def test_batch_committed_but_never_recorded_is_recovered(
    studio_server: StudioServer, seed_units: Path, tmp_path: Path
) -> None:
    """The server stored a batch, then the pusher died before writing the map."""
    schema = named_schema(tmp_path, "lost_response")
    client = studio_server.client()
    records = unit_records(seed_units, "sentence")
    first_part = tmp_path / "first.jsonl"
    write_unit_records(first_part, records[:30])
    report = push_units(client, studio_server.url, first_part, "sentence", schema, state_dir=tmp_path)
    task_map = TaskMap(report.project.folder)
    lost = records[30:50]
    task_map.mark_pending([r["id"] for r in lost])
    client.projects.import_tasks(report.project.id, request=[{"data": task_data(Sentence.from_record(r), "t")} for r in lost])

    resumed = push_units(client, studio_server.url, seed_units, "sentence", schema, state_dir=tmp_path)
    assert resumed.recovered == len(lost)
    assert resumed.created == len(records) - 50
    assert not task_map.pending_path.exists()
    assert_each_unit_once(studio_server, report.project.id, {r["id"] for r in records})


def test_server_killed_during_push_resumes_without_duplicates(own_server: StudioServer, tmp_path: Path) -> None:
    schema = named_schema(tmp_path, "killed")
    units = synthetic_units(tmp_path / "units.jsonl", 12_000)
    state = tmp_path / "state"
    errors: list[Exception] = []

    def push() -> None:
        try:
            push_units(own_server.client(), own_server.url, units, "sentence", schema, state_dir=state, batch_size=2000)
        except StudioError as exc:
            errors.append(exc)

    pusher = threading.Thread(target=push)
    pusher.start()
    deadline = time.monotonic() + 300
    map_file = next(iter(state.glob("projects/*/tasks.jsonl")), None)
    while time.monotonic() < deadline and (map_file is None or map_file.stat().st_size == 0):
        time.sleep(0.2)
        map_file = next(iter(state.glob("projects/*/tasks.jsonl")), None)
    assert map_file is not None, "the first batch never landed"
    time.sleep(0.5)  # into the next batch's import
    os.killpg(own_server.pid, signal.SIGKILL)
    pusher.join(timeout=300)
    assert errors and "Label Studio" in str(errors[0])

    restarted = start_server(own_server.data_dir)
    assert restarted.pid != own_server.pid
    report = push_units(restarted.client(), restarted.url, units, "sentence", schema, state_dir=state, batch_size=2000)
    assert report.already_pushed + report.created == 12_000
    assert_each_unit_once(restarted, report.project.id, {r["id"] for r in unit_records(units, "sentence")})


def push_command(units: Path, server: StudioServer, state: Path, schema_path: Path) -> tuple[list[str], dict[str, str]]:
    """`curation push` of ``units`` to ``server`` as a separate process, and its environment."""
    command = [str(Path(sys.executable).with_name("curation")), "push", str(units), "--level", "sentence",
               "--url", server.url, "--data-dir", str(state), "--schema", str(schema_path)]
    return command, dict(os.environ, LABEL_STUDIO_API_KEY=server.api_key, COLUMNS="300")


def test_push_process_killed_9_mid_push_resumes_without_duplicates(studio_server: StudioServer, tmp_path: Path) -> None:
    """kill -9 of the client once its first batch is journalled (the next batch is on its way):
    the next push creates exactly the missing tasks."""
    schema = named_schema(tmp_path, "client_killed")
    units = synthetic_units(tmp_path / "units.jsonl", 12_000)  # two batches of the CLI's 10,000
    state = tmp_path / "state"
    command, env = push_command(units, studio_server, state, schema.path)
    victim = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 600
        journal = None
        while victim.poll() is None and time.monotonic() < deadline and (journal is None or journal.stat().st_size == 0):
            time.sleep(0.05)
            journal = next(iter(state.glob("projects/*/tasks.jsonl")), None)
        victim.kill()  # SIGKILL: no handler, no clean-up
    finally:
        victim.wait()
    assert victim.returncode == -signal.SIGKILL, "the push finished before it could be killed"

    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    project_id = json.loads(next(state.glob("projects/*/project.json")).read_text())["id"]
    assert_each_unit_once(studio_server, project_id, {r["id"] for r in unit_records(units, "sentence")})


def test_two_concurrent_push_processes_create_each_task_once(
    studio_server: StudioServer, tmp_path: Path
) -> None:
    schema = named_schema(tmp_path, "concurrent")
    units = synthetic_units(tmp_path / "units.jsonl", 3000)
    command, env = push_command(units, studio_server, tmp_path / "state", schema.path)
    runs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    created = sorted(int(re.search(r"pushed (\d+) new task", out).group(1)) for out in outputs)  # type: ignore[union-attr]
    assert created == [0, 3000]
    ref_folder = next((tmp_path / "state" / "projects").glob("concurrent-sentence-*"))
    project_id = json.loads((ref_folder / "project.json").read_text())["id"]
    assert_each_unit_once(studio_server, project_id, {r["id"] for r in unit_records(units, "sentence")})


def test_corrupt_journal_lines_never_become_duplicates(
    studio_server: StudioServer, seed_units: Path, tmp_path: Path
) -> None:
    schema = named_schema(tmp_path, "corrupt_journal")
    client = studio_server.client()
    first = push_units(client, studio_server.url, seed_units, "sentence", schema, state_dir=tmp_path)
    journal = first.project.folder / "tasks.jsonl"
    lines = journal.read_text().splitlines(keepends=True)
    lines[3] = "{\"unit_id\": \"s-\x00garbage\n"  # a line damaged in the middle
    journal.write_text("".join(lines[:-1]) + lines[-1][:7])  # and the last one torn by a crash
    again = push_units(client, studio_server.url, seed_units, "sentence", schema, state_dir=tmp_path)
    assert (again.created, again.recovered) == (0, 2)
    assert_each_unit_once(studio_server, first.project.id, {r["id"] for r in unit_records(seed_units, "sentence")})
