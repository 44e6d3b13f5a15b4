"""curation: raw Arabic news pages to annotated, published training data.

``from curation import Project`` is the library's entry point (:mod:`curation.project`), loaded on
first use so that ``import curation`` (every CLI start) stays light.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["CurationError", "Project"]


def __getattr__(name: str) -> Any:
    if name == "Project":
        from curation.project import Project

        return Project
    if name == "CurationError":
        from curation.errors import CurationError

        return CurationError
    raise AttributeError(f"module 'curation' has no attribute {name!r}")
