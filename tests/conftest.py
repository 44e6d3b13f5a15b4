"""Shared fixtures. ``studio_server`` is a REAL Label Studio, started once per test session
through the same library code as ``curation studio up`` and stopped (that process only) at
the end."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from curation.studio.server import StudioServer, start_server, stop_server


@pytest.fixture(scope="session")
def studio_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StudioServer]:
    """A running Label Studio with ``.url``, ``.api_key`` and ``.client()``."""
    data_dir = tmp_path_factory.mktemp("label-studio")
    server = start_server(data_dir)
    try:
        yield server
    finally:
        stop_server(data_dir)
