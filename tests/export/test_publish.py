"""Publishing fails fast and says why when there is no token or no Hub; the token never shows."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from curation.export.building import build
from curation.export.publishing import PublishError, publish
from curation.export.recipe import load_recipe

from .conftest import write_recipe

TOKEN = "hf_NotARealTokenButSecret0123456789"


@pytest.fixture(scope="module")
def export_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(load_recipe(write_recipe(tmp_path_factory.mktemp("publish")))).out_dir


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_cli(args: list[str], env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    result = subprocess.run(
        [str(Path(sys.executable).parent / "curation"), *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    return result, time.monotonic() - started


def test_without_a_token_it_fails_before_any_network(export_dir: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "HF_TOKEN"}
    env.update(HF_HOME=str(tmp_path / "empty-hf-home"), HF_ENDPOINT=f"http://127.0.0.1:{closed_port()}")
    result, _ = run_cli(["publish", str(export_dir), "--repo", "someone/seed-news"], env)
    assert result.returncode == 1
    assert "no Hugging Face token: set HF_TOKEN or run `hf auth login`" in result.stderr
    assert "cannot reach" not in result.stderr  # the token check comes first


def test_unreachable_hub_fails_fast_without_showing_the_token(export_dir: Path) -> None:
    endpoint = f"http://127.0.0.1:{closed_port()}"
    started = time.monotonic()
    with pytest.raises(PublishError) as caught:
        publish(export_dir, "someone/seed-news", token=TOKEN, endpoint=endpoint, timeout=2)
    assert time.monotonic() - started < 5
    assert f"cannot reach the Hub at {endpoint}" in str(caught.value) and TOKEN not in str(caught.value)


def test_cli_publish_without_network_fails_fast_and_keeps_the_token_secret(export_dir: Path) -> None:
    env = {**os.environ, "HF_TOKEN": TOKEN, "HF_ENDPOINT": f"http://127.0.0.1:{closed_port()}"}
    result, elapsed = run_cli(["publish", str(export_dir), "--repo", "someone/seed-news", "--timeout", "2"], env)
    assert result.returncode == 1
    assert "cannot reach the Hub" in result.stderr and "nothing was uploaded" in result.stderr
    assert TOKEN not in result.stdout + result.stderr
    assert elapsed < 90  # generous: most of it is the CLI importing datasets on a loaded machine


def test_publish_refuses_a_folder_that_is_not_a_build(tmp_path: Path) -> None:
    with pytest.raises(PublishError, match="not a Hugging Face build"):
        publish(tmp_path, "someone/seed-news", token=TOKEN)
