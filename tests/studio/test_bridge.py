"""Push, annotate as two real users, pull: against the session's real Label Studio."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from curation.cli import main
from curation.schema import Schema
from curation.studio.accounts import add_annotator
from curation.studio.client import AuthenticationFailed, ProjectMissing, ServerUnreachable, connect
from curation.studio.contract import StudioGateway
from curation.studio.projects import SchemaChangeRejected
from curation.studio.pull import pull_annotations
from curation.studio.push import TaskMap, push_units
from curation.studio.server import StudioServer
from curation.studio.store import AnnotationStore, read_annotations
from curation.unitfile import write_unit_records

from .conftest import TRICKY_SENTENCES, named_schema, tasks_on_server, unit_records


def server_units(server: StudioServer, project_id: int) -> list[str]:
    return [str(t.unit_id) for t in StudioGateway(server.client(), server.url).iter_tasks(project_id, "id,data")]


def span_region(text: str, surface: str, label: str) -> dict:
    """A region as the 1.23 web UI stores it (code points; proven in test_studio_ui.py)."""
    start = text.index(surface)
    return {
        "id": f"r{start}", "from_name": "entity", "to_name": "text", "type": "labels",
        "value": {"start": start, "end": start + len(surface), "text": surface, "labels": [label]},
    }


def stance(value: str) -> dict:
    return {"id": "st", "from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": [value]}}


def push_tricky(server: StudioServer, folder: Path, units_path: Path, name: str) -> tuple[Schema, dict[str, int]]:
    """Push the tricky sentences under their own schema name; returns the schema and sentence text -> task id."""
    schema = named_schema(folder, name)
    pushed = push_units(server.client(), server.url, units_path, "sentence", schema, state_dir=folder)
    task_of = TaskMap(pushed.project.folder).ids
    return schema, {r["text"]: task_of[r["id"]] for r in unit_records(units_path, "sentence")}


@pytest.mark.parametrize("level", ["sentence", "article"])
def test_push_is_idempotent_and_pushes_only_new_units(
    studio_server: StudioServer, seed_units: Path, tmp_path: Path, level: str
) -> None:
    schema = named_schema(tmp_path, f"push_{level}")
    client = studio_server.client()
    records = unit_records(seed_units, level)
    half = tmp_path / "half.jsonl"
    write_unit_records(half, records[: len(records) // 2])

    first = push_units(client, studio_server.url, half, level, schema, state_dir=tmp_path)
    assert first.created == len(records) // 2
    superset = push_units(client, studio_server.url, seed_units, level, schema, state_dir=tmp_path)
    assert (superset.created, superset.already_pushed) == (len(records) - len(records) // 2, len(records) // 2)
    again = push_units(client, studio_server.url, seed_units, level, schema, state_dir=tmp_path)
    assert (again.created, again.already_pushed) == (0, len(records))

    on_server = server_units(studio_server, first.project.id)
    assert sorted(on_server) == sorted(r["id"] for r in records)
    task = tasks_on_server(studio_server, first.project.id)[0]
    unit = next(r for r in records if r["id"] == task["data"]["unit_id"])
    assert task["data"]["text"] == (unit["body"] if level == "article" else unit["text"])
    assert task["data"]["doc_id"] == unit["doc_id"]
    assert task["data"]["target"] == schema.default_target(level)
    if level == "article":
        assert task["data"]["title"] == (unit["title"] or "")


# Runs one `curation` command, then names the heavy modules the process imported and its exit status.
COMMAND_THEN_MODULES = """
import sys
from curation.cli import main
try:
    main(sys.argv[1:])
except SystemExit as done:
    status = done.code
print(sorted(m for m in ("label_studio_sdk", "pandas", "pyarrow") if m in sys.modules), status)
"""


def test_push_and_pull_commands_never_load_the_sdk(studio_server: StudioServer, tricky_units: Path, tmp_path: Path) -> None:
    """`curation push` (creating the project, then updating its config) and `curation pull` make raw
    calls only: the SDK, with pandas and pyarrow (1.5 s of CPU), is never imported."""
    schema = named_schema(tmp_path, "no_sdk")
    narrower_dir = tmp_path / "narrower"
    narrower_dir.mkdir()
    narrower = named_schema(narrower_dir, "no_sdk", drop_label="FAC")  # the same project, another config
    place = ["--url", studio_server.url, "--data-dir", str(tmp_path)]

    def run(*args: str) -> str:
        env = {**os.environ, "LABEL_STUDIO_API_KEY": studio_server.api_key}
        done = subprocess.run([sys.executable, "-c", COMMAND_THEN_MODULES, *args, *place], env=env, capture_output=True,
                              text=True, check=True)  # fmt: skip
        return done.stdout.strip().splitlines()[-1]

    assert run("push", str(tricky_units), "--level", "sentence", "--schema", str(schema.path)) == "[] 0"
    task_of = TaskMap(next(tmp_path.glob("projects/no_sdk-sentence-*"))).ids
    assert sorted(task_of) == sorted(r["id"] for r in unit_records(tricky_units, "sentence"))
    studio_server.client().annotations.create(min(task_of.values()), result=[stance("favor")])
    assert run("push", str(tricky_units), "--level", "sentence", "--schema", str(narrower.path)) == "[] 0"
    store = tmp_path / "pulled.jsonl"
    assert run("pull", "--level", "sentence", "-o", str(store), "--schema", str(narrower.path)) == "[] 0"
    assert len(read_annotations(store)) == 1
    project_id = json.loads(next(tmp_path.glob("projects/no_sdk-sentence-*/project.json")).read_text())["id"]
    assert "FAC" not in studio_server.client().projects.get(project_id).label_config  # the config was updated
    assert sorted(server_units(studio_server, project_id)) == sorted(task_of)  # each unit once


def test_two_annotators_round_trip_offsets_edits_and_deletes(
    studio_server: StudioServer, tricky_units: Path, tmp_path: Path
) -> None:
    schema, task_of = push_tricky(studio_server, tmp_path, tricky_units, "roundtrip")
    admin = studio_server.client()
    units = {r["text"]: r["id"] for r in unit_records(tricky_units, "sentence")}
    s0, s1, s2 = TRICKY_SENTENCES
    t0, t1, t2 = (task_of[s] for s in TRICKY_SENTENCES)
    token = add_annotator(admin, studio_server.url, "second@curation.local", "second-Secret-123")
    second = connect(studio_server.url, token)

    a_admin = admin.annotations.create(t0, result=[span_region(s0, "مُحَمَّدٌ", "PER"), span_region(s0, "باماكو", "GPE"), stance("neutral")], lead_time=4.5)
    a_second = second.annotations.create(t0, result=[span_region(s0, "باماكو", "GPE"), stance("against")], lead_time=7.25)
    b_second = second.annotations.create(t1, result=[span_region(s1, "كريستوفر لانداو", "PER"), stance("favor")], ground_truth=True)
    skipped = admin.annotations.create(t2, result=[], was_cancelled=True)
    bad = second.annotations.create(t2, result=[span_region(s2, "باماكو", "CITY"), span_region(s2, "لواشنطن", "GPE"), stance("favor")])
    # A script that counts JavaScript UTF-16 units (not the web UI) marks «مالي» two emoji in.
    as_utf16 = span_region(s1, "مالي", "GPE")
    as_utf16["value"] |= {"start": s1.index("مالي") + 2, "end": s1.index("مالي") + 6}
    off = admin.annotations.create(t1, result=[span_region(s1, "كريستوفر لانداو", "PER"), as_utf16, stance("neutral")])
    whole = second.annotations.create(t1, result=[stance("maybe")])

    store_path = tmp_path / "store" / "roundtrip.jsonl"
    report = pull_annotations(admin, studio_server.url, schema, "sentence", store_path=store_path, state_dir=tmp_path)
    assert (report.new, report.rejected, report.regions_set_aside, report.deleted) == (6, 1, 2, 0)
    got = {a.annotation_id: a for a in read_annotations(store_path)}
    assert set(got) == {str(a_admin.id), str(a_second.id), str(b_second.id), str(skipped.id), str(bad.id), str(off.id)}
    admin_answer = got[str(a_admin.id)]
    assert admin_answer.annotator == "admin@curation.local" and admin_answer.unit_id == units[s0]
    assert [(s.start, s.end, s.label, s.text) for s in admin_answer.spans] == [
        (s0.index("مُحَمَّدٌ"), s0.index("مُحَمَّدٌ") + len("مُحَمَّدٌ"), "PER", "مُحَمَّدٌ"),
        (s0.index("باماكو"), s0.index("باماكو") + 6, "GPE", "باماكو"),
    ]
    assert admin_answer.choices == {"stance": ("neutral",)} and admin_answer.lead_time == 4.5
    assert got[str(a_second.id)].annotator == "second@curation.local"
    assert got[str(a_second.id)].choices == {"stance": ("against",)}
    person = got[str(b_second.id)].spans[0]
    assert s1[person.start : person.end] == person.text == "كريستوفر لانداو"
    assert got[str(b_second.id)].ground_truth is True
    assert got[str(skipped.id)].cancelled is True
    assert all(a.created_at and a.updated_at for a in got.values())
    # A bad region never takes the valid regions of its annotation with it.
    assert [(s.label, s.text) for s in got[str(bad.id)].spans] == [("GPE", "لواشنطن")]
    assert [(s.label, s.text) for s in got[str(off.id)].spans] == [("PER", "كريستوفر لانداو")]
    set_aside = AnnotationStore(store_path).set_aside()
    assert {key[2] for key in set_aside} == {str(bad.id), str(off.id)}
    reasons = {key[2]: " ".join(r.reason for r in flagged.regions) for key, flagged in set_aside.items()}
    assert "unknown entity label 'CITY'" in reasons[str(bad.id)] and "UTF-16" in reasons[str(off.id)]
    (reject,) = AnnotationStore(store_path).rejects().values()
    assert reject.annotation.annotation_id == str(whole.id) and "'maybe'" in " ".join(reject.reasons)
    standing = AnnotationStore(store_path).rejections()
    assert (standing.annotations, standing.regions, set(standing.flagged_units)) == (1, 2, {units[s1], units[s2]})
    assert report.rejections == standing

    before = {p.name: p.read_bytes() for p in store_path.parent.iterdir()}
    again = pull_annotations(admin, studio_server.url, schema, "sentence", store_path=store_path, state_dir=tmp_path)
    assert (again.tasks_fetched, again.changed) == (0, False)
    assert {p.name: p.read_bytes() for p in store_path.parent.iterdir()} == before

    second.annotations.update(a_second.id, result=[span_region(s0, "مُحَمَّدٌ", "PER"), stance("favor")])
    admin.annotations.delete(a_admin.id)
    second.annotations.update(bad.id, result=[span_region(s2, "باماكو", "GPE"), stance("favor")])
    third = pull_annotations(admin, studio_server.url, schema, "sentence", store_path=store_path, state_dir=tmp_path)
    assert (third.updated, third.deleted, third.new, third.rejected) == (2, 1, 0, 0)
    assert third.tasks_fetched == 2  # only the tasks that changed
    got = {a.annotation_id: a for a in read_annotations(store_path)}
    assert got[str(a_admin.id)].deleted is True  # kept, flagged
    assert got[str(a_second.id)].choices == {"stance": ("favor",)}
    assert got[str(a_second.id)].spans[0].text == "مُحَمَّدٌ"
    assert [s.text for s in got[str(bad.id)].spans] == ["باماكو"]
    assert {key[2] for key in AnnotationStore(store_path).set_aside()} == {str(off.id)}


def test_units_that_cannot_be_read_are_named_and_the_others_pushed(
    studio_server: StudioServer, tricky_units: Path, tmp_path: Path
) -> None:
    """A torn line and a sentence without its offsets are each one "not sent" problem naming the
    file, line or unit; the readable sentences become tasks all the same."""
    lines = tricky_units.read_text(encoding="utf-8").splitlines()
    damaged = tmp_path / "damaged.jsonl"
    broken = json.dumps({"id": "s-broken", "level": "sentence", "text": "نص"}, ensure_ascii=False)
    damaged.write_text("\n".join([lines[0], lines[1], '{"id": "torn', lines[2], broken, lines[3]]) + "\n", encoding="utf-8")
    report = push_units(studio_server.client(), studio_server.url, damaged, "sentence", named_schema(tmp_path, "damaged"),
                        state_dir=tmp_path)
    assert (report.units, report.created) == (3, 3)
    assert len(report.problems) == 2 and f"{damaged}:3:" in report.problems[0] and "unit s-broken" in report.problems[1]


def test_wrong_token_is_one_clear_line_without_the_token(
    studio_server: StudioServer, seed_units: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    wrong = "0123456789abcdef0123456789abcdef01234567"
    schema = named_schema(tmp_path, "wrongtoken")
    with pytest.raises(AuthenticationFailed, match="LABEL_STUDIO_API_KEY") as caught:
        push_units(connect(studio_server.url, wrong), studio_server.url, seed_units, "sentence", schema, state_dir=tmp_path)
    assert wrong not in str(caught.value)

    monkeypatch.setenv("LABEL_STUDIO_API_KEY", wrong)
    result = CliRunner().invoke(main, ["push", str(seed_units), "--level", "sentence", "--url", studio_server.url,
                                       "--data-dir", str(tmp_path), "--schema", str(schema.path)])
    assert result.exit_code == 1
    output = " ".join(result.output.split())  # rich wraps long lines
    assert "refused the API key" in output and wrong not in output.replace(" ", "")
    assert not list(tmp_path.glob("projects/*/tasks.jsonl"))


def test_server_down_says_what_to_do(seed_units: Path, tmp_path: Path) -> None:
    schema = named_schema(tmp_path, "down")
    url = "http://127.0.0.1:9"  # discard port: nothing listens
    with pytest.raises(ServerUnreachable, match="curation studio up"):
        push_units(connect(url, "k" * 40, timeout=5), url, seed_units, "sentence", schema, state_dir=tmp_path)


def test_project_deleted_under_us(studio_server: StudioServer, seed_units: Path, tmp_path: Path) -> None:
    schema = named_schema(tmp_path, "deleted")
    client = studio_server.client()
    first = push_units(client, studio_server.url, seed_units, "article", schema, state_dir=tmp_path)
    client.annotations.create(min(TaskMap(first.project.folder).ids.values()), result=[], was_cancelled=True)
    store = tmp_path / "s.jsonl"
    assert pull_annotations(client, studio_server.url, schema, "article", store_path=store, state_dir=tmp_path).new == 1
    client.projects.delete(first.project.id)
    with pytest.raises(ProjectMissing, match="--recreate"):
        push_units(client, studio_server.url, seed_units, "article", schema, state_dir=tmp_path)
    for full in (False, True):  # the next pull's changed tasks, or every task: the project is gone, the store stays
        with pytest.raises(ProjectMissing, match="no longer exists.*--recreate"):
            pull_annotations(client, studio_server.url, schema, "article", store_path=store, state_dir=tmp_path, full=full)
        assert [a.cancelled for a in read_annotations(store)] == [True]
    again = push_units(client, studio_server.url, seed_units, "article", schema, state_dir=tmp_path, recreate=True)
    assert again.project.id != first.project.id and again.created == first.created


def test_schema_change_label_studio_rejects_is_explained(
    studio_server: StudioServer, tricky_units: Path, tmp_path: Path
) -> None:
    """A new schema version drops an entity label that an annotation already uses."""
    schema = named_schema(tmp_path, "evolving")
    client = studio_server.client()
    pushed = push_units(client, studio_server.url, tricky_units, "sentence", schema, state_dir=tmp_path)
    text = TRICKY_SENTENCES[0]
    unit_id = next(r["id"] for r in unit_records(tricky_units, "sentence") if r["text"] == text)
    client.annotations.create(TaskMap(pushed.project.folder).ids[unit_id],
                              result=[span_region(text, "باماكو", "FAC"), stance("favor")])
    narrower_dir = tmp_path / "narrower"
    narrower_dir.mkdir()
    narrower = named_schema(narrower_dir, "evolving", drop_label="FAC")
    with pytest.raises(SchemaChangeRejected, match="Migration path") as caught:
        push_units(client, studio_server.url, tricky_units, "sentence", narrower, state_dir=tmp_path)
    assert "FAC" in str(caught.value)
    # Nothing was changed: the project still has the old config, so pushing the old schema works.
    assert push_units(client, studio_server.url, tricky_units, "sentence", schema, state_dir=tmp_path).created == 0


def test_predictions_become_label_studio_predictions(
    studio_server: StudioServer, tricky_units: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = named_schema(tmp_path, "predicted")
    units = unit_records(tricky_units, "sentence")
    text = units[1]["text"]
    start = text.index("كريستوفر لانداو")
    city = units[0]["text"].index("باماكو")
    predictions = tmp_path / "pred.jsonl"
    predictions.write_text(
        json.dumps({"unit_id": units[1]["id"], "model_version": "m1", "choices": {"stance": ["favor"]},
                    "spans": [{"start": start, "end": start + 15, "label": "PER", "text": "كريستوفر لانداو"}]}, ensure_ascii=False)
        + "\n" + json.dumps({"unit_id": units[2]["id"], "spans": [{"start": 0, "end": 2, "label": "PER", "text": "xx"}]})
        + "\n" + json.dumps({"unit_id": units[0]["id"], "model_version": "m1",
                              "spans": [{"start": city, "end": city + 6, "label": "CITY", "text": "باماكو"}]}, ensure_ascii=False)
        + "\n",
        encoding="utf-8",
    )
    client = studio_server.client()
    report = push_units(client, studio_server.url, tricky_units, "sentence", schema, state_dir=tmp_path, predictions_path=predictions)
    assert report.predictions == 1
    assert len(report.problems) == 2
    assert any(units[2]["id"] in problem and "does not match" in problem for problem in report.problems)
    assert any(units[0]["id"] in problem and "unknown label 'CITY'" in problem for problem in report.problems)
    task_id = TaskMap(report.project.folder).ids[units[1]["id"]]
    (prediction,) = client.predictions.list(task=task_id)
    region = next(r for r in prediction.result if r["type"] == "labels")
    assert region["value"]["start"] == start  # code points, two emoji before the name
    assert region["value"]["text"] == "كريستوفر لانداو"
    assert not client.predictions.list(task=TaskMap(report.project.folder).ids[units[0]["id"]])  # CITY never sent

    # The same file again, through the CLI: tasks exist now; the identical prediction is not doubled,
    # the invalid ones are named again and the exit status says so.
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", studio_server.api_key)
    result = CliRunner().invoke(main, ["push", str(tricky_units), "--level", "sentence", "--predictions", str(predictions),
                                       "--url", studio_server.url, "--data-dir", str(tmp_path), "--schema", str(schema.path)])
    output = " ".join(result.output.split())
    assert result.exit_code == 1 and "unknown label 'CITY'" in output and units[0]["id"] in output
    assert "0 sent, 0 replaced, 1 already there" in output
    assert len(client.predictions.list(task=task_id)) == 1


def test_full_pull_flags_annotations_of_a_task_deleted_in_the_ui(
    studio_server: StudioServer, tricky_units: Path, tmp_path: Path
) -> None:
    schema, task_of = push_tricky(studio_server, tmp_path, tricky_units, "taskdelete")
    admin = studio_server.client()
    s0, s1, _ = TRICKY_SENTENCES
    kept = admin.annotations.create(task_of[s1], result=[stance("favor")])
    doomed = admin.annotations.create(task_of[s0], result=[stance("against")])
    store_path = tmp_path / "store" / "taskdelete.jsonl"
    assert pull_annotations(admin, studio_server.url, schema, "sentence", store_path=store_path, state_dir=tmp_path).new == 2

    admin.tasks.delete(task_of[s0])
    full = pull_annotations(admin, studio_server.url, schema, "sentence", store_path=store_path, state_dir=tmp_path, full=True)
    assert (full.deleted, full.unchanged) == (1, 1)
    got = {a.annotation_id: a for a in read_annotations(store_path)}
    assert got[str(doomed.id)].deleted is True  # kept, flagged
    assert got[str(kept.id)].deleted is False
