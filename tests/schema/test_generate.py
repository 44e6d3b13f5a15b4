"""`curation schema new`: a 45-label first draft that loads, keeps tag names exactly, keeps clear of
Label Studio's own keys, and works in the real Label Studio UI (headless Chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Page

from curation.cli import main
from curation.schema import SchemaError, load_schema
from curation.schema.generate import draft_schema
from curation.schema.hotkeys import reserved_by_label_studio
from curation.units import Annotation, EntitySpan

from .test_studio_browser import open_task, page, select_in_text, submit_and_read  # noqa: F401 (page is a fixture)

# A fine-grained tag set in the style of ACE/OntoNotes subtypes: hyphens and underscores both.
LABELS = [f"{kind}-{sub}" for kind in ("GPE", "LOC", "ORG", "FAC", "PER") for sub in
          ("Nation", "State", "Population_Center", "Region", "Water-Body", "Group", "Individual", "Other", "Special")]


def test_45_label_draft_loads_keeps_names_and_avoids_label_studio_keys(tmp_path: Path) -> None:
    assert len(LABELS) == 45
    path = tmp_path / "fine.yaml"
    path.write_text(draft_schema("fine", LABELS), encoding="utf-8")
    family = load_schema(path).span_family()
    assert family is not None and family.values == LABELS
    keys = [label.hotkey for label in family.labels]
    assert len(set(keys)) == 45 and not any(reserved_by_label_studio(k) for k in keys) and "u" not in keys
    assert len({label.color for label in family.labels}) == 45
    assert load_schema(path).bio_names()[1:3] == ["B-GPE-Nation", "I-GPE-Nation"]
    with pytest.raises(SchemaError) as caught:
        load_schema(path, strict=True)
    assert len(caught.value.problems) == 45 * 3 and "missing required key 'ar'" in caught.value.problems[0]


def test_label_studio_keys_are_refused_by_check(tmp_path: Path) -> None:
    text = draft_schema("keys", ["PER", "ORG", "LOC"]).replace("hotkey: '2'", "hotkey: u").replace("hotkey: '3'", "hotkey: ctrl+enter")
    path = tmp_path / "keys.yaml"
    path.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(main, ["schema", "check", str(path)])
    assert result.exit_code == 1
    assert "Label Studio already uses 'u' (unselect region)" in result.output
    assert "Label Studio already uses 'ctrl+enter' (submit annotation)" in result.output


def test_schema_new_from_a_corpus_and_from_a_list(tmp_path: Path) -> None:
    corpus = tmp_path / "c.conll"
    corpus.write_bytes("\ufeffالقاهرة B-Population-Center\r\nو O\r\nالنيل\tB-Water_Body\r\nOO OO\r\n".encode())
    runner = CliRunner()
    result = runner.invoke(main, ["schema", "new", "corp", "--from", str(corpus), "-o", str(tmp_path / "c.yaml")])
    assert result.exit_code == 1 and "c.conll:4: noise tag 'OO' (not a BIO tag; 1 token(s))" in result.output
    assert load_schema(tmp_path / "c.yaml").span_family().values == ["Population-Center", "Water_Body"]
    result = runner.invoke(main, ["schema", "check", "--strict", str(tmp_path / "c.yaml")])
    assert result.exit_code == 1 and "values[0]: missing required key 'ar'" in result.output
    result = runner.invoke(main, ["schema", "new", "corp", "--entities", "A,B", "-o", str(tmp_path / "c.yaml")])
    assert result.exit_code == 1 and "exists" in result.output
    result = runner.invoke(main, ["schema", "new", "corp", "--entities", "A,B--C", "-o", str(tmp_path / "d.yaml")])
    assert result.exit_code == 1 and "'B--C'" in result.output and "Traceback" not in result.output


def test_45_label_draft_works_in_the_real_ui(studio_server, page: Page, tmp_path: Path) -> None:  # noqa: F811
    path = tmp_path / "fine.yaml"
    path.write_text(draft_schema("fine", LABELS), encoding="utf-8")
    schema = load_schema(path)
    family = schema.span_family()
    sentence = "تقع القاهرة على ضفاف النيل"
    project_id, task_id = open_task(studio_server, page, schema.label_config("sentence"), {"text": sentence, "unit_id": "s1"})
    try:
        for name in LABELS:
            assert page.get_by_text(name, exact=True).first.is_visible(), name
        city, river = family.label("GPE-Population_Center"), family.label("PER-Water-Body")
        assert river.hotkey.startswith("shift+")  # the 41st label: a combination key
        page.keyboard.press(city.hotkey)
        select_in_text(page, "القاهرة")
        page.keyboard.press("Shift+" + river.hotkey.removeprefix("shift+"))
        select_in_text(page, "النيل")
        result = submit_and_read(studio_server, page, task_id)
        regions = sorted((r["value"]["text"], r["value"]["labels"][0]) for r in result if r["type"] == "labels")
        assert regions == [("القاهرة", "GPE-Population_Center"), ("النيل", "PER-Water-Body")]
        spans = tuple(EntitySpan(sentence.index(t), sentence.index(t) + len(t), label, t) for t, label in regions)
        assert schema.validate(Annotation("s1", "sentence", "admin", "1", {}, spans), sentence) == []
    finally:
        studio_server.client().projects.delete(id=project_id)
