"""Overlap through the real queue in the real web UI: annotators click "Label All Tasks" in headless
Chromium, answer with the keyboard and submit, as people do. Every task ends with exactly N
annotations from N different people, the extra annotator finds the queue empty, and nobody is
shown another annotator's answer while labelling."""

from __future__ import annotations

import re
import time
from collections import Counter
from pathlib import Path

from playwright.sync_api import Browser, Page

from curation.schema import Schema
from curation.studio.accounts import Account, add_user
from curation.studio.push import push_units
from curation.studio.server import StudioServer
from curation.unitfile import write_unit_records

from .conftest import named_schema, unit_records

PER_TASK = 2
NO_MORE = re.compile(r"no more (tasks|annotations)|all tasks .*(done|completed)|nothing to label", re.I)


def shown_text(page: Page) -> str | None:
    """The task text on screen, or None when the queue says there is nothing left."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if NO_MORE.search(page.locator("body").inner_text()):
            return None
        text = page.locator(".lsf-htx-richtext")
        if text.count() and text.first.is_visible() and page.get_by_test_id("bottombar-submit-button").count():
            return text.first.inner_text()
        page.wait_for_timeout(300)
    raise AssertionError("neither a task nor an empty queue was shown")


def label_all_tasks(page: Page, server: StudioServer, project_id: int, account: Account, schema: Schema,
                    others: list[str]) -> int:
    """One annotator's session through the queue; returns how many tasks they submitted."""
    page.goto(f"{server.url}/user/login")
    page.fill("input[name=email]", account.email)
    page.fill("input[name=password]", account.password or "")
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.goto(f"{server.url}/projects/{project_id}/data")
    page.get_by_text("Label All Tasks", exact=True).click()
    submitted, previous = 0, None
    hotkey = schema.family("stance").label("neutral").hotkey
    while (text := shown_text(page)) is not None:
        if text == previous:  # the submitted task is still on screen: wait for the next one
            page.wait_for_timeout(300)
            continue
        tabs = page.locator(".lsf-annotation-button").all_inner_texts()
        assert not any(name.split("@")[0][:8] in tab for tab in tabs for name in others), tabs
        page.keyboard.press(hotkey)
        page.get_by_test_id("bottombar-submit-button").click()
        submitted, previous = submitted + 1, text
        assert submitted <= 20, "the queue keeps serving tasks"
    return submitted


def test_label_all_tasks_gives_each_task_to_n_different_people(
    studio_server: StudioServer, browser: Browser, seed_units: Path, tmp_path: Path
) -> None:
    schema = named_schema(tmp_path, "team_browser")
    units = tmp_path / "units.jsonl"
    write_unit_records(units, unit_records(seed_units, "sentence")[:3])
    admin = studio_server.client()
    project_id = push_units(admin, studio_server.url, units, "sentence", schema, state_dir=tmp_path,
                            annotators_per_task=PER_TASK).project.id
    team = [add_user(admin, studio_server.url, tmp_path, f"{who}@browser.example") for who in ("hala", "idris", "jana")]

    done = {}
    for account in team:  # one after the other, each in their own browser session
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.set_default_timeout(90_000)
        others = [a.email for a in team if a is not account]
        done[account.email] = label_all_tasks(page, studio_server, project_id, account, schema, others)
        context.close()

    assert done == {"hala@browser.example": 3, "idris@browser.example": 3, "jana@browser.example": 0}
    users = {int(u.id): u.email for u in admin.users.list()}
    per_task = {}
    for task in admin.tasks.list(project=project_id):
        annotators = [users[int(a.completed_by)] for a in admin.annotations.list(id=task.id)]
        per_task[task.id] = Counter(annotators)
    assert len(per_task) == 3
    assert all(len(who) == PER_TASK and set(who.values()) == {1} for who in per_task.values()), per_task
