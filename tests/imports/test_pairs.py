"""Pairs import as fields the schema shows: a stance dataset's claim becomes each text's stance target
and its headline the title, carried by the page into the real Label Studio task (``$target``,
``$title``) in place of the schema's default target; a text without a pair keeps the default."""

from __future__ import annotations

import json
from pathlib import Path

import datasets

from curation.imports import import_corpus
from curation.schema import load_schema
from curation.studio.push import TaskMap, push_units
from curation.studio.server import StudioServer
from curation.unitfile import iter_unit_records

STANCE_SCHEMA = """name: pairs
version: 1
description: Stance of a text towards a claim.
labels:
  stance:
    kind: choice
    levels: [article]
    required: true
    title: الموقف من الادعاء
    target: الهدف الافتراضي
    values:
      - {value: agree, ar: يؤيد, description: يؤيد الادعاء., example: نعم., hotkey: z, color: "#2ca02c"}
      - {value: disagree, ar: يعارض, description: يعارض الادعاء., example: لا., hotkey: x, color: "#d62728"}
"""
ROWS = {
    "text": ["نفت الوزارة أن تكون الأسعار قد ارتفعت هذا الشهر.", "أكد البنك المركزي رفع سعر الفائدة."],
    "headline": ["الوزارة تنفي ارتفاع الأسعار", "المركزي يرفع الفائدة"],
    "claim": ["ارتفعت الأسعار في مارس", "رفع البنك المركزي سعر الفائدة"],
    "label": [1, 0],
}


def _stance_dataset(folder: Path) -> Path:
    features = datasets.Features({"text": datasets.Value("string"), "headline": datasets.Value("string"),
                                  "claim": datasets.Value("string"),
                                  "label": datasets.ClassLabel(names=["agree", "disagree"])})
    datasets.Dataset.from_dict(ROWS, features=features).save_to_disk(str(folder))
    return folder


def test_a_claim_and_a_headline_import_as_the_target_and_title_label_studio_shows(studio_server: StudioServer, tmp_path: Path) -> None:
    schema_path = tmp_path / "pairs.yaml"
    schema_path.write_text(STANCE_SCHEMA, encoding="utf-8")
    schema = load_schema(schema_path)
    report = import_corpus([_stance_dataset(tmp_path / "ds")], schema, tmp_path / "pairs", format="hf-text",
                           family="stance", source="corpus", fields={"target": "claim", "title": "headline"})
    assert report.problems == [] and report.annotations == 2 and report.rejected == 0
    pages = [json.loads(line) for line in report.outputs["docs"].read_text(encoding="utf-8").splitlines()]
    assert [page["fields"] for page in pages] == [{"title": h, "target": c} for h, c in zip(ROWS["headline"], ROWS["claim"])]
    assert [a["text"] for a in iter_unit_records(report.outputs["units"], "article")] == ROWS["text"]  # one unit each

    pushed = push_units(studio_server.client(), studio_server.url, report.outputs["units"], "article", schema, state_dir=tmp_path)
    assert pushed.created == 2 and pushed.problems == []
    client = studio_server.client()
    shown = {}
    for task_id in TaskMap(pushed.project.folder).ids.values():
        data = client.tasks.get(task_id).data
        shown[data["text"]] = (data["title"], data["target"])
    assert shown == {t: (h, c) for t, h, c in zip(ROWS["text"], ROWS["headline"], ROWS["claim"])}
    assert "$target" in schema.label_config("article") and "$title" in schema.label_config("article")


def test_a_text_without_a_pair_keeps_the_schemas_default_target(tmp_path: Path) -> None:
    from curation.studio.tasks import read_units_to_push, task_data

    schema_path = tmp_path / "pairs.yaml"
    schema_path.write_text(STANCE_SCHEMA, encoding="utf-8")
    schema = load_schema(schema_path)
    report = import_corpus([_stance_dataset(tmp_path / "ds")], schema, tmp_path / "plain", format="hf-text",
                           family="stance", source="corpus")
    found = read_units_to_push(report.outputs["units"], "article")
    targets = {task_data(u, schema.default_target("article"), None, found.fields_of(u))["target"] for u in found.units.values()}
    assert targets == {"الهدف الافتراضي"}
