"""Build benchmark: `curation build` on 30% and 100% of ANT, each a fresh process, in interleaved
rounds, with a digest of what it wrote (so a change to the build can be shown byte-neutral).

    .venv/bin/python bench/build.py                       # ANT cut and built at 30% and 100%, 3 rounds
    .venv/bin/python bench/build.py --work /tmp/me/b      # keep the cut units there, reuse them next run
    .venv/bin/python bench/build.py --shares 30 --rounds 1

Every run is measured by ``bench/measure.py`` (wall, CPU seconds of the process tree, peak PSS
summed over the tree, load average); the summary gives medians (min-max). Target of the pipeline
issue: PSS <= 500 MB and flat (within 20%) from 30% to 100% of ANT (ten times ANT: ``bench/scale.py``).
The units are cut beforehand by `curation segment`, so the figures are the build's own (rows,
dedup, splits, writers).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import statistics
import tempfile
from pathlib import Path

from measure import Measured, load
from pipeline import ANT, CURATION, HEADER, recipe, run, sample, shown, summary


def output_digest(folder: Path) -> str:
    """sha256 over every data file the build wrote (the manifest and card name the bench's paths)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in {"manifest.json", "README.md"}):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        with path.open("rb") as data:  # a MB at a time: 10x ANT's JSONL alone held the bench at 5 GB
            while chunk := data.read(1 << 20):
                digest.update(chunk)
    return digest.hexdigest()[:16]


def units_for(folder: Path, pages: int) -> tuple[Path, Path]:
    """``(input, units)`` for the first ``pages`` ANT pages, cut once and reused while the folder lives."""
    inputs, units = folder / f"ant-{pages}.jsonl.gz", folder / f"units-{pages}.jsonl.gz"
    if not units.is_file():
        sample(folder, pages)
        run([*CURATION, "segment", str(inputs), "-o", str(units), "--workers", "2"], folder)
    return inputs, units


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, help="folder for samples and units, kept for the next run")
    parser.add_argument("--shares", type=int, nargs="+", default=[30, 100], help="percentages of ANT to build")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (every share in each)")
    args = parser.parse_args()
    with gzip.open(ANT, "rb") as pages:
        total = sum(1 for _ in pages)
    with tempfile.TemporaryDirectory(prefix="bench-build-") as scratch:
        folder = (args.work or Path(scratch)).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        pages = {share: max(1, total * share // 100) for share in args.shares}
        recipes = {share: recipe(folder, f"ant-{share}", *units_for(folder, pages[share])) for share in args.shares}
        print(f"{'curation build':<16} {'pages':>7} {HEADER}  output sha256")
        runs: dict[int, list[Measured]] = {}
        for round_ in range(args.rounds):
            for share in args.shares if round_ % 2 == 0 else reversed(args.shares):
                measured = run([*CURATION, "build", str(recipes[share]), "--workers", "2"], folder)
                runs.setdefault(share, []).append(measured)
                digest = output_digest(folder / f"ant-{share}")
                print(f"{f'{share}% of ANT':<16} {pages[share]:>7,} {shown(measured)}  {digest}  {load()}")
        for share in args.shares:
            print(f"{share}% of ANT: {summary(runs[share])}")
        if len(runs) > 1:
            low, high = min(runs), max(runs)
            pss = {share: statistics.median(r.pss for r in runs[share]) for share in (low, high)}
            print(
                f"PSS {pss[high]:.0f} MB at {high}% (target <= 500), {pss[high] / pss[low] - 1:+.0%} from "
                f"{low}% to {high}% (target within 20%)"
            )


if __name__ == "__main__":
    main()
