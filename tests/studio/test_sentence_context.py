"""A sentence task shows its article's title and the sentences around it, read-only, in the real
Label Studio web UI (headless Debian chromium), while the sentence itself stays the one text to mark."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser

from curation.schema import load_schema
from curation.studio.push import push_units
from curation.studio.server import StudioServer
from curation.studio.tasks import read_units_to_push, task_data
from curation.unitfile import iter_unit_records, write_unit_records

from .conftest import named_schema, tasks_on_server


def _first_article(seed_units: Path, folder: Path, sentences: int) -> tuple[Path, dict, list[dict]]:
    """A units file holding the first seed document, its first article and that article's first sentences."""
    records = list(iter_unit_records(seed_units))
    article = next(r for r in records if r["level"] == "article" and r.get("title"))
    document = next(r for r in records if r["id"] == article["doc_id"])
    kept = [r for r in records if r["level"] == "sentence" and r["parent"] == article["id"]][:sentences]
    path = folder / "context-units.jsonl"
    write_unit_records(path, [document, article, *kept])
    return path, article, kept


def test_task_data_of_a_sentence_holds_its_title_and_neighbours(seed_units: Path, tmp_path: Path) -> None:
    path, article, sentences = _first_article(seed_units, tmp_path, 3)
    found = read_units_to_push(path, "sentence")
    assert list(found.units) == [s["id"] for s in sentences] and found.problems == []
    first, middle, last = (task_data(found.units[s["id"]], None, found.contexts[s["id"]]) for s in sentences)
    assert middle["title"] == article["title"]
    assert (middle["before"], middle["text"], middle["after"]) == tuple(s["text"] for s in sentences)
    assert first["before"] == "" and last["after"] == ""
    (shown,) = read_units_to_push(path, "article").units.values()
    assert (task_data(shown, None)["title"], task_data(shown, None)["text"]) == (article["title"], article["body"])
    assert load_schema().label_config("sentence").count('<Text name="text" value="$text"') == 1


def test_the_web_ui_shows_the_context_around_the_only_text_to_mark(
    studio_server: StudioServer, browser: Browser, seed_units: Path, tmp_path: Path
) -> None:
    path, article, sentences = _first_article(seed_units, tmp_path, 3)
    schema = named_schema(tmp_path, "sentence_context")
    report = push_units(studio_server.client(), studio_server.url, path, "sentence", schema, state_dir=tmp_path)
    tasks = {t["data"]["unit_id"]: t["id"] for t in tasks_on_server(studio_server, report.project.id)}
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.set_default_timeout(120_000)
        page.goto(f"{studio_server.url}/user/login")
        page.fill("input[name=email]", studio_server.username or "")
        page.fill("input[name=password]", studio_server.password or "")
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.goto(f"{studio_server.url}/projects/{report.project.id}/data?task={tasks[sentences[1]['id']]}")
        marked = page.locator(".lsf-htx-richtext")
        marked.first.wait_for()
        page.wait_for_load_state("networkidle")
        shown = page.inner_text(".lsf-main-view, body")
        assert article["title"] in shown
        assert sentences[0]["text"] in shown and sentences[2]["text"] in shown
        assert marked.count() == 1 and marked.first.inner_text().strip() == sentences[1]["text"]
        page.screenshot(path=tmp_path / "sentence-task.png")
    finally:
        page.close()
