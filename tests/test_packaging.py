"""A built wheel holds every package and the data the code reads, and finds its bundled schemas.

The schemas sit in the checkout's top-level ``schemas/`` and reach the wheel only through the
package list and mapping in ``pyproject.toml``; a package folder left out of that list, or a
broken mapping, shows up here and not first on a user's machine."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCE_FILES = ("pyproject.toml", "MANIFEST.in", "README.md", "LICENSE")
SOURCE_FOLDERS = ("curation", "schemas")


def build_wheel(tmp_path: Path) -> Path:
    """Build from a copy of the sources, so the build's own folders never land in the checkout."""
    source = tmp_path / "source"
    source.mkdir()
    for name in SOURCE_FILES:
        shutil.copy2(REPO / name, source / name)
    for name in SOURCE_FOLDERS:
        shutil.copytree(REPO / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation", "-w", str(dist), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = dist.glob("*.whl")
    return wheel


def test_a_built_wheel_ships_every_module_schema_and_word_list(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    with zipfile.ZipFile(wheel) as archive:
        shipped = set(archive.namelist())
        archive.extractall(tmp_path / "site")
    package = REPO / "curation"
    expected = {f"curation/{path.relative_to(package).as_posix()}" for path in package.rglob("*.py")}
    expected |= {f"curation/{path.relative_to(package).as_posix()}" for path in package.rglob("*.txt")}
    expected |= {f"curation/{path.relative_to(package).as_posix()}" for path in package.rglob("*.sql")}  # Label Studio's database
    expected |= {f"curation/schemas/{path.name}" for path in (REPO / "schemas").glob("*.yaml")}
    assert "curation/schemas/news.yaml" in expected
    assert sorted(expected - shipped) == []

    site = tmp_path / "site"
    probe = "from curation.schema import default_schema_path, load_schema; path = default_schema_path(); load_schema(path); print(path)"
    found = subprocess.run(
        [sys.executable, "-c", probe],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(site)},
    ).stdout.strip()
    assert Path(found) == site / "curation" / "schemas" / "news.yaml"
