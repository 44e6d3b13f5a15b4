"""The label schemas shipped with the package (``news.yaml`` is the default).

They live in the checkout's top-level ``schemas/`` folder; ``pyproject.toml`` maps that folder to
``curation/schemas/`` inside a wheel. So an installed wheel finds them inside the package, and a
checkout (the editable install of ``make install``, or ``PYTHONPATH`` pointing at it) finds them
beside the ``curation`` package it imported: never the schemas of another checkout or install.
"""

from __future__ import annotations

from pathlib import Path

DEFAULT_NAME = "news.yaml"
_PACKAGE = Path(__file__).resolve().parent


def bundled_schemas_folder() -> Path:
    """The folder of the bundled schemas: in the package when installed from a wheel, else the checkout's."""
    installed = _PACKAGE / "schemas"
    return installed if installed.is_dir() else _PACKAGE.parent / "schemas"


def bundled_schema(name: str = DEFAULT_NAME) -> Path:
    """The file of a bundled schema."""
    return bundled_schemas_folder() / name
