"""The workspace file: found by walking up like git, every defect named with its line, init never overwrites."""

from __future__ import annotations

from pathlib import Path

import pytest

from curation.schema import load_schema
from curation.workspace import (
    WORKSPACE_ENV,
    WorkspaceError,
    current_workspace,
    find_workspace_file,
    init_workspace,
    load_workspace,
    workspace_name,
)


def test_init_writes_a_workspace_whose_schema_loads(tmp_path: Path) -> None:
    root = tmp_path / "My Corpus-2"
    report = init_workspace(root)
    assert {p.name for p in report.written} == {"curation.yaml", "schema.yaml", "recipe.yaml", ".gitignore", "pages", "annotations"}
    workspace = load_workspace(root / "curation.yaml")
    assert workspace.name == "my_corpus_2" == workspace_name(root)
    assert workspace.schema == (root / "schema.yaml").absolute()
    assert workspace.data == (root / "data").absolute()
    assert workspace.studio_dir == workspace.data / "studio"
    assert workspace.annotators == {}  # no overlap until `curation studio overlap N` sets one
    assert workspace.input_paths() == (str((root / "pages").absolute()),)
    schema = load_schema(workspace.schema)
    assert (schema.name, schema.version, schema.migrations) == ("my_corpus_2", 1, ())
    assert "data/" in (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    text = (root / "schema.yaml").read_text(encoding="utf-8")
    assert "# The starter label schema" in text and "version-2" not in text  # its own comments, none of news.yaml's history


def test_the_starter_schema_fits_any_news_corpus(tmp_path: Path) -> None:
    init_workspace(tmp_path, name="corpus")
    schema = load_schema(tmp_path / "schema.yaml")
    assert [(f.name, f.levels) for f in schema.all_families] == [
        ("topic", ("article",)), ("entity", ("sentence",)), ("stance", ("article", "sentence"))]
    stance = next(f for f in schema.all_families if f.name == "stance")
    assert not stance.required  # a sentence that says nothing of the target needs no stance
    assert "labels.stance.target" in (stance.target or "")  # a placeholder that says where to set it
    assert "مالي" not in (tmp_path / "schema.yaml").read_text(encoding="utf-8")  # nothing of the seeds' story


def test_init_sets_the_stance_target_topics_and_entities(tmp_path: Path) -> None:
    init_workspace(tmp_path, name="corpus", target="رفع الدعم عن الوقود", topics=["politics", "sport"], entities=["PER", "TEAM"])
    schema = load_schema(tmp_path / "schema.yaml")
    families = {f.name: f for f in schema.all_families}
    assert families["stance"].target == "رفع الدعم عن الوقود"
    assert families["topic"].values == ["politics", "sport"]
    assert families["entity"].values == ["PER", "TEAM"]
    stance_keys = {label.hotkey for label in families["stance"].labels}
    assert stance_keys.isdisjoint(label.hotkey for label in families["topic"].labels + families["entity"].labels)


def test_init_refuses_labels_that_cannot_be_values_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="'bad label'"):
        init_workspace(tmp_path, name="corpus", entities=["PER", "bad label"])
    assert list(tmp_path.iterdir()) == []


def test_init_keeps_files_already_there(tmp_path: Path) -> None:
    (tmp_path / "schema.yaml").write_text("name: mine\n", encoding="utf-8")
    report = init_workspace(tmp_path, name="corpus")
    assert tmp_path / "schema.yaml" in report.kept
    assert (tmp_path / "schema.yaml").read_text(encoding="utf-8") == "name: mine\n"
    again = init_workspace(tmp_path, name="corpus")
    assert again.written == () and len(again.kept) == 4


def test_init_refuses_a_name_that_cannot_name_a_schema(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match="lowercase letters"):
        init_workspace(tmp_path, name="Bad Name")
    assert list(tmp_path.iterdir()) == []


def test_found_by_walking_up_and_overridden_by_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(WORKSPACE_ENV, raising=False)
    init_workspace(tmp_path / "ws", name="ws")
    deep = tmp_path / "ws" / "a" / "b"
    deep.mkdir(parents=True)
    assert find_workspace_file(deep) == (tmp_path / "ws" / "curation.yaml").resolve()
    assert find_workspace_file(tmp_path) is None
    monkeypatch.chdir(deep)
    found = current_workspace()
    assert found is not None and found.name == "ws"
    init_workspace(tmp_path / "other", name="other")
    monkeypatch.setenv(WORKSPACE_ENV, str(tmp_path / "other" / "curation.yaml"))
    assert current_workspace().name == "other"  # type: ignore[union-attr]


def test_every_problem_is_reported_with_its_line(tmp_path: Path) -> None:
    file = tmp_path / "curation.yaml"
    file.write_text(
        "name: ws\n"
        "inputs: [pages]\n"
        "colour: blue\n"
        "server:\n"
        "  url: ftp://nowhere\n"
        "annotators:\n"
        "  article: 0\n"
        "  paragraph: 2\n",
        encoding="utf-8",
    )
    with pytest.raises(WorkspaceError) as caught:
        load_workspace(file)
    problems = caught.value.problems
    assert problems[0].startswith(f"{file}:3: colour: unknown key")
    assert any(p.startswith(f"{file}:5: url: must start with http") for p in problems)
    assert any(p.startswith(f"{file}:7: article: annotators per task must be a whole number") for p in problems)
    assert any(p.startswith(f"{file}:8: paragraph: unknown level") for p in problems)


def test_invalid_yaml_and_missing_name_are_one_line_each(tmp_path: Path) -> None:
    file = tmp_path / "curation.yaml"
    file.write_text("name: ws\ninputs: [pages\n", encoding="utf-8")
    with pytest.raises(WorkspaceError, match=r"curation.yaml:\d+: invalid YAML"):
        load_workspace(file)
    file.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="must be a YAML mapping"):
        load_workspace(file)
    file.write_text("schema: s.yaml\n", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="missing required key 'name'"):
        load_workspace(file)
