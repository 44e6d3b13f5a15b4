"""The machine's limits at a write: a full disk (here the file-size limit of the command, RLIMIT_FSIZE,
which fails a write with EFBIG exactly where a full disk fails it with ENOSPC: no root, no mount,
and it runs the same in CI) and a read-only folder. Each is one line naming the output, no traceback,
and nothing that looks like a whole output is left; `curation verify` tells a partial export from a
whole one. (A full disk during `curation build` is tests/faults/test_build_output.py's, on a real
tmpfs when root may mount one.)"""

from __future__ import annotations

import json
import resource
import shutil
from pathlib import Path

from .conftest import SEEDS, assert_clean_failure, run_cli, tried

SMALL = 16_384  # bytes a file may grow to: the seeds' units are ~150 KB, a predictions file more than this


def _file_size_limit() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (SMALL, SMALL))


def _units(folder: Path) -> Path:
    ran = run_cli(["segment", str(SEEDS), "-o", "units.jsonl"], folder)
    assert ran.returncode == 0, ran.output
    return folder / "units.jsonl"


def test_segment_on_a_full_disk_names_the_output_and_leaves_none(tmp_path: Path) -> None:
    """Before: 'merge failed (OSError: [Errno 27] File too large)', naming no file."""
    tried("full disk: segment -o")
    ran = run_cli(["segment", str(SEEDS), "-o", "units.jsonl"], tmp_path, preexec_fn=_file_size_limit)
    assert_clean_failure(ran, 1, f"{tmp_path / 'units.jsonl'}: File too large")
    assert not (tmp_path / "units.jsonl").exists()
    assert not list(tmp_path.glob(".units.jsonl.*.tmp"))


def test_preannotate_on_a_full_disk_names_the_output_and_leaves_none(tmp_path: Path) -> None:
    """Before: 'error: File too large', naming no file."""
    tried("full disk: preannotate -o")
    _units(tmp_path)
    (tmp_path / "m.py").write_text("import re\n\ndef ner(text):\n    return [(m.start(), m.end(), 'PER', 0.5) for m in re.finditer(r'\\S+', text)]\n",
                                   encoding="utf-8")  # a span a word: far more than SMALL bytes of predictions
    ran = run_cli(["preannotate", "units.jsonl", "--model", "m.py:ner", "-o", "pre.jsonl"], tmp_path,
                  preexec_fn=_file_size_limit)  # fmt: skip
    assert_clean_failure(ran, 1, "error pre.jsonl: File too large")
    assert not (tmp_path / "pre.jsonl").exists()


def test_a_read_only_folder_is_one_line_naming_the_output(tmp_path: Path) -> None:
    tried("read-only output folder: segment -o")
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked").chmod(0o555)
    try:
        ran = run_cli(["segment", str(SEEDS), "-o", "locked/units.jsonl"], tmp_path, bound_by_permissions=True)
    finally:
        (tmp_path / "locked").chmod(0o755)
    assert_clean_failure(ran, 1, "locked/units.jsonl: Permission denied")
    assert list((tmp_path / "locked").iterdir()) == []


RECIPE = f"name: whole\ninputs: [{SEEDS}]\nsplit: {{seed: 13, ratios: {{train: 0.5, test: 0.5}}}}\nformats: [jsonl, conll]\n"


def test_verify_tells_a_partial_export_from_a_whole_one(tmp_path: Path) -> None:
    """A build cut short after the swap (a copy stopped half way, a disk that filled while the folder
    was moved): files the manifest lists are missing or shorter. verify says "partial export"."""
    tried("partial export given to verify")
    (tmp_path / "recipe.yaml").write_text(RECIPE, encoding="utf-8")
    assert run_cli(["build", "recipe.yaml"], tmp_path).returncode == 0
    whole = run_cli(["verify", "whole", "--recipe", "recipe.yaml", "--json"], tmp_path)
    assert whole.returncode == 0 and "partial export" not in whole.output, whole.output
    shutil.copytree(tmp_path / "whole", tmp_path / "cut")
    manifest = json.loads((tmp_path / "cut" / "manifest.json").read_text(encoding="utf-8"))
    listed = sorted(name for name in manifest["outputs"] if name.endswith((".jsonl", ".conll")))
    (tmp_path / "cut" / listed[0]).unlink()
    shortened = tmp_path / "cut" / listed[-1]
    shortened.write_bytes(shortened.read_bytes()[:100])
    ran = run_cli(["verify", "cut", "--recipe", "recipe.yaml"], tmp_path)
    assert_clean_failure(ran, 1, "partial export: 2 file(s) its manifest lists are missing or changed",
                         f"{listed[0]}: missing since the build", f"{listed[-1]}: edited since the build")  # fmt: skip
