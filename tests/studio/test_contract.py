"""The Label Studio contract, pinned against the locked version (label-studio 1.23): the
labelling config points where the task data is, and each raw endpoint the gateway calls answers
in the shape it reads."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

from curation.schema import load_schema
from curation.studio.client import connect
from curation.studio.connection import is_refresh_token
from curation.studio.contract import (
    AFTER_KEY,
    BEFORE_KEY,
    DOC_KEY,
    OBJECT_NAME,
    TARGET_KEY,
    TEXT_KEY,
    TITLE_KEY,
    UNIT_KEY,
    StudioGateway,
    snapshots_endpoint,
    task_filter,
)
from curation.studio.push import TaskMap, push_units
from curation.studio.results import to_results
from curation.studio.server import StudioServer
from curation.studio.tasks import task_data
from curation.units import Article, EntitySpan, Span

from .conftest import named_schema, unit_records


def test_locked_label_studio_version() -> None:
    """Offsets in code points and the endpoints below are facts of this version: a new one must
    pass the browser tests (test_studio_ui.py) and these before the lock moves."""
    assert version("label-studio").startswith("1.23.")


def test_labelling_config_reads_the_task_data_keys() -> None:
    schema = load_schema()
    article, sentence = schema.label_config("article"), schema.label_config("sentence")
    for xml in (article, sentence):
        assert f'<Text name="{OBJECT_NAME}" value="${TEXT_KEY}"' in xml
        assert f"${TARGET_KEY}" in xml
    assert f"${TITLE_KEY}" in article
    for key in (BEFORE_KEY, AFTER_KEY):
        assert f"${key}" in sentence and f"${key}" not in article
    page = "عنوان\nنص"
    article_unit = Article("a1", "d1", 0, len(page), page, Span.of(page, 0, 5), "main", (Span.of(page, 6, 8),))
    data = task_data(article_unit, "t")
    assert (data[TEXT_KEY], data[TITLE_KEY], data[TARGET_KEY], data[UNIT_KEY], data[DOC_KEY]) == ("نص", "عنوان", "t", "a1", "d1")


def test_every_endpoint_answers_in_the_shape_the_gateway_reads(
    studio_server: StudioServer, tricky_units: Path, tmp_path: Path
) -> None:
    schema = named_schema(tmp_path, "contract")
    gateway = StudioGateway(studio_server.client(), studio_server.url)
    assert gateway.whoami()["email"] == studio_server.username
    pushed = push_units(gateway.client, gateway.url, tricky_units, "sentence", schema, state_dir=tmp_path)
    task_of = TaskMap(pushed.project.folder).ids
    tasks = list(gateway.iter_tasks(pushed.project.id, "id,data"))
    assert sorted(t.id for t in tasks) == sorted(task_of.values())
    assert {t.unit_id: t.id for t in tasks} == task_of and all(t.text for t in tasks)
    first = min(task_of.values())
    later = list(gateway.iter_tasks(pushed.project.id, "id", [task_filter("id", "greater", "Number", first)]))
    assert len(later) == len(tasks) - 1 and (later[0].unit_id, later[0].text) == (None, None)  # only the id asked for
    assert gateway.latest_update(pushed.project.id)

    unit = unit_records(tricky_units, "sentence")[0]
    text = unit["text"]
    at = text.index("باماكو")
    result = to_results(text, {"stance": ["favor"]}, [EntitySpan(at, at + 6, "GPE", "باماكو")], "entity")
    gateway.import_predictions(pushed.project.id, [{"task": task_of[unit["id"]], "result": result, "model_version": "c1"}])
    (stored,) = gateway.project_predictions(pushed.project.id)
    assert (stored.task, stored.model_version) == (task_of[unit["id"]], "c1")
    assert stored.result[1]["value"]["start"] == at  # stored as sent
    gateway.delete_prediction(stored.id)
    assert gateway.project_predictions(pushed.project.id) == []

    gateway.client.annotations.create(task_of[unit["id"]], result=result)
    (exported,) = gateway.export(pushed.project.id)
    assert (exported.unit_id, exported.text, exported.id) == (unit["id"], text, task_of[unit["id"]])
    (annotation,) = exported.annotations
    assert annotation.result[1]["value"]["start"] == at and annotation.completed_by == gateway.whoami()["id"]
    assert len(gateway.export(pushed.project.id, sorted(task_of.values()))) == len(task_of)
    assert len(gateway.export(pushed.project.id, every_task=True)) == len(task_of)
    # The first pull's export snapshots: every task with an annotation, skipped or not, each once.
    skipped, both = (task_of[record["id"]] for record in unit_records(tricky_units, "sentence")[1:3])
    gateway.client.annotations.create(skipped, result=[], was_cancelled=True)
    gateway.client.annotations.create(both, result=[], was_cancelled=True)
    gateway.client.annotations.create(both, result=to_results(text, {"stance": ["favor"]}, [], "entity"))
    annotated = {task.id: task for task in gateway.annotated_tasks(pushed.project.id)}
    assert {task_id: len(task.annotations) for task_id, task in annotated.items()} == {task_of[unit["id"]]: 1, skipped: 1, both: 2}
    assert annotated[skipped].annotations[0].cancelled and annotated[both].unit_id
    assert gateway.get_json(snapshots_endpoint(pushed.project.id), what="listing snapshots") == []  # deleted once read
    assert studio_server.username in gateway.annotators().values()
    organization, active = gateway.memberships()
    assert organization == gateway.whoami()["active_organization"] and active[gateway.whoami()["id"]] is True


def test_the_contract_loads_no_label_studio_code() -> None:
    """The labelling config generator (schema/) reads its names from the contract: importing it
    must not load the SDK, nor httpx (`--help` stays instant)."""
    probe = "import sys, curation.studio.contract; print(sorted({'label_studio_sdk', 'httpx'} & set(sys.modules)))"
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"


def test_no_private_sdk_access() -> None:
    """The SDK's private client wrapper is not an API: raw calls go through the client's own channel."""
    package = Path(__file__).resolve().parents[2] / "curation"
    assert [str(path) for path in package.rglob("*.py") if "._client_wrapper" in path.read_text(encoding="utf-8")] == []


def test_a_personal_access_token_serves_the_raw_channel_and_the_sdk(
    studio_server: StudioServer, tricky_units: Path, tmp_path: Path
) -> None:
    """A personal access token (a JWT refresh token) is exchanged for access tokens by the raw
    channel as by the SDK: a whole push (raw imports and listings, typed project calls) works with it."""
    token = studio_server.client().tokens.create().token
    assert token and is_refresh_token(token) and not is_refresh_token(studio_server.api_key)
    gateway = StudioGateway(connect(studio_server.url, token), studio_server.url)
    assert gateway.whoami()["email"] == studio_server.username
    pushed = push_units(gateway.client, gateway.url, tricky_units, "sentence", named_schema(tmp_path, "personal_token"),
                        state_dir=tmp_path)
    assert (pushed.created, pushed.problems) == (3, [])
    assert sorted(t.id for t in gateway.iter_tasks(pushed.project.id, "id")) == sorted(TaskMap(pushed.project.folder).ids.values())
