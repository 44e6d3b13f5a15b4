"""Annotations and regions kept out at `pull` are counted in the build's summary, card and manifest."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from curation.cli import main
from curation.studio.pull import pull_annotations
from curation.studio.push import TaskMap, push_units
from curation.studio.server import StudioServer

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
