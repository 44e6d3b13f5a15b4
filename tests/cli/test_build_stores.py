"""A recipe takes several annotation stores or a folder of them; `verify EXPORT` finds its recipe
through the manifest wherever the export was written."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from ruamel.yaml import YAML

from curation.cli import main
from curation.ingest import read_documents
from curation.segment.pipeline import segment_document
from curation.units import Annotation

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"


def _stores(folder: Path) -> tuple[Path, Path]:
    """An article store and a sentence store, as `curation pull` writes one per level."""
    segmented = [segment_document(d) for d in read_documents([SEEDS], [])]
    article = segmented[0].articles[0]
    sentence = segmented[0].sentences[0]
    folder.mkdir(parents=True)
    stores = []
    for level, unit_id, choices in (
        ("article", article.id, {"topic": ("politics",), "stance": ("neutral",)}),
        ("sentence", sentence.id, {"stance": ("neutral",)}),
    ):
        path = folder / f"news-{level}.jsonl"
        records = [Annotation(unit_id, level, who, str(n), choices, (), schema_version=2).to_record() for n, who in enumerate(("ali", "mona"))]  # type: ignore[arg-type]
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
        stores.append(path)
    return stores[0], stores[1]


def _recipe(folder: Path, **fields: object) -> Path:
    recipe = {"name": "stores", "inputs": [str(SEEDS)], "split": {"seed": 1, "ratios": {"train": 0.5, "test": 0.5}}, **fields}
    path = folder / "recipe.yaml"
    with path.open("w", encoding="utf-8") as handle:
        YAML().dump(recipe, handle)
    return path


def _manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_a_list_and_a_folder_of_stores_build_the_same_annotations(tmp_path: Path) -> None:
    article_store, sentence_store = _stores(tmp_path / "annotations")
    runner = CliRunner()
    listed = _recipe(tmp_path, annotations=["annotations/news-article.jsonl", "annotations/news-sentence.jsonl"], output="out/listed")
    result = runner.invoke(main, ["build", str(listed), "--json"])
    assert result.exit_code == 0, result.output
    folder = _recipe(tmp_path, annotations="annotations", output="out/folder")
    result = runner.invoke(main, ["build", str(folder)])
    assert result.exit_code == 0, result.output
    by_list, by_folder = _manifest(tmp_path / "out" / "listed"), _manifest(tmp_path / "out" / "folder")
    assert by_list["annotations"]["records"] == by_folder["annotations"]["records"] == 4
    assert by_list["annotations"]["fingerprint"] == by_folder["annotations"]["fingerprint"]
    assert sorted(by_folder["annotations"]["stores"]) == ["annotations/news-article.jsonl", "annotations/news-sentence.jsonl"]


def test_annotations_of_the_wrong_shape_are_one_line(tmp_path: Path) -> None:
    recipe = _recipe(tmp_path, annotations={"article": "a.jsonl"})
    result = CliRunner().invoke(main, ["build", str(recipe)])
    assert result.exit_code == 1
    line = next(n for n, text in enumerate(recipe.read_text(encoding="utf-8").splitlines(), 1) if text.startswith("annotations:"))
    assert f"{recipe}:{line}: annotations: is a store file, a folder of stores, or a list of them" in result.output
    assert "Traceback" not in result.output


def test_verify_finds_the_recipe_through_the_manifest(tmp_path: Path, monkeypatch) -> None:
    recipe = _recipe(tmp_path, output="data/exports/stores")
    runner = CliRunner()
    assert runner.invoke(main, ["build", str(recipe)]).exit_code == 0
    export = tmp_path / "data" / "exports" / "stores"
    assert _manifest(export)["recipe_path"] == "../../../recipe.yaml"
    monkeypatch.chdir(tmp_path / "data")
    result = runner.invoke(main, ["verify", "exports/stores"])
    assert result.exit_code == 0, result.output
    assert "reproducible" in result.output
    recipe.rename(tmp_path / "moved.yaml")
    lost = runner.invoke(main, ["verify", "exports/stores"])
    assert lost.exit_code == 1 and "pass it with --recipe" in lost.output
