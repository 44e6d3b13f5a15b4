"""Hostile recipes, workspace files and dedup options, given to the real ``curation`` command: each
is one line ``file:line: key: what is wrong`` (or the option and its bounds), exit 1 or 2, no
traceback, no hang, nothing built. Every case here crashed or ran away before (issue 28)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import NEWS_SCHEMA, SEEDS, assert_clean_failure, run_cli, tried

RECIPE_HEAD = f"name: hostile\ninputs: [{SEEDS}]\nschema: {NEWS_SCHEMA}\nformats: [jsonl]\n"
RECIPE_LINE = RECIPE_HEAD.count("\n") + 1  # the line of the hostile key, written after the head

# the hostile lines of a recipe -> what the one error says after ``recipe.yaml:LINE: ``
HOSTILE_RECIPES = {
    "adjudication: 3": "adjudication: must be a name or a list of names, got 3",  # was TypeError: 'int' not iterable
    "shard_rows: [1]": "shard_rows: must be a whole number from 1 to 100,000,000, got [1]",  # was TypeError in int()
    "shard_rows: many": "shard_rows: must be a whole number from 1 to 100,000,000, got 'many'",  # was ValueError
    'split: "ab"': "split: must be a mapping of seed, ratios, stratify and group_by, got 'ab'",
    "split: {stratify: [topic]}": "split.stratify: must be a string, got ['topic']",  # was unhashable 'list'
    "split: {seed: [1]}": "split.seed: must be a whole number from 0 to",
    "split: {ratios: {train: [0.8]}}": "split.ratios.train: a share must be a number >= 0, got [0.8]",
    "dedup: {num_perm: 10000000}": "dedup.num_perm: must be a whole number from 2 to 1,024, got 10000000",  # ran away
    "dedup: {num_perm: 1000000000}": "dedup.num_perm: must be a whole number from 2 to 1,024, got 1000000000",
    "output: [1]": "output: must be a string, got [1]",  # was TypeError: PosixPath / list
    "segmenter: [1]": "segmenter: must be a mapping of segmenter settings",  # was AttributeError
    "segmenter: {articles: {markers: 3}}": "segmenter: articles.markers must be a list of phrases, got 3",
    "labels_from_meta: {topic: [a]}": "labels_from_meta: maps a label family to a document metadata field",
    "? [[a]]\n: 1": "a key is a list or a mapping: no recipe has one",  # was unhashable 'CommentedSeq'
    "split: " + "[" * 5000 + "]" * 5000: "nested deeper than 32 levels: no recipe is",  # was RecursionError
    "a: &x [1]\nb: *x": "YAML alias *x is not allowed in a recipe",
}


@pytest.mark.parametrize("hostile", sorted(HOSTILE_RECIPES), ids=lambda text: text[:40])
def test_a_hostile_recipe_is_one_line_naming_file_line_and_key(tmp_path: Path, hostile: str) -> None:
    tried("hostile recipe key")
    (tmp_path / "recipe.yaml").write_text(RECIPE_HEAD + hostile + "\n", encoding="utf-8")
    line = RECIPE_LINE + (1 if hostile.startswith("a: &x") else 0)
    ran = run_cli(["build", "recipe.yaml"], tmp_path)
    assert_clean_failure(ran, 1, f"recipe.yaml:{line}: {HOSTILE_RECIPES[hostile]}")
    assert not (tmp_path / "hostile").exists()


@pytest.mark.parametrize("num_perm", ["10000000", "1000000000"])
@pytest.mark.parametrize("command", ["dedup"])  # the report reads dedup's outputs; it takes no dedup settings
def test_num_perm_out_of_bounds_on_the_command_line_is_refused(tmp_path: Path, command: str, num_perm: str) -> None:
    """Before: 10^7 permutations ran for minutes and gigabytes before anything was said."""
    tried("--num-perm out of bounds")
    (tmp_path / "units.jsonl").write_text("", encoding="utf-8")
    ran = run_cli([command, "units.jsonl", "--num-perm", num_perm, "-o", "out"], tmp_path)
    assert_clean_failure(ran, 2, f"num_perm must be a whole number from 2 to 1,024, got {num_perm}")


def _fifo(folder: Path) -> Path:
    os.mkfifo(folder / "fifo.yaml")
    return folder / "fifo.yaml"


def _loop(folder: Path) -> Path:
    (folder / "a.yaml").symlink_to(folder / "b.yaml")
    (folder / "b.yaml").symlink_to(folder / "a.yaml")
    return folder / "a.yaml"


def _written(name: str, text: str) -> object:
    def make(folder: Path) -> Path:
        (folder / name).write_text(text, encoding="utf-8")
        return folder / name

    return make


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda folder: Path("/dev/zero"), "/dev/zero: cannot read workspace file: not a regular file"),  # was 3 GB
        (_fifo, "fifo.yaml: cannot read workspace file: not a regular file (a FIFO, device or socket)"),  # waited
        (_loop, "a.yaml: cannot read workspace file: Too many levels of symbolic links"),
        (_written("big.yaml", "name: big\n# " + "x" * (2 << 20) + "\n"),
         "big.yaml: cannot read workspace file: larger than 1,048,576 bytes"),
        (_written("deep.yaml", "name: deep\ninputs: " + "[" * 5000 + "]" * 5000 + "\n"),
         "deep.yaml:2: nested deeper than 32 levels: no workspace file is"),  # was RecursionError
        (_written("key.yaml", "name: k\n? [[a]]\n: 1\n"), "key.yaml:2: a key is a list or a mapping"),
        (_written("typed.yaml", "name: t\nannotators: {article: [2]}\n"),
         "typed.yaml:2: article: annotators per task must be a whole number >= 1, got [2]"),
    ],
    ids=["dev-zero", "fifo", "symlink-loop", "2-MB", "5000-deep", "list-key", "list-count"],
)  # fmt: skip
def test_a_hostile_workspace_file_is_one_line(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    """CURATION_WORKSPACE names the file, as a script would; every command reads it first."""
    tried("hostile CURATION_WORKSPACE / curation.yaml")
    ran = run_cli(["dedup"], tmp_path, env={"CURATION_WORKSPACE": str(make(tmp_path))})
    assert_clean_failure(ran, 1, message)


def test_a_symlink_loop_among_the_inputs_is_one_line(tmp_path: Path) -> None:
    """Before: ``RuntimeError: Symlink loop`` from pathlib, with a traceback."""
    tried("symlink loop among the inputs", 2)
    (tmp_path / "l1").symlink_to(tmp_path / "l2")
    (tmp_path / "l2").symlink_to(tmp_path / "l1")
    (tmp_path / "recipe.yaml").write_text("name: loop\ninputs: [l1]\nformats: [jsonl]\n", encoding="utf-8")
    assert_clean_failure(run_cli(["segment", "l1", "-o", "units.jsonl"], tmp_path), 1, "l1: ")
    assert_clean_failure(run_cli(["build", "recipe.yaml"], tmp_path), 1, ": symlink loop (links that point at each other)")
