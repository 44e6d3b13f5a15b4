"""Hypothesis-generated Label Studio exports for `curation import`: well-formed tasks whose
annotations mix valid regions (some stored twice) with regions of any JSON shape, and tasks, results
and values that are any JSON at all. Whatever the export, the import never raises, every problem is
one line, and every valid region of an annotation is kept (once), whatever its siblings hold."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curation.imports import import_corpus
from curation.studio.store import read_annotations

from ..imports.conftest import entity_schema
from .conftest import tried

FUZZ = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])

TEXT = "زار الرئيس ماكرون الجزائر ثم التقى وفد الأمم المتحدة في وهران ."
# Each word has one label, so two valid regions on a word are the same region stored twice (two
# labels on one word would be an overlap the schema refuses: the annotator's conflict, not the reader's).
ENTITIES = {"ماكرون": "PER", "الجزائر": "GPE", "الأمم": "ORG", "المتحدة": "ORG", "وهران": "GPE"}
WORDS = {(TEXT.index(word), TEXT.index(word) + len(word)): label for word, label in ENTITIES.items()}

json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.text(max_size=12) | st.integers(min_value=-5, max_value=80),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=12,
)


@st.composite
def valid_regions(draw: st.DrawFn) -> dict[str, Any]:
    start, end = draw(st.sampled_from(sorted(WORDS)))
    value = {"start": start, "end": end, "text": TEXT[start:end], "labels": [WORDS[(start, end)]]}
    return {"id": draw(st.text(max_size=4)), "type": "labels", "from_name": "entity", "to_name": "text", "value": value}


@st.composite
def hostile_regions(draw: st.DrawFn) -> Any:
    """A region with one part replaced by any JSON value, or any JSON value in its place."""
    region = draw(valid_regions())
    choice = draw(st.sampled_from(["region", "value", "start", "end", "labels", "type", "text"]))
    replacement = draw(json_values)
    if choice == "region":
        return replacement
    if choice in ("value", "type"):
        region[choice] = replacement
    else:
        region["value"][choice] = replacement
    return region


@st.composite
def annotations(draw: st.DrawFn, annotation_id: int) -> dict[str, Any]:
    regions = draw(st.lists(st.one_of(valid_regions(), hostile_regions()), max_size=6))
    entry: dict[str, Any] = {"id": annotation_id, "completed_by": draw(st.one_of(st.integers(1, 3), json_values)),
                             "result": regions}
    for key in ("lead_time", "was_cancelled", "created_at", "ground_truth"):
        if draw(st.booleans()):
            entry[key] = draw(json_values)
    return entry


@st.composite
def tasks(draw: st.DrawFn, task_id: int) -> Any:
    if draw(st.integers(0, 5)) == 0:
        return draw(json_values)  # a task of any shape
    count = draw(st.integers(0, 3))
    task: dict[str, Any] = {"id": task_id, "data": {"text": TEXT},
                            "annotations": [draw(annotations(task_id * 10 + n)) for n in range(count)]}
    if draw(st.integers(0, 4)) == 0:
        task[draw(st.sampled_from(["data", "annotations", "predictions"]))] = draw(json_values)
    return task


exports = st.integers(1, 4).flatmap(lambda n: st.tuples(*(tasks(i) for i in range(1, n + 1)))).map(list)


def _expected(export: list[Any]) -> dict[str, set[tuple[int, int, str]]]:
    """Per Label Studio annotation id, the distinct valid spans of a well-formed task's annotation."""
    found: dict[str, set[tuple[int, int, str]]] = {}
    for task in export:
        if not (isinstance(task, dict) and task.get("data") == {"text": TEXT} and isinstance(task.get("annotations"), list)):
            continue
        for entry in task["annotations"]:
            if not isinstance(entry, dict) or entry.get("was_cancelled") is True or "id" not in entry:
                continue  # an annotation of any shape (the task's list replaced) promises nothing
            if not isinstance(entry.get("result"), list):
                continue
            spans = found.setdefault(str(entry["id"]), set())
            for region in entry["result"]:
                value = region.get("value") if isinstance(region, dict) else None
                if not isinstance(value, dict) or region.get("type") != "labels":
                    continue
                place = (value.get("start"), value.get("end"))
                if (all(type(offset) is int for offset in place) and place in WORDS
                        and value.get("labels") == [WORDS[place]]
                        and value.get("text", TEXT[place[0] : place[1]]) == TEXT[place[0] : place[1]]):
                    spans.add((*place, WORDS[place]))
    return found


@FUZZ
@given(exports)
def test_a_label_studio_export_of_any_shape_imports_its_valid_regions_and_reports_the_rest(export: list[Any]) -> None:
    tried("fuzz: Label Studio export import")
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        path = work / "export.json"
        path.write_text(json.dumps(export, ensure_ascii=False), encoding="utf-8")
        report = import_corpus([path], entity_schema(work), work / "ls", source="ls")
        assert all("\n" not in str(problem) for problem in report.problems)
        stored = read_annotations(work / "ls.annotations.jsonl") if (work / "ls.annotations.jsonl").exists() else []
    kept: dict[str, set[tuple[int, int, str]]] = {}
    for annotation in stored:
        if not annotation.cancelled:
            kept.setdefault(annotation.annotation_id, set()).update((s.start, s.end, s.label) for s in annotation.spans)
    expected = {spans for spans in map(frozenset, _expected(export).values()) if spans}
    assert expected <= {frozenset(spans) for spans in kept.values()}
