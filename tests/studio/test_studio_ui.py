"""The bridge against the real Label Studio web UI (headless Debian Chromium): an annotator selects
names with the mouse after emoji, diacritics, tatweel and bidi marks; what the UI stores comes
back through `pull` with exact code-point offsets. Predictions sent by the bridge are drawn on
exactly the predicted characters. No offset here is computed and posted by the test: the UI
makes every annotation, and the DOM is read for every prediction.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from curation.schema import Schema
from curation.studio.accounts import add_annotator
from curation.studio.predictions import send_predictions
from curation.studio.pull import pull_annotations
from curation.studio.push import TaskMap, push_units
from curation.studio.server import StudioServer
from curation.studio.store import AnnotationStore
from curation.studio.tasks import Prediction
from curation.unitfile import write_unit_records
from curation.units import Document, EntitySpan, Provenance, Sentence, sha256_hex
from tests.schema.test_studio_browser import UI_TIMEOUT_MS, select_in_text

from .conftest import named_schema, unit_records

FLAG, FAMILY, THUMB = "🇲🇱", "👨\u200d👩\u200d👧\u200d👦", "👍🏽"
# sentence -> the (surface, label) pairs an annotator marks in it, in the order marked
CASES: dict[str, list[tuple[str, str]]] = {
    f"{FLAG} زار الوزير باماكو أمس.": [("باماكو", "GPE")],
    f"{FAMILY} عائلة من تمبكتو وصلت.": [("تمبكتو", "GPE")],
    f"{THUMB} رحّب سكان غاو بالقرار.": [("غاو", "GPE")],
    "قَالَ الرَّئِيسُ المَالِيُّ إنّ كيدال آمنة.": [("الرَّئِيسُ", "PER"), ("كيدال", "GPE")],
    "أعلنـــت الحكومة في موبتي خطتها.": [("موبتي", "GPE")],
    "\u200eقال \u200fالوزير \u061cإن واشنطن ستساعد.": [("واشنطن", "GPE")],
}
# Every highlighted piece of text in Label Studio's text object, grouped by region.
HIGHLIGHTS_JS = """() => {
  const regions = new Map();
  for (const span of document.querySelectorAll('.lsf-htx-richtext .htx-highlight')) {
    const region = [...span.classList].find(c => c.startsWith('htx-highlight-'));
    regions.set(region, (regions.get(region) || '') + span.textContent);
  }
  return [...regions.values()];
}"""


def units_file(folder: Path, sentences: list[str]) -> Path:
    text = "\n".join(sentences)
    doc = Document(Document.make_id(text, "ui.txt"), text, Provenance("ui.txt", None, sha256_hex(text)))
    records, start = [doc.to_record()], 0
    for index, sentence in enumerate(sentences):
        end = start + len(sentence)
        records.append(Sentence(Sentence.make_id(doc.id, start, end), doc.id, "a-none", start, end, sentence, "body", index).to_record())
        start = end + 1
    path = folder / "ui-units.jsonl"
    write_unit_records(path, records)
    return path


@pytest.fixture(scope="module")
def annotator(studio_server: StudioServer) -> tuple[str, str]:
    email, password = "ui-annotator@curation.local", "ui-Annotator-Secret-1"
    add_annotator(studio_server.client(), studio_server.url, email, password)
    return email, password


@pytest.fixture(scope="module")
def page(studio_server: StudioServer, module_browser: Browser, annotator: tuple[str, str]) -> Iterator[Page]:
    """A page of its own (own cookies) logged in as the annotator, through the login form."""
    page = module_browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(UI_TIMEOUT_MS)
    page.goto(f"{studio_server.url}/user/login")
    page.fill("input[name=email]", annotator[0])
    page.fill("input[name=password]", annotator[1])
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    yield page
    page.close()


def open_task(server: StudioServer, page: Page, project_id: int, task_id: int) -> None:
    page.goto(f"{server.url}/projects/{project_id}/data?task={task_id}")
    page.locator(".lsf-htx-richtext").first.wait_for()
    page.wait_for_load_state("networkidle")


def wait_for_annotation(server: StudioServer, task_id: int) -> list[dict]:
    for _ in range(120):
        annotations = server.client().annotations.list(id=task_id)
        if annotations:
            return annotations[0].result
        time.sleep(0.5)
    raise AssertionError(f"no annotation stored for task {task_id}")


def test_mouse_selections_after_emoji_diacritics_tatweel_and_marks_pull_back_exactly(
    studio_server: StudioServer, page: Page, annotator: tuple[str, str], tmp_path: Path
) -> None:
    schema: Schema = named_schema(tmp_path, "ui_select")
    units = units_file(tmp_path, list(CASES))
    pushed = push_units(studio_server.client(), studio_server.url, units, "sentence", schema, state_dir=tmp_path)
    task_of = TaskMap(pushed.project.folder).ids
    unit_of = {r["text"]: r["id"] for r in unit_records(units, "sentence")}
    entity, stance = schema.family("entity"), schema.family("stance")
    stored_by_ui = {}
    for sentence, marks in CASES.items():
        task_id = task_of[unit_of[sentence]]
        open_task(studio_server, page, pushed.project.id, task_id)
        for surface, label in marks:
            page.keyboard.press(entity.label(label).hotkey)
            select_in_text(page, surface)
        page.keyboard.press(stance.label("unrelated").hotkey)
        page.get_by_role("button", name="Submit").click()
        stored_by_ui[sentence] = wait_for_annotation(studio_server, task_id)

    for sentence, marks in CASES.items():  # what the 1.23 UI stores: code points, and the text shown
        regions = sorted((r["value"] for r in stored_by_ui[sentence] if r["type"] == "labels"), key=lambda v: v["start"])
        expected = sorted((sentence.index(s), sentence.index(s) + len(s), s) for s, _ in marks)
        assert [(v["start"], v["end"], v["text"]) for v in regions] == expected, sentence

    store = tmp_path / "ui-store.jsonl"
    report = pull_annotations(studio_server.client(), studio_server.url, schema, "sentence", store_path=store, state_dir=tmp_path)
    assert (report.new, report.rejected, report.regions_set_aside) == (len(CASES), 0, 0)
    by_unit = {a.unit_id: a for a in AnnotationStore(store).annotations()}
    for sentence, marks in CASES.items():
        annotation = by_unit[unit_of[sentence]]
        assert annotation.annotator == annotator[0]
        expected_spans = sorted(
            (EntitySpan(sentence.index(s), sentence.index(s) + len(s), label, s) for s, label in marks),
            key=lambda span: (span.start, span.end, span.label),
        )
        assert list(annotation.spans) == expected_spans, sentence
        assert all(sentence[span.start : span.end] == span.text for span in annotation.spans)
    assert AnnotationStore(store).rejections().regions == 0


def highlighted(server: StudioServer, page: Page, project_id: int, task_id: int) -> list[str]:
    open_task(server, page, project_id, task_id)
    page.locator(".lsf-htx-richtext .htx-highlight").first.wait_for()
    return sorted(page.evaluate(HIGHLIGHTS_JS))


def test_predictions_are_drawn_on_exactly_the_predicted_characters(
    studio_server: StudioServer, page: Page, tmp_path: Path
) -> None:
    """Half the sentences get predictions with their new tasks, the other half on tasks pushed
    before (added, then replaced by a second model run of the same version)."""
    schema = named_schema(tmp_path, "ui_predict")
    sentences = list(CASES)
    units = units_file(tmp_path, sentences)
    unit_of = {r["text"]: r["id"] for r in unit_records(units, "sentence")}

    def prediction(sentence: str, version: str = "m1", marks: list[tuple[str, str]] | None = None) -> Prediction:
        spans = tuple(EntitySpan(sentence.index(s), sentence.index(s) + len(s), label, s) for s, label in marks or CASES[sentence])
        return Prediction(unit_of[sentence], {}, spans, version)

    inline, later = sentences[::2], sentences[1::2]
    predictions = tmp_path / "predictions.jsonl"
    predictions.write_text("".join(json.dumps({"unit_id": p.unit_id, "model_version": p.model_version,
                                               "spans": [s.to_dict() for s in p.spans]}, ensure_ascii=False) + "\n"
                                   for p in map(prediction, inline)), encoding="utf-8")
    client = studio_server.client()
    first = push_units(client, studio_server.url, units, "sentence", schema, state_dir=tmp_path, predictions_path=predictions)
    assert (first.created, first.predictions, first.problems) == (len(sentences), len(inline), [])
    # A first model run on the other tasks marks the wrong words; the second replaces it.
    wrong = [prediction(s, marks=[(s.split()[-1], "ORG")]) for s in later]
    assert send_predictions(client, studio_server.url, schema, "sentence", wrong, state_dir=tmp_path).predictions == len(later)
    again = send_predictions(client, studio_server.url, schema, "sentence", map(prediction, later), state_dir=tmp_path, replace=True)
    assert (again.predictions, again.predictions_replaced, again.problems) == (len(later), len(later), [])

    task_of = TaskMap(first.project.folder).ids
    for sentence in sentences:
        shown = highlighted(studio_server, page, first.project.id, task_of[unit_of[sentence]])
        assert shown == sorted(surface for surface, _ in CASES[sentence]), sentence
