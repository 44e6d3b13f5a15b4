"""`curation segment` in a workspace: with no INPUTS and no --recipe it segments the workspace's
inputs into its units file, with its recipe's settings; -o is then optional."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from curation.cli import main
from curation.unitfile import iter_unit_records, read_settings
from curation.workspace import WORKSPACE_ENV

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A workspace made by `curation init`, one seed page in its pages/, the shell in a sub-folder."""
    monkeypatch.delenv(WORKSPACE_ENV, raising=False)
    result = CliRunner().invoke(main, ["init", str(tmp_path / "ws")])
    assert result.exit_code == 0, result.output
    page = SEEDS / "000_1276ca6894bdea22.txt"
    (tmp_path / "ws" / "pages" / page.name).write_bytes(page.read_bytes())
    (tmp_path / "ws" / "notes").mkdir()
    monkeypatch.chdir(tmp_path / "ws" / "notes")
    return tmp_path / "ws"


def test_segment_without_arguments_cuts_the_workspace_inputs_into_its_units_file(workspace: Path) -> None:
    result = CliRunner().invoke(main, ["segment", "--workers", "1", "--json"])
    assert result.exit_code == 0, result.output
    units = workspace / "data" / "units.jsonl"
    assert json.loads(result.stdout)["output"] == str(units)
    (document,) = iter_unit_records(units, "document")
    assert document["source"] == str(workspace / "pages" / "000_1276ca6894bdea22.txt")
    assert read_settings(units) is not None


def test_the_workspace_recipes_ingest_settings_apply_and_flags_override_them(workspace: Path) -> None:
    record = {"hl": "عنوان من حقل الرأس", "title": "اسم الموقع", "story": "قال الوزير إن الموازنة أقرت.\nوأضاف أن العجز سينخفض."}
    (workspace / "pages" / "feed.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    with (workspace / "recipe.yaml").open("a", encoding="utf-8") as handle:
        handle.write("text_field: story\ntitle_field: hl\n")
    result = CliRunner().invoke(main, ["segment", "--workers", "1"])
    assert result.exit_code == 0, result.output
    units = workspace / "data" / "units.jsonl"
    titles = {a["title"] for a in iter_unit_records(units, "article")}
    assert record["hl"] in titles and record["title"] not in titles
    assert read_settings(units).ingest.fields.title == ("hl",)
    again = CliRunner().invoke(main, ["segment", "--workers", "1", "--title-field", "title"])
    assert again.exit_code == 0, again.output
    assert read_settings(units).ingest.fields.title == ("title",)


def test_inputs_named_in_a_workspace_still_need_an_output(workspace: Path) -> None:
    result = CliRunner().invoke(main, ["segment", str(workspace / "pages")])
    assert result.exit_code == 2 and "give -o/--output" in result.output
    assert not (workspace / "data" / "units.jsonl").exists()  # the workspace's own units are not overwritten


def test_outside_a_workspace_segment_asks_for_inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(WORKSPACE_ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["segment"])
    assert result.exit_code == 2 and "or run inside a workspace (`curation init`)" in result.output


def test_a_workspace_without_inputs_says_so(workspace: Path) -> None:
    path = workspace / "curation.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("inputs: [pages]", "inputs: []"), encoding="utf-8")
    result = CliRunner().invoke(main, ["segment"])
    assert result.exit_code == 2 and "the workspace names no inputs" in result.output
