"""Hostile schema files to `curation schema check`: an alias bomb, thousands of nested brackets,
a symlink to /dev/zero, a FIFO, a wrong type in a migration: each one line with file and line,
in bounded time and memory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from .conftest import NEWS_SCHEMA, assert_clean_failure, run_cli, tried

ALIAS_BOMB = "".join(
    f"{name}: &{name} [{', '.join([f'*{previous}'] * 10) if previous else ', '.join(['x'] * 10)}]\n"
    for previous, name in zip([None, *"abcdefgh"], "abcdefghi")
) + "name: bomb\nversion: 1\nlabels: {}\n"


def _write(folder: Path, name: str, content: str) -> str:
    (folder / name).write_text(content, encoding="utf-8")
    return name


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: _write(d, "bomb.yaml", ALIAS_BOMB), "bomb.yaml:2: YAML alias *a is not allowed in a schema"),
        (lambda d: _write(d, "deep.yaml", "labels: " + "[" * 5000 + "]" * 5000 + "\n"),
         "deep.yaml:1: nested deeper than 32 levels: no schema is"),
        (lambda d: (d / "zero.yaml").symlink_to("/dev/zero") or "zero.yaml",
         "zero.yaml: cannot read schema: not a regular file (a FIFO, device or socket)"),
        (lambda d: os.mkfifo(d / "pipe.yaml") or "pipe.yaml",
         "pipe.yaml: cannot read schema: not a regular file (a FIFO, device or socket)"),
        (lambda d: _write(d, "rename.yaml", NEWS_SCHEMA.read_text(encoding="utf-8").replace(
            "rename: {science: technology", "rename: {science: 123")),
         "migrations[0].topic.rename.science: the new label must be a string, got 123"),
        (lambda d: _write(d, "listkey.yaml", NEWS_SCHEMA.read_text(encoding="utf-8").replace(
            "labels:\n", "labels:\n  ? [[topic]]\n  : {kind: choice}\n", 1)),
         "listkey.yaml:13: a key is a list or a mapping: no schema has one"),  # was unhashable 'CommentedSeq'
    ],
    ids=["alias-bomb", "5000-deep", "symlink-to-dev-zero", "fifo", "rename-to-a-number", "list-as-key"],
)  # fmt: skip
def test_hostile_schemas_are_one_line_each(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    tried("hostile schema file")
    name = make(tmp_path)
    ran = run_cli(["schema", "check", name], tmp_path)
    assert_clean_failure(ran, 1, message)
