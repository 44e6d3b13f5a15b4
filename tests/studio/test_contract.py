"""The Label Studio contract, pinned against the locked version (label-studio 1.23): the
labelling config points where the task data is, and each raw endpoint the gateway calls answers
in the shape it reads."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from curation.schema import load_schema
from curation.schema.studio_config import OBJECT_NAME as CONFIG_OBJECT_NAME
from curation.studio.contract import (
    OBJECT_NAME,
    TARGET_KEY,
    TEXT_KEY,
    TITLE_KEY,
    UNIT_KEY,
    StudioGateway,
    task_filter,
)
from curation.studio.push import TaskMap, push_units
from curation.studio.results import to_results
from curation.studio.server import StudioServer
from curation.studio.tasks import task_data
from curation.units import EntitySpan

from .conftest import named_schema, unit_records


def test_locked_label_studio_version() -> None:
    """Offsets in code points and the endpoints below are facts of this version: a new one must
    pass the browser tests (test_studio_ui.py) and these before the lock moves."""
    assert version("label-studio").startswith("1.23.")


def test_labelling_config_reads_the_task_data_keys() -> None:
    schema = load_schema()
    assert CONFIG_OBJECT_NAME == OBJECT_NAME
    article, sentence = schema.label_config("article"), schema.label_config("sentence")
    for xml in (article, sentence):
        assert f'<Text name="{OBJECT_NAME}" value="${TEXT_KEY}"' in xml
        assert f"${TARGET_KEY}" in xml
    assert f"${TITLE_KEY}" in article
    record = {"id": "s1", "level": "article", "body": "نص", "title": "عنوان", "doc_id": "d1"}
    data = task_data(record, "t")
    assert (data[TEXT_KEY], data[TITLE_KEY], data[TARGET_KEY], data[UNIT_KEY]) == ("نص", "عنوان", "t", "s1")


def test_every_endpoint_answers_in_the_shape_the_gateway_reads(
    studio_server: StudioServer, tricky_units: Path, tmp_path: Path
) -> None:
    schema = named_schema(tmp_path, "contract")
    gateway = StudioGateway(studio_server.client(), studio_server.url)
    assert gateway.whoami()["email"] == studio_server.username
    pushed = push_units(gateway.client, gateway.url, tricky_units, "sentence", schema, state_dir=tmp_path)
    task_of = TaskMap(pushed.project.folder).ids
    tasks = list(gateway.iter_tasks(pushed.project.id, "id,data"))
    assert sorted(int(t["id"]) for t in tasks) == sorted(task_of.values())
    first = min(task_of.values())
    later = list(gateway.iter_tasks(pushed.project.id, "id", [task_filter("id", "greater", "Number", first)]))
    assert len(later) == len(tasks) - 1 and set(later[0]) == {"id"}
    assert gateway.latest_update(pushed.project.id)

    unit = unit_records(tricky_units, "sentence")[0]
    text = unit["text"]
    at = text.index("باماكو")
    result = to_results(text, {"stance": ["favor"]}, [EntitySpan(at, at + 6, "GPE", "باماكو")], "entity")
    gateway.import_predictions(pushed.project.id, [{"task": task_of[unit["id"]], "result": result, "model_version": "c1"}])
    (stored,) = gateway.project_predictions(pushed.project.id)
    assert (stored["task"], stored["model_version"]) == (task_of[unit["id"]], "c1")
    assert stored["result"][1]["value"]["start"] == at  # stored as sent
    gateway.delete_prediction(int(stored["id"]))
    assert gateway.project_predictions(pushed.project.id) == []

    gateway.client.annotations.create(task_of[unit["id"]], result=result)
    (exported,) = gateway.export(pushed.project.id)
    assert exported["data"][UNIT_KEY] == unit["id"] and len(exported["annotations"]) == 1
    assert len(gateway.export(pushed.project.id, sorted(task_of.values()))) == len(task_of)
    assert studio_server.username in gateway.annotators().values()
