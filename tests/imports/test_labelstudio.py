"""A Label Studio export imports with what `curation pull` keeps: a region stored twice once (with a
notice), every annotation of an annotator, cancelled ones kept and counted, times and lead times;
an export of the wrong shape is a one-line problem naming the task, annotation and region."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner

from curation.cli import main
from curation.imports import import_corpus
from curation.studio.store import read_annotations

from .conftest import entity_schema

TEXT = "زار الرئيس ماكرون الجزائر."
MACRON = {"start": 11, "end": 17, "text": "ماكرون", "labels": ["PER"]}
ALGERIA = {"start": 18, "end": 25, "text": "الجزائر", "labels": ["GPE"]}


def _region(region_id: str, value: Any, kind: str = "labels") -> dict[str, Any]:
    return {"id": region_id, "type": kind, "from_name": "entity", "to_name": "text", "value": value}


def _import(tmp_path: Path, tasks: list[Any] | str):
    path = tmp_path / "export.json"
    path.write_text(tasks if isinstance(tasks, str) else json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    report = import_corpus([path], entity_schema(tmp_path), tmp_path / "ls", source="ls")
    return report, sorted(read_annotations(tmp_path / "ls.annotations.jsonl"), key=lambda a: a.created_at or "")


def _task(*annotations: dict[str, Any]) -> dict[str, Any]:
    return {"id": 5, "data": {"text": TEXT}, "annotations": list(annotations)}


def test_a_region_stored_twice_is_kept_once_with_a_notice_and_the_annotation_stays(tmp_path: Path) -> None:
    report, [annotation] = _import(tmp_path, [_task(
        {"id": 1, "completed_by": 2, "result": [_region("a", MACRON), _region("b", dict(MACRON)), _region("c", ALGERIA)]})])
    assert report.rejected == 0
    assert [(s.text, s.label) for s in annotation.spans] == [("ماكرون", "PER"), ("الجزائر", "GPE")]
    assert [str(p).split(": ", 1)[1] for p in report.problems] == ["task 5, annotation 1: region b: [11:17] PER is stored twice: kept once"]


def test_every_annotation_of_an_annotator_is_kept_with_its_times_and_cancelled_ones_are_counted(tmp_path: Path) -> None:
    report, annotations = _import(tmp_path, [_task(
        {"id": 1, "completed_by": 2, "created_at": "2026-01-01T10:00:00Z", "lead_time": 12.5, "result": [_region("a", MACRON)]},
        {"id": 2, "completed_by": 2, "created_at": "2026-01-02T10:00:00Z", "updated_at": "2026-01-02T11:00:00Z",
         "lead_time": 30, "result": [_region("a", ALGERIA)]},
        {"id": 3, "completed_by": 2, "created_at": "2026-01-03T10:00:00Z", "was_cancelled": True, "result": []})])
    assert report.problems == [] and report.cancelled == 1 and report.annotations == 3
    first, second, skipped = annotations
    assert {first.annotator, second.annotator, skipped.annotator} == {"ls:2"}
    assert len({first.annotation_id, second.annotation_id, skipped.annotation_id}) == 3  # none overwrites another
    assert [s.text for s in first.spans] == ["ماكرون"] and [s.text for s in second.spans] == ["الجزائر"]
    assert (first.lead_time, second.lead_time, second.updated_at) == (12.5, 30.0, "2026-01-02T11:00:00Z")
    assert skipped.cancelled and not first.cancelled and not second.cancelled


def test_a_deeply_nested_export_is_one_line(tmp_path: Path) -> None:
    nested = "[" * 200_000 + "]" * 200_000
    report, annotations = _import(tmp_path, nested)
    assert annotations == []
    [problem] = report.problems
    assert str(problem).endswith("export.json: not a Label Studio JSON export: nested too deeply to read")


def test_a_deeply_nested_region_is_one_line(tmp_path: Path) -> None:
    deep: Any = "x"
    for _ in range(500):  # within the parser's reach
        deep = [deep]
    report, [annotation] = _import(tmp_path, [_task({"id": 1, "completed_by": 2, "result": [deep, _region("a", MACRON)]})])
    assert [s.text for s in annotation.spans] == ["ماكرون"]
    assert all("\n" not in str(p) for p in report.problems) and len(report.problems) == 1


def test_a_region_that_is_a_string_names_its_task_and_annotation(tmp_path: Path) -> None:
    report, [annotation] = _import(tmp_path, [_task({"id": 1, "completed_by": 2, "result": ["labels", _region("a", MACRON)]})])
    assert [s.text for s in annotation.spans] == ["ماكرون"]
    assert [p.message for p in report.problems] == ["task 5, annotation 1: region 'labels' is a str, not an object: left out"]


def test_an_id_with_a_line_break_stays_on_one_line(tmp_path: Path) -> None:
    report, _ = _import(tmp_path, [_task({"id": "1\n2", "completed_by": 2, "result": [_region("a\nb", None)]})])
    assert [p.message for p in report.problems] == ["task 5, annotation '1\\n2': region 'a\\nb': value is null, not an object: left out"]


def test_wrong_types_in_an_export_are_each_one_line(tmp_path: Path) -> None:
    tasks: list[Any] = [
        _task({"id": 1, "completed_by": 2, "result": [
            _region("v", "ماكرون"),                                            # value a string
            _region("l", {**MACRON, "labels": "PER"}),                        # labels a string
            _region("n", {**MACRON, "labels": [7]}),                          # a label that is a number
            _region("s", {**MACRON, "start": "11"}),                          # an offset that is a string
            _region("f", {**MACRON, "start": 11.5}),                          # a fractional offset
            _region("c", {"choices": {"a": 1}}, kind="choices"),             # choices an object
            _region("a", ALGERIA)]}),
        {"id": 6, "data": ["not", "an", "object"]},
        {"id": 7, "data": {"text": TEXT}, "annotations": {"id": 1}},
        {"id": 8, "data": {"text": TEXT}, "annotations": [None, 3], "predictions": [{"result": "x"}]},
        "a task that is a string",
    ]
    report, annotations = _import(tmp_path, tasks)
    kept = [s.text for a in annotations for s in a.spans]
    assert kept == ["الجزائر"]
    messages = [p.message for p in report.problems]
    assert len(messages) == 12 and all("\n" not in m and "left out" in m for m in messages)
    assert "task 5, annotation 1: region v: value is a str, not an object: left out" in messages
    assert "task 5, annotation 1: region f: start/end 11.5/17 are not integer offsets: left out" in messages
    assert "task 6: no text in data.text: left out" in messages
    assert "task 7: annotations is a dict, not a list: left out" in messages
    assert "task 8, annotation #1: 3 is an int, not an object: left out" in messages
    assert "task 8, prediction None: result is a str, not a list of regions: left out" in messages
    assert "task #4: 'a task that is a string' is a str, not an object: left out" in messages


def test_the_command_reports_a_hostile_export_in_one_line_and_exits_1(tmp_path: Path) -> None:
    schema = entity_schema(tmp_path)
    path = tmp_path / "export.json"
    path.write_text("[" * 100_000, encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(path), "-o", str(tmp_path / "out"), "--schema", str(schema.path)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
