"""Exporters and reproducible builds: a recipe in, a Hub-ready Hugging Face dataset (Parquet +
dataset card), JSONL and CoNLL out, with a manifest that makes every rebuild byte-identical.

    >>> from curation.export import build, load_recipe, verify
    >>> report = build(load_recipe("exports/seed-news.yaml"))   # writes exports/seed-news/
    >>> verify("exports/seed-news").identical
    True
"""

from __future__ import annotations

import importlib
from typing import Any

from curation.export.recipe import Recipe, RecipeError, load_recipe
from curation.export.splits import SplitItem, SplitSpec, assign_splits
from curation.export.tokenize import Tagging, Token, bio_tagging, tokenize

# Resolved on first use: light commands (segment) read recipes through this package and must not pay
# for `datasets`, which building, publishing and verifying pull in.
_HEAVY = {
    "BuildReport": "building",
    "build": "building",
    "PublishError": "publishing",
    "publish": "publishing",
    "Verification": "verification",
    "verify": "verification",
}


def __getattr__(name: str) -> Any:
    if name not in _HEAVY:
        raise AttributeError(f"module 'curation.export' has no attribute {name!r}")
    return getattr(importlib.import_module(f"curation.export.{_HEAVY[name]}"), name)


__all__ = [
    "BuildReport",
    "PublishError",
    "Recipe",
    "RecipeError",
    "SplitItem",
    "SplitSpec",
    "Tagging",
    "Token",
    "Verification",
    "assign_splits",
    "bio_tagging",
    "build",
    "load_recipe",
    "publish",
    "tokenize",
    "verify",
]
