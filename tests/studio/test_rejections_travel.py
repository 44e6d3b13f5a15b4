"""Annotations and regions kept out at `pull` are counted in the build's summary, card and manifest."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from datasets import load_dataset

from curation.cli import main
from curation.export.building import build
from curation.export.recipe import load_recipe
from curation.studio.pull import pull_annotations
from curation.studio.push import TaskMap, push_units
from curation.studio.results import SetAside
from curation.studio.server import StudioServer
from curation.studio.store import AnnotationStore, Flagged
from curation.units import Annotation, EntitySpan

from ..export.conftest import write_recipe
from .conftest import named_schema, unit_records


def test_build_reports_what_pull_kept_out(studio_server: StudioServer, seed_units: Path, tmp_path: Path) -> None:
    schema = named_schema(tmp_path, "travel")
    client = studio_server.client()
    pushed = push_units(client, studio_server.url, seed_units, "sentence", schema, state_dir=tmp_path)
    task_of = TaskMap(pushed.project.folder).ids
    first, second = [r for r in unit_records(seed_units, "sentence") if len(r["text"].split()) > 3][:2]
    word = first["text"].split()[1]
    start = first["text"].index(word)
    region = {"from_name": "entity", "to_name": "text", "type": "labels",
              "value": {"start": start, "end": start + len(word), "text": word, "labels": ["CITY"]}}
    stance = {"from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": ["favor"]}}
    client.annotations.create(task_of[first["id"]], result=[region, stance])  # one bad region, annotation kept
    client.annotations.create(task_of[second["id"]], result=[{**stance, "value": {"choices": ["maybe"]}}])  # rejected whole
    store = tmp_path / "annotations" / "travel-sentence.jsonl"
    pulled = pull_annotations(client, studio_server.url, schema, "sentence", store_path=store, state_dir=tmp_path)
    assert (pulled.rejections.annotations, pulled.rejections.regions) == (1, 1)

    recipe = write_recipe(tmp_path / "recipe", annotations=[str(store)])
    result = CliRunner(env={"COLUMNS": "200"}).invoke(main, ["build", str(recipe), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    summary = " ".join(result.output.split())
    assert "rejected at pull (annotations / regions)" in summary and "1 / 1" in summary
    card = (tmp_path / "out" / "README.md").read_text(encoding="utf-8")
    assert "| annotations rejected at pull | 1 |" in card and "| regions set aside at pull | 1 |" in card
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text(encoding="utf-8"))
    rejections = manifest["annotations"]["rejections"]
    assert (rejections["rejected annotations"], rejections["regions set aside"], rejections["flagged units"]) == (1, 1, 1)
    assert any("CITY" in kind or "label" in kind for kind in rejections["reasons"]), rejections


def test_a_region_set_aside_at_pull_is_no_vote_against_the_mention_it_covers(seed_units: Path, tmp_path: Path) -> None:
    """ali and mona mark a place, omar marked it too under a label outside the schema (set aside at
    pull), sara marked nothing: the place is gold by 2 of 3, not lost in a 2-of-4 tie, and omar's
    incomplete entity answer is no column value; his stance, valid, still counts."""
    sentence = next(r for r in unit_records(seed_units, "sentence") if "باماكو" in r["text"])
    start = sentence["text"].index("باماكو")
    place = EntitySpan(start, start + 6, "GPE", "باماكو")

    def answer(annotator: str, number: int, spans: tuple[EntitySpan, ...]) -> Annotation:
        return Annotation(sentence["id"], "sentence", annotator, str(number), {"stance": ("neutral",)}, spans, schema_version=2)

    kept = {a.key: a for a in (answer("ali", 1, (place,)), answer("mona", 2, (place,)), answer("omar", 3, ()), answer("sara", 4, ()))}
    region = {"from_name": "entity", "to_name": "text", "type": "labels", "id": "r1",
              "value": {"start": place.start, "end": place.end, "text": place.text, "labels": ["CITY"]}}
    omar = answer("omar", 3, ())
    set_aside = {omar.key: Flagged(omar, (SetAside(region, "unknown entity label 'CITY'"),), 7)}
    store = tmp_path / "annotations" / "news-sentence.jsonl"
    store.parent.mkdir()
    AnnotationStore(store).write(kept, {}, set_aside)  # as pull writes it

    report = build(load_recipe(write_recipe(tmp_path / "recipe", annotations=[str(store)])), annotator_names=True)
    sentences = load_dataset(str(report.out_dir), "sentences", cache_dir=str(tmp_path / "hf-cache"))
    split = next(s for s in sentences.values() if sentence["id"] in s["id"])
    row = split[split["id"].index(sentence["id"])]
    assert [(e["start"], e["text"]) for e in row["entities"]] == [(place.start, place.text)]
    assert row["entities__omar"] is None and row["entities__sara"] == []
    assert split.features["stance__omar"].names[row["stance__omar"]] == "neutral"
    assert report.rejected_at_pull["regions set aside"] == 1
