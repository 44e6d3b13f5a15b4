"""`curation build` writes only what it owns: user files, the working directory, the recipe's own
folder and its inputs are refused before any work; a build with problems, a build killed with -9
and a build that fills the disk all leave the previous export as it was."""

from __future__ import annotations

import os
import random
import resource
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from .conftest import (
    CURATION,
    NEWS_SCHEMA,
    SEEDS,
    assert_clean_failure,
    assert_nothing_lost,
    run_cli,
    snapshot,
    tried,
)

RECIPE = """name: fault
inputs: [pages]
schema: news.yaml
split: {{seed: 13, ratios: {{train: 0.5, test: 0.5}}}}
output: {output}
"""


def workspace(folder: Path, output: str = "out") -> Path:
    """A user's folder: recipe, schema and input pages side by side, as `curation init` lays them out."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(SEEDS, folder / "pages")
    shutil.copy(NEWS_SCHEMA, folder / "news.yaml")
    (folder / "fault.yaml").write_text(RECIPE.format(output=output), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace with one good export in ``out`` (copied by each test that needs one)."""
    folder = workspace(tmp_path_factory.mktemp("built") / "ws")
    ran = run_cli(["build", "fault.yaml"], folder)
    assert ran.returncode == 0, ran.output
    return folder


@pytest.fixture
def ws(built: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "ws"
    shutil.copytree(built, copy, symlinks=True)
    return copy


def test_a_folder_of_user_files_is_refused_and_kept(ws: Path) -> None:
    tried("build -o a folder of user files")
    mine = ws / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_bytes(b"years of work")
    (mine / "notes").mkdir()
    (mine / "notes" / "todo.txt").write_text("keep me")
    before = snapshot(ws)
    ran = run_cli(["build", "fault.yaml", "-o", "mine"], ws)
    assert_clean_failure(ran, 1, "mine: holds 2 file(s) no build wrote (notes/todo.txt, thesis.docx)")
    assert_nothing_lost(before, ws)


@pytest.mark.parametrize("output", [".", "{cwd}", ".."], ids=["dot", "absolute-cwd", "parent"])
def test_the_working_directory_and_its_parents_are_refused(ws: Path, output: str) -> None:
    tried("build -o the working directory or a parent")
    before = snapshot(ws.parent)
    ran = run_cli(["build", "fault.yaml", "-o", output.format(cwd=ws)], ws)
    assert_clean_failure(ran, 1, "is the working directory or holds it; give the export a folder of its own")
    assert_nothing_lost(before, ws.parent)


def test_a_recipe_with_output_dot_is_refused(tmp_path: Path) -> None:
    tried("recipe output: .")
    folder = workspace(tmp_path / "ws", output=".")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    before = snapshot(folder)
    ran = run_cli(["build", str(folder / "fault.yaml")], elsewhere)  # run from elsewhere: not "the cwd" rule
    assert_clean_failure(ran, 1, "which this build reads; give the export a folder of its own")
    assert_nothing_lost(before, folder)


def test_an_output_inside_an_input_folder_is_refused(ws: Path) -> None:
    tried("build -o inside an input folder")
    before = snapshot(ws)
    ran = run_cli(["build", "fault.yaml", "-o", "pages/export"], ws)
    assert_clean_failure(ran, 1, "pages/export: is inside the input folder")
    assert not (ws / "pages" / "export").exists()
    assert_nothing_lost(before, ws)


def test_a_build_with_problems_keeps_the_previous_export_unless_allowed(ws: Path) -> None:
    tried("build whose inputs have problems over a good export")
    (ws / "pages" / "broken.txt").write_bytes(b"\xff\xfe\x00\x01 not a page")
    before = snapshot(ws)
    ran = run_cli(["build", "fault.yaml"], ws)
    assert_clean_failure(ran, 1, "the build found 1 problem(s), so the previous export was kept", "broken.txt")
    assert_nothing_lost(before, ws)
    assert not [p for p in ws.iterdir() if p.name.startswith(".out.")]

    allowed = run_cli(["build", "fault.yaml", "--allow-problems"], ws)
    assert allowed.returncode == 1 and "Traceback" not in allowed.output
    assert "broken.txt" in (ws / "out" / "manifest.json").read_text(encoding="utf-8")


def test_a_build_killed_with_sigkill_leaves_the_previous_export_and_the_next_run_tidies(ws: Path) -> None:
    """Killed at a random moment once its staging folder exists: the old export is whole (or the
    new one is, when the kill came after the swap); the next build removes the leftovers."""
    rng = random.Random(15)
    before = snapshot(ws / "out")
    for attempt in range(2):
        tried("kill -9 of build at a random point")
        process = subprocess.Popen([CURATION, "build", "fault.yaml"], cwd=ws, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)  # fmt: skip
        staging = ws / f".out.building-{process.pid}"
        while process.poll() is None and not staging.exists():
            time.sleep(0.05)
        time.sleep(rng.uniform(0, 1.5 * attempt))  # first kill as staging appears, then later
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert snapshot(ws / "out") == before  # whichever export is there, it is whole and the same
    (ws / f".out.old-{process.pid}").mkdir(exist_ok=True)  # as if killed between the two renames
    ran = run_cli(["build", "fault.yaml"], ws)
    assert ran.returncode == 0, ran.output
    assert [p.name for p in ws.iterdir() if p.name.startswith(".out.")] == []
    assert_nothing_lost(before, ws / "out")


def _can_mount_tmpfs(folder: Path) -> bool:
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    folder.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=400k", "tmpfs", str(folder)], capture_output=True)
    return done.returncode == 0


def test_a_full_disk_keeps_the_previous_export_and_is_one_line(ws: Path, tmp_path: Path) -> None:
    """A real full disk: a 400 KiB tmpfs holds one export (about 300 KiB) but not a second beside it.
    Without root, the file-size limit of the build process (RLIMIT_FSIZE) fails its writes alike."""
    tried("disk full during build")
    small = tmp_path / "small"
    if _can_mount_tmpfs(small):
        try:
            first = run_cli(["build", "fault.yaml", "-o", str(small / "out")], ws)
            assert first.returncode == 0, first.output
            before = snapshot(small)
            ran = run_cli(["build", "fault.yaml", "-o", str(small / "out")], ws)
            assert_clean_failure(ran, 1, "No space left on device; the previous export is intact")
            assert_nothing_lost(before, small)
            assert sorted(p.name for p in small.iterdir()) == ["out"]
        finally:
            subprocess.run(["umount", str(small)], check=True)
        return

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))

    before = snapshot(ws)
    ran = run_cli(["build", "fault.yaml"], ws, preexec_fn=limit_file_size)
    assert_clean_failure(ran, 1, "File too large; the previous export is intact")
    assert_nothing_lost(before, ws)


def test_a_build_whose_inputs_all_vanished_keeps_the_previous_export(ws: Path) -> None:
    tried("build after every input vanished")
    shutil.rmtree(ws / "pages")
    before = snapshot(ws)
    ran = run_cli(["build", "fault.yaml"], ws)
    assert_clean_failure(ran, 1, "so the previous export was kept", "pages: no such file or folder")
    assert_nothing_lost(before, ws)
