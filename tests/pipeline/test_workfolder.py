"""A run killed outright leaves its work folder; the next run on the same machine removes it and says
so, and removes nothing it cannot prove a killed run wrote."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from curation.cli import main
from curation.pipeline.workfolder import OWNER, disown, make_work_folder, tidy_abandoned

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
PREFIX = "curation-build-"
KILLED = """
import os, signal, sys
from curation.pipeline.workfolder import make_work_folder
work = make_work_folder(sys.argv[1], sys.argv[2], sys.argv[3])
(work / "spill.arrow").write_bytes(bytes(5000))
print(work, flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def killed_run(parent: Path, prefix: str = PREFIX, suffix: str = "") -> Path:
    """The work folder of a process killed as the out-of-memory killer would, after writing a spill."""
    done = subprocess.run([sys.executable, "-c", KILLED, str(parent), prefix, suffix], capture_output=True, text=True, check=False)
    assert done.returncode == -signal.SIGKILL, done.stderr
    return Path(done.stdout.strip())


def test_a_killed_runs_folder_is_removed_with_its_size(tmp_path: Path) -> None:
    work = killed_run(tmp_path)
    assert work.is_dir()
    [(removed, size)] = tidy_abandoned(tmp_path, PREFIX)
    assert removed == work and not work.exists()
    assert size >= 5000


def test_the_folder_of_a_running_process_stays(tmp_path: Path) -> None:
    mine = make_work_folder(tmp_path, PREFIX)
    assert tidy_abandoned(tmp_path, PREFIX) == []
    assert mine.is_dir()


def test_a_process_id_reused_by_another_process_does_not_protect_the_folder(tmp_path: Path) -> None:
    work = make_work_folder(tmp_path, PREFIX)
    owner = json.loads((work / OWNER).read_text(encoding="utf-8"))
    (work / OWNER).write_text(json.dumps({**owner, "started": owner["started"] - 3600}), encoding="utf-8")
    assert [path for path, _ in tidy_abandoned(tmp_path, PREFIX)] == [work]


@pytest.mark.parametrize("owner", ["missing", "not json", "another machine", "disowned"])
def test_a_folder_without_proof_that_a_killed_run_of_this_machine_wrote_it_stays(tmp_path: Path, owner: str) -> None:
    work = killed_run(tmp_path)
    if owner == "missing":
        (work / OWNER).unlink()
    elif owner == "not json":
        (work / OWNER).write_text("{", encoding="utf-8")
    elif owner == "another machine":
        found = json.loads((work / OWNER).read_text(encoding="utf-8"))
        (work / OWNER).write_text(json.dumps({**found, "host": "node-17.cluster"}), encoding="utf-8")
    else:
        disown(work)  # a failed run keeps its logs this way
    assert tidy_abandoned(tmp_path, PREFIX) == []
    assert (work / "spill.arrow").is_file()


def test_only_folders_of_the_asked_name_are_looked_at(tmp_path: Path) -> None:
    build = killed_run(tmp_path)
    segment = killed_run(tmp_path, ".units.jsonl.", ".work")
    assert [path for path, _ in tidy_abandoned(tmp_path, ".units.jsonl.", ".work")] == [segment]
    assert build.is_dir()


def test_build_removes_a_killed_builds_folder_and_says_so(tmp_path: Path) -> None:
    work_dir = tmp_path / "work"
    work_dir.mkdir()
    killed = killed_run(work_dir)
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(f"name: seeds\ninputs: [{SEEDS}]\noutput: {tmp_path / 'out'}\nsplit: {{seed: 1, ratios: {{train: 1.0}}}}\n",
                      encoding="utf-8")  # fmt: skip
    result = CliRunner().invoke(main, ["build", str(recipe), "--work-dir", str(work_dir), "--workers", "1"])
    assert result.exit_code == 0, result.output
    assert not killed.exists()
    assert f"removed {killed} (0.0 MB), the work folder of a run that was killed" in " ".join(result.output.split())
    assert not list(work_dir.glob(PREFIX + "*"))  # and its own folder is gone too


def test_segment_removes_a_killed_segments_folder_beside_its_output(tmp_path: Path) -> None:
    output = tmp_path / "units.jsonl"
    killed = killed_run(tmp_path, f".{output.name}.", ".work")
    result = CliRunner().invoke(main, ["segment", str(SEEDS), "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert not killed.exists() and output.is_file()
    assert "the work folder of a run that was killed" in " ".join(result.output.split())


def test_dedup_removes_a_killed_dedups_folder_in_the_temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))  # where this process's temporary folders go
    killed = killed_run(temporary, "curation-dedup-")
    units = tmp_path / "units.jsonl"
    assert CliRunner().invoke(main, ["segment", str(SEEDS), "-o", str(units)]).exit_code == 0
    result = CliRunner().invoke(main, ["dedup", str(units), "-o", str(tmp_path / "clusters.jsonl")])
    assert result.exit_code == 0, result.output
    assert not killed.exists()
    assert f"removed {killed}" in " ".join(result.output.split())
    assert list(temporary.iterdir()) == []  # its own folder removed as well
