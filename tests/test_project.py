"""``Project``: a new user's day one, from ``curation init`` to a built dataset, with no path typed
after ``init``; every command's ``--json`` one object carrying its figures; the same calls from Python."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from curation.cli import main
from curation.errors import CurationError, UsageError
from curation.project import Project
from curation.studio.results import to_results

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
ENV = ("CURATION_WORKSPACE", "CURATION_SCHEMA", "CURATION_DATA_DIR", "LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY")


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "ws"
    Project.init(folder, "dayone")
    for page in SEEDS.glob("*.txt"):
        shutil.copy(page, folder / "pages" / page.name)
    monkeypatch.chdir(folder)
    return folder


def run_json(*args: str) -> dict:
    """``curation ARGS --json``: stdout is exactly one JSON object (human output goes to stderr)."""
    result = CliRunner().invoke(main, [*args, "--json"])
    (line,) = result.stdout.splitlines()
    summary = json.loads(line)
    assert summary["command"].split()[0] == args[0]
    assert summary["exit_code"] == result.exit_code, result.output
    return summary


def test_init_prints_next_steps_that_run_as_printed_through_a_built_dataset(workspace: Path) -> None:
    init = CliRunner().invoke(main, ["init", str(workspace / "again"), "--json"])
    steps = [step.split() for step in json.loads(init.stdout)["next_steps"] if step.startswith("curation ")]
    assert [step[1] for step in steps] == ["segment", "dedup", "report", "studio", "push", "pull", "agree", "build"]
    figures: dict[str, dict] = {}
    try:
        for step in steps:
            if step[1] == "pull":
                annotate_every_task(figures["push"]["project"]["id"])
            figures[step[1]] = summary = run_json(*step[1:])
            assert summary["ok"], summary
    finally:
        CliRunner().invoke(main, ["studio", "down"])
    assert figures["segment"]["counts"]["documents"] == 2 and figures["segment"]["output"].endswith("data/units.jsonl")
    assert figures["dedup"]["compared"] > 0 and set(figures["dedup"]["outputs"]) == {"clusters", "contained", "repeated"}
    assert figures["report"]["output"].endswith("data/report.html") and (workspace / "data" / "report.html").is_file()
    assert figures["studio"]["started"] and "password" not in json.dumps(figures["studio"])
    assert figures["push"]["created"] == figures["push"]["units"] > 0
    assert figures["pull"]["reports"][0]["new"] == figures["push"]["created"]
    assert figures["agree"]["output"].endswith("data/agreement.json")
    assert figures["agree"]["document"]["adjudication"]["gold"] >= figures["push"]["created"]
    built = Path(figures["build"]["out_dir"])
    assert built == workspace / "data" / "exports" / "dayone" and (built / "manifest.json").is_file()
    assert figures["build"]["documents"] == 2 and figures["build"]["written"]


def annotate_every_task(project_id: int) -> None:
    """The admin answers every article task (topic and stance), as the web UI would store them."""
    server = Project.open().server()
    client = server.client()
    for task in client.tasks.list(project=project_id):
        result = to_results(task.data["text"], {"topic": ("politics",), "stance": ("neutral",)}, (), None)
        client.annotations.create(id=task.id, result=result, lead_time=3.0)


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_same_calls_from_python_give_the_same_files(workspace: Path) -> None:
    assert CliRunner().invoke(main, ["segment", "--workers", "1", "-q"]).exit_code == 0
    from_cli = _sha(workspace / "data" / "units.jsonl")
    project = Project.open(workspace)
    result = project.segment()
    assert result.output == workspace / "data" / "units.jsonl" and _sha(result.output) == from_cli
    assert result.run.counts["documents"] == 2 and result.exit_code == 0
    found = project.dedup()
    assert found.summary is not None and found.summary.compared > 0
    assert found.outputs["clusters"] == workspace / "data" / "dedup" / "clusters.jsonl"


def test_every_path_a_workspace_writes_is_under_its_data_folder(workspace: Path) -> None:
    """`pull`, `review pull`, the studio and the units all live in data/, which the workspace ignores
    and reads; nothing goes to a .curation/ folder beside it."""
    project = Project.open()
    data = (workspace / "data").resolve()
    paths = [project.studio_dir, project.annotations_dir, project.units_file,
             project.store_path("sentence"), project.store_path("sentence", review=True)]  # fmt: skip
    assert all(path.resolve().is_relative_to(data) for path in paths), paths
    assert project.store_path("sentence", review=True).parent == project.store_path("sentence").parent


def test_outside_a_workspace_a_missing_path_is_a_usage_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    project = Project.open()
    with pytest.raises(UsageError, match=r"run inside a workspace \(`curation init`\)"):
        project.dedup()
    with pytest.raises(UsageError):
        project.agree()
    result = CliRunner().invoke(main, ["push", "--level", "article", "--json"])
    assert result.exit_code == 2
    summary = json.loads(result.stdout)
    assert summary["ok"] is False and "run inside a workspace" in summary["errors"][0]


def test_every_failure_is_one_curation_error_with_its_exit_code(workspace: Path) -> None:
    (workspace / "schema.yaml").write_text("name: [broken\n", encoding="utf-8")
    with pytest.raises(CurationError) as raised:
        _ = Project.open().schema
    assert raised.value.exit_code == 1 and "schema.yaml" in raised.value.problems[0]
    result = CliRunner().invoke(main, ["schema", "check", "--json"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert json.loads(result.stdout)["errors"][0].startswith(str(workspace / "schema.yaml"))


OFFLINE = [
    ["schema", "check"],
    ["schema", "show"],
    ["schema", "config", "--level", "sentence"],
    ["segment", "--workers", "1"],
    ["dedup", "--workers", "1"],
    ["report"],
    ["build", "--workers", "1"],
    ["verify"],
]


def test_every_offline_command_prints_one_json_object_with_its_figures(workspace: Path) -> None:
    figures = {" ".join(args): run_json(*args) for args in OFFLINE}
    assert all(summary["ok"] for summary in figures.values()), figures
    assert figures["schema check"]["labels"]["entity"][:2] == ["PER", "ORG"]
    assert figures["schema config --level sentence"]["config"].startswith("<View")
    assert figures["report"]["counts"]["articles"] == figures["segment --workers 1"]["counts"]["articles (main)"] + figures[
        "segment --workers 1"
    ]["counts"]["articles (teaser)"]
    assert figures["build --workers 1"]["files"] and figures["verify"]["identical"] is True
    (workspace / "corpus.conll").write_text("قال O\nبايدن B-PER\nفي O\nالقاهرة B-GPE\n. O\n", encoding="utf-8")
    imported = run_json("import", "corpus.conll")  # default prefix in a workspace: data/imports/corpus
    assert imported["spans"] == 2 and imported["outputs"]["units"].endswith("data/imports/corpus.units.jsonl")


def test_an_import_in_a_fresh_workspace_is_built_with_no_recipe_edited(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``init``, ``import``, ``build``: the import puts its pages among the workspace's inputs and its
    annotations among the stores the recipe reads, so the build carries every token and entity."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    project, _ = Project.init(tmp_path / "ws", "corpus", entities=["PER", "GPE"])
    monkeypatch.chdir(tmp_path / "ws")
    corpus = tmp_path / "anercorp.txt"
    corpus.write_text("قال O\nبايدن B-PER\nفي O\nالقاهرة B-GPE\n. O\n\nوصل O\nماكرون B-PER\n. O\n", encoding="utf-8")
    imported = project.import_([corpus])
    assert imported.problems == [] and imported.report.outputs["docs"] == tmp_path / "ws" / "pages" / "anercorp.docs.jsonl"
    assert imported.report.outputs["annotations"] == tmp_path / "ws" / "data" / "annotations" / "import-anercorp.jsonl"
    built = Project.open().build()
    assert built.problems == []
    rows = [json.loads(line) for path in built.report.files if path.name.endswith(".jsonl") and "sentences" in str(path)
            for line in path.read_text(encoding="utf-8").splitlines()]
    assert sorted(row["tokens"] for row in rows) == [["قال", "بايدن", "في", "القاهرة", "."], ["وصل", "ماكرون", "."]]
    assert sorted(span["text"] for row in rows for span in row["entities"]) == ["القاهرة", "بايدن", "ماكرون"]
    (tmp_path / "ws" / "pages" / "own.docs.jsonl").write_text('{"text": "صفحة كتبها المستخدم"}\n', encoding="utf-8")
    with pytest.raises(CurationError, match="own.docs.jsonl: exists and was not written by `curation import`"):
        project.import_([tmp_path / "own.txt"])
    assert project.import_([corpus]).report.annotations == 2  # a second import of the same corpus rewrites its own files


def test_an_imported_pairs_headline_is_its_articles_title_in_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A claim-and-headline corpus: the headline rides with the page as a field; the dataset's ``title`` column
    carries it (the claim stays in ``meta``, beside it)."""
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    project, _ = Project.init(tmp_path / "ws", "pairs")
    monkeypatch.chdir(tmp_path / "ws")
    corpus = tmp_path / "arastance.jsonl"
    records = [{"text": "قال الوزير إن الاتفاق سيوقع غدا في القاهرة.", "claim": "الاتفاق سيوقع غدا", "headline": "توقيع الاتفاق غدا", "label": "favor"},
               {"text": "نفت الحكومة أي نية لرفع الأسعار هذا العام.", "claim": "الأسعار سترتفع", "headline": "الحكومة تنفي", "label": "against"}]
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    imported = project.import_([corpus], fields={"target": "claim", "title": "headline"}, family="stance", as_="predictions")
    assert imported.report.items == 2 and imported.report.predictions == 2
    built = Project.open().build()
    rows = [json.loads(line) for path in built.report.files if path.name.endswith(".jsonl") and "articles" in str(path)
            for line in path.read_text(encoding="utf-8").splitlines()]
    assert sorted(row["title"] for row in rows) == ["الحكومة تنفي", "توقيع الاتفاق غدا"]
    assert sorted(json.loads(row["meta"])["fields"]["target"] for row in rows) == ["الأسعار سترتفع", "الاتفاق سيوقع غدا"]
