"""Building the same recipe twice gives the same bytes; `curation verify` proves it or names the file."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from curation.cli import main
from curation.export import rowpass
from curation.export.building import build
from curation.export.recipe import load_recipe
from curation.export.verification import verify
from curation.pipeline.options import ExecutorOptions
from curation.pipeline.run import run_segment

from .conftest import duplicated_pages, write_recipe


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_two_builds_are_byte_identical_and_the_manifest_hashes_every_file(tmp_path: Path) -> None:
    recipe = load_recipe(write_recipe(tmp_path / "recipes"))
    first = tree(build(recipe, tmp_path / "one").out_dir)
    second = tree(build(recipe, tmp_path / "two").out_dir)
    assert first == second
    assert {"README.md", "manifest.json"} <= set(first) and any(p.endswith(".parquet") for p in first)
    manifest = json.loads(first["manifest.json"])
    assert set(manifest["outputs"]) == set(first) - {"manifest.json"}
    assert all(len(digest) == 64 for digest in manifest["inputs"].values()) and len(manifest["inputs"]) == 2
    assert str(tmp_path) not in first["manifest.json"].decode() + first["README.md"].decode()


def test_one_and_two_workers_and_a_ray_cluster_build_the_same_bytes(
    tmp_path: Path, local_ray_cluster: Callable[[], AbstractContextManager[None]]
) -> None:
    """Segmentation, dedup and (with ``tasks`` given, even for so small an export) the writers run on
    the executor's ranks; the export must not tell how many."""
    pages, _, filed_twice = duplicated_pages(tmp_path)
    every_format = ["huggingface", "jsonl", "conll"]  # each file written by one job, on any rank
    recipe = load_recipe(write_recipe(tmp_path / "recipes", inputs=[str(pages)], dedup=True, formats=every_format))
    one = build(recipe, tmp_path / "one", executor=ExecutorOptions(workers=1), allow_problems=True)
    assert one.clusters and one.clusters >= filed_twice
    expected = tree(one.out_dir)
    assert tree(build(recipe, tmp_path / "two", executor=ExecutorOptions(workers=2), allow_problems=True).out_dir) == expected
    three = build(recipe, tmp_path / "three", executor=ExecutorOptions(workers=2, tasks=3), allow_problems=True)
    assert tree(three.out_dir) == expected
    with local_ray_cluster():
        ray = build(recipe, tmp_path / "ray", executor=ExecutorOptions(executor="ray", workers=2, tasks=3), allow_problems=True)
    assert tree(ray.out_dir) == expected


def test_a_build_in_this_process_has_the_bytes_of_two_workers(tmp_path: Path) -> None:
    """Every phase here (a small input, nothing chosen; or asked for) against every phase on two
    workers (``tasks`` given: the writers too), from the inputs and from a units file."""
    pages, _, _ = duplicated_pages(tmp_path)
    every_format = ["huggingface", "jsonl", "conll"]
    recipe = load_recipe(write_recipe(tmp_path / "recipes", inputs=[str(pages)], dedup=True, formats=every_format))
    two = tree(build(recipe, tmp_path / "two", executor=ExecutorOptions(workers=2, tasks=3), allow_problems=True).out_dir)
    assert tree(build(recipe, tmp_path / "here", executor=ExecutorOptions(in_process=True), allow_problems=True).out_dir) == two
    assert tree(build(recipe, tmp_path / "small", allow_problems=True).out_dir) == two
    units = tmp_path / "units.jsonl.gz"
    assert run_segment([str(pages)], units, recipe.settings, ExecutorOptions(workers=2)).counts["documents"] > 0
    from_units = replace(recipe, units=str(units))
    on_ranks = tree(build(from_units, tmp_path / "units-two", executor=ExecutorOptions(workers=2, tasks=3), allow_problems=True).out_dir)
    assert tree(build(from_units, tmp_path / "units-here", allow_problems=True).out_dir) == on_ranks


def test_rows_made_on_more_ranks_than_workers_are_the_same_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Locally a rows rank takes at most ``RANK_PAGES`` pages, each rank in a process of its own
    (a larger corpus: more ranks than workers); ranks of 3 pages on two workers, each reading
    the units file's gzip members from its index, give the bytes of one worker."""
    pages, _, _ = duplicated_pages(tmp_path)
    units = tmp_path / "units.jsonl.gz"
    recipe = load_recipe(write_recipe(tmp_path / "recipes", inputs=[str(pages)], dedup=True, formats=["huggingface", "jsonl"]))
    assert run_segment([str(pages)], units, recipe.settings, ExecutorOptions(workers=2)).counts["documents"] > 2 * 3
    recipe = replace(recipe, units=str(units))
    one = tree(build(recipe, tmp_path / "one", executor=ExecutorOptions(workers=1), allow_problems=True).out_dir)
    monkeypatch.setattr(rowpass, "RANK_PAGES", 3)
    assert tree(build(recipe, tmp_path / "ranks", executor=ExecutorOptions(workers=2), allow_problems=True).out_dir) == one


def test_rebuilding_in_place_leaves_no_stale_shard(tmp_path: Path) -> None:
    recipe_path = write_recipe(tmp_path, shard_rows=10)
    build(load_recipe(recipe_path))
    out = tmp_path / "seed-test"
    assert len(list((out / "data" / "sentences").glob("test-*"))) > 1
    write_recipe(tmp_path)  # same recipe, one shard per split
    build(load_recipe(recipe_path))
    assert sorted(p.name for p in (out / "data" / "sentences").iterdir()) == [
        "test-00000-of-00001.parquet",
        "train-00000-of-00001.parquet",
    ]


def test_verify_passes_on_a_fresh_build_and_names_a_changed_file(tmp_path: Path) -> None:
    recipe_path = write_recipe(tmp_path)
    out = build(load_recipe(recipe_path)).out_dir
    runner = CliRunner()
    result = runner.invoke(main, ["verify", str(out)])
    assert result.exit_code == 0, result.output
    assert "reproducible" in result.output

    shard = next((out / "data" / "articles").glob("*.parquet"))
    shard.write_bytes(shard.read_bytes() + b"\0")
    outcome = verify(out)
    rel = shard.relative_to(out).as_posix()
    assert not outcome.identical
    assert [d for d in outcome.differences if d.startswith(f"{rel}: differs")]
    assert any(note.startswith(f"{rel}: edited") for note in outcome.incomplete) and not outcome.whole
    result = runner.invoke(main, ["verify", str(out)])
    assert result.exit_code == 1 and rel in result.output
