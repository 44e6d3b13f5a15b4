"""A team on a real Label Studio: accounts, overlap through the real queue, progress per annotator.

Every annotator works only through the queue (the ``next`` endpoint the "Label All Tasks" button
calls), as a person does; nobody opens a task by id.
"""

from __future__ import annotations

import itertools
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from curation.agreement import agreement_report
from curation.cli import main
from curation.project import Project
from curation.studio.accounts import add_user, list_users, read_accounts, user_token
from curation.studio.client import AuthenticationFailed, ProjectMissing, connect
from curation.studio.contract import StudioGateway
from curation.studio.launch import team_progress
from curation.studio.overlap import set_annotators_per_task
from curation.studio.progress import project_progress
from curation.studio.pull import pull_annotations
from curation.studio.results import to_results
from curation.studio.server import StudioServer
from curation.studio.store import read_annotations
from curation.unitfile import write_unit_records

from .conftest import named_schema, unit_records

STANCES = ("favor", "against", "neutral")


def few_sentences(seed_units: Path, folder: Path, count: int) -> Path:
    """``count`` body sentences (what a sentence push sends by default)."""
    path = folder / "sentences.jsonl"
    write_unit_records(path, [r for r in unit_records(seed_units, "sentence") if r["role"] == "body"][:count])
    return path


def work_through_queue(server: StudioServer, project_id: int, tokens: list[str]) -> dict[str, list[int]]:
    """Each annotator in turn asks the queue for a task and answers it, until the queue is empty for
    everyone; returns the task ids each was given. Fails if the queue ever shows someone's answer."""
    clients = [connect(server.url, token) for token in tokens]
    given: dict[str, list[int]] = {token: [] for token in tokens}
    finished: set[int] = set()
    for turn in itertools.count():
        if len(finished) == len(clients):
            return given
        index = turn % len(clients)
        if index in finished:
            continue
        try:
            task = StudioGateway(clients[index], server.url).get_json(f"api/projects/{project_id}/next", what="asking the queue")
        except ProjectMissing:  # 404: nothing left for this annotator
            finished.add(index)
            continue
        assert task["annotations"] == [], "the queue showed another annotator's answer"
        given[tokens[index]].append(task["id"])
        stance = STANCES[(task["id"] + index) % len(STANCES)]  # annotators disagree on some tasks
        result = to_results(task["data"]["text"], {"stance": (stance,)}, (), "entity")
        clients[index].annotations.create(id=task["id"], result=result, lead_time=4.0)
    raise AssertionError("unreachable")


@pytest.mark.parametrize("per_task", [2, 3])
def test_the_queue_gives_every_task_to_n_different_annotators(
    studio_server: StudioServer, seed_units: Path, tmp_path: Path, per_task: int, monkeypatch, capsys
) -> None:
    schema = named_schema(tmp_path, f"team_queue_{per_task}")
    set_annotators_per_task(tmp_path, schema.name, per_task)  # outside a workspace: the studio folder's team.json
    units = few_sentences(seed_units, tmp_path, 6)
    admin = studio_server.client()
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", studio_server.api_key)
    project_here = Project.open(schema=schema.path, studio_dir=tmp_path, url=studio_server.url)
    pushed = project_here.push("sentence", units).report
    project = admin.projects.get(pushed.project.id)
    assert (project.maximum_annotations, project.overlap_cohort_percentage) == (per_task, 100)

    accounts = [
        add_user(admin, studio_server.url, tmp_path, f"queue{per_task}-{n}@team.example", "annotator")
        for n in range(per_task + 1)  # one more annotator than needed: the queue must still stop at N
    ]
    tokens = [user_token(studio_server.url, a.email, a.password) for a in accounts]
    given = work_through_queue(studio_server, pushed.project.id, tokens)
    for task_ids in given.values():
        assert len(task_ids) == len(set(task_ids)), "an annotator was given the same task twice"
    received = sorted(itertools.chain.from_iterable(given.values()))
    assert received == sorted(t for t in range(min(received), max(received) + 1) for _ in range(per_task))

    store = tmp_path / "store.jsonl"
    pull_annotations(admin, studio_server.url, schema, "sentence", store_path=store, state_dir=tmp_path)
    annotations = read_annotations(store)
    by_unit: dict[str, list[str]] = {}
    for annotation in annotations:
        by_unit.setdefault(annotation.unit_id, []).append(annotation.annotator)
    assert len(by_unit) == 6
    assert all(len(who) == len(set(who)) == per_task for who in by_unit.values())
    assert agreement_report(annotations, schema).family("stance").units == 6

    progress = project_progress(admin, pushed.project, [a.email for a in accounts])
    assert (progress.tasks, progress.complete, progress.annotators_per_task) == (6, 6, per_task)
    assert sum(row.done for row in progress.annotators) == 6 * per_task
    assert all(row.remaining == 0 for row in progress.annotators)
    assert progress.disagreements > 0
    (shown,) = team_progress(project_here.server(), tmp_path)  # what `curation studio status` shows
    assert (shown.complete, shown.tasks, shown.annotators_per_task) == (6, 6, per_task)
    assert accounts[0].email in {row.annotator for row in shown.annotators}


def test_users_add_list_remove_from_the_command_line(studio_server: StudioServer, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", studio_server.api_key)
    monkeypatch.setenv("LABEL_STUDIO_USERNAME", studio_server.username)  # removing deactivates: the admin's login
    monkeypatch.setenv("LABEL_STUDIO_PASSWORD", studio_server.password)
    server = ["--url", studio_server.url, "--data-dir", str(tmp_path)]
    runner = CliRunner()

    added = runner.invoke(main, ["studio", "users", "add", "huda@team.example", "--role", "reviewer", *server])
    assert added.exit_code == 0, added.output
    [password] = [line.split(": ", 1)[1] for line in added.stdout.splitlines() if line.startswith("password: ")]
    accounts_file = tmp_path / "accounts.json"
    assert stat.S_IMODE(accounts_file.stat().st_mode) == 0o600
    assert read_accounts(tmp_path)["huda@team.example"].role == "reviewer"
    token = user_token(studio_server.url, "huda@team.example", password)  # the printed password works

    weak = runner.invoke(
        main, ["studio", "users", "add", "ali@team.example", "--ask-password", *server], input="short\nshort\n"
    )
    assert weak.exit_code == 1 and "at least 12 are required" in weak.output
    given = runner.invoke(
        main, ["studio", "users", "add", "ali@team.example", "--ask-password", *server],
        input="Long-enough-pass-42\nLong-enough-pass-42\n",
    )  # fmt: skip
    assert given.exit_code == 0, given.output
    assert "Long-enough-pass-42" not in given.output  # a password the lead chose is not echoed back
    assert read_accounts(tmp_path)["ali@team.example"].password is None  # and not stored either
    again = runner.invoke(main, ["studio", "users", "add", "ali@team.example", *server])
    assert again.exit_code == 1 and "already has an account" in again.output

    listed = runner.invoke(main, ["studio", "users", "list", *server])
    assert listed.exit_code == 0, listed.output
    assert "huda@team.example" in listed.output and "reviewer" in listed.output
    assert password not in listed.output + given.output

    huda_id = read_accounts(tmp_path)["huda@team.example"].user_id
    removed = runner.invoke(main, ["studio", "users", "remove", "huda@team.example", *server])
    assert removed.exit_code == 0, removed.output
    assert not read_accounts(tmp_path)["huda@team.example"].active
    with pytest.raises(AuthenticationFailed):  # the account is deactivated: its token no longer opens anything
        StudioGateway(connect(studio_server.url, token), studio_server.url).whoami()
    with pytest.raises(AuthenticationFailed):
        user_token(studio_server.url, "huda@team.example", password)
    members = {m.email: m.active for m in list_users(studio_server.client(), studio_server.url, tmp_path)}
    assert members["huda@team.example"] is False and members["ali@team.example"] is True

    admin = runner.invoke(main, ["studio", "users", "remove", studio_server.username, *server])
    assert admin.exit_code == 1 and "is the server's admin" in admin.output

    back = runner.invoke(main, ["studio", "users", "add", "huda@team.example", "--role", "reviewer", *server])
    assert back.exit_code == 0, back.output  # adding them again reactivates the same account
    [new_password] = [line.split(": ", 1)[1] for line in back.stdout.splitlines() if line.startswith("password: ")]
    assert read_accounts(tmp_path)["huda@team.example"].user_id == huda_id
    new_token = user_token(studio_server.url, "huda@team.example", new_password)
    assert StudioGateway(connect(studio_server.url, new_token), studio_server.url).whoami()
    with pytest.raises(AuthenticationFailed):  # the token from before the removal stays void once they are back
        StudioGateway(connect(studio_server.url, token), studio_server.url).whoami()
