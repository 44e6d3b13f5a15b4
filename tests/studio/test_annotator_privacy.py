"""Annotators' e-mails stay in the few private files that must hold them (the annotation stores,
the studio folder's accounts and identities, the pseudonym mapping: each 0600, the studio folder 0700) and
on the lead's terminal where a person is needed (`curation studio users list`); everything else a
workspace writes or sends (the report, `curation status` and its cache, agreement, the review
project's tasks, the build and its manifest) names them by pseudonym. End to end on a real Label
Studio, with a workspace pointed at an existing server (the case that started no server itself)."""

from __future__ import annotations

import hashlib
import json
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from curation.cli import main
from curation.project import Project
from curation.studio.accounts import user_token
from curation.studio.client import connect
from curation.studio.results import to_results
from curation.studio.server import StudioServer

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
ENV = ("CURATION_WORKSPACE", "CURATION_SCHEMA", "CURATION_DATA_DIR", "LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY")
# Where an annotator's e-mail may be written: the records that must say who answered.
PRIVATE = {"data/studio/accounts.json", "data/studio/identities.json", "data/annotations/pseudonyms.json"}


@pytest.fixture
def workspace(tmp_path: Path, studio_server: StudioServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace on the seeds, pointed at the session's Label Studio (a name of its own there)."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", studio_server.api_key)
    folder = tmp_path / "ws"
    Project.init(folder, f"privacy_{hashlib.sha256(str(tmp_path).encode()).hexdigest()[:8]}")
    for page in SEEDS.glob("*.txt"):
        shutil.copy(page, folder / "pages" / page.name)
    settings = folder / "curation.yaml"
    settings.write_text(settings.read_text(encoding="utf-8").replace("url: null", f"url: {studio_server.url}"), encoding="utf-8")
    monkeypatch.chdir(folder)
    return folder


def run(*args: str) -> str:
    """``curation ARGS`` in the workspace; everything it printed (stdout and stderr)."""
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_annotators_are_pseudonyms_in_everything_written_but_the_private_records(
    workspace: Path, studio_server: StudioServer
) -> None:
    tag = workspace.parent.name[-6:].replace("_", "")
    emails = [f"amal.{tag}@privacy.example", f"badr.{tag}@privacy.example"]
    run("segment", "-q")
    tokens = []
    for email in emails:
        [password] = [line.split(": ", 1)[1] for line in run("studio", "users", "add", email).splitlines() if line.startswith("password: ")]
        tokens.append(user_token(studio_server.url, email, password))
    run("studio", "overlap", "2", "--level", "article")
    pushed = json.loads(run("push", "--level", "article", "--json").splitlines()[-1])
    tasks = list(studio_server.client().tasks.list(project=pushed["project"]["id"]))
    for number, task in enumerate(tasks):  # badr disagrees with amal on the first article's stance
        for who, token in enumerate(tokens):
            stance = "favor" if who == 1 and number == 0 else "neutral"
            result = to_results(task.data["text"], {"topic": ("politics",), "stance": (stance,)}, (), None)
            connect(studio_server.url, token).annotations.create(id=task.id, result=result, lead_time=4.0)
    run("pull")
    shown = {command: run(*command.split()) for command in ("status", "report", "status --json", "agree")}
    shown["review push"] = run("review", "push", "--level", "article", "--json")
    review = json.loads(shown["review push"].splitlines()[-1])
    shown["build"] = run("build")
    told = [command for command, said in shown.items() if any(email in said for email in emails)]

    leaks = {}
    for path in sorted(p for p in workspace.rglob("*") if p.is_file()):
        relative = path.relative_to(workspace).as_posix()
        if any(email.encode() in path.read_bytes() for email in emails):
            leaks[relative] = stat.S_IMODE(path.stat().st_mode)
    stores = {name for name in leaks if name.startswith("data/annotations/") and name.endswith(".jsonl")}
    written = sorted(set(leaks) - stores - PRIVATE)
    assert not told and not written, f"e-mails shown by {told}, written to {written}"
    assert stores, sorted(leaks)
    assert set(leaks.values()) == {0o600}, leaks
    assert stat.S_IMODE((workspace / "data" / "studio").stat().st_mode) == 0o700  # as when curation starts the server

    pseudonyms = json.loads((workspace / "data" / "annotations" / "pseudonyms.json").read_text(encoding="utf-8"))
    assert sorted(pseudonyms) == emails
    status = json.loads(run("status", "--json").splitlines()[-1])
    assert sorted(row["annotator"] for row in status["annotators"]) == sorted(pseudonyms.values())
    review_tasks = list(studio_server.client().tasks.list(project=review["project"]["id"], fields="all"))
    sent = json.dumps([dict(t.data, predictions=[(p.model_version, p.result) for p in t.predictions or []]) for t in review_tasks])
    assert review_tasks and not any(email in sent for email in emails)

    listed = run("studio", "users", "list")  # the lead's view: who is who
    for email, pseudonym in pseudonyms.items():
        assert any(email in line and pseudonym in line for line in listed.splitlines()), listed
