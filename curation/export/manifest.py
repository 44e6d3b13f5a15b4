"""``manifest.json``: what a build was made from and what it produced, hash by hash.

It records no time and no absolute path, so it is itself part of the byte-identical output that
``curation verify`` compares.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path
from typing import Any

from curation.fileio import atomic_writer

MANIFEST_NAME = "manifest.json"
PACKAGES = ("curation", "datasets", "pyarrow", "huggingface_hub", "pyarabic", "datasketch", "jsonlines", "ruamel.yaml")
_CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def package_versions() -> dict[str, str]:
    versions = {"python": ".".join(platform.python_version_tuple()[:2])}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def relative(path: Path, base: Path) -> str:
    """``path`` relative to ``base`` with forward slashes, the same on every machine."""
    return Path(os.path.relpath(path, base)).as_posix()


def output_hashes(out_dir: Path) -> dict[str, str]:
    """sha256 of every file of a build folder except the manifest, by relative path, sorted."""
    files = sorted(p for p in out_dir.rglob("*") if p.is_file() and p.name != MANIFEST_NAME)
    return {relative(p, out_dir): file_sha256(p) for p in files}


def input_hashes(paths: Iterable[Path], base: Path) -> dict[str, str]:
    return {relative(p, base): file_sha256(p) for p in sorted(set(paths))}


def write_manifest(out_dir: Path, content: Mapping[str, Any]) -> Path:
    """Write the manifest with the output hashes of everything already in ``out_dir``."""
    path = out_dir / MANIFEST_NAME
    data = {**content, "outputs": output_hashes(out_dir)}
    with atomic_writer(path) as handle:
        handle.write(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n")
    return path


def read_manifest(out_dir: Path) -> dict[str, Any]:
    path = out_dir / MANIFEST_NAME
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{path}: no manifest; is {out_dir} a build folder?") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: invalid JSON ({exc.msg} at line {exc.lineno})") from None
