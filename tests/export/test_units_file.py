"""`curation segment --recipe` and a recipe's ``units:``: the units annotators were shown are the
units the build exports, cut once with the recipe's settings, and a units file cut otherwise is
refused before anything is built."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from curation.cli import main
from curation.export.building import build
from curation.export.recipe import RecipeError, load_recipe
from curation.unitfile import iter_unit_records

from .conftest import SEEDS, write_recipe

# not the default (2): ids cut with the defaults would not be the recipe's
SEGMENTER = {"articles": {"article_gap_lines": 3}}


def article_ids(folder: Path) -> set[str]:
    return {i for path in folder.glob("data/articles/*.parquet") for i in pq.read_table(path).column("id").to_pylist()}


def test_segment_with_the_recipe_cuts_the_units_build_exports(tmp_path: Path) -> None:
    recipe = write_recipe(tmp_path, segmenter=SEGMENTER, dedup={"threshold": 0.8}, units="units.jsonl.gz")
    result = CliRunner().invoke(main, ["segment", "--recipe", str(recipe), "-o", str(tmp_path / "units.jsonl.gz"), "--workers", "2"])
    assert result.exit_code == 0, result.output
    report = build(load_recipe(recipe))
    assert report.problems == []
    pushed = {r["id"] for r in iter_unit_records(tmp_path / "units.jsonl.gz", "article")}
    assert article_ids(report.out_dir) == pushed
    manifest = json.loads((report.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["settings"]["segmenter"]["articles"]["article_gap_lines"] == 3
    assert manifest["settings"]["dedup"]["threshold"] == 0.8 and "normalize" in manifest["settings"]["dedup"]
    assert manifest["recipe"]["units"] == "units.jsonl.gz" and len(manifest["units"]["sha256"]) == 64


def test_a_units_file_cut_with_other_settings_is_refused(tmp_path: Path) -> None:
    units = tmp_path / "units.jsonl.gz"
    recipe = write_recipe(tmp_path, segmenter=SEGMENTER, units="units.jsonl.gz")
    assert CliRunner().invoke(main, ["segment", str(SEEDS), "-o", str(units), "--workers", "1"]).exit_code == 0
    with pytest.raises(RecipeError, match="other settings than the recipe's.*curation segment --recipe"):
        build(load_recipe(recipe))
    units.with_name("units.jsonl.gz.settings.json").unlink()
    with pytest.raises(RecipeError, match="no settings record"):
        build(load_recipe(recipe))


def test_a_units_file_stays_usable_when_only_the_dedup_settings_change(tmp_path: Path) -> None:
    """Dedup settings never change unit ids: a recipe may compare otherwise without a new cut."""
    units = tmp_path / "units.jsonl.gz"
    recipe = write_recipe(tmp_path, segmenter=SEGMENTER, units="units.jsonl.gz")
    assert CliRunner().invoke(main, ["segment", "--recipe", str(recipe), "-o", str(units), "--workers", "1"]).exit_code == 0
    changed = write_recipe(tmp_path, segmenter=SEGMENTER, units="units.jsonl.gz", dedup={"compare": "title+body", "threshold": 0.9})
    report = build(load_recipe(changed))
    assert report.problems == [] and article_ids(report.out_dir) == {r["id"] for r in iter_unit_records(units, "article")}
    manifest = json.loads((report.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["settings"]["dedup"]["compare"] == "title+body"


def test_recipe_dedup_settings_are_checked_when_read(tmp_path: Path) -> None:
    with pytest.raises(RecipeError, match="unknown dedup setting.*treshold"):
        load_recipe(write_recipe(tmp_path, dedup={"treshold": 0.8}))
    with pytest.raises(RecipeError, match=r"\.yaml:\d+: dedup\.threshold: must be in \(0, 1\]"):
        load_recipe(write_recipe(tmp_path, dedup={"threshold": 1.5}))


def test_articles_too_short_to_compare_are_one_warning_with_their_count(tmp_path: Path) -> None:
    report = build(load_recipe(write_recipe(tmp_path, dedup={"min_words": 1_000_000})))
    notices = [warning for warning in report.warnings if "dedup.min_words" in warning]
    count = len(article_ids(report.out_dir))
    assert notices == [f"dedup: {count:,} article(s) of fewer than 1000000 words (dedup.min_words) compared with nothing: in no duplicate cluster"]
