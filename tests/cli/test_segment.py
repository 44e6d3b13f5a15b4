"""`curation segment` end to end through the click entry point."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from curation.cli import main

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_segment_writes_units_and_reports_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00broken")
    out = tmp_path / "units.jsonl"
    result = CliRunner().invoke(main, ["segment", str(SEEDS), str(bad), "-o", str(out)])
    assert result.exit_code == 1
    assert f"{bad}: binary content" in result.output
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    levels = [r["level"] for r in records]
    assert levels.count("document") == 2
    for record in records:
        assert {"id", "level", "parent", "doc_id", "start", "end", "text"} <= record.keys()
    articles = [r for r in records if r["level"] == "article"]
    assert all({"title", "role", "captions", "byline"} <= a.keys() for a in articles)
    documents = {r["id"]: r["text"] for r in records if r["level"] == "document"}
    for record in records:
        assert documents[record["doc_id"]][record["start"] : record["end"]] == record["text"]


def test_segment_succeeds_with_exit_zero_on_good_input(tmp_path: Path) -> None:
    out = tmp_path / "units.jsonl"
    result = CliRunner().invoke(main, ["segment", str(SEEDS / "000_1276ca6894bdea22.txt"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "sentences" in result.output
