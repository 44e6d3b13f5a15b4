"""Exporters and reproducible builds: a recipe in, a Hub-ready Hugging Face dataset (Parquet +
dataset card), JSONL and CoNLL out, with a manifest that makes every rebuild byte-identical.

    >>> from curation.export import build, load_recipe, verify
    >>> report = build(load_recipe("exports/seed-news.yaml"))   # writes exports/seed-news/
    >>> verify("exports/seed-news").identical
    True
"""

from curation.export.build import BuildReport, build
from curation.export.publish import PublishError, publish
from curation.export.recipe import Recipe, RecipeError, load_recipe
from curation.export.splits import SplitItem, SplitSpec, assign_splits
from curation.export.tokenize import Tagging, Token, bio_tagging, tokenize
from curation.export.verify import Verification, verify

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
