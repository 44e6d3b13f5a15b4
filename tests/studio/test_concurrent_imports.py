"""Two pushes with predictions into one Label Studio at the same moment keep every prediction.

Label Studio on SQLite numbers the tasks and predictions of an import "latest id + 1" without a
lock: two imports at once into two projects of one server lost half of the predictions (2 x
3,000 tasks with a prediction each, batches of 500: 1,500 kept per project). curation serialises
its imports into one server (:func:`curation.studio.contract.server_import_lock`)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from curation.studio.contract import StudioGateway
from curation.studio.push import PushReport, push_units
from curation.studio.server import StudioServer
from curation.unitfile import write_unit_records
from curation.units import Document, Provenance, Sentence, sha256_hex
from tests.studio.conftest import named_schema

UNITS = 3_000
BATCH = 500


def sentence_units(folder: Path, tag: str) -> tuple[Path, Path]:
    """A units file of ``UNITS`` sentences and a predictions file with one prediction each."""
    sentences = [f"قال المتحدث {tag} في البيان رقم {n} إن الاجتماع انتهى." for n in range(UNITS)]
    text = "\n".join(sentences)
    doc = Document(Document.make_id(text, f"{tag}.txt"), text, Provenance(f"{tag}.txt", None, sha256_hex(text)))
    records, start = [doc.to_record()], 0
    for index, sentence in enumerate(sentences):
        end = start + len(sentence)
        records.append(Sentence(Sentence.make_id(doc.id, start, end), doc.id, "a-none", start, end, sentence, "body", index).to_record())
        start = end + 1
    units, predictions = folder / f"{tag}.jsonl", folder / f"{tag}-predictions.jsonl"
    write_unit_records(units, records)
    lines = (json.dumps({"unit_id": r["id"], "model_version": "m1", "choices": {"stance": ["favor"]}}) + "\n" for r in records[1:])
    predictions.write_text("".join(lines), encoding="utf-8")
    return units, predictions


def test_two_pushes_at_once_into_one_server_keep_every_prediction(studio_server: StudioServer, tmp_path: Path) -> None:
    def push(tag: str) -> PushReport:
        folder = tmp_path / tag
        folder.mkdir()
        units, predictions = sentence_units(folder, tag)
        return push_units(studio_server.client(), studio_server.url, units, "sentence", named_schema(folder, f"concurrent_{tag}"),
                          state_dir=folder, predictions_path=predictions, batch_size=BATCH)  # fmt: skip

    with ThreadPoolExecutor(2) as pool:
        reports = list(pool.map(push, ["a", "b"]))
    gateway = StudioGateway(studio_server.client(), studio_server.url)
    for report in reports:
        assert report.created == UNITS and report.predictions == UNITS and not report.problems
        kept = gateway.project_predictions(report.project.id)
        assert len(kept) == UNITS
        assert len({p.task for p in kept}) == UNITS  # one on every task
