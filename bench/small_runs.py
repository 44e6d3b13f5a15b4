"""Small runs: `curation segment`, `curation dedup` and `curation build` on the first 50, 200,
1,000 and 3,000 ANT pages, each in a fresh process, three ways, interleaved round by round:

* ``cli``: the command as a user types it, nothing chosen (below ``SMALL_RUN_PAGES`` pages it runs
  in its own process, above on the local executor with a worker per core);
* ``executor``: the command on datatrove's local executor, ``--workers 2``;
* ``in-process``: a Python process calling the library with ``ExecutorOptions(in_process=True)``.

    .venv/bin/python bench/small_runs.py                         # 3 rounds, every size and command
    .venv/bin/python bench/small_runs.py --sizes 50 --rounds 5 --commands segment

Printed per size and way: the median wall seconds (min-max over the rounds), the CPU seconds of
the process tree (user + system of the command and every child it waited for) and the peak summed
PSS of the tree (sampled every 50 ms: a worker's pages shared with its parent count once), then
``cli / in-process`` and ``executor / in-process`` (medians of the rounds' ratios) and whether the
three ways wrote the same bytes. ``curation --help`` is timed too (target < 1 s), and the
target of issue 22: `curation segment` of 50 pages through the CLI <= 1.5x the in-process time.
The crossover of ``executor`` and ``in-process`` is where ``SMALL_RUN_PAGES`` comes from.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import Measured, measure, spread
from pipeline import ANT, digest  # bench/pipeline.py: the same corpus, the same digest of outputs

PYTHON = sys.executable
CURATION = [PYTHON, "-c", "from curation.cli import main; main()"]
WAYS = ("cli", "executor", "in-process")
COMMANDS = ("segment", "dedup", "build")


def sample(folder: Path, pages: int) -> Path:
    """The first ``pages`` lines of ANT, gzipped as ANT is."""
    path = folder / f"ant-{pages}.jsonl.gz"
    with gzip.open(ANT, "rb") as source, gzip.open(path, "wb") as target:
        target.writelines(itertools.islice(source, pages))
    return path


def library_call(command: str, source: Path, output: Path) -> list[str]:
    """The in-process way: a Python process calling the library as the command would."""
    options = "from curation.pipeline.options import ExecutorOptions; here = ExecutorOptions(in_process=True)\n"
    calls = {
        "segment": f"from curation.pipeline.run import run_segment\nrun_segment([{str(source)!r}], {str(output)!r}, options=here)",
        "dedup": f"from curation.dedup.run import run_dedup\nrun_dedup({str(source)!r}, options=here, clusters={str(output)!r})",
        "build": (
            "from curation.export.building import build\nfrom curation.export.recipe import load_recipe\n"
            f"build(load_recipe({str(source)!r}), {str(output)!r}, executor=here, allow_problems=True)"
        ),
    }
    return [PYTHON, "-c", options + calls[command]]


def command_line(command: str, way: str, source: Path, output: Path) -> list[str]:
    if way == "in-process":
        return library_call(command, source, output)
    chosen = ["--workers", "2"] if way == "executor" else []
    if command == "build":
        return [*CURATION, "build", str(source), "-o", str(output), "--allow-problems", "-q", *chosen]
    return [*CURATION, command, str(source), "-o", str(output), "-q", *chosen]


def recipe(folder: Path, pages: int, inputs: Path) -> Path:
    """A recipe building ``inputs`` (segmented by the build) with dedup, Parquet and JSONL."""
    path = folder / f"build-{pages}.yaml"
    path.write_text(
        # no labels_from_meta: ANT's topics are not the default schema's labels (a problem per row)
        f"name: ant-{pages}\ninputs: [{inputs}]\ndedup: true\nsplit: {{seed: 13}}\nformats: [huggingface, jsonl]\n",
        encoding="utf-8",
    )
    return path


@dataclass(slots=True)
class Case:
    """One command on one size: its source, and what each way measured and wrote."""

    command: str
    pages: int
    source: Path
    runs: dict[str, list[Measured]]
    digests: set[str] = field(default_factory=set)


def run_case(case: Case, folder: Path, round_: int) -> None:
    ways = list(case.runs)
    order = ways[round_ % len(ways):] + ways[: round_ % len(ways)]  # who goes first turns round by round
    for way in order:
        output = folder / f"{case.command}-{case.pages}-{way}" / ("out" if case.command == "build" else "out.jsonl.gz")
        output.parent.mkdir(exist_ok=True)
        case.runs[way].append(measure(command_line(case.command, way, case.source, output), folder))
        case.digests.add(digest(output))


def report(case: Case) -> None:
    print(f"{case.command} {case.pages:,} pages   wall s (min-max)     CPU s (min-max)      PSS MB (min-max)")
    for way, runs in case.runs.items():
        print(
            f"  {way:<12} {spread([r.wall for r in runs], '{:.2f}'.format):<20} {spread([r.cpu for r in runs], '{:.2f}'.format):<20} "
            f"{spread([r.pss for r in runs], '{:.0f}'.format)}"
        )
    here = case.runs.get("in-process", [])
    for way in (way for way in ("cli", "executor") if here and way in case.runs):
        ratios = [run.wall / base.wall for run, base in zip(case.runs[way], here, strict=True)]
        print(f"  {way} / in-process: {spread(ratios, '{:.2f}x'.format)} wall")
    print(f"  same bytes all ways: {len(case.digests) == 1}\n")


def run_rounds(cases: list[Case], folder: Path, rounds: int) -> None:
    """A warm-up of the smallest size's cases (not counted: bytecode compiled, inputs in the page
    cache), then ``rounds`` rounds of every case."""
    smallest = min(case.pages for case in cases)
    for case in cases:
        if case.pages == smallest:
            run_case(Case(case.command, case.pages, case.source, {way: [] for way in case.runs}), folder, 0)
    for round_ in range(rounds):
        for case in cases:
            run_case(case, folder, round_)
        print(f"round {round_ + 1} of {rounds} done; load average {os.getloadavg()[0]:.1f}", file=sys.stderr)


def make_cases(folder: Path, pages: int, commands: list[str], ways: list[str]) -> list[Case]:
    """The cases of one size: its sample of ANT, the units file cut from it, a recipe building it."""
    pages_file = sample(folder, pages)
    units = folder / f"units-{pages}.jsonl.gz"
    measure(library_call("segment", pages_file, units), folder)
    sources = {"segment": pages_file, "dedup": units, "build": recipe(folder, pages, pages_file)}
    return [Case(command, pages, sources[command], {way: [] for way in ways}) for command in commands]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 200, 1000, 3000], help="ANT pages per run")
    parser.add_argument("--commands", nargs="+", choices=COMMANDS, default=list(COMMANDS))
    parser.add_argument("--ways", nargs="+", choices=WAYS, default=list(WAYS), help="ways to run (ratios need in-process)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the ways take turns going first")
    args = parser.parse_args()
    from curation.pipeline.options import SMALL_RUN_PAGES

    with tempfile.TemporaryDirectory(prefix="bench-small-") as work:
        folder = Path(work)
        print(f"cores: {os.cpu_count()}; load average before: {os.getloadavg()[0]:.1f}; SMALL_RUN_PAGES = {SMALL_RUN_PAGES:,}")
        helps = [measure([*CURATION, "--help"], folder) for _ in range(args.rounds + 1)][1:]
        print(f"curation --help: {spread([h.wall for h in helps], '{:.2f}'.format)} s wall (target < 1 s)\n")
        cases = [case for pages in args.sizes for case in make_cases(folder, pages, args.commands, args.ways)]
        run_rounds(cases, folder, args.rounds)
        for case in cases:
            report(case)
        print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
