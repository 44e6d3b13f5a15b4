"""The units file: written atomically, read back, bad lines named by number."""

from __future__ import annotations

from pathlib import Path

import pytest

from curation.fileio import JsonlLineError
from curation.unitfile import iter_unit_records, write_unit_records


def test_bad_lines_raise_with_line_number_or_are_collected(tmp_path: Path) -> None:
    path = tmp_path / "units.jsonl"
    write_unit_records(path, [{"id": "d1", "level": "document", "text": "نص"}])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("{oops\n[1, 2]\n")
        handle.write('{"id": "a1", "level": "article"}\n')
    with pytest.raises(JsonlLineError, match=r"units.jsonl:2: invalid JSON"):
        list(iter_unit_records(path))
    errors: list[JsonlLineError] = []
    records = list(iter_unit_records(path, errors=errors))
    assert [r["id"] for r in records] == ["d1", "a1"]
    assert [(e.line, e.reason.split(" ")[0]) for e in errors] == [(2, "invalid"), (3, "a")]
    assert [r["id"] for r in iter_unit_records(path, "article", errors=[])] == ["a1"]


def test_written_files_are_readable_by_others(tmp_path: Path) -> None:
    path = tmp_path / "units.jsonl"
    write_unit_records(path, [])
    assert path.stat().st_mode & 0o044 == 0o044
    assert not list(tmp_path.glob(".units.jsonl.*.tmp"))
