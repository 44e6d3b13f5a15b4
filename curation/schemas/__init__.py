"""Label schemas shipped with the package (``news.yaml`` is the default).

They live inside the package so that an installed wheel finds them through
:mod:`importlib.resources`, not through a path into a source checkout."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

DEFAULT_NAME = "news.yaml"


def bundled_schema(name: str = DEFAULT_NAME) -> Path:
    """The file of a bundled schema (installed packages are plain folders, so a real path)."""
    return Path(str(files(__name__).joinpath(name)))
