"""Memory at scale: `curation build` (from a units file) and `curation dedup` on 1x, 3x and 10x ANT,
each a fresh process on the local executor, measured by ``bench/measure.py`` (wall, CPU seconds of
the process tree, peak summed PSS), in interleaved rounds, with the load average of each run.

    python bench/scale.py                               # 1x, 3x, 10x, three rounds
    python bench/scale.py --scales 1 3 --rounds 3       # leave out 10x
    python bench/scale.py --work /tmp/me/scale          # keep the units for the next run
    python bench/scale.py --scales 1 --executors local ray   # what Ray costs on one machine

ANT (``../shared/corpora/ant-v2.1.jsonl.gz``) is cut once by `curation segment` (not measured);
the larger corpora rewrite its units file: copy 0 is ANT's units as they are, copy k >= 1 has every
id ``<id>x<k>`` and, in every page's text, every fourth word ending in an Arabic letter ends in the
k-th letter of a list instead (one code point for one, so every span stays where it was). Every
5-word shingle of a copy then differs from the original's: the copies are not near-duplicates of
each other, and 10x ANT has ANT's duplicate structure ten times over (as ten times the news would),
not ten-member clusters. (Cutting 10x ANT itself takes half an hour of this machine's two cores.)

Target of issue 27: summed PSS at 10x <= 1.2x the PSS at 1x, for each command. With
``--executors local ray`` every run is made on each executor in turn (Ray started by the command on
this machine, as `--executor ray` does without RAY_ADDRESS), and each build prints a digest of its
output, so the executors can be seen to write the same bytes.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from build import output_digest
from measure import Measured, load, measure, spread

ANT = Path("../shared/corpora/ant-v2.1.jsonl.gz")
CURATION = [sys.executable, "-c", "from curation.cli import main; main()"]
LETTERS = "بتثجحخدذرزسشصضطظعغفقكلمن"  # none folded by the normaliser
ARABIC_LETTERS = range(0x0621, 0x064B)
TARGET = 1.2


def rewritten(text: str, copy: int) -> str:
    """``text`` with the last letter of every fourth word (per line) replaced by the copy's letter
    (same length, so spans stay valid); copy 0 unchanged."""
    if not copy:
        return text
    letter = LETTERS[(copy - 1) % len(LETTERS)]
    lines = []
    for line in text.split("\n"):
        words = line.split(" ")
        for place in range(3, len(words), 4):
            word = words[place]
            if word and ord(word[-1]) in ARABIC_LETTERS:
                words[place] = word[:-1] + (letter if word[-1] != letter else LETTERS[copy % len(LETTERS)])
        lines.append(" ".join(words))
    return "\n".join(lines)


def ant_units(folder: Path) -> Path:
    """ANT cut by `curation segment` (two workers), once."""
    units = folder / "units-x1.jsonl.gz"
    if not units.is_file():
        measure([*CURATION, "segment", str(ANT.resolve()), "-o", str(units), "--workers", "2", "-q"], folder)
    return units


def units_of(folder: Path, scale: int) -> Path:
    """ANT's units ``scale`` times over (see the module's docstring), written once."""
    base = ant_units(folder)
    path = folder / f"units-x{scale}.jsonl.gz"
    if path.is_file():
        return path
    partial = folder / f"units-x{scale}.partial.gz"
    with gzip.open(partial, "wt", encoding="utf-8") as target:
        for copy in range(scale):
            with gzip.open(base, "rt", encoding="utf-8") as source:
                for line in source:
                    unit = json.loads(line)
                    for key in ("id", "parent", "doc_id"):
                        unit[key] = f"{unit[key]}x{copy}" if copy and unit[key] else unit[key]
                    if unit["level"] == "document":
                        unit["text"] = rewritten(unit["text"], copy)
                    target.write(json.dumps(unit, ensure_ascii=False) + "\n")
    shutil.copyfile(f"{base}.settings.json", f"{path}.settings.json")  # the settings they were cut with
    partial.rename(path)
    return path


def build_args(folder: Path, scale: int, units: Path, executor: str) -> list[str]:
    recipe = folder / f"ant-x{scale}-{executor}.yaml"
    # no labels_from_meta: ANT's topics are not the default schema's labels (a problem per row)
    recipe.write_text(
        f"name: ant-x{scale}\ninputs: [{ANT.resolve()}]\nunits: {units}\ndedup: true\n"
        f"split: {{seed: 13}}\nformats: [huggingface, jsonl]\noutput: {output_of('build', folder, scale, executor)}\n",
        encoding="utf-8",
    )
    return [*CURATION, "build", str(recipe), "--workers", "2", "--executor", executor, "-q"]


def dedup_args(folder: Path, scale: int, units: Path, executor: str) -> list[str]:
    output = output_of("dedup", folder, scale, executor)
    return [*CURATION, "dedup", str(units), "-o", str(output), "--workers", "2", "--executor", executor, "-q"]


def output_of(command: str, folder: Path, scale: int, executor: str) -> Path:
    return folder / (f"out-x{scale}-{executor}" if command == "build" else f"clusters-x{scale}-{executor}.jsonl")


def digest_of(path: Path) -> str:
    """Of the build's data files (bench/build.py), or of the clusters file."""
    return output_digest(path) if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()[:16]


COMMANDS = {"build": build_args, "dedup": dedup_args}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 3, 10], help="times ANT (1: ANT itself)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (every command at every scale)")
    parser.add_argument("--commands", nargs="+", choices=sorted(COMMANDS), default=sorted(COMMANDS))
    parser.add_argument("--executors", nargs="+", choices=["local", "ray"], default=["local"], help="in turn, each run")
    parser.add_argument("--work", type=Path, help="folder for corpora and units, kept for the next run")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
        folder = (args.work or Path(scratch)).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        units = {scale: units_of(folder, scale) for scale in args.scales}
        measured: dict[tuple[str, int, str], list[Measured]] = {}
        for round_ in range(args.rounds):
            for command in args.commands:
                for scale in args.scales if round_ % 2 == 0 else reversed(args.scales):
                    for executor in args.executors if round_ % 2 == 0 else reversed(args.executors):
                        run = measure(COMMANDS[command](folder, scale, units[scale], executor), folder)
                        measured.setdefault((command, scale, executor), []).append(run)
                        print(
                            f"round {round_ + 1} {command:<6} {scale:>3}x {executor:<5} {run.wall:7.1f} s wall "
                            f"{run.cpu:7.1f} s CPU {run.pss:6.0f} MB PSS  {load()}  "
                            f"{digest_of(output_of(command, folder, scale, executor))}",
                            flush=True,
                        )
        summary(measured, args)


def summary(measured: dict[tuple[str, int, str], list[Measured]], args: argparse.Namespace) -> None:
    """Medians (min-max) per command, scale and executor; PSS against the smallest scale, and
    CPU and PSS against the first executor."""
    print(f"\n{'command':<8} {'scale':>5} {'executor':<8} {'wall s':>18}  {'CPU s':>18}  {'PSS MB':>16}  PSS / 1x")
    for command in args.commands:
        for executor in args.executors:
            base = statistics.median(run.pss for run in measured[command, min(args.scales), executor])
            for scale in args.scales:
                runs = measured[command, scale, executor]
                pss = [run.pss for run in runs]
                print(
                    f"{command:<8} {scale:>4}x {executor:<8} {spread([r.wall for r in runs], '{:.1f}'.format):>18}  "
                    f"{spread([r.cpu for r in runs], '{:.1f}'.format):>18}  {spread(pss, '{:.0f}'.format):>16}  "
                    f"{statistics.median(pss) / base:.2f}x (target <= {TARGET})"
                )
        for executor in args.executors[1:]:
            for scale in args.scales:
                pairs = zip(measured[command, scale, executor], measured[command, scale, args.executors[0]], strict=True)
                cpu, pss = zip(*((other.cpu / first.cpu, other.pss / first.pss) for other, first in pairs), strict=True)
                print(
                    f"{command} {scale}x {executor} / {args.executors[0]}: CPU {spread(list(cpu), '{:.2f}x'.format)}, "
                    f"PSS {spread(list(pss), '{:.2f}x'.format)}"
                )


if __name__ == "__main__":
    main()
