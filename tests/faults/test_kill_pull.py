"""`curation pull` killed with -9 at random moments while annotators keep working: the store is
never half-written, and the next pull brings back every annotation on the server exactly once."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import time
from collections import Counter
from pathlib import Path

from curation.fileio import iter_jsonl
from curation.ingest import read_documents
from curation.schema import load_schema
from curation.schema.loader import default_schema_path
from curation.segment.pipeline import segment_document
from curation.studio.push import TaskMap, push_units
from curation.studio.server import StudioServer
from curation.unitfile import write_unit_records

from .conftest import CURATION, SEEDS, run_cli, tried


def _stance(value: str) -> list[dict]:
    return [{"id": "st", "from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": [value]}}]


def test_pull_killed_9_at_random_points_loses_and_doubles_nothing(studio_server: StudioServer, tmp_path: Path) -> None:
    rng = random.Random(15)
    schema_path = tmp_path / "faultpull.yaml"
    schema_path.write_text(
        re.sub(r"^name: .*$", "name: faultpull", default_schema_path().read_text(encoding="utf-8"), count=1, flags=re.M),
        encoding="utf-8",
    )
    schema = load_schema(schema_path)
    units = tmp_path / "units.jsonl"
    write_unit_records(units, (r for d in read_documents([SEEDS], []) for r in segment_document(d).records()))
    state = tmp_path / "state"
    client = studio_server.client()
    pushed = push_units(client, studio_server.url, units, "sentence", schema, state_dir=state)
    tasks = sorted(TaskMap(pushed.project.folder).ids.values())
    store = tmp_path / "store.jsonl"
    command = [CURATION, "pull", "--level", "sentence", "--schema", str(schema_path), "--url", studio_server.url,
               "--data-dir", str(state), "-o", str(store)]  # fmt: skip
    env = {"LABEL_STUDIO_API_KEY": studio_server.api_key}
    created: set[str] = set()
    started = time.monotonic()
    assert run_cli(command[1:], tmp_path, env=env).returncode == 0  # a whole pull: how long one takes here
    whole = time.monotonic() - started
    killed = 0
    rounds = 3
    per_round = max(1, len(tasks) // rounds)
    for number in range(rounds):
        tried("kill -9 of pull at a random point")
        for task in tasks[number * per_round : (number + 1) * per_round]:
            created.add(str(client.annotations.create(task, result=_stance(rng.choice(["favor", "against"]))).id))
        victim = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)  # fmt: skip
        time.sleep(rng.uniform(0.3, 1.2) * whole)  # before its end, or (rarely) after it
        victim.send_signal(signal.SIGKILL)
        killed += victim.wait() == -signal.SIGKILL
        if store.exists():  # whatever the moment, the store is whole: every line reads
            list(iter_jsonl(store))
    assert killed >= 1, "every pull ended before its kill: the test tried nothing"
    final = run_cli(command[1:], tmp_path, env=env)
    assert final.returncode == 0, final.output
    counts = Counter(str(record["annotation_id"]) for _, record in iter_jsonl(store))
    assert set(counts) == created
    assert max(counts.values()) == 1
