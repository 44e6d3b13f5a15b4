"""A study with a team that changes: three annotator accounts and a reviewer on a real Label Studio,
one annotator removed mid-study (from their own browser they can no longer read anything) and added
back, another removed from the organisation the way Label Studio's own page does it (the server
then names them "Deleted"), a review in the real web UI and a second pull. Every answer stays the
right person's, their pseudonyms stay, agreement does not move, and the reviewer's untouched form
accepts no single annotator's answer."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
from playwright.sync_api import Browser, Page

from curation.agreement import adjudicate, agreement_report
from curation.export.pseudonyms import pseudonyms_beside
from curation.studio.accounts import add_user, remove_user, user_token
from curation.studio.client import connect
from curation.studio.contract import DELETED_USER, StudioGateway, memberships_endpoint
from curation.studio.identities import read_identities
from curation.studio.pull import pull_annotations
from curation.studio.push import push_units
from curation.studio.results import to_results
from curation.studio.review import AGREED, pull_review, push_review
from curation.studio.server import StudioServer
from curation.studio.store import read_annotations
from curation.unitfile import write_unit_records
from curation.units import Annotation, Document, EntitySpan, Provenance, Sentence, sha256_hex

from .conftest import named_schema, submit_in_browser

SENTENCES = ["رحبت باماكو بالتوجه الجديد لواشنطن", "زار وفد من باماكو واشنطن أمس"]


def two_sentence_units(folder: Path) -> Path:
    text = "\n".join(SENTENCES)
    doc = Document(Document.make_id(text, "study.txt"), text, Provenance("study.txt", None, sha256_hex(text)))
    records, start = [doc.to_record()], 0
    for index, sentence in enumerate(SENTENCES):
        end = start + len(sentence)
        records.append(Sentence(Sentence.make_id(doc.id, start, end), doc.id, "a-none", start, end, sentence, "body",
                                index).to_record())  # fmt: skip
        start = end + 1
    path = folder / "units.jsonl"
    write_unit_records(path, records)
    return path


def answer_next(server: StudioServer, project_id: int, token: str, stance: str, marks: dict[str, str]) -> None:
    """Ask the queue for the next task, as "Label All Tasks" does, and answer it: ``marks`` maps a
    name in the text to its label."""
    client = connect(server.url, token)
    task = StudioGateway(client, server.url).get_json(f"api/projects/{project_id}/next", what="asking the queue")
    assert task["annotations"] == [], "the queue showed another annotator's answer"
    text = task["data"]["text"]
    spans = [EntitySpan(text.index(name), text.index(name) + len(name), label, name) for name, label in marks.items()]
    client.annotations.create(id=task["id"], result=to_results(text, {"stance": (stance,)}, spans, "entity"))


def log_in(page: Page, server: StudioServer, email: str, password: str) -> None:
    page.goto(f"{server.url}/user/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state("networkidle")


def who_did_what(store: Path) -> dict[tuple[str, str], str]:
    """(unit, annotation id) -> the annotator it is filed under."""
    return {(a.unit_id, a.annotation_id): a.annotator for a in read_annotations(store) if not a.deleted}


def pull(server: StudioServer, schema, store: Path, folder: Path, *, full: bool = False) -> list[Annotation]:
    pull_annotations(server.client(), server.url, schema, "sentence", store_path=store, state_dir=folder, full=full)
    return [a for a in read_annotations(store) if not a.deleted]


def test_a_study_keeps_every_answer_with_its_author_through_removals_and_a_review(
    studio_server: StudioServer, browser: Browser, tmp_path: Path
) -> None:
    schema = named_schema(tmp_path, "team_study")
    units = two_sentence_units(tmp_path)
    admin, url, adm = studio_server.client(), studio_server.url, (studio_server.username, studio_server.password)
    project_id = push_units(admin, url, units, "sentence", schema, state_dir=tmp_path, annotators_per_task=3).project.id
    amal, badr, chadi = (add_user(admin, url, tmp_path, f"{who}@study.example", admin=adm) for who in ("amal", "badr", "chadi"))
    lead = add_user(admin, url, tmp_path, "lead@study.example", "reviewer", admin=adm)
    token = {a.email: user_token(url, a.email, a.password or "") for a in (amal, badr, chadi)}
    for who, stance, washington in ((amal, "favor", "GPE"), (badr, "favor", "LOC")):
        for _ in SENTENCES:
            answer_next(studio_server, project_id, token[who.email], stance, {"باماكو": "GPE", "واشنطن": washington})
    answer_next(studio_server, project_id, token[chadi.email], "against", {"باماكو": "GPE", "واشنطن": "ORG"})  # one only

    store = tmp_path / "annotations" / "team_study-sentence.jsonl"
    first = pull(studio_server, schema, store, tmp_path)
    attributed = who_did_what(store)
    assert sorted(attributed.values()) == sorted([amal.email] * 2 + [badr.email] * 2 + [chadi.email])
    agreement = agreement_report(first, schema).to_dict()
    pseudonyms = pseudonyms_beside(store, {a.annotator for a in first})

    # chadi is removed while logged in: their open session, their token and a new login all stop working
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(90_000)
    log_in(page, studio_server, chadi.email, chadi.password or "")
    assert page.request.get(f"{url}/api/projects").status == 200
    remove_user(admin, url, tmp_path, chadi.email, admin=adm)
    assert page.request.get(f"{url}/api/projects").status in (401, 403)
    assert page.request.get(f"{url}/api/projects/{project_id}/tasks").status in (401, 403)
    assert httpx.get(f"{url}/api/projects", headers={"Authorization": f"Token {token[chadi.email]}"}).status_code == 401
    context.clear_cookies()
    log_in(page, studio_server, chadi.email, chadi.password or "")
    assert "/user/login" in page.url  # the login form is shown again: refused
    assert page.request.get(f"{url}/api/projects").status in (401, 403)
    # amal and badr are removed from the organisation as Label Studio's own page does it: the server
    # then calls both "Deleted" (they used to merge into one annotator)
    gateway = StudioGateway(admin, url)
    organization = gateway.memberships()[0]
    for who in (amal, badr):
        gateway.request(f"{memberships_endpoint(organization)}/{who.user_id}", what="removing", method="DELETE")
    assert [user.email for user in gateway.users()].count(DELETED_USER) == 2

    after_removals = pull(studio_server, schema, store, tmp_path, full=True)
    assert who_did_what(store) == attributed  # nobody re-filed under "Deleted", nobody merged
    assert agreement_report(after_removals, schema).to_dict() == agreement
    assert {read_identities(tmp_path)[who.user_id] for who in (amal, badr)} == {amal.email, badr.email}

    # chadi is added back: the same account, a new password, and their work goes on under their name
    back = add_user(admin, url, tmp_path, chadi.email, admin=adm)
    assert back.user_id == chadi.user_id
    context.clear_cookies()
    log_in(page, studio_server, chadi.email, back.password or "")
    assert page.request.get(f"{url}/api/projects").status == 200
    context.close()
    answer_next(studio_server, project_id, user_token(url, chadi.email, back.password or ""), "neutral", {"واشنطن": "GPE"})
    answers = pull(studio_server, schema, store, tmp_path)
    now = who_did_what(store)
    assert {key: who for key, who in now.items() if key in attributed} == attributed
    assert sorted(now.values()).count(chadi.email) == 2 and len(now) == 6
    assert pseudonyms_beside(store, {a.annotator for a in answers}) == pseudonyms  # the same ids as before
    agreement = agreement_report(answers, schema).to_dict()

    # the review: the reviewer opens a conflict and presses Submit without touching anything
    conflicts = adjudicate(answers, ["majority", "reviewer"], schema=schema, reviews=[])
    review = push_review(admin, url, conflicts, units, schema, "sentence", state_dir=tmp_path, names=pseudonyms,
                         unresolved_only=False)  # every conflict, also those the majority settled
    assert review.created == len({c.unit_id for c in conflicts.conflicts}) == 2
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.set_default_timeout(90_000)
        log_in(page, studio_server, lead.email, lead.password or "")
        task_id = json.loads((review.project.folder / "tasks.jsonl").read_text(encoding="utf-8").splitlines()[0])["task_id"]
        page.goto(f"{url}/projects/{review.project.id}/data?task={task_id}")
        page.locator(".lsf-htx-richtext").first.wait_for()
        page.wait_for_load_state("networkidle")
        tabs = " ".join(page.locator(".lsf-annotation-button").all_inner_texts())
        assert all(pseudonyms[a.email] in tabs for a in (amal, badr, chadi)) and AGREED in tabs and "@" not in tabs
        page.get_by_role("button", name="Submit").click()  # untouched: the stance every answer needs is unset
        warning = page.locator(".ant-modal-wrap").first
        warning.wait_for()
        assert schema.family("stance").title in warning.inner_text()  # Label Studio refuses the empty form: stance required
        warning.get_by_role("button").last.click()
        warning.wait_for(state="hidden")
        assert admin.annotations.list(id=task_id) == []  # nothing was accepted
        page.keyboard.press(schema.family("stance").label("neutral").hotkey)  # the reviewer decides the stance only
        submit_in_browser(page)
    finally:
        page.close()

    review_store = tmp_path / "annotations" / "team_study-review-sentence.jsonl"
    decisions: list[Annotation] = []
    for _ in range(30):
        pull_review(admin, url, schema, "sentence", store_path=review_store, state_dir=tmp_path)
        decisions = read_annotations(review_store)
        if decisions:
            break
    [decision] = decisions
    assert decision.annotator == lead.email and decision.choices == {"stance": ("neutral",)}
    on_unit = [a for a in answers if a.unit_id == decision.unit_id]
    everyone = set.intersection(*(set(a.spans) for a in on_unit))
    assert set(decision.spans) == everyone  # the regions untouched: only what every annotator marked
    assert all(set(decision.spans) != set(a.spans) for a in on_unit)  # no single annotator's regions

    second = pull(studio_server, schema, store, tmp_path, full=True)
    assert who_did_what(store) == now
    assert agreement_report(second, schema).to_dict() == agreement
