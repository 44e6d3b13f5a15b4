"""Replacing a model version's predictions in a REAL Label Studio never leaves a task without one:
the new predictions are stored before the old ones are deleted, and a rerun after an interrupted
replace (old and new both on the task) keeps the new one and deletes the rest."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curation.studio.contract import StudioGateway
from curation.studio.push import TaskMap, push_tasks
from curation.studio.server import StudioServer
from curation.studio.tasks import Prediction, UnitsToPush, read_units_to_push
from curation.unitfile import write_unit_records
from curation.units import Document, EntitySpan, Provenance, Sentence, sha256_hex
from tests.studio.conftest import named_schema, unit_records

SENTENCES = [f"قال الوزير {number} إن القاهرة ترحب بالاتفاق." for number in range(6)]
VERSION = "ner@1"


def units_file(folder: Path) -> Path:
    text = "\n".join(SENTENCES)
    doc = Document(Document.make_id(text, "replace.txt"), text, Provenance("replace.txt", None, sha256_hex(text)))
    records, start = [doc.to_record()], 0
    for index, sentence in enumerate(SENTENCES):
        end = start + len(sentence)
        records.append(Sentence(Sentence.make_id(doc.id, start, end), doc.id, "a-none", start, end, sentence, "body", index).to_record())
        start = end + 1
    path = folder / "units.jsonl"
    write_unit_records(path, records)
    return path


def predictions(units: Path, word: str, label: str) -> list[Prediction]:
    """One prediction per sentence: ``word`` marked as ``label``."""
    found = []
    for record in unit_records(units, "sentence"):
        at = record["text"].index(word)
        found.append(Prediction(record["id"], {}, (EntitySpan(at, at + len(word), label, word),), VERSION, 0.5))
    return found


@dataclass
class Watch:
    calls: list[str] = field(default_factory=list)
    bare_tasks: list[int] = field(default_factory=list)
    task_of_prediction: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class WatchedGateway(StudioGateway):
    """The real gateway; after each deletion it asks the server whether the task still has a prediction."""

    watch: Watch = field(default_factory=Watch)

    def import_predictions(self, project_id: int, predictions: list[dict[str, Any]]) -> None:
        super().import_predictions(project_id, predictions)
        self.watch.calls.append("import")

    def delete_prediction(self, prediction_id: int) -> None:
        task = self.watch.task_of_prediction[prediction_id]
        super().delete_prediction(prediction_id)
        self.watch.calls.append("delete")
        if not self.client.predictions.list(task=task):
            self.watch.bare_tasks.append(task)


def stored(client: Any, tasks: list[int]) -> list[list[str]]:
    """The marked texts of each task's predictions of VERSION."""
    return [sorted(r["value"]["text"] for p in client.predictions.list(task=t) if p.model_version == VERSION for r in p.result)
            for t in tasks]


def test_replace_stores_the_new_predictions_before_deleting_the_old(studio_server: StudioServer, tmp_path: Path) -> None:
    schema = named_schema(tmp_path, "h14_replace_order")
    units = units_file(tmp_path)
    client = studio_server.client()
    first = push_tasks(StudioGateway(client, studio_server.url), read_units_to_push(units, "sentence"), "sentence", schema,
                       predictions(units, "القاهرة", "GPE"), tmp_path)
    assert (first.created, first.predictions, first.problems) == (len(SENTENCES), len(SENTENCES), [])
    tasks = sorted(TaskMap(first.project.folder).ids.values())

    watched = WatchedGateway(client, studio_server.url)
    watched.watch.task_of_prediction = {p.id: p.task for p in watched.project_predictions(first.project.id)}
    report = push_tasks(watched, UnitsToPush(), "sentence", schema, predictions(units, "الوزير", "PER"), tmp_path,
                        replace_predictions=True)
    assert (report.predictions, report.predictions_replaced, report.problems) == (len(SENTENCES), len(SENTENCES), [])
    assert watched.watch.bare_tasks == [], "a task was left without any prediction between deletion and import"
    assert watched.watch.calls == ["import"] + ["delete"] * len(SENTENCES)
    assert stored(client, tasks) == [["الوزير"]] * len(SENTENCES)


def test_rerun_after_an_interrupted_replace_keeps_the_new_and_deletes_the_rest(
    studio_server: StudioServer, tmp_path: Path
) -> None:
    schema = named_schema(tmp_path, "h14_replace_rerun")
    units = units_file(tmp_path)
    client, gateway = studio_server.client(), StudioGateway(studio_server.client(), studio_server.url)
    first = push_tasks(gateway, read_units_to_push(units, "sentence"), "sentence", schema, predictions(units, "القاهرة", "GPE"), tmp_path)
    tasks = sorted(TaskMap(first.project.folder).ids.values())
    # what a replace killed after its import leaves: the old and the new prediction of one version on each task
    newer = predictions(units, "الوزير", "PER")
    added = push_tasks(gateway, UnitsToPush(), "sentence", schema, newer, tmp_path)
    assert added.predictions == len(SENTENCES)
    assert stored(client, tasks) == [sorted(["القاهرة", "الوزير"])] * len(SENTENCES)

    rerun = push_tasks(gateway, UnitsToPush(), "sentence", schema, newer, tmp_path, replace_predictions=True)
    assert (rerun.predictions, rerun.predictions_unchanged, rerun.predictions_replaced) == (0, len(SENTENCES), len(SENTENCES))
    assert stored(client, tasks) == [["الوزير"]] * len(SENTENCES)
    again = push_tasks(gateway, UnitsToPush(), "sentence", schema, newer, tmp_path, replace_predictions=True)
    assert (again.predictions, again.predictions_unchanged, again.predictions_replaced) == (0, len(SENTENCES), 0)
