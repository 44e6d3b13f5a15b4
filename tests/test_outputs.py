"""outputs: no command writes over one of its own inputs or writes two outputs to one file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from curation.outputs import OutputOverInput, check_outputs


@pytest.fixture
def pages(tmp_path: Path) -> Path:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a.jsonl").write_text("{}\n")
    return tmp_path


@pytest.mark.parametrize(
    ("output", "reason"),
    [
        ("pages/a.jsonl", "is also an input of this command"),
        ("link.jsonl", "is also an input of this command"),  # a symlink to the input
        ("hard.jsonl", "is also an input of this command"),  # a hard link to the input
        ("pages/units.jsonl", "is inside the input folder .*pages; write the result outside it"),
    ],
)
def test_an_output_that_is_or_lies_inside_an_input_is_refused(pages: Path, output: str, reason: str) -> None:
    (pages / "link.jsonl").symlink_to(pages / "pages" / "a.jsonl")
    os.link(pages / "pages" / "a.jsonl", pages / "hard.jsonl")
    inputs = [pages / "pages" / "a.jsonl"] if not output.startswith("pages/units") else [pages / "pages"]
    with pytest.raises(OutputOverInput, match=reason):
        check_outputs([pages / output], inputs)


def test_a_glob_input_is_expanded_before_comparing(pages: Path) -> None:
    with pytest.raises(OutputOverInput, match="is also an input"):
        check_outputs([pages / "pages" / "a.jsonl"], [str(pages / "pages" / "*.jsonl")])


def test_two_outputs_on_one_file_are_refused_and_stdout_is_never_a_file(pages: Path) -> None:
    with pytest.raises(OutputOverInput, match="named for two outputs"):
        check_outputs([pages / "out.json", pages / "." / "out.json"], [])
    check_outputs(["-", "-", pages / "out.json", None], [pages / "pages" / "a.jsonl", None])  # no error
