"""Items become pages, units and labels: two files of the same name in different folders (a corpus's
train/ and test/ splits) are two sets of pages, never one taken for a repeat of the other."""

from __future__ import annotations

import json
from pathlib import Path

from curation.imports import import_corpus

from .conftest import entity_schema


def test_files_of_the_same_name_in_two_folders_are_both_imported(tmp_path: Path) -> None:
    train, test = tmp_path / "train" / "data.txt", tmp_path / "test" / "data.txt"
    for path, text in ((train, "قال O\nبوش B-PER\n"), (test, "قال O\nبوش B-PER\n\nلندن B-GPE\n")):
        path.parent.mkdir()
        path.write_text(text, encoding="utf-8")
    report = import_corpus([train, test, train], entity_schema(tmp_path), tmp_path / "out")
    pages = [json.loads(line) for line in report.outputs["docs"].read_text(encoding="utf-8").splitlines()]
    assert [(page["id"], page["source"]) for page in pages] == [
        ("data.txt:1", str(train)), ("test/data.txt:1", str(test)), ("data.txt:4", str(test))]
    assert report.spans == 3
    assert [str(p) for p in report.problems] == [  # the same file given twice is a repeat, and said so
        f"{train}:1: a second item with key 'data.txt:1': left out"]
