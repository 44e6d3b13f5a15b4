"""`curation init` and the settings every command takes from the workspace: option > env > file > default."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from curation.cli import main
from curation.project import DEFAULT_ANNOTATIONS_DIR, DEFAULT_STUDIO_DIR, Project
from curation.workspace import WORKSPACE_ENV, set_annotators


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in (WORKSPACE_ENV, "CURATION_SCHEMA", "CURATION_DATA_DIR", "LABEL_STUDIO_URL"):
        monkeypatch.delenv(name, raising=False)
    result = CliRunner().invoke(main, ["init", str(tmp_path / "ws"), "--name", "mine"])
    assert result.exit_code == 0, result.output
    (tmp_path / "ws" / "deep").mkdir()
    monkeypatch.chdir(tmp_path / "ws" / "deep")
    return tmp_path / "ws"


def test_init_reports_what_it_wrote_and_kept(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init", str(tmp_path), "--json"])
    summary = json.loads(result.stdout)
    assert summary["ok"] and summary["command"] == "init"
    assert sorted(Path(p).name for p in summary["written"]) == [".gitignore", "annotations", "curation.yaml", "pages", "recipe.yaml", "schema.yaml"]
    again = CliRunner().invoke(main, ["init", str(tmp_path)])
    assert again.exit_code == 0 and again.output.count("kept") == 4


def test_init_options_shape_the_starter_schema(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init", str(tmp_path), "--target", "الانتخابات البلدية", "--topics", "politics, economy",
                                       "--entities", "PER,ORG"])  # fmt: skip
    assert result.exit_code == 0, result.output
    text = (tmp_path / "schema.yaml").read_text(encoding="utf-8")
    assert "target: الانتخابات البلدية" in text and "value: economy" in text and "value: ORG" in text
    assert "labels.stance.target" not in result.output  # the target is set: no reminder to set it
    reminded = CliRunner().invoke(main, ["init", str(tmp_path / "other")])
    assert "labels.stance.target" in reminded.output


def test_commands_use_the_workspace_schema_without_an_option(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(main, ["schema", "check"])
    assert result.exit_code == 0, result.output
    assert "mine v1" in result.output and str(workspace / "schema.yaml") in result.output.replace("\n", "")  # rich wraps a long path
    bundled = CliRunner().invoke(main, ["schema", "check"], env={"CURATION_SCHEMA": ""})
    assert "mine v1" in bundled.output  # an empty variable does not count
    other = workspace / "other.yaml"
    other.write_text((workspace / "schema.yaml").read_text(encoding="utf-8").replace("name: mine", "name: other"))
    from_env = CliRunner().invoke(main, ["schema", "check"], env={"CURATION_SCHEMA": str(other)})
    assert "other v1" in from_env.output


def test_a_broken_workspace_file_is_one_line_with_its_line_number(workspace: Path) -> None:
    with open(workspace / "curation.yaml", "a", encoding="utf-8") as handle:
        handle.write("schemaa: x.yaml\n")
    result = CliRunner().invoke(main, ["schema", "check"])
    assert result.exit_code == 1
    line = len((workspace / "curation.yaml").read_text(encoding="utf-8").splitlines())
    assert f"curation.yaml:{line}: schemaa: unknown key" in result.output
    assert "Traceback" not in result.output


def test_data_dir_and_url_come_from_option_env_workspace_then_default(workspace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (workspace / "curation.yaml").write_text(
        (workspace / "curation.yaml").read_text(encoding="utf-8").replace("url: null", "url: http://ls.example:8080/")
    )
    opened = Project.open()
    assert (opened.studio_dir, opened.server_url) == (workspace / "data" / "studio", "http://ls.example:8080")
    monkeypatch.setenv("CURATION_DATA_DIR", "/x")
    monkeypatch.setenv("LABEL_STUDIO_URL", "http://env:1")
    from_env = Project.open()
    assert (from_env.studio_dir, from_env.server_url) == (Path("/x"), "http://env:1")
    given = Project.open(studio_dir="/y", url="http://opt:2")
    assert (given.studio_dir, given.server_url) == (Path("/y"), "http://opt:2")


def test_outside_a_workspace_the_built_in_defaults_apply(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (WORKSPACE_ENV, "CURATION_DATA_DIR", "LABEL_STUDIO_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    outside = Project.open()
    assert outside.workspace is None
    assert (outside.studio_dir, outside.server_url) == (DEFAULT_STUDIO_DIR, None)
    assert outside.store_path("article") == DEFAULT_ANNOTATIONS_DIR / "news-article.jsonl"


def test_pull_keeps_its_stores_where_the_workspace_recipe_and_report_read_them(workspace: Path) -> None:
    assert Project.open().store_path("article") == workspace / "data" / "annotations" / "mine-article.jsonl"
    assert "annotations: data/annotations" in (workspace / "recipe.yaml").read_text(encoding="utf-8")


def test_build_takes_the_workspace_recipe_when_none_is_named(workspace: Path) -> None:
    assert Project.open().recipe_file == workspace / "recipe.yaml"


def test_init_writes_no_overlap_and_studio_overlap_keeps_it_in_the_workspace_file(workspace: Path) -> None:
    assert Project.open().annotators_per_task("sentence") is None  # a push leaves the project's overlap alone
    set_annotators(workspace / "curation.yaml", {"sentence": 2})
    text = (workspace / "curation.yaml").read_text(encoding="utf-8")
    assert "# How many annotators see each task" in text  # comments kept
    assert Project.open().annotators_per_task("sentence") == 2
    assert Project.open().annotators_per_task("article") is None
