"""Loading schema files: the shipped schemas load, and every defect is reported with its line."""

from __future__ import annotations

import io
import textwrap
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from curation.schema import SchemaError, default_schema_path, load_schema

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str, name: str = "x.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return path


def problems_of(path: Path, strict: bool = True) -> list[str]:
    with pytest.raises(SchemaError) as caught:
        load_schema(path, strict=strict)
    return caught.value.problems


def test_default_schema_asks_topic_and_stance_per_article_entities_and_stance_per_sentence() -> None:
    schema = load_schema(default_schema_path())
    assert default_schema_path() == REPO / "schemas" / "news.yaml"
    assert (schema.name, schema.version) == ("news", 2)
    assert [f.name for f in schema.families("article")] == ["topic", "stance"]
    assert [f.name for f in schema.families("sentence")] == ["entity", "stance"]
    topic, entity, stance = schema.family("topic"), schema.family("entity"), schema.family("stance")
    assert (topic.kind, topic.multiple, topic.required) == ("choice", True, True)
    assert (entity.kind, entity.overlap, entity.granularity) == ("span", False, "symbol")
    assert stance.values == ["favor", "against", "neutral", "unrelated"]
    assert stance.target == "التعاون الأمني الأميركي مع الحكومة العسكرية في مالي"
    assert set(entity.values) == {"PER", "ORG", "GPE", "LOC", "FAC", "NORP", "DATE", "EVENT"}
    for family in schema.all_families:
        for label in family.labels:
            assert any("\u0600" <= ch <= "\u06ff" for ch in label.ar), label
            assert any("\u0600" <= ch <= "\u06ff" for ch in label.example), label
            assert label.description and label.hotkey and label.color.startswith("#")


def test_hotkeys_are_unique_within_each_level_of_the_shipped_schemas() -> None:
    for path in (default_schema_path(), REPO / "schemas" / "news-v1.yaml"):
        schema = load_schema(path)
        for level in schema.levels:
            keys = [label.hotkey for family in schema.families(level) for label in family.labels]
            assert len(keys) == len(set(keys)), (path, level)


def test_bio_names_pair_begin_and_inside_tags_per_entity_label() -> None:
    schema = load_schema()
    names = schema.bio_names()
    assert names[:3] == ["O", "B-PER", "I-PER"]
    assert len(names) == 1 + 2 * len(schema.family("entity").labels)


def test_fingerprint_ignores_formatting_but_not_content(tmp_path: Path) -> None:
    original = load_schema()
    yaml = YAML()
    data = yaml.load(default_schema_path().read_text(encoding="utf-8"))
    reformatted = io.StringIO()
    yaml.default_flow_style = True  # same content, entirely different layout, no comments
    yaml.dump(data, reformatted)
    assert load_schema(write(tmp_path, reformatted.getvalue(), "flow.yaml")).fingerprint == original.fingerprint
    data["labels"]["topic"]["values"][0]["ar"] = "السياسة"
    changed = io.StringIO()
    yaml.dump(data, changed)
    assert load_schema(write(tmp_path, changed.getvalue(), "changed.yaml")).fingerprint != original.fingerprint


BROKEN = """
name: news
version: 3
colour: blue
labels:
  topic:
    kind: choice
    levels: [article, paragraph]
    values:
      - {value: politics, ar: سياسة, description: d, example: مثال, hotkey: "1", color: "#000000"}
      - {value: economy, ar: اقتصاد, description: d, example: مثال, hotkey: "2", color: "#000000"}
      - {value: sport, ar: رياضة, description: d, example: مثال, hotkey: "3", color: red}
      - {value: economy, ar: اقتصاد, description: d, example: مثال, hotkey: "4", color: "#000000"}
      - {value: culture, description: d, example: مثال, hotkey: "5", color: "#000000"}
  stance:
    kind: choice
    levels: [article]
    multiple: maybe
    values:
      - {value: favor, ar: مؤيد, description: d, example: مثال, hotkey: "1", color: "#000000"}
  entity:
    kind: span
    levels: [sentence]
    values:
      - {value: O, ar: خارج, description: d, example: مثال, hotkey: "1", color: "#000000"}
  place:
    kind: span
    levels: [sentence]
    values:
      - {value: LOC, ar: مكان, description: d, example: مثال, hotkey: "2", color: "#000000"}
  text:
    kind: tick
    levels: [article]
    values: []
migrations:
  - from: 2
    topic:
      rename: {finance: money}
      retire: [world]
  - from: 7
"""


def test_every_problem_is_reported_with_file_line_and_key_path(tmp_path: Path) -> None:
    path = write(tmp_path, BROKEN)
    problems = problems_of(path)
    expected = [
        f"{path}:3: colour: unknown key",
        f"{path}:7: labels.topic.levels[1]: unknown level 'paragraph'",
        f"{path}:11: labels.topic.values[2].color: must be #rrggbb, got 'red'",
        f"{path}:12: labels.topic.values[3]: duplicate value 'economy'",
        f"{path}:13: labels.topic.values[4]: missing required key 'ar'",
        f"{path}:17: labels.stance.multiple: must be true or false, got 'maybe'",
        f"{path}:19: labels.stance.values[0].hotkey: hotkey '1' already used by topic.politics at article level",
        f'{path}:24: labels.entity.values[0].value: "O" is the outside tag of BIO',
        f"{path}:25: labels.place: only one span family per schema (already 'entity')",
        f"{path}:30: labels.text: 'text' is reserved for Label Studio task data",
        f"{path}:31: labels.text.kind: must be one of choice, span, got 'tick'",
        f"{path}:33: labels.text.values: must list at least one label",
        f"{path}:37: migrations[0].topic.rename.finance: 'finance' migrates to 'money', which is not a topic label of version 3",
        f"{path}:39: migrations[1].from: must be a version below 3, got 7",
    ]
    for start in expected:
        assert any(problem.startswith(start) for problem in problems), (start, problems)
    assert len(problems) == len(expected), problems


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "name: news\nversion: 1\nlabels:\n  topic: [unclosed\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:") and "invalid YAML" in problem


def test_duplicate_yaml_key_is_an_error_with_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "name: news\nversion: 1\nversion: 2\nlabels: {}\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:3") and "invalid YAML" in problem


def test_missing_file_and_non_mapping_are_schema_errors(tmp_path: Path) -> None:
    (missing,) = problems_of(tmp_path / "absent.yaml")
    assert "absent.yaml: cannot read schema" in missing
    (listed,) = problems_of(write(tmp_path, "- just\n- a list\n"))
    assert "must be a mapping" in listed


def test_default_target_is_offered_where_stance_is_asked() -> None:
    schema = load_schema()
    assert schema.default_target("article") == schema.default_target("sentence") == schema.family("stance").target
    assert schema.default_target("document") is None


def test_a_text_holding_a_control_character_is_one_problem_not_a_broken_label_config(tmp_path: Path) -> None:
    """Found by the fuzz test: an ``ar`` name holding U+001F made Label Studio's XML unparsable."""
    text = (REPO / "schemas" / "news.yaml").read_text(encoding="utf-8").replace("ar: سياسة", "ar: \"سياسة\\x1f\"", 1)
    assert "\\x1f" in text
    path = write(tmp_path, text)
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:") and "holds U+001F, a control character Label Studio's XML cannot carry" in problem
