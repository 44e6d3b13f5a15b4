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
* memory of `curation dedup` and `curation build` at 30% and 100% of ANT (target <= 500 MB, flat
  within 20%).

Every run is measured by ``bench/measure.py``: wall seconds, CPU seconds of the whole process tree
and peak PSS summed over the tree (the driver and its workers, shared pages counted once), with the
load average beside it; summaries are medians with the min-max over the rounds. Memory flat to ten
times ANT is ``bench/scale.py``.

Dedup beside rensa and datasketch (same shingles, permutations and threshold; recall and pair
precision against an exact gold) is ``bench/dedup.py``.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import os
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from measure import Measured, load, measure, spread

REPO = Path(__file__).resolve().parents[1]
ANT = REPO.parent / "shared" / "corpora" / "ant-v2.1.jsonl.gz"
CURATION = [sys.executable, "-m", "curation.cli"] if not (REPO / ".venv" / "bin" / "curation").exists() else [str(REPO / ".venv" / "bin" / "curation")]
HEADER = f"{'wall s':>8} {'CPU s':>8} {'PSS MB':>8}"


def run(args: list[str], folder: Path) -> Measured:
    """One command in a fresh process, measured (``bench/measure.py``); a run that exited 1 (the
    command found problems in the data) is said so, never read as a figure without it."""
    measured = measure(args, folder)
    if measured.refused:
        print(f"  (exited 1: {measured.refused})")
    return measured


def shown(measured: Measured) -> str:
    return f"{measured.wall:>8.1f} {measured.cpu:>8.1f} {measured.pss:>8.0f}"


def summary(runs: list[Measured]) -> str:
    """Median (min-max) of wall, CPU and PSS over the rounds."""
    return (
        f"wall {spread([r.wall for r in runs], '{:.1f}'.format)} s, CPU {spread([r.cpu for r in runs], '{:.1f}'.format)} s, "
        f"PSS {spread([r.pss for r in runs], '{:.0f}'.format)} MB"
    )


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


def compare(
    rounds: int, folder: Path, command: Callable[[int], list[str]], output: Callable[[int], Path]
) -> tuple[str, bool]:
    """``command(workers)`` with 1 and 2 workers in turn, ``rounds`` times (a machine whose speed
    drifts slows both of a round alike): the rounds' wall and CPU ratios and each worker count's
    figures, as medians (min-max), and whether every run's ``output`` had the same bytes."""
    runs: dict[int, list[Measured]] = {1: [], 2: []}
    digests = set()
    for _ in range(rounds):
        for workers in (1, 2):
            measured = run(command(workers), folder)
            runs[workers].append(measured)
            digests.add(digest(output(workers)))
            print(f"{f'{workers} worker(s)':<22} {shown(measured)}  {digest(output(workers))}  {load()}")
    wall = [one.wall / two.wall for one, two in zip(runs[1], runs[2], strict=True)]
    cpu = [two.cpu / one.cpu for one, two in zip(runs[1], runs[2], strict=True)]
    for workers, measured in runs.items():
        print(f"  {workers} worker(s): {summary(measured)}")
    return (
        f"{spread(wall, '{:.2f}x'.format)} wall, CPU of 2 workers / 1: {spread(cpu, '{:.2f}x'.format)}",
        len(digests) == 1,
    )


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

        print(f"{load()} on {os.cpu_count()} cores before (a wall-clock speed-up needs idle cores)")
        print(f"1 and 2 workers in turn, {args.rounds} round(s); ratios are medians (min-max) of the rounds'\n")
        print(f"{'segment':<22} {HEADER}  sha256 of the units file")
        units = {workers: folder / f"units-{workers}w.jsonl.gz" for workers in (1, 2)}
        speedup, same = compare(
            args.rounds,
            folder,
            lambda workers: [*CURATION, "segment", str(inputs[100]), "-o", str(units[workers]), "--workers", str(workers)],
            lambda workers: units[workers],
        )
        ratio = units[1].stat().st_size / inputs[100].stat().st_size
        print(
            f"speed-up 2 vs 1 worker: {speedup} (target >= 1.8x); byte-identical: {same}; "
            f"units file / gzipped input: {ratio:.2f}x (target <= 3x)\n"
        )
        print(f"{'whole build of ANT':<22} {HEADER}  sha256 of the export")
        whole = recipe(folder, "ant-whole", inputs[100], None)
        speedup, same = compare(
            args.rounds,
            folder,
            lambda workers: [*CURATION, "build", str(whole), "-o", str(folder / f"whole-{workers}w"), "--workers", str(workers)],
            lambda workers: folder / f"whole-{workers}w",
        )
        print(f"speed-up 2 vs 1 worker: {speedup} (target >= 1.8x); byte-identical: {same}\n")

        units = {100: folder / "units-1w.jsonl.gz", 30: folder / "units-30.jsonl.gz"}
        run([*CURATION, "segment", str(inputs[30]), "-o", str(units[30]), "--workers", "2"], folder)
        commands = {
            "dedup": lambda share: [*CURATION, "dedup", str(units[share]), "-o", str(folder / f"clusters-{share}.jsonl")],
            "build": lambda share: [
                *CURATION, "build", str(recipe(folder, f"ant-{share}", inputs[share], units[share])), "--workers", "2"
            ],
        }  # fmt: skip
        print(f"{'command':<22} {'share':>6} {HEADER}  (30% and 100% in turn, {args.rounds} round(s))")
        runs: dict[tuple[str, int], list[Measured]] = {}
        for round_ in range(args.rounds):
            for share in (30, 100) if round_ % 2 == 0 else (100, 30):
                for command, args_of in commands.items():
                    measured = run(args_of(share), folder)
                    runs.setdefault((command, share), []).append(measured)
                    print(f"{f'curation {command}':<22} {share:>5}% {shown(measured)}  {load()}")
        for command in commands:
            pss = {share: statistics.median(r.pss for r in runs[command, share]) for share in (30, 100)}
            for share in (30, 100):
                print(f"{command} at {share}%: {summary(runs[command, share])}")
            print(
                f"{command}: PSS {pss[100]:.0f} MB at 100% (target <= 500), {pss[100] / pss[30] - 1:+.0%} from 30% "
                f"to 100% (target within 20%)"
            )


if __name__ == "__main__":
    main()
