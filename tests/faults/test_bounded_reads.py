"""Work bounded by the input's real size: a gzip that expands to endless newlines (a page file, a
JSONL of pages, a compact units file) is one line naming it after a bounded read, never a hang
(before: `curation segment` on 2 MB of gzip read 2 GB of blank lines, line by line)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from curation.fileio import MAX_EXPANSION

from .conftest import assert_clean_failure, run_cli, tried

PAGE_TEXT = "قال المتحدث باسم الحكومة إن الاجتماع سيعقد غدا في العاصمة. وأضاف أن الوزراء سيناقشون الميزانية.\n"

BOMB_MB = 300  # far over the grace a small file gets, and 300 MB of blank lines read one by one would crawl


def _newline_bomb(path: Path) -> Path:
    with gzip.open(path, "wb", compresslevel=9) as handle:
        chunk = b"\n" * (1 << 20)
        for _ in range(BOMB_MB):
            handle.write(chunk)
    return path


@pytest.mark.parametrize(
    ("name", "command"),
    [("pages.jsonl.gz", "segment"), ("page.txt.gz", "segment"), ("units.jsonl.gz", "dedup")],
)
def test_a_gzip_of_endless_newlines_is_refused_after_a_bounded_read(tmp_path: Path, name: str, command: str) -> None:
    tried("gzip bomb of newlines")
    _newline_bomb(tmp_path / name)
    (tmp_path / "good.txt").write_text(PAGE_TEXT, encoding="utf-8")
    inputs = [name, "good.txt"] if command == "segment" else [name]
    ran = run_cli([command, *inputs, "-o", "out.jsonl"], tmp_path)
    assert_clean_failure(ran, 1, f"{name}", f"expands more than {MAX_EXPANSION} times (a decompression bomb?)")
    if command == "segment":  # the good page beside it is still segmented
        assert '"level": "document"' in (tmp_path / "out.jsonl").read_text(encoding="utf-8")


def test_an_ordinary_gzip_reads_as_before(tmp_path: Path) -> None:
    (tmp_path / "page.txt.gz").write_bytes(gzip.compress(PAGE_TEXT.encode("utf-8") * 20))
    ran = run_cli(["segment", "page.txt.gz", "-o", "out.jsonl"], tmp_path)
    assert ran.returncode == 0, ran.output
