"""``curation verify``: rebuild an export from its recipe in a temporary folder and compare.

A build is reproducible when the rebuild gives the same bytes for every file; any file that
differs, is missing or is extra is named. Files edited after the build are caught too, because
the export folder is compared against its own manifest first.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from curation.export.building import build
from curation.export.manifest import MANIFEST_NAME, file_sha256, output_hashes, read_manifest
from curation.export.recipe import Recipe, RecipeError, load_recipe
from curation.settings import Settings


@dataclass(slots=True)
class Verification:
    export_dir: Path
    recipe_path: Path
    files: int = 0
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # files the export's own manifest lists that are missing or changed: a build cut short (a full
    # disk, a copy stopped half way) or edited since; empty for a whole export
    incomplete: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not self.differences

    @property
    def whole(self) -> bool:
        """Every file the manifest lists is there with the bytes it records."""
        return not self.incomplete


def recipe_of(export_dir: Path) -> Path:
    """The recipe an export was built from, as its manifest places it (relative to the export
    folder), else a file of the recorded name next to the export folder (older manifests)."""
    manifest = read_manifest(export_dir)
    name = manifest.get("recipe_file")
    if not name:
        raise RecipeError(f"{export_dir / MANIFEST_NAME}: built from a recipe object, not a file; pass the recipe")
    placed = manifest.get("recipe_path")
    candidates = ([export_dir / placed] if placed else []) + [export_dir.parent / name]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise RecipeError(
        f"{export_dir / MANIFEST_NAME}: the recipe {name} is not at {' nor '.join(map(str, candidates))}; "
        "pass it with --recipe"
    )


def _hashes(folder: Path) -> dict[str, str]:
    hashes = output_hashes(folder)
    manifest = folder / MANIFEST_NAME
    if manifest.is_file():
        hashes[MANIFEST_NAME] = file_sha256(manifest)
    return hashes


def _as_built(recipe: Recipe, manifest: dict, result: Verification) -> Recipe:
    """The recipe with the ingest settings the manifest recorded: `build --title-field ...` overrides
    the recipe file for one build, and a rebuild from the file alone would read other fields."""
    try:
        recorded = Settings.from_dict(manifest["settings"]).ingest if "settings" in manifest else recipe.ingest
    except ValueError as exc:
        raise RecipeError(f"{result.export_dir / MANIFEST_NAME}: settings: {exc}") from None
    if recorded == recipe.ingest:
        return recipe
    result.notes.append("built with ingest settings given on the command line; rebuilt with them, as the manifest records")
    return replace(recipe, ingest=recorded)


def verify(export_dir: str | Path, recipe_path: str | Path | None = None) -> Verification:
    """Rebuild ``export_dir`` and list every file that is not byte-identical."""
    export_dir = Path(export_dir)
    recipe_path = Path(recipe_path) if recipe_path else recipe_of(export_dir)
    manifest = read_manifest(export_dir)
    result = Verification(export_dir, recipe_path)
    recipe = _as_built(load_recipe(recipe_path), manifest, result)
    if recipe.to_dict() != manifest.get("recipe"):
        result.notes.append(f"{recipe_path} has changed since this export was built")
    current = _hashes(export_dir)
    result.incomplete.extend(_manifest_disagreements(manifest.get("outputs", {}), current))
    with tempfile.TemporaryDirectory(prefix="curation-verify-") as tmp:
        rebuilt_dir = Path(tmp) / export_dir.name
        build(recipe, out_dir=rebuilt_dir, allow_problems=True)  # problems are compared, not judged
        rebuilt = _hashes(rebuilt_dir)
    result.files = len(rebuilt)
    result.differences.extend(_differences(current, rebuilt))
    return result


def _manifest_disagreements(recorded: dict[str, str], current: dict[str, str]) -> list[str]:
    """The export's files that are missing, extra or edited against the hashes its manifest records."""
    notes = []
    for path in sorted(set(recorded) | (set(current) - {MANIFEST_NAME})):
        if recorded.get(path) != current.get(path):
            state = "missing" if path not in current else "not in the manifest" if path not in recorded else "edited"
            notes.append(f"{path}: {state} since the build (manifest disagrees with the folder)")
    return notes


def _differences(current: dict[str, str], rebuilt: dict[str, str]) -> list[str]:
    """Each file that the export and its rebuild do not both hold with the same bytes."""
    differences = []
    for path in sorted(set(current) | set(rebuilt)):
        if path not in rebuilt:
            differences.append(f"{path}: in the export but not produced by the rebuild")
        elif path not in current:
            differences.append(f"{path}: produced by the rebuild but missing from the export")
        elif current[path] != rebuilt[path]:
            differences.append(f"{path}: differs (export {current[path][:12]}, rebuild {rebuilt[path][:12]})")
    return differences
