"""`curation segment` end to end through the click entry point."""

from __future__ import annotations

import json
import subprocess
import sys
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


CURATION = str(Path(sys.executable).parent / "curation")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed command in a process of its own: datatrove's workers write to the real file
    descriptors, which an in-process runner would not see."""
    return subprocess.run([CURATION, *args], cwd=cwd, capture_output=True, text=True, timeout=300)


def test_quiet_segment_prints_nothing_on_a_clean_run(tmp_path: Path) -> None:
    done = run("segment", "-q", str(SEEDS), "-o", "units.jsonl", "--workers", "2", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert (tmp_path / "units.jsonl").stat().st_size > 0


def test_quiet_keeps_one_line_per_error_and_datatrove_logs_go_to_the_work_folder(tmp_path: Path) -> None:
    (tmp_path / "bad.txt").write_bytes(b"\xff\xfe\x00broken")
    done = run("segment", "-q", str(SEEDS), "bad.txt", "-o", "units.jsonl", "--work-dir", "work", cwd=tmp_path)
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr == "error bad.txt: binary content (NUL bytes), not a text page\n"
    log = (tmp_path / "work" / "pipeline.log").read_text(encoding="utf-8")
    assert "Launching pipeline for rank=0" in log and "Stats" in log


def test_verbose_lets_datatrove_logs_through(tmp_path: Path) -> None:
    done = run("segment", "--verbose", str(SEEDS / "000_1276ca6894bdea22.txt"), "-o", "units.jsonl", "--workers", "1", cwd=tmp_path)
    assert done.returncode == 0 and "Launching pipeline for rank=0" in done.stderr


def test_quiet_build_prints_nothing_on_a_clean_run(tmp_path: Path) -> None:
    recipe = {"name": "quiet", "inputs": [str(SEEDS)], "formats": ["jsonl"], "output": "out"}
    (tmp_path / "recipe.yaml").write_text(json.dumps(recipe), encoding="utf-8")  # JSON is YAML
    done = run("build", "recipe.yaml", "-q", "--workers", "1", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")
    assert (tmp_path / "out" / "manifest.json").is_file()


def test_the_summary_counts_each_kind_of_line_set_aside_as_metadata(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("\n".join([
        "الحكومة تقر الموازنة الجديدة",
        "القاهرة - أحمد الريدي",
        "ركاب ينتظرون القطار على الرصيف (د.ب.أ)",
        "القاهرة (رويترز) - أقرت الحكومة الموازنة الجديدة اليوم بعد نقاش طويل.",
        "وقال الوزير إن الموازنة تزيد الإنفاق على التعليم والصحة.",
        "// انتهى //",
    ]) + "\n", encoding="utf-8")
    out = tmp_path / "units.jsonl"
    result = CliRunner().invoke(main, ["segment", str(page), "-o", str(out)])
    assert result.exit_code == 0, result.output
    (article,) = [r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines()) if r["level"] == "article"]
    assert (len(article["boilerplate"]), len(article["captions"]), article["byline"]["text"], article["dateline"]["text"]) == (
        1, 1, "القاهرة - أحمد الريدي", "القاهرة (رويترز)")
    assert "kept as article metadata: 1 boilerplate lines, 1 captions, 1 bylines, 1 datelines" in " ".join(result.output.split())
