"""The model in the loop on a REAL Label Studio: the trained model's predictions reach the tasks
with their score and version (a newer model's beside, the same model's never twice), and two real
annotators clicking "Label All Tasks" in headless Chromium are served the least sure task first,
overlap still honoured."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from curation.learn.queue import UNCERTAINTY_SAMPLING
from curation.project import Project
from curation.studio.accounts import add_user
from curation.studio.pull import pull_annotations
from curation.studio.push import TaskMap, push_units
from curation.studio.review import AGREED
from curation.studio.server import StudioServer
from curation.studio.store import AnnotationStore
from curation.studio.tasks import read_predictions
from tests.studio.conftest import named_schema, unit_records
from tests.studio.test_bridge import stance
from tests.studio.test_team_browser import shown_text

from .conftest import make_gold, make_topic_gold


def _project(schema_path: Path, server: StudioServer, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", server.api_key)
    return Project.open(None, schema=schema_path, studio_dir=folder, url=server.url)


def test_trained_predictions_reach_tasks_with_score_and_version_and_set_the_queue(
    studio_server: StudioServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = named_schema(tmp_path, "learn_preannotate")
    gold = make_gold(tmp_path / "corpus")
    client = studio_server.client()
    pushed = push_units(client, studio_server.url, gold.units, "article", schema, state_dir=tmp_path)
    project = _project(schema.path, studio_server, tmp_path, monkeypatch)
    version = project.train(gold.stores, units=gold.units, output=tmp_path / "models").report.version

    sent = project.preannotate("article", gold.units, trained=tmp_path / "models" / f"{version}.pkl", output=tmp_path / "pre.jsonl",
                               push=True, existing_only=True)  # fmt: skip
    assert sent.problems == [] and sent.report.sent is not None and sent.report.sent.predictions == pushed.created
    written = {p.unit_id: p for p in read_predictions(tmp_path / "pre.jsonl")}
    task_of = TaskMap(pushed.project.folder).ids
    for unit_id in gold.articles:
        (stored,) = client.predictions.list(task=task_of[unit_id])
        assert stored.model_version == version and stored.score == pytest.approx(written[unit_id].score)
        (region,) = [r for r in stored.result if r["from_name"] == "topic"]
        assert tuple(region["value"]["choices"]) == written[unit_id].choices["topic"]
    settings = client.projects.get(pushed.project.id)
    assert (settings.sampling, settings.model_version) == (UNCERTAINTY_SAMPLING, version)

    again = project.preannotate("article", gold.units, trained=tmp_path / "models" / f"{version}.pkl", push=True, existing_only=True)
    assert again.report.sent is not None and (again.report.sent.predictions, again.report.sent.predictions_unchanged) == (0, pushed.created)
    newer = make_gold(tmp_path / "newer", flipped=2)
    version_2 = project.train(newer.stores, units=newer.units, output=tmp_path / "models").report.version
    project.preannotate("article", gold.units, trained=tmp_path / "models" / f"{version_2}.pkl", push=True,
                        existing_only=True)
    versions = {p.model_version for p in client.predictions.list(task=task_of[next(iter(gold.articles))])}
    assert versions == {version, version_2}  # each version's own predictions; the older ones stay for comparison
    assert client.projects.get(pushed.project.id).model_version == version_2

    # an answer saved while a model's predictions are the project's keeps that model's version in the store
    first, second, third = (task_of[unit_id] for unit_id in list(gold.articles)[:3])
    shown = [p for p in client.predictions.list(task=first) if p.model_version == version_2][0]
    client.annotations.create(first, result=[*shown.result, stance("unrelated")])  # accepted as pre-annotated
    client.projects.update(pushed.project.id, model_version=version)
    older = [p for p in client.predictions.list(task=second) if p.model_version == version][0]
    client.annotations.create(second, result=[*older.result, stance("unrelated")])
    client.projects.update(pushed.project.id, model_version="")  # no model: an answer made by hand
    client.annotations.create(third, result=[*shown.result, stance("unrelated")])
    store = tmp_path / "pulled.jsonl"
    pull_annotations(client, studio_server.url, schema, "article", store_path=store, state_dir=tmp_path)
    pulled = {a.unit_id: a.model_version for a in AnnotationStore(store).annotations([])}
    assert [pulled[unit_id] for unit_id in list(gold.articles)[:3]] == [version_2, version, None]


def test_label_all_tasks_serves_the_least_sure_task_first_to_two_annotators(
    studio_server: StudioServer, browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = named_schema(tmp_path, "learn_queue")
    gold = make_gold(tmp_path / "corpus")
    admin = studio_server.client()
    project_id = push_units(admin, studio_server.url, gold.units, "sentence", schema, state_dir=tmp_path,
                            annotators_per_task=2).project.id  # fmt: skip
    project = _project(schema.path, studio_server, tmp_path, monkeypatch)
    model = project.train(gold.stores, units=gold.units, output=tmp_path / "models").report.model_file
    project.preannotate("sentence", gold.units, trained=model, output=tmp_path / "pre.jsonl", push=True, existing_only=True)
    score_of = {p.unit_id: p.score for p in read_predictions(tmp_path / "pre.jsonl")}
    unit_of = {record["text"]: record["id"] for record in unit_records(gold.units, "sentence")}
    team = [add_user(admin, studio_server.url, tmp_path, f"{who}@queue.example") for who in ("lina", "murad")]
    window = len(admin.users.list()) + 1  # Label Studio picks among the members + 1 least sure, so two people do not collide
    hotkey = schema.family("stance").label("neutral").hotkey

    def session(account, tasks: int) -> list[str]:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.set_default_timeout(90_000)
        page.goto(f"{studio_server.url}/user/login")
        page.fill("input[name=email]", account.email)
        page.fill("input[name=password]", account.password or "")
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.goto(f"{studio_server.url}/projects/{project_id}/data")
        page.get_by_text("Label All Tasks", exact=True).click()
        served: list[str] = []
        while len(served) < tasks and (text := shown_text(page)) is not None:
            if served and unit_of[text] == served[-1]:
                page.wait_for_timeout(300)
                continue
            served.append(unit_of[text])
            page.keyboard.press(hotkey)
            page.get_by_test_id("bottombar-submit-button").click()
        page.wait_for_timeout(1500)  # the last submission reaches the server
        context.close()
        return served

    def among_least_sure(served: list[str], done_before: set[str]) -> None:
        remaining = {unit for unit in score_of if unit not in done_before}
        for unit in served:
            threshold = sorted(score_of[u] for u in remaining)[min(window, len(remaining)) - 1]
            assert score_of[unit] <= threshold, (unit, score_of[unit], threshold)
            remaining.discard(unit)

    lina = session(team[0], 4)
    among_least_sure(lina, set())
    murad = session(team[1], 6)
    assert (len(lina), len(murad)) == (4, 6)
    assert set(murad[:4]) == set(lina)  # overlap first: the tasks lina started are completed before new ones
    among_least_sure(murad[4:], set(lina))
    assert len(set(murad)) == len(murad)  # nobody gets a task twice
    assert window < len(score_of), "more members than tasks: the order check above would say nothing"


def test_label_issues_go_to_the_review_project_with_every_answer_and_the_suggestion(
    studio_server: StudioServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = named_schema(tmp_path, "learn_issues")
    gold = make_topic_gold(tmp_path / "corpus")
    project = _project(schema.path, studio_server, tmp_path, monkeypatch)
    model = project.train([gold.store], units=gold.units, output=tmp_path / "models").report
    result = project.issues([gold.store], model=model.model_file, units=gold.units, review=True)
    assert result.problems == [] and result.issues
    (sent,) = result.sent
    assert sent.created == len({issue.unit_id for issue in result.issues})
    client = studio_server.client()
    task_of = TaskMap(sent.project.folder).ids
    for issue in result.issues:
        stored = {p.model_version: p for p in client.predictions.list(task=task_of[issue.unit_id])}
        suggestion = stored.pop(f"{model.version} suggests")
        assert [r["value"]["choices"] for r in suggestion.result if r["from_name"] == "topic"] == [list(issue.suggested)]
        assert AGREED in stored  # what every annotator gave: where the reviewer starts (nothing one annotator said)
        assert len(stored) == 4  # and the three annotators' answers, under their pseudonyms
