"""Build benchmark: peak memory and wall time of `curation build` on 30% and 100% of ANT, each a
fresh process, and a digest of what it wrote (so a change to the build can be shown byte-neutral).

    .venv/bin/python bench/build.py                       # ANT cut and built at 30% and 100%
    .venv/bin/python bench/build.py --work /tmp/me/b      # keep the cut units there, reuse them next run
    .venv/bin/python bench/build.py --shares 30           # only the 30% build

Target of the pipeline issue: peak <= 500 MB and flat (within 20%) from 30% to 100% of ANT.
Peak is GNU time's ``%M`` (see ``bench/pipeline.py``); the units are cut beforehand by `curation
segment`, so the figures are the build's own (rows, dedup, splits, writers).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import tempfile
from pathlib import Path

from pipeline import ANT, CURATION, recipe, run, sample


def output_digest(folder: Path) -> str:
    """sha256 over every data file the build wrote (the manifest and card name the bench's paths)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name not in {"manifest.json", "README.md"}):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def units_for(folder: Path, pages: int) -> tuple[Path, Path]:
    """``(input, units)`` for the first ``pages`` ANT pages, cut once and reused while the folder lives."""
    inputs, units = folder / f"ant-{pages}.jsonl.gz", folder / f"units-{pages}.jsonl.gz"
    if not units.is_file():
        sample(folder, pages)
        run([*CURATION, "segment", str(inputs), "-o", str(units), "--workers", "2"])
    return inputs, units


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, help="folder for samples and units, kept for the next run")
    parser.add_argument("--shares", type=int, nargs="+", default=[30, 100], help="percentages of ANT to build")
    args = parser.parse_args()
    with gzip.open(ANT, "rb") as pages:
        total = sum(1 for _ in pages)
    with tempfile.TemporaryDirectory(prefix="bench-build-") as scratch:
        folder = args.work or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        print(f"{'curation build':<16} {'pages':>7} {'seconds':>8} {'peak MB':>8}  output sha256")
        peaks = {}
        for share in args.shares:
            pages = max(1, total * share // 100)
            inputs, units = units_for(folder, pages)
            name = f"ant-{share}"
            seconds, peaks[share] = run([*CURATION, "build", str(recipe(folder, name, inputs, units)), "--workers", "2"])
            print(f"{f'{share}% of ANT':<16} {pages:>7,} {seconds:>8.1f} {peaks[share]:>8.0f}  {output_digest(folder / name)}")
        if len(peaks) > 1:
            low, high = min(peaks), max(peaks)
            print(
                f"peak {peaks[high]:.0f} MB at {high}% (target <= 500), {peaks[high] / peaks[low] - 1:+.0%} from "
                f"{low}% to {high}% (target within 20%)"
            )


if __name__ == "__main__":
    main()
