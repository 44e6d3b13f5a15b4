"""`curation push` inside a workspace, against a real Label Studio: no --schema, no units path, and
the one overlap setting (`studio overlap`, kept in curation.yaml) applied to the level's project and
kept by every later push."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from curation.cli import main
from curation.studio.server import StudioServer

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_push_in_a_workspace_uses_its_schema_and_annotators_per_task(
    studio_server: StudioServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("CURATION_WORKSPACE", "CURATION_SCHEMA", "CURATION_DATA_DIR", "LABEL_STUDIO_URL"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()
    assert runner.invoke(main, ["init", str(tmp_path / "ws"), "--name", "pushws"]).exit_code == 0
    workspace = tmp_path / "ws"
    text = (workspace / "curation.yaml").read_text(encoding="utf-8")
    (workspace / "curation.yaml").write_text(
        text.replace("url: null", f"url: {studio_server.url}"), encoding="utf-8"
    )
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", studio_server.api_key)
    monkeypatch.chdir(workspace)
    first = sorted(SEEDS.glob("*.txt"))[0]
    assert runner.invoke(main, ["segment", str(first), "-o", "data/units.jsonl", "-q"]).exit_code == 0
    overlap = runner.invoke(main, ["studio", "overlap", "3", "--level", "article"])
    assert overlap.exit_code == 0, overlap.output
    assert "article: 3" in (workspace / "curation.yaml").read_text(encoding="utf-8")
    result = runner.invoke(main, ["push", "--level", "article", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[-1])["ok"]
    (recorded,) = (workspace / "data" / "studio" / "projects").glob("*/project.json")  # in the workspace's data
    project_id = json.loads(recorded.read_text(encoding="utf-8"))["id"]
    project = studio_server.client().projects.get(project_id)
    assert project.title.startswith("curation · pushws")  # the workspace's own schema, no --schema given
    assert (project.maximum_annotations, project.overlap_cohort_percentage) == (3, 100)
    again = runner.invoke(main, ["push", "--level", "article", "--json"])  # a no-op push mid-study
    assert json.loads(again.stdout)["created"] == 0
    project = studio_server.client().projects.get(project_id)
    assert (project.maximum_annotations, project.overlap_cohort_percentage) == (3, 100)
