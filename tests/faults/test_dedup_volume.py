"""Many tiny documents given to `curation dedup`: a few words from a vocabulary of three make
thousands of near-copies and hundreds of thousands of candidate pairs. The run ends (no hang),
clusters them, counts the texts too short to compare, and stays far below a gigabyte."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

from .conftest import CURATION, HANG_AFTER_S, assert_clean_failure, run_cli, tried

PAGES = 20_000
VOCABULARY = ("خبر", "عاجل", "اليوم")
# runs a command and prints the peak resident set of its process tree (its largest process), in kB
PEAK_OF_TREE = "import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=True); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"


def test_twenty_thousand_tiny_documents_are_deduplicated_in_bounded_memory(tmp_path: Path) -> None:
    tried("dedup of 20,000 tiny documents")
    chosen = random.Random(7)
    pages = (
        {"id": f"p{n}", "text": " ".join(chosen.choice(VOCABULARY) for _ in range(chosen.randint(1, 12)))} for n in range(PAGES)
    )
    (tmp_path / "pages.jsonl").write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pages), encoding="utf-8")
    assert_clean_failure(run_cli(["segment", "pages.jsonl", "-o", "units.jsonl"], tmp_path), 0)

    done = subprocess.run(
        [sys.executable, "-c", PEAK_OF_TREE, CURATION, "dedup", "units.jsonl", "-o", "clusters.jsonl"],
        cwd=tmp_path, capture_output=True, text=True, timeout=HANG_AFTER_S,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) < 1_000_000  # kB: the largest process of the run under 1 GB
    assert "too short to compare" in done.stdout + done.stderr
    clusters = [json.loads(line) for line in (tmp_path / "clusters.jsonl").read_text(encoding="utf-8").splitlines()]
    assert clusters and all(c["size"] >= 2 for c in clusters)
    assert sum(c["size"] for c in clusters) < PAGES  # the shortest texts are counted, never clustered
