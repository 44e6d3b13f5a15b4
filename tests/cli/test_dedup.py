"""`curation dedup` end to end: pages segmented, then duplicates, teasers, repeated passages and
labels found from the compact units file by datatrove jobs."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from curation.cli import main
from tests.dedup.conftest import OTHER_STORY, STORY


def test_dedup_finds_copies_across_pages_and_names_label_conflicts(tmp_path: Path) -> None:
    pages = [
        {"id": "1", "topic": "health", "text": STORY},
        {"id": "2", "topic": "economy", "text": STORY + " وذلك بحسب البيان"},  # the same story, another label
        {"id": "3", "topic": "sport", "text": OTHER_STORY},
    ]
    source = tmp_path / "pages.jsonl"
    source.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pages), encoding="utf-8")
    units = tmp_path / "units.jsonl.gz"
    runner = CliRunner()
    assert runner.invoke(main, ["segment", str(source), "-o", str(units), "--workers", "1"]).exit_code == 0
    clusters = tmp_path / "clusters.jsonl"
    result = runner.invoke(main, ["dedup", str(units), "-o", str(clusters), "--workers", "2"])
    assert result.exit_code == 0, result.output
    found = [json.loads(line) for line in clusters.read_text(encoding="utf-8").splitlines()]
    assert [(c["reason"], c["size"]) for c in found] == [("near", 2)]
    assert "finding duplicates in 2 task(s) on the local executor" in result.output
    assert "label conflicts (topic)" in result.output
    row = next(line for line in result.output.splitlines() if "label conflicts" in line)
    assert row.split()[-2] == "1"


def test_dedup_names_a_damaged_units_file_and_goes_on(tmp_path: Path) -> None:
    units = tmp_path / "units.jsonl"
    document = {"id": "d1", "level": "document", "parent": None, "doc_id": "d1", "start": 0, "end": len(STORY),
                "text": STORY, "source": "x.txt", "line": None, "sha256": "0", "meta": {}}
    units.write_text(json.dumps(document, ensure_ascii=False) + "\n{broken\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["dedup", str(units)])
    assert result.exit_code == 1
    assert f"{units}:2" in result.output and "units compared" in result.output


def test_dedup_writes_repeated_passages_most_frequent_first(tmp_path: Path) -> None:
    line = "تابعونا على مواقع التواصل الاجتماعي"
    pages = [{"id": str(n), "text": f"{text}\n{line}"} for n, text in enumerate([STORY, OTHER_STORY, STORY[:200]])]
    source = tmp_path / "pages.jsonl"
    source.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pages), encoding="utf-8")
    units, repeated = tmp_path / "units.jsonl.gz", tmp_path / "repeated.jsonl"
    runner = CliRunner()
    assert runner.invoke(main, ["segment", str(source), "-o", str(units), "--workers", "1"]).exit_code == 0
    result = runner.invoke(main, ["dedup", str(units), "--repeated", str(repeated)])
    assert result.exit_code == 0, result.output
    found = [json.loads(row) for row in repeated.read_text(encoding="utf-8").splitlines()]
    assert (found[0]["text"], found[0]["count"], found[0]["documents"]) == (line, 3, 3)
    row = next(row for row in result.output.splitlines() if "repeated passages" in row)
    assert row.split()[-2] == str(len(found))
