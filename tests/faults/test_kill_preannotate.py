"""`curation preannotate --push --replace` killed with -9 at random moments (real Label Studio): no
task is ever left without a prediction of the model, and the command run again leaves exactly one,
the newest, on every task. Before, the old predictions were deleted before the new ones were sent:
a kill in between left tasks bare until a rerun (88 tasks measured)."""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import time
from collections import defaultdict
from pathlib import Path

from curation.ingest import read_documents
from curation.schema import load_schema
from curation.schema.loader import default_schema_path
from curation.segment.pipeline import segment_document
from curation.studio.contract import StudioGateway
from curation.studio.push import TaskMap, push_units
from curation.studio.server import StudioServer
from curation.unitfile import write_unit_records

from .conftest import CURATION, SEEDS, run_cli, tried

VERSION = "ner@kill"
# Marks the first word of every sentence, with the label the ROUND variable picks: each round's answer differs.
MODEL = """import os

def ner(text):
    end = text.find(" ") if " " in text else len(text)
    return [(0, end, ("PER", "GPE", "ORG", "LOC")[int(os.environ["ROUND"]) % 4], 0.5)]
"""


def _labels_by_task(gateway: StudioGateway, project: int) -> dict[int, list[str]]:
    """The labels of the model's predictions on each task (one list entry per prediction)."""
    found: dict[int, list[str]] = defaultdict(list)
    for item in gateway.project_predictions(project):
        if item.model_version == VERSION:
            found[item.task].append(",".join(r["value"]["labels"][0] for r in item.result))
    return found


def test_replace_killed_9_at_random_points_never_leaves_a_task_without_a_prediction(
    studio_server: StudioServer, tmp_path: Path
) -> None:
    rng = random.Random(14)
    schema_path = tmp_path / "faultreplace.yaml"
    schema_path.write_text(
        re.sub(r"^name: .*$", "name: faultreplace", default_schema_path().read_text(encoding="utf-8"), count=1, flags=re.M),
        encoding="utf-8",
    )
    units = tmp_path / "units.jsonl"
    write_unit_records(units, (r for d in read_documents([SEEDS], []) for r in segment_document(d).records()))
    (tmp_path / "ner.py").write_text(MODEL, encoding="utf-8")
    state = tmp_path / "state"
    client = studio_server.client()
    pushed = push_units(client, studio_server.url, units, "sentence", load_schema(schema_path), state_dir=state)
    tasks = set(TaskMap(pushed.project.folder).ids.values())
    gateway = StudioGateway(client, studio_server.url)
    command = ["preannotate", str(units), "--model", f"{tmp_path / 'ner.py'}:ner", "--model-version", VERSION,
               "--push", "--existing-only", "--replace", "--schema", str(schema_path), "--url", studio_server.url,
               "--data-dir", str(state)]  # fmt: skip
    env = {"LABEL_STUDIO_API_KEY": studio_server.api_key}

    started = time.monotonic()
    first = run_cli(command, tmp_path, env={**env, "ROUND": "0"})
    whole_run = time.monotonic() - started
    assert first.returncode == 0, first.output
    assert set(_labels_by_task(gateway, pushed.project.id)) == tasks

    killed = 0
    for number in range(1, 5):
        # odd rounds: killed the moment the server shows its first change; even rounds: at a random time
        tried("kill -9 of preannotate --replace at its first change on the server" if number % 2 else
              "kill -9 of preannotate --replace at a random point")
        before = _labels_by_task(gateway, pushed.project.id)
        victim = subprocess.Popen([CURATION, *command], cwd=tmp_path, env={**os.environ, **env, "ROUND": str(number)},
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        if number % 2:
            while victim.poll() is None and _labels_by_task(gateway, pushed.project.id) == before:
                time.sleep(0.05)
        else:
            time.sleep(rng.uniform(0.3, 1.0) * whole_run)
        victim.send_signal(signal.SIGKILL)
        killed += victim.wait() == -signal.SIGKILL
        bare = tasks - set(_labels_by_task(gateway, pushed.project.id))
        assert not bare, f"round {number}: {len(bare)} task(s) left without a prediction of {VERSION}"
    assert killed >= 1, "every run ended before its kill: the test tried nothing"

    final = run_cli(command, tmp_path, env={**env, "ROUND": "5"})
    assert final.returncode == 0, final.output
    assert _labels_by_task(gateway, pushed.project.id) == {task: ["GPE"] for task in tasks}
