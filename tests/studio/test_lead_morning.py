"""A lead's morning, end to end, as issue 25 closes on: a fresh workspace on a slice of ANT, `curation
status` and `curation report` before any work, a reproducible sample of body sentences pushed, two
real annotator accounts answering through Label Studio's queue in headless Chromium, `curation pull`,
then `status` and the report page (rendered in Chromium) showing the day's work per annotator and
the agreement. Every command is the installed `curation`, run in the workspace folder as a lead
types it; figures are read from `--json` and from the rendered page."""

from __future__ import annotations

import datetime
import gzip
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from curation.charts import shown_seconds
from curation.studio.server import StudioServer
from curation.unitfile import iter_unit_records

from .test_team_browser import shown_text

ANT = Path(__file__).resolve().parents[2] / "../shared/corpora/ant-v2.1.jsonl.gz"  # beside the checkout
PAGES = 8  # ANT articles in the workspace: 8 titles' worth of titles and bylines the push must leave out
SAMPLE, SEED = 4, 25
CURATION = Path(sys.executable).with_name("curation")


def curation(workspace: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """One `curation` command typed in the workspace folder (the server's key in the environment)."""
    done = subprocess.run([str(CURATION), *args], cwd=workspace, capture_output=True, text=True, timeout=300,
                          env=dict(os.environ, COLUMNS="200"))  # fmt: skip
    assert (done.returncode == 0) == ok, f"curation {' '.join(args)}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def answer(workspace: Path, *args: str) -> dict[str, Any]:
    """A command's `--json` answer."""
    return json.loads(curation(workspace, *args, "--json").stdout)


@pytest.fixture
def workspace(tmp_path: Path, studio_server: StudioServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """`curation init` on the first ANT articles, pointed at this test process's Label Studio."""
    for name in ("CURATION_WORKSPACE", "CURATION_SCHEMA", "CURATION_DATA_DIR", "LABEL_STUDIO_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", studio_server.api_key)
    curation(tmp_path, "init", "morning", "--target", "السياسة الأمريكية")
    folder = tmp_path / "morning"
    settings = folder / "curation.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("url: null", f"url: {studio_server.url}"), encoding="utf-8")
    with gzip.open(ANT, "rt", encoding="utf-8") as corpus:
        (folder / "pages" / "ant.jsonl").write_text("".join(itertools.islice(corpus, PAGES)), encoding="utf-8")
    return folder


def work_through_queue(browser: Browser, server: StudioServer, project_id: int, email: str, password: str,
                       stance_of: dict[str, str]) -> list[str]:
    """An annotator logs in, clicks "Label All Tasks" and answers every task the queue serves with
    the stance hotkey ``stance_of`` gives its text; returns the texts answered, in order."""
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(90_000)
    try:
        page.goto(f"{server.url}/user/login")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.goto(f"{server.url}/projects/{project_id}/data")
        page.get_by_text("Label All Tasks", exact=True).click()
        answered: list[str] = []
        while (text := shown_text(page)) is not None:
            if answered and text == answered[-1]:  # the submitted task is still on screen
                page.wait_for_timeout(300)
                continue
            [sentence] = [s for s in stance_of if s in text]
            page.keyboard.press(stance_of[sentence])
            page.get_by_test_id("bottombar-submit-button").click()
            answered.append(text)
            assert len(answered) <= SAMPLE, "the queue serves more tasks than were pushed"
        return answered
    finally:
        context.close()


def rendered(page: Page, selector: str) -> str:
    return page.locator(selector).inner_text()


# The texts of a chart's axis whose box lies wholly inside the chart as drawn.
WHOLE_TEXTS_JS = """(svg) => {
  const frame = svg.getBoundingClientRect();
  return [...svg.querySelectorAll('text')].filter(t => {
    const box = t.getBoundingClientRect();
    return box.left >= frame.left - 0.5 && box.right <= frame.right + 0.5;
  }).map(t => t.textContent);
}"""


def whole_dates(page: Page, chart: str) -> list[str]:
    """The dates under ``chart`` that a reader sees whole."""
    return [text for text in page.locator(chart).evaluate(WHOLE_TEXTS_JS) if text[:2] == "20"]


def test_a_leads_morning_from_a_fresh_workspace(browser: Browser, studio_server: StudioServer, workspace: Path) -> None:
    # Before anything: status and report name what to do next, and the report has no progress yet.
    curation(workspace, "segment", "-q")
    before = answer(workspace, "status")
    assert before["counts"] == {"documents": PAGES, "articles": PAGES, "sentences": before["counts"]["sentences"]}
    assert any("curation dedup" in item for item in before["actions"])
    assert any("no annotations yet" in item and "curation push" in item for item in before["actions"])
    assert before["progress"] == [] and before["annotators"] == []
    assert answer(workspace, "report")["annotations"] == 0

    # The team: two annotators, both answering every task.
    passwords = {}
    for email in ("amal@morning.example", "badr@morning.example"):
        added = curation(workspace, "studio", "users", "add", email)
        [passwords[email]] = [line.split(": ", 1)[1] for line in added.stdout.splitlines() if line.startswith("password: ")]
    curation(workspace, "studio", "overlap", "2", "--level", "sentence")

    # A sample of body sentences: no title, no byline.
    pushed = answer(workspace, "push", "--level", "sentence", "--sample", str(SAMPLE), "--seed", str(SEED))
    sentences = list(iter_unit_records(workspace / "data" / "units.jsonl", "sentence"))
    body = [s for s in sentences if s["role"] == "body"]
    assert pushed["created"] == SAMPLE and pushed["not_selected"] == len(sentences) - SAMPLE
    tasks = studio_server.client().tasks.list(project=pushed["project"]["id"], fields="all")
    texts = sorted(task.data["text"] for task in tasks)
    assert len(texts) == SAMPLE and set(texts) <= {s["text"] for s in body}

    # The annotators work in the real UI: amal says neutral to every sentence, badr against to one of them.
    stance = {"favor": "z", "against": "x", "neutral": "c"}
    disputed = texts[0]
    answered = {
        "amal@morning.example": work_through_queue(browser, studio_server, pushed["project"]["id"], "amal@morning.example",
                                                   passwords["amal@morning.example"], dict.fromkeys(texts, stance["neutral"])),
        "badr@morning.example": work_through_queue(browser, studio_server, pushed["project"]["id"], "badr@morning.example",
                                                   passwords["badr@morning.example"],
                                                   {t: stance["against" if t == disputed else "neutral"] for t in texts}),
    }  # fmt: skip
    assert {email: len(done) for email, done in answered.items()} == dict.fromkeys(answered, SAMPLE)

    pulled = answer(workspace, "pull")
    assert pulled["ok"], pulled

    # status is asked again: the new answers, not the morning's kept answer; each annotator under
    # their pseudonym (status, its cache and the page are on disk), `users list` tells who is who
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    after = answer(workspace, "status")
    named = {member["pseudonym"]: member["email"] for member in answer(workspace, "studio", "users", "list")["members"]}
    answered = {next(p for p, e in named.items() if e == email): done for email, done in answered.items()}
    assert after["cached"] is False
    [sentence_progress] = [row for row in after["progress"] if row["level"] == "sentence"]
    assert (sentence_progress["queue"], sentence_progress["done"], sentence_progress["left"]) == (SAMPLE, SAMPLE, 0)
    assert {row["annotator"]: row["done"]["sentence"] for row in after["annotators"]} == dict.fromkeys(answered, SAMPLE)
    assert {row["annotator"]: row["last_day"] for row in after["annotators"]} == dict.fromkeys(answered, today)
    assert all(row["seconds_per_task"] is not None for row in after["annotators"])  # Label Studio's lead time

    report = answer(workspace, "report")
    assert report["annotations"] == 2 * SAMPLE
    assert answer(workspace, "status")["cached"] is True  # the report left its answer for status
    shown = curation(workspace, "status").stderr  # what a lead reads (tables go to stderr, stdout stays for --json)
    [sentence_row] = [line.strip("│ ").split("│") for line in shown.splitlines() if line.startswith("│ sentence")]
    assert [cell.strip() for cell in sentence_row][-1] == "done"  # as the page says, not today's date as a forecast
    seconds = {row["annotator"]: shown_seconds(row["seconds_per_task"]) for row in after["annotators"]}

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.goto((workspace / "data" / "report.html").as_uri())
        assert page.title() == "Report: morning"  # the workspace's name, not units.jsonl
        assert rendered(page, "#done-sentence") == str(SAMPLE) and rendered(page, "#left-sentence") == "0"
        assert rendered(page, "#queue-sentence") == str(SAMPLE)
        per_day = rendered(page, "#per-day")
        assert today in per_day and all(pseudonym in per_day for pseudonym in answered) and "@" not in per_day
        assert whole_dates(page, "#per-day svg") == [today]  # the one day's date, once and not cut off
        annotators = page.locator("#annotators tbody tr").all_inner_texts()
        assert len(annotators) == 2
        for pseudonym in answered:
            [row] = [r for r in annotators if pseudonym in r]
            assert today in row and f"\t{SAMPLE}\t" in row and f"\t{seconds[pseudonym]} s\t" in row  # Label Studio's lead time
        assert rendered(page, "#disagreements-stance-sentence") == "1"
        shown_disagreement = rendered(page, ".pair")
        assert disputed[:40] in shown_disagreement and "معارض" in shown_disagreement and "محايد" in shown_disagreement
        assert page.get_by_role("heading", name=f"stance · sentence {SAMPLE} units, 2 annotators").count() == 1
        overall = rendered(page, ".overall")
        assert "observed agreement 0.75" in overall, overall
        # the trend from its first day: a point per label (against, neutral) above today's date
        assert whole_dates(page, "figure.trend svg") == [today]
        assert page.locator("figure.trend circle").count() == 2
        assert "معارض" in rendered(page, "figure.trend .legend") and "محايد" in rendered(page, "figure.trend .legend")
        page.screenshot(path=workspace / "morning-report.png", full_page=True)  # kept with the test's workspace, not in /tmp
    finally:
        page.close()
