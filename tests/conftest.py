"""Shared fixtures. ``studio_server`` is a REAL Label Studio, started once per test session
through the same library code as ``curation studio up`` and stopped (that process only) at
the end."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

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


@pytest.fixture
def local_ray_cluster(monkeypatch: pytest.MonkeyPatch) -> Callable[[], AbstractContextManager[None]]:
    """A two-CPU Ray cluster started by the test, as a context entered only after any local
    (forking) run: a process holding Ray's threads must not fork."""
    # a loaded machine starts Ray's agents slowly: wait for them instead of failing the start
    monkeypatch.setenv("RAY_agent_register_timeout_ms", "300000")
    monkeypatch.setenv("RAY_raylet_start_wait_time_s", "300")

    @contextmanager
    def cluster() -> Iterator[None]:
        import ray

        for attempt in range(3):  # Ray gives its raylet a fixed 30 s to register, too short on a busy machine
            try:
                ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
                break
            except Exception:
                ray.shutdown()
                if attempt == 2:
                    raise
        try:
            yield
        finally:
            ray.shutdown()

    return cluster
