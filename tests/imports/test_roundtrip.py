"""Done-when: the noisy CoNLL sample goes import -> push -> (annotators accept the predictions in
a REAL Label Studio) -> pull -> build, and every valid span comes out exact; every bad tag was
reported on the way in. The same import written as annotations builds the same gold directly."""

from __future__ import annotations

import json
from pathlib import Path

from curation.export import build
from curation.export.recipe import load_recipe
from curation.imports import import_corpus, read_label_map
from curation.studio.pull import pull_annotations
from curation.studio.push import TaskMap, push_units
from curation.studio.server import StudioServer
from curation.unitfile import iter_unit_records
from curation.units import Annotation

from ..export.conftest import write_recipe
from .conftest import BAD_TAGS, VALID_SPANS, entity_schema


def _gold(out_dir: Path, units: Path) -> set[tuple[int, str, str]]:
    """(sentence index in the units file, label, surface) of every gold entity the build exported."""
    order = {r["id"]: n for n, r in enumerate(iter_unit_records(units, "sentence"))}
    rows = [json.loads(line) for f in sorted((out_dir / "jsonl" / "sentences").glob("*.jsonl")) for line in f.open()]
    assert len(rows) == len(order)
    found = set()
    for row in rows:
        for entity in row["entities"] or ():
            assert row["text"][entity["start"] : entity["end"]] == entity["text"]
            found.add((order[row["id"]], entity["label"], entity["text"]))
    return found


def _recipe(folder: Path, docs: Path, schema_path: Path, store: Path) -> Path:
    return write_recipe(folder, name="imported", inputs=[str(docs)], schema=str(schema_path), annotations=str(store),
                        formats=["jsonl", "conll"], dedup=False, split={"seed": 1, "ratios": {"train": 1.0}})


def test_noisy_conll_round_trips_through_label_studio(studio_server: StudioServer, sample, tmp_path: Path) -> None:
    corpus, label_map, line_of = sample
    schema = entity_schema(tmp_path, "h14roundtrip")
    imported = import_corpus([corpus], schema, tmp_path / "sample", as_="predictions", source="sample",
                             model_version="sample-corpus", label_map=read_label_map(label_map))
    assert {(str(corpus), line_of[token]) for token in BAD_TAGS.values()} <= {(p.path, p.line) for p in imported.problems}

    client = studio_server.client()
    pushed = push_units(client, studio_server.url, imported.outputs["units"], "sentence", schema,
                        state_dir=tmp_path, predictions_path=imported.outputs["predictions"])
    assert (pushed.created, pushed.predictions, pushed.problems) == (4, 4, [])
    # An annotator accepts each prediction as is (Label Studio copies the prediction's result).
    for task_id in TaskMap(pushed.project.folder).ids.values():
        [prediction] = client.predictions.list(task=task_id)
        assert prediction.model_version == "sample-corpus"
        client.annotations.create(task_id, result=prediction.result)

    store = tmp_path / "store" / "sample.jsonl"
    pulled = pull_annotations(client, studio_server.url, schema, "sentence", store_path=store, state_dir=tmp_path)
    assert (pulled.new, pulled.rejected) == (4, 0)
    report = build(load_recipe(_recipe(tmp_path / "b1", imported.outputs["docs"], schema.path, store)))
    assert report.problems == []
    assert _gold(report.out_dir, imported.outputs["units"]) == set(VALID_SPANS)
    conll = (report.out_dir / "conll" / "train.conll").read_text(encoding="utf-8")
    assert "دونالد\tB-PER\nترامب\tI-PER\n" in conll and "الرياض\tO\n" in conll


def test_imported_annotations_build_directly_and_bad_spans_stay_alone(sample, tmp_path: Path) -> None:
    corpus, label_map, _ = sample
    schema = entity_schema(tmp_path)
    imported = import_corpus([corpus], schema, tmp_path / "sample", source="sample", label_map=read_label_map(label_map))
    store = imported.outputs["annotations"]
    report = build(load_recipe(_recipe(tmp_path / "b1", imported.outputs["docs"], schema.path, store)))
    assert report.problems == [] and _gold(report.out_dir, imported.outputs["units"]) == set(VALID_SPANS)

    # A hand-edited store: each annotation gains a span with an unknown label and one off the text.
    records = [json.loads(line) for line in store.read_text(encoding="utf-8").splitlines()]
    for record in records:
        record["spans"] += [{"start": 0, "end": 2, "label": "MIS-1", "text": record["spans"][0]["text"][:2] if record["spans"] else ""},
                            {"start": 500, "end": 504, "label": "PER", "text": "xxxx"}]
        Annotation.from_record(record)
    edited = tmp_path / "edited.jsonl"
    edited.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    report = build(load_recipe(_recipe(tmp_path / "b2", imported.outputs["docs"], schema.path, edited)), allow_problems=True)
    assert _gold(report.out_dir, imported.outputs["units"]) == set(VALID_SPANS)
    assert len(report.problems) == 4 and all("valid span(s) kept" in p and "MIS-1" in p for p in report.problems)
