"""The generated configs in the real Label Studio UI (headless Debian Chromium): annotators see
Arabic names right to left, and what they click or select is stored as the schema's values.

Also the evidence for ``granularity: symbol``: the same mouse selection of «واشنطن» inside
«لواشنطن» stores just the name with character granularity, and the name with its attached
preposition with word granularity.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page

from curation.schema import Schema, load_schema
from curation.units import Annotation, EntitySpan

UI_TIMEOUT_MS = 90_000
# Bounding box of the first occurrence of a string inside Label Studio's text object.
RANGE_JS = """(needle) => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode())) {
    if (!node.parentElement.closest('.lsf-htx-richtext')) continue;
    const at = node.textContent.indexOf(needle);
    if (at < 0) continue;
    const range = document.createRange();
    range.setStart(node, at);
    range.setEnd(node, at + needle.length);
    const box = range.getBoundingClientRect();
    return [box.left, box.right, (box.top + box.bottom) / 2];
  }
  return null;
}"""


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema()


@pytest.fixture(scope="module")
def page(studio_server, module_browser: Browser) -> Iterator[Page]:
    """A page of its own (own cookies) logged in to the test server as its admin."""
    page = module_browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(UI_TIMEOUT_MS)
    page.goto(f"{studio_server.url}/user/login")
    page.fill("input[name=email]", studio_server.username)
    page.fill("input[name=password]", studio_server.password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    yield page
    page.close()


def open_task(studio_server, page: Page, xml: str, data: dict) -> tuple[int, int]:
    """A new project with ``xml`` and one task, opened in the labeling view."""
    client = studio_server.client()
    project = client.projects.create(title="schema in the browser", label_config=xml)
    client.projects.import_tasks(id=project.id, request=[data])
    (task,) = list(client.tasks.list(project=project.id))
    page.goto(f"{studio_server.url}/projects/{project.id}/data?task={task.id}")
    page.locator(".lsf-htx-richtext").first.wait_for()
    page.wait_for_load_state("networkidle")
    return project.id, task.id


def submit_and_read(studio_server, page: Page, task_id: int) -> list[dict]:
    page.get_by_role("button", name="Submit").click()
    client = studio_server.client()
    for _ in range(60):
        annotations = client.annotations.list(id=task_id)
        if annotations:
            (annotation,) = annotations
            return annotation.result
        time.sleep(0.5)
    raise AssertionError(f"no annotation stored for task {task_id}")


def select_in_text(page: Page, needle: str) -> None:
    """Drag the mouse over ``needle`` from its first (rightmost) to its last letter, as a person would."""
    box = page.evaluate(RANGE_JS, needle)
    assert box is not None, f"{needle!r} not shown in the text object"
    left, right, middle = box
    page.mouse.move(right - 1, middle)
    page.mouse.down()
    page.mouse.move(left + 1, middle, steps=8)
    page.mouse.up()


def test_article_ui_is_arabic_rtl_and_stores_schema_values(studio_server, page: Page, schema: Schema) -> None:
    data = {
        "text": "أجرى نائب وزير الخارجية الأمريكي اتصالًا هاتفيًا مع وزير الخارجية المالي.",
        "title": "اتصال أمريكي مالي يثير تساؤلات",
        "target": schema.default_target("article"),
        "unit_id": "a1",
        "doc_id": "d1",
    }
    project_id, task_id = open_task(studio_server, page, schema.label_config("article"), data)
    try:
        title = page.get_by_text(data["title"], exact=True)
        assert title.evaluate("element => getComputedStyle(element).direction") == "rtl"
        assert page.get_by_text(data["target"], exact=True).is_visible()
        for family in schema.families("article"):
            for label in family.labels:
                assert page.get_by_text(label.ar, exact=True).first.is_visible(), label
        page.get_by_text("أمن ونزاعات", exact=True).click()
        page.get_by_text("دبلوماسية وعلاقات دولية", exact=True).click()
        page.keyboard.press(schema.family("stance").label("neutral").hotkey)
        result = submit_and_read(studio_server, page, task_id)
        chosen = {region["from_name"]: region["value"]["choices"] for region in result}
        assert chosen == {"topic": ["security", "diplomacy"], "stance": ["neutral"]}
        pulled = Annotation("a1", "article", "admin", "1", {name: tuple(v) for name, v in chosen.items()})
        assert schema.validate(pulled, data["text"]) == []
    finally:
        studio_server.client().projects.delete(id=project_id)


@pytest.mark.parametrize(("granularity", "stored"), [("symbol", "واشنطن"), ("word", "لواشنطن")])
def test_character_granularity_keeps_attached_prepositions_out_of_names(
    studio_server, page: Page, schema: Schema, granularity: str, stored: str
) -> None:
    sentence = "رحبت باماكو بالتوجه الجديد لواشنطن"
    xml = schema.label_config("sentence")
    assert 'granularity="symbol"' in xml
    xml = xml.replace('granularity="symbol"', f'granularity="{granularity}"')
    data = {"text": sentence, "target": schema.default_target("sentence"), "unit_id": "s1", "doc_id": "d1"}
    project_id, task_id = open_task(studio_server, page, xml, data)
    try:
        page.keyboard.press(schema.family("entity").label("GPE").hotkey)
        select_in_text(page, "واشنطن")
        page.keyboard.press(schema.family("stance").label("unrelated").hotkey)
        result = submit_and_read(studio_server, page, task_id)
        (region,) = [r["value"] for r in result if r["type"] == "labels"]
        assert (region["text"], region["labels"]) == (stored, ["GPE"])
        assert sentence[region["start"] : region["end"]] == stored
        span = EntitySpan(region["start"], region["end"], region["labels"][0], region["text"])
        pulled = Annotation("s1", "sentence", "admin", "1", {"stance": ("unrelated",)}, (span,))
        assert schema.validate(pulled, sentence) == []
    finally:
        studio_server.client().projects.delete(id=project_id)
