"""Pipeline benchmark: the whole ANT corpus through `curation segment` and through the whole
`curation build` (pages in, segmentation included) with 1 and 2 workers, then `curation dedup`
and `curation build` on 30% and 100% of it, each a fresh process, in one run.

    .venv/bin/python bench/pipeline.py               # whole ANT (31,523 pages): tens of minutes on 2 cores
    .venv/bin/python bench/pipeline.py --limit 2000  # quick run on the first 2,000 pages
    .venv/bin/python bench/pipeline.py --rounds 1    # one run of each worker count (default: 3 rounds)

Printed against the targets of the pipeline issue:

* 2 workers vs 1 on the segmentation of ANT and on the whole build of ANT: speed-up (target >= 1.8x)
  and byte-identical units and exports;
* the compact units file against the gzipped input (target <= 3x);
* peak resident memory of `curation dedup` and `curation build` at 30% and 100% of ANT (target
  <= 500 MB, flat within 20%), measured by GNU time (``%M``: the largest single process of the
  command, which for a local run with workers is the driver or one worker, never their sum).

Dedup beside rensa and datasketch (same shingles, permutations and threshold; recall and pair
precision against an exact gold) is ``bench/dedup.py``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
ANT = REPO.parent / "shared" / "corpora" / "ant-v2.1.jsonl.gz"
CURATION = [sys.executable, "-m", "curation.cli"] if not (REPO / ".venv" / "bin" / "curation").exists() else [str(REPO / ".venv" / "bin" / "curation")]
TIME = shutil.which("time") or "/usr/bin/time"


def run(args: list[str]) -> tuple[float, float]:
    """``(wall seconds, peak MB)`` of one command in a fresh process; CPU seconds go to ``CPU``."""
    started = time.perf_counter()
    done = subprocess.run([TIME, "-f", "%M %U %S", *args], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):  # 1: the command found problems in the data, and said so
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    *said, last = done.stderr.strip().splitlines()
    peak, user, system = last.split()
    CPU.append(float(user) + float(system))
    if done.returncode:  # shown, so that a refused or partial run is never read as a figure
        print(f"  ({args[1]} exited 1: {next((line for line in reversed(said) if line.strip()), '')[:200]})")
    return seconds, int(peak) / 1024


CPU: list[float] = []  # user + system seconds of each command run, its children included


def sample(folder: Path, pages: int) -> Path:
    """The first ``pages`` lines of ANT, gzipped as ANT is."""
    path = folder / f"ant-{pages}.jsonl.gz"
    with gzip.open(ANT, "rb") as source, gzip.open(path, "wb") as target:
        target.writelines(itertools.islice(source, pages))
    return path


def recipe(folder: Path, name: str, inputs: Path, units: Path | None) -> Path:
    """A recipe building ``inputs``; from the ``units`` file cut beforehand, or (None) segmenting them itself."""
    path = folder / f"{name}.yaml"
    path.write_text(
        # no labels_from_meta: ANT's topics are not the default schema's labels (a problem per row)
        f"name: {name}\ninputs: [{inputs}]\n{f'units: {units}' if units else ''}\n"
        f"dedup: true\nsplit: {{seed: 13}}\nformats: [huggingface, jsonl]\noutput: {folder / name}\n",
        encoding="utf-8",
    )
    return path


def digest(path: Path) -> str:
    """Of a file, or of every file under a folder (names included)."""
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    summed = hashlib.sha256()
    for file in files:
        summed.update(file.relative_to(path).as_posix().encode() if path.is_dir() else b"")
        summed.update(hashlib.sha256(file.read_bytes()).digest())
    return summed.hexdigest()[:16]


def compare(rounds: int, command: Callable[[int], list[str]], output: Callable[[int], Path]) -> tuple[str, bool]:
    """``command(workers)`` with 1 and 2 workers in turn, ``rounds`` times (a machine whose speed
    drifts slows both of a round alike): the median of the rounds' speed-ups with each round's,
    and whether every run's ``output`` had the same bytes."""
    ratios, digests = [], set()
    for _ in range(rounds):
        seconds = {}
        for workers in (1, 2):
            seconds[workers], peak = run(command(workers))
            digests.add(digest(output(workers)))
            print(f"{f'{workers} worker(s)':<22} {seconds[workers]:>8.1f} {CPU[-1]:>8.1f} {peak:>8.0f} {'':>9}  {digest(output(workers))}")
        ratios.append(seconds[1] / seconds[2])
    each = ", ".join(f"{r:.2f}" for r in ratios)
    return f"{statistics.median(ratios):.2f}x (rounds: {each})", len(digests) == 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="only the first N ANT pages")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of 1 then 2 workers (default 3)")
    args = parser.parse_args()
    with gzip.open(ANT, "rb") as pages:
        total = args.limit or sum(1 for _ in pages)
    with tempfile.TemporaryDirectory(prefix="bench-pipeline-") as work:
        folder = Path(work)
        inputs = {100: sample(folder, total), 30: sample(folder, max(1, int(total * 0.3)))}
        print(f"ANT pages: {total:,} ({inputs[100].stat().st_size / 1e6:.1f} MB gzipped); cores: {os.cpu_count()}\n")

        print(f"load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores (wall-clock speed-up needs idle cores)")
        print(f"1 and 2 workers in turn, {args.rounds} round(s); the speed-up is the median of the rounds' ratios\n")
        print(f"{'segment':<22} {'seconds':>8} {'CPU s':>8} {'peak MB':>8} {'':>9}  sha256 of the units file")
        units = {workers: folder / f"units-{workers}w.jsonl.gz" for workers in (1, 2)}
        speedup, same = compare(
            args.rounds,
            lambda workers: [*CURATION, "segment", str(inputs[100]), "-o", str(units[workers]), "--workers", str(workers)],
            lambda workers: units[workers],
        )
        ratio = units[1].stat().st_size / inputs[100].stat().st_size
        print(
            f"speed-up 2 vs 1 worker: {speedup} (target >= 1.8x); byte-identical: {same}; "
            f"units file / gzipped input: {ratio:.2f}x (target <= 3x)\n"
        )
        print(f"{'whole build of ANT':<22} {'seconds':>8} {'CPU s':>8} {'peak MB':>8} {'':>9}  sha256 of the export")
        whole = recipe(folder, "ant-whole", inputs[100], None)
        speedup, same = compare(
            args.rounds,
            lambda workers: [*CURATION, "build", str(whole), "-o", str(folder / f"whole-{workers}w"), "--workers", str(workers)],
            lambda workers: folder / f"whole-{workers}w",
        )
        print(f"speed-up 2 vs 1 worker: {speedup} (target >= 1.8x); byte-identical: {same}\n")

        units = {100: folder / "units-1w.jsonl.gz", 30: folder / "units-30.jsonl.gz"}
        run([*CURATION, "segment", str(inputs[30]), "-o", str(units[30]), "--workers", "2"])

        print(f"{'command':<22} {'share':>6} {'seconds':>8} {'peak MB':>8}")
        peaks: dict[str, dict[int, float]] = {"dedup": {}, "build": {}}
        for share in (30, 100):
            seconds, peaks["dedup"][share] = run([*CURATION, "dedup", str(units[share]), "-o", str(folder / f"clusters-{share}.jsonl")])
            print(f"{'curation dedup':<22} {share:>5}% {seconds:>8.1f} {peaks['dedup'][share]:>8.0f}")
            seconds, peaks["build"][share] = run(
                [*CURATION, "build", str(recipe(folder, f"ant-{share}", inputs[share], units[share])), "--workers", "2"]
            )
            print(f"{'curation build':<22} {share:>5}% {seconds:>8.1f} {peaks['build'][share]:>8.0f}")
        for command, by_share in peaks.items():
            growth = by_share[100] / by_share[30] - 1
            print(
                f"{command}: peak {by_share[100]:.0f} MB at 100% (target <= 500), {growth:+.0%} from 30% to 100% "
                f"(target within 20%)"
            )


if __name__ == "__main__":
    main()
