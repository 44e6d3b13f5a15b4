"""`curation init` and the settings every command takes from the workspace: option > env > file > default."""

from __future__ import annotations

import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from curation.cli import main
from curation.cli._common import DEFAULT_STUDIO_DIR, annotation_store, data_dir_option, default_recipe, url_option
from curation.workspace import WORKSPACE_ENV


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
    assert f"curation.yaml:{15} schemaa: unknown key" in result.output
    assert "Traceback" not in result.output


def _probe() -> click.Command:
    @click.command()
    @data_dir_option
    @url_option
    def probe(data_dir: Path, url: str | None) -> None:
        click.echo(f"{data_dir}|{url}")

    return probe


def test_data_dir_and_url_come_from_option_env_workspace_then_default(workspace: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    (workspace / "curation.yaml").write_text(
        (workspace / "curation.yaml").read_text(encoding="utf-8").replace("url: null", "url: http://ls.example:8080/")
    )
    assert runner.invoke(_probe(), []).output.strip() == f"{workspace / 'data' / 'studio'}|http://ls.example:8080"
    from_env = runner.invoke(_probe(), [], env={"CURATION_DATA_DIR": "/x", "LABEL_STUDIO_URL": "http://env:1"})
    assert from_env.output.strip() == "/x|http://env:1"
    from_option = runner.invoke(_probe(), ["--data-dir", "/y", "--url", "http://opt:2"], env={"LABEL_STUDIO_URL": "http://env:1"})
    assert from_option.output.strip() == "/y|http://opt:2"


def test_outside_a_workspace_the_built_in_defaults_apply(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (WORKSPACE_ENV, "CURATION_DATA_DIR", "LABEL_STUDIO_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    assert CliRunner().invoke(_probe(), []).output.strip() == f"{DEFAULT_STUDIO_DIR}|None"


def test_pull_keeps_its_stores_where_the_workspace_recipe_and_report_read_them(
    workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    default = Path(".curation/annotations/mine-article.jsonl")
    assert annotation_store(default) == workspace / "data" / "annotations" / "mine-article.jsonl"
    assert "annotations: data/annotations" in (workspace / "recipe.yaml").read_text(encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert annotation_store(default) == default


def test_build_takes_the_workspace_recipe_when_none_is_named(workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_recipe("exports/seed-news.yaml") == str(workspace / "recipe.yaml")
    monkeypatch.chdir(tmp_path)
    assert default_recipe("exports/seed-news.yaml") == "exports/seed-news.yaml"
