"""Fixtures for the exporter tests: recipes written into temporary folders over the real seeds."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"
NEWS_SCHEMA = REPO / "schemas" / "news.yaml"


def write_recipe(folder: Path, **fields: Any) -> Path:
    """A recipe file in ``folder``; defaults build the seeds with the news schema."""
    recipe = {
        "name": "seed-test",
        "inputs": [str(SEEDS)],
        "schema": str(NEWS_SCHEMA),
        "split": {"seed": 13, "ratios": {"train": 0.5, "test": 0.5}},
        **fields,
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{recipe['name']}.yaml"
    with path.open("w", encoding="utf-8") as handle:
        YAML().dump(recipe, handle)
    return path


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def duplicated_pages(folder: Path) -> tuple[Path, list[dict[str, Any]], int]:
    """``pages.jsonl`` in ``folder``: the seeds' long paragraphs as pages, every third filed twice
    (another outlet, another topic) and one near copy; with its records and the count filed twice."""
    paragraphs = [
        line
        for path in sorted(SEEDS.glob("*.txt"))
        for line in path.read_text("utf-8").splitlines()
        if len(line.split()) > 30
    ]
    paragraphs = list(dict.fromkeys(paragraphs))
    records = [
        {"id": f"p{i}", "topic": ("sport", "economy", "culture", "middleEast")[i % 4], "text": t}
        for i, t in enumerate(paragraphs)
    ]
    twice = range(0, len(paragraphs), 3)
    records += [{"id": f"dup{i}", "topic": "economy", "text": paragraphs[i]} for i in twice]
    records += [{"id": "near0", "topic": "sport", "text": paragraphs[1] + " وأضاف المصدر أن الاتصالات مستمرة."}]
    return write_jsonl(folder / "pages.jsonl", records), records, len(twice)


@pytest.fixture
def recipe_in(tmp_path: Path) -> Callable[..., Path]:
    return lambda **fields: write_recipe(tmp_path, **fields)
