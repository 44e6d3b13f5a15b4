"""The Label Studio labeling config: parsed by the SDK's label interface and accepted by a real
Label Studio server, which also shows it rejects a broken config and stores our label values."""

from __future__ import annotations

import html
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from label_studio_sdk.core.api_error import ApiError
from label_studio_sdk.label_interface import LabelInterface

from curation.schema import Schema, load_schema
from curation.units import Annotation, EntitySpan


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema()


def control_labels(xml: str) -> dict[str, list[str]]:
    interface = LabelInterface(xml)
    return {name: list(interface.get_control(name).labels) for name in sorted(interface._control_tags)}


@pytest.mark.parametrize("level", ["article", "sentence"])
def test_config_follows_the_bridge_contract(schema: Schema, level: str) -> None:
    xml = schema.label_config(level)
    root = ET.fromstring(xml)
    assert root.tag == "View" and "direction: rtl" in root.get("style", "")
    (text,) = root.iter("Text")
    assert (text.get("name"), text.get("value")) == ("text", "$text")
    controls = [el for el in root.iter() if el.tag in {"Choices", "Labels"}]
    assert {c.get("name") for c in controls} == {f.name for f in schema.families(level)}
    assert all(c.get("toName") == "text" for c in controls)
    assert control_labels(xml) == {f.name: f.values for f in sorted(schema.families(level), key=lambda f: f.name)}
    header_values = [h.get("value") for h in root.iter("Header")]
    assert "$title" in header_values  # an article's title; a sentence's article's title, read-only
    assert ({"$before", "$after"} <= set(header_values)) == (level == "sentence")  # neighbouring sentences
    assert "$target" in header_values  # stance is asked at both levels


def test_article_choices_reflect_cardinality_and_requirement(schema: Schema) -> None:
    root = ET.fromstring(schema.label_config("article"))
    choices = {c.get("name"): c for c in root.iter("Choices")}
    assert choices["topic"].get("choice") == "multiple"
    assert choices["stance"].get("choice") == "single-radio"
    assert all(c.get("required") == "true" for c in choices.values())
    assert root.find("Text").get("selectionEnabled") == "false"  # nothing to select at article level


def test_sentence_spans_use_character_granularity_and_schema_colours(schema: Schema) -> None:
    root = ET.fromstring(schema.label_config("sentence"))
    assert root.find("Text").get("granularity") == "symbol"
    family = schema.family("entity")
    shown = {el.get("value"): el for el in root.iter("Label")}
    for label in family.labels:
        element = shown[label.value]
        assert (element.get("html"), element.get("background"), element.get("hotkey")) == (
            label.ar,
            label.color,
            label.hotkey,
        )
        assert label.description in element.get("hint") and label.example in element.get("hint")


def test_guidelines_are_in_the_config(schema: Schema) -> None:
    root = ET.fromstring(schema.label_config("sentence"))
    guide = " ".join(h.get("value") for h in root.iter("Header"))
    assert schema.family("entity").guideline in guide
    assert all(label.example in guide for label in schema.family("entity").labels)


def test_text_with_markup_characters_is_escaped(tmp_path: Path) -> None:
    path = tmp_path / "odd.yaml"
    path.write_text(
        textwrap.dedent("""
            name: odd
            version: 1
            labels:
              topic:
                kind: choice
                levels: [article]
                guideline: 'قارن "أ" & <ب>'
                values:
                  - {value: a, ar: '<b>أ & ب</b>', description: 'x < y & "z"', example: "مثال '1'", hotkey: "1", color: "#000000"}
            """),
        encoding="utf-8",
    )
    xml = load_schema(path).label_config("article")
    (choice,) = ET.fromstring(xml).iter("Choice")
    assert choice.get("html") == html.escape("<b>أ & ب</b>")  # shown as text, not as bold HTML
    assert choice.get("hint") == "x < y & \"z\" مثال: مثال '1'"
    assert "<b>" not in xml
    LabelInterface(xml).validate()


def test_a_level_without_questions_is_an_error(schema: Schema) -> None:
    with pytest.raises(ValueError, match="asks nothing at 'document' level"):
        schema.label_config("document")


@pytest.mark.parametrize("level", ["article", "sentence"])
def test_real_label_studio_accepts_the_config(studio_server, schema: Schema, level: str) -> None:
    client = studio_server.client()
    project = client.projects.create(
        title=f"schema {schema.name} v{schema.version} {level}", label_config=schema.label_config(level)
    )
    try:
        stored = client.projects.get(id=project.id)
        parsed = stored.parsed_label_config
        for family in schema.families(level):
            assert parsed[family.name]["to_name"] == ["text"]
            assert parsed[family.name]["labels"] == family.values  # values, not the Arabic display names
    finally:
        client.projects.delete(id=project.id)


def test_real_label_studio_rejects_a_broken_config(studio_server, schema: Schema) -> None:
    broken = schema.label_config("sentence").replace('name="text"', 'name="body"')
    with pytest.raises(ApiError) as rejected:
        studio_server.client().projects.create(title="broken", label_config=broken)
    assert rejected.value.status_code == 400
    assert "text" in str(rejected.value.body)


def test_real_label_studio_stores_an_annotation_in_schema_values(studio_server, schema: Schema) -> None:
    """An annotation made through the API on our config comes back with the schema's values,
    and what the server stored passes our validator on the task's text."""
    client = studio_server.client()
    project = client.projects.create(title="schema round trip", label_config=schema.label_config("sentence"))
    try:
        sentence = "دعت واشنطن رعاياها لمغادرة مالي"
        client.projects.import_tasks(
            id=project.id, request=[{"text": sentence, "target": "هدف", "unit_id": "s1", "doc_id": "d1"}]
        )
        (task,) = list(client.tasks.list(project=project.id))
        result = [
            {
                "from_name": "entity",
                "to_name": "text",
                "type": "labels",
                "value": {"start": 4, "end": 10, "text": "واشنطن", "labels": ["GPE"]},
            },
            {"from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": ["neutral"]}},
        ]
        client.annotations.create(id=task.id, result=result)
        (annotation,) = client.annotations.list(id=task.id)
        labels = {r["from_name"]: r["value"] for r in annotation.result}
        assert labels["entity"]["labels"] == ["GPE"] and labels["stance"]["choices"] == ["neutral"]
        spans = tuple(
            EntitySpan(r["value"]["start"], r["value"]["end"], r["value"]["labels"][0], r["value"]["text"])
            for r in annotation.result
            if r["type"] == "labels"
        )
        choices = {r["from_name"]: tuple(r["value"]["choices"]) for r in annotation.result if r["type"] == "choices"}
        pulled = Annotation("s1", "sentence", "admin", str(annotation.id), choices, spans)
        assert schema.validate(pulled, sentence) == []
    finally:
        client.projects.delete(id=project.id)
