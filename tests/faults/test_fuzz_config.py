"""Hypothesis-generated recipes, workspace files and schemas (the bundled schema with any node
replaced by any value): each loader returns a usable object or raises its own error whose every
problem is one line naming the file, never anything else (TypeError, RecursionError, ruamel's
unhashable CommentedSeq...)."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from curation.errors import CurationError
from curation.export.recipe import INGEST_KEYS, RecipeError, load_recipe
from curation.schema import SchemaError, load_schema
from curation.workspace import WorkspaceError, load_workspace

from .conftest import NEWS_SCHEMA, tried

FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(10**12), 10**12), st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12), st.sampled_from(["majority", "jsonl", "article", "train", "document", "huggingface"]),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8) | st.sampled_from(
        ["seed", "ratios", "stratify", "group_by", "num_perm", "threshold", "articles", "markers", "url", "train"]),
        inner, max_size=4),
    max_leaves=12,
)  # fmt: skip
RECIPE_KEYS = ["name", "description", "license", "inputs", "schema", "segmenter", "annotations", "adjudication",
               "reviewer", "reviews", "labels_from_meta", "dedup", "split", "formats", "output", "shard_rows", "units",
               *INGEST_KEYS, "splits"]  # fmt: skip
T = TypeVar("T")
WORKSPACE_KEYS = ["name", "schema", "inputs", "data", "server", "annotators", "recipe", "colour"]


def _yaml(data: Any) -> str:
    out = StringIO()
    YAML(typ="safe", pure=True).dump(data, out)
    return out.getvalue()


def _one_line_each(problems: list[str], shown: str) -> None:
    assert problems
    for problem in problems:
        assert "\n" not in problem and problem.startswith(shown), problem


def _loaded_or_one_line_each(text: str, name: str, load: Callable[[Path], T], refused: type[CurationError]) -> T | None:
    """``text`` written as file ``name`` and loaded: what ``load`` returns, or None once each problem
    of its ``refused`` error was checked to be one line naming the file."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        path.write_text(text, encoding="utf-8")
        try:
            return load(path)
        except refused as error:
            _one_line_each(error.problems, str(path))
            return None


@FUZZ
@given(st.dictionaries(st.sampled_from(RECIPE_KEYS), values, min_size=1, max_size=8), st.booleans())
def test_any_recipe_loads_or_is_one_line_per_problem(data: dict[str, Any], named: bool) -> None:
    tried("fuzz: recipes")
    if named:  # a valid name and inputs, so that the readers after them see the hostile keys
        data = {**data, "name": "fuzz", "inputs": ["pages"]}
    recipe = _loaded_or_one_line_each(_yaml(data), "recipe.yaml", load_recipe, RecipeError)
    if recipe is not None:
        json.dumps(recipe.to_dict(), allow_nan=False)  # what the manifest records
        assert recipe.settings.dedup.num_perm <= 1024 and recipe.shard_rows >= 1


@FUZZ
@given(st.dictionaries(st.sampled_from(WORKSPACE_KEYS), values, max_size=6))
@example({"server": {"\n": None}})  # a newline in a key once made a two-line problem
def test_any_workspace_file_loads_or_is_one_line_per_problem(data: dict[str, Any]) -> None:
    tried("fuzz: workspace files")
    workspace = _loaded_or_one_line_each(_yaml(data), "curation.yaml", load_workspace, WorkspaceError)
    if workspace is not None:
        assert workspace.name and all(isinstance(entry, str) for entry in workspace.inputs)


NEWS = YAML(typ="rt").load(NEWS_SCHEMA.read_text(encoding="utf-8"))


def _places(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path of the parsed schema, the root's children first."""
    found = []
    children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
    for key, child in children:
        found.append((*at, key))
        found.extend(_places(child, (*at, key)))
    return found


PLACES = _places(NEWS)


@FUZZ
@given(st.lists(st.tuples(st.sampled_from(PLACES), values | st.just([["nested"]])), min_size=1, max_size=3))
def test_a_schema_with_any_node_replaced_loads_or_is_one_line_per_problem(changes: list[tuple[tuple[Any, ...], Any]]) -> None:
    tried("fuzz: mutated schemas")
    schema = YAML(typ="rt").load(NEWS_SCHEMA.read_text(encoding="utf-8"))
    for place, value in changes:
        node = schema
        try:
            for key in place[:-1]:
                node = node[key]
            node[place[-1]] = value
        except (KeyError, IndexError, TypeError):  # an earlier change removed the way there
            continue
    out = StringIO()
    YAML(typ="rt").dump(schema, out)
    loaded = _loaded_or_one_line_each(out.getvalue(), "schema.yaml", load_schema, SchemaError)
    if loaded is not None:
        for level in ("article", "sentence"):
            loaded.label_config(level)  # what Label Studio is given
