"""Review round trip with a real team: two accounts annotate through the queue, the lead (also an
annotator) reviews in the real web UI, where every annotator's answer is shown side by side; the
decision stays a review decision and the annotators' answers and agreement figures are unchanged."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from playwright.sync_api import Browser

from curation.agreement import adjudicate, agreement_report
from curation.cli import main
from curation.export.pseudonyms import PSEUDONYMS_FILE, Pseudonyms
from curation.studio.accounts import add_user, user_token
from curation.studio.client import connect
from curation.studio.contract import StudioGateway
from curation.studio.pull import pull_annotations
from curation.studio.push import push_units
from curation.studio.results import to_results
from curation.studio.review import pull_review, push_review
from curation.studio.server import StudioServer
from curation.studio.store import read_annotations
from curation.unitfile import write_unit_records
from curation.units import Document, EntitySpan, Provenance, Sentence, sha256_hex

from .conftest import named_schema, submit_in_browser

SENTENCE = "رحبت باماكو بالتوجه الجديد لواشنطن"


def mention(name: str, label: str) -> EntitySpan:
    start = SENTENCE.index(name)
    return EntitySpan(start, start + len(name), label, name)


def one_sentence_units(folder: Path) -> tuple[Path, str]:
    doc = Document(Document.make_id(SENTENCE, "one.txt"), SENTENCE, Provenance("one.txt", None, sha256_hex(SENTENCE)))
    sentence = Sentence(Sentence.make_id(doc.id, 0, len(SENTENCE)), doc.id, "a-none", 0, len(SENTENCE), SENTENCE, "body", 0)
    path = folder / "units.jsonl"
    write_unit_records(path, [doc.to_record(), sentence.to_record()])
    return path, sentence.id


def answer_from_queue(server: StudioServer, project_id: int, token: str, stance: str, spans: list[EntitySpan]) -> None:
    client = connect(server.url, token)
    task = StudioGateway(client, server.url).get_json(f"api/projects/{project_id}/next", what="asking the queue")
    assert task["annotations"] == []
    client.annotations.create(id=task["id"], result=to_results(SENTENCE, {"stance": (stance,)}, spans, "entity"))


def regions_shown(page, tab: str) -> str:
    """Open one answer's tab in the labelling view and read the regions panel."""
    page.locator(".lsf-annotation-button", has_text=tab).first.click()
    page.wait_for_timeout(500)
    return page.locator(".lsf-sidepanels, .lsf-side-panels, [class*=regions]").first.inner_text()


def test_reviewer_sees_every_answer_and_decides_apart_from_them(
    studio_server: StudioServer, browser: Browser, tmp_path: Path, monkeypatch
) -> None:
    schema = named_schema(tmp_path, "team_review")
    units, unit_id = one_sentence_units(tmp_path)
    admin = studio_server.client()
    pushed = push_units(admin, studio_server.url, units, "sentence", schema, state_dir=tmp_path, annotators_per_task=2)
    lead = add_user(admin, studio_server.url, tmp_path, "lead@review.example", "reviewer")
    amal = add_user(admin, studio_server.url, tmp_path, "amal@review.example", "annotator")
    bamako = mention("باماكو", "GPE")
    answer_from_queue(studio_server, pushed.project.id, user_token(studio_server.url, lead.email, lead.password),
                      "neutral", [bamako, mention("واشنطن", "GPE")])  # fmt: skip
    answer_from_queue(studio_server, pushed.project.id, user_token(studio_server.url, amal.email, amal.password),
                      "favor", [bamako, mention("واشنطن", "LOC")])  # fmt: skip

    store = tmp_path / "annotations" / "team_review-sentence.jsonl"
    pull_annotations(admin, studio_server.url, schema, "sentence", store_path=store, state_dir=tmp_path)
    answers = read_annotations(store)
    before_review = agreement_report(answers, schema).to_dict()
    first = adjudicate(answers, ["majority", "reviewer"], schema=schema, reviews=[])
    [entity_conflict] = [c for c in first.unresolved if c.family == "entity"]
    assert entity_conflict.disputed == (mention("واشنطن", "GPE"), mention("واشنطن", "LOC"))  # Bamako is agreed

    pseudonyms = Pseudonyms.load(store.parent / PSEUDONYMS_FILE)
    pseudonyms.assign({a.annotator for a in answers})
    review = push_review(admin, studio_server.url, first, units, schema, "sentence", state_dir=tmp_path, names=pseudonyms.ids)
    assert review.created == 1 and review.predictions == 3  # each answer, and what both agreed on
    again = push_review(admin, studio_server.url, first, units, schema, "sentence", state_dir=tmp_path, names=pseudonyms.ids)
    assert again.created == 0  # re-pushing neither duplicates the task nor its answers
    task_id = next(iter(json.loads(line)["task_id"] for line in (review.project.folder / "tasks.jsonl").open()))
    assert len(admin.predictions.list(task=task_id)) == 3

    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.set_default_timeout(90_000)
        page.goto(f"{studio_server.url}/user/login")
        page.fill("input[name=email]", lead.email)
        page.fill("input[name=password]", lead.password)
        page.click("button[type=submit]")
        page.wait_for_load_state("networkidle")
        page.goto(f"{studio_server.url}/projects/{review.project.id}/data?task={task_id}")
        page.locator(".lsf-htx-richtext").first.wait_for()
        page.wait_for_load_state("networkidle")
        lead_id, amal_id = pseudonyms.ids[lead.email], pseudonyms.ids[amal.email]
        for shown in (lead_id, amal_id):
            assert page.locator(".lsf-annotation-button", has_text=shown).first.is_visible()
        assert "GPE" in regions_shown(page, lead_id) and "LOC" not in regions_shown(page, lead_id)
        assert "LOC" in regions_shown(page, amal_id)
        assert "@" not in page.locator(".lsf-annotation-button", has_text="annotator_").first.inner_text()
        # the reviewer takes amal's answer: "Duplicate Annotation" makes it the reviewer's own, then Submit
        tab = page.locator(".lsf-annotation-button", has_text=amal_id).first
        tab.locator(".lsf-annotation-button__trigger").click()
        page.get_by_text("Duplicate Annotation", exact=True).click()
        submit_in_browser(page)
    finally:
        page.close()

    review_store = tmp_path / "annotations" / "team_review-review-sentence.jsonl"
    for _ in range(30):
        pull_review(admin, studio_server.url, schema, "sentence", store_path=review_store, state_dir=tmp_path)
        decisions = read_annotations(review_store)
        if decisions:
            break
    [decision] = decisions
    assert decision.annotator == lead.email and mention("واشنطن", "LOC") in decision.spans

    gold = adjudicate(read_annotations(store), ["majority", "reviewer"], schema=schema, reviews=decisions)
    assert gold.gold_value(unit_id, "entity") == (bamako, mention("واشنطن", "LOC"))
    assert {(d.span.label, d.span.text): (d.outcome, d.source) for d in gold.spans} == {
        ("GPE", "باماكو"): ("kept", "majority"),
        ("GPE", "واشنطن"): ("rejected", "reviewer"),
        ("LOC", "واشنطن"): ("kept", "reviewer"),
    }
    lead_answer = next(a for a in read_annotations(store) if a.annotator == lead.email)
    assert mention("واشنطن", "GPE") in lead_answer.spans  # the lead's own answer is untouched by their review
    assert agreement_report(read_annotations(store), schema).to_dict() == before_review

    monkeypatch.chdir(tmp_path)
    agreed = CliRunner().invoke(
        main, ["agree", str(store), "--reviews", str(review_store), "--policy", "majority", "--policy", "reviewer",
               "--schema", str(tmp_path / "team_review.yaml"), "-o", "-"],
    )  # fmt: skip
    assert agreed.exit_code == 0, agreed.output
    document = json.loads(agreed.stdout)
    assert document["agreement"]["computed_on"] == "independent annotations only, before review"
    assert document["agreement"]["annotations"]["total"] == 2 and document["adjudication"]["reviews"] == 1
