"""The lead's morning on all of ANT: `curation report` and `curation status` (cold: computed; warm:
nothing changed since) on a workspace of 31,523 articles with 2,000 annotated units, each a fresh
process, interleaved over rounds, with wall, CPU, summed PSS and spread (bench/measure.py); and the
report's date reader beside dateparser (the peer) on ANT's dates: speed and agreement.

    .venv/bin/python bench/report.py --work /tmp/report-bench   # segments and dedups ANT once into it
    .venv/bin/python bench/report.py --work /tmp/report-bench --before ../main   # beside another checkout's report

Targets (issues 25 and 28): report < 5 s and <= 500 MB summed PSS; status < 1 s. "cold" is a report or
status computed from scratch (the units file changed since the last one); "warm" one where only the
annotations changed (report) or nothing did (status), the lead's usual morning.
The annotations are made by this script through the store API (two annotators a unit, ten days,
one answer in five differs), as `curation pull` would write them; no Label Studio is involved.
"""

from __future__ import annotations

import argparse
import datetime
import gzip
import itertools
import json
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

from measure import load, measure, spread

REPO = Path(__file__).resolve().parents[1]
ANT = Path("../shared/corpora/ant-v2.1.jsonl.gz")
CURATION = [sys.executable, "-c", "from curation.cli import main; main()"]
TOPICS = ("politics", "economy", "sports", "culture", "security", "health", "science", "other")


def workspace(folder: Path) -> Path:
    """A workspace holding ANT, segmented and deduplicated (kept in ``folder`` between runs)."""
    ws = folder / "ws"
    if not (ws / "curation.yaml").exists():
        subprocess.run([*CURATION, "init", str(ws), "--name", "ant"], check=True, capture_output=True)
    if not (ws / "data" / "units.jsonl").exists():
        print("segmenting ANT (once)...", flush=True)
        subprocess.run([*CURATION, "segment", str(ANT.resolve()), "-q"], cwd=ws, check=True)
    if not (ws / "data" / "dedup" / "clusters.jsonl").exists():
        print("dedup of ANT (once)...", flush=True)
        subprocess.run([*CURATION, "dedup", "-q"], cwd=ws, check=True)
    return ws


def annotate(ws: Path, units: int = 2000, seed: int = 13) -> None:
    """Two annotators on each of the first ``units`` articles over ten days, through the store API."""
    from curation.studio.store import AnnotationStore
    from curation.units import Annotation

    rng = random.Random(seed)
    articles = []
    with open(ws / "data" / "units.jsonl", encoding="utf-8") as handle:
        for line in handle:
            if '"level": "article"' in line[:120]:
                articles.append(json.loads(line)["id"])
                if len(articles) == units:
                    break
    start = datetime.datetime(2026, 11, 23, 8, tzinfo=datetime.UTC)
    made = {}
    for number, unit in enumerate(articles):
        topic = rng.choice(TOPICS)
        for annotator in ("amal", "rania"):
            when = start + datetime.timedelta(days=number * 10 // units, minutes=rng.randrange(600))
            cancelled = rng.random() < 0.03
            answer = topic if rng.random() > 0.2 else rng.choice(TOPICS)
            record = Annotation(unit, "article", annotator, f"{annotator}-{number}", choices={} if cancelled else {"topic": (answer,)},
                                created_at=when.isoformat(), updated_at=when.isoformat(), lead_time=rng.uniform(8, 90),
                                cancelled=cancelled)  # fmt: skip
            made[record.key] = record
    AnnotationStore(ws / "data" / "annotations" / "ant-article.jsonl").write(made, {}, {})


def dates_beside_dateparser(sample: int = 300) -> None:
    """Our reader and dateparser on the first ``sample`` ANT dates: time each and how often they agree."""
    import dateparser

    from curation.dates import read_date

    with gzip.open(ANT, "rt", encoding="utf-8") as handle:
        dates = [json.loads(line)["date"] for line in itertools.islice(handle, sample)]
    started = time.perf_counter()
    ours = [read_date(d) for d in dates]
    our_time = time.perf_counter() - started
    started = time.perf_counter()
    theirs = [dateparser.parse(d) for d in dates]
    their_time = time.perf_counter() - started
    same = sum(1 for a, b in zip(ours, theirs, strict=True) if a is not None and b is not None and a == b.date())
    print(f"dates of ANT ({sample}): curation.dates {our_time * 1e6 / sample:.0f} µs a date, read {sum(o is not None for o in ours)}; "
          f"dateparser {their_time * 1e3 / sample:.1f} ms a date, read {sum(t is not None for t in theirs)}; "
          f"same day {same}/{sample}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, required=True, help="folder for the ANT workspace (kept between runs)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, help="another checkout (say main): its report runs in the same rounds")
    args = parser.parse_args()
    ws = workspace(args.work)
    annotate(ws)
    report = " ".join(f"'{part}'" for part in [*CURATION, "report", "-q"])
    cases = {
        # cold: the units file changed since the last report (its kept facts removed); warm: only annotations did
        "report cold": ["sh", "-c", f"rm -f data/report-facts.json && exec {report}"],
        "report warm": [*CURATION, "report", "-q"],
        "status cold": [*CURATION, "status", "--fresh", "-q"],
        "status warm": [*CURATION, "status", "-q"],
    }
    if args.before:  # the same two reports with the other checkout's code first on the path
        before = ["env", f"PYTHONPATH={args.before.resolve()}"]
        cases["report cold (before)"] = [*before, *cases["report cold"]]
        cases["report warm (before)"] = [*before, *cases["report warm"]]
    figures: dict[str, list] = {name: [] for name in cases}
    for round_ in range(args.rounds):
        print(f"round {round_ + 1}: {load()}", flush=True)
        for name, command in cases.items():  # interleaved: every case in every round
            figures[name].append(measure(command, ws))
    print(f"ANT: 31,523 articles, 2,000 annotated articles (2 annotators), {args.rounds} rounds, median (min-max)")
    print(f"{'':22}{'wall s':>20}{'CPU s':>20}{'PSS MB':>22}")
    for name, runs in figures.items():
        print(f"{name:22}{spread([r.wall for r in runs], lambda v: f'{v:.2f}'):>20}"
              f"{spread([r.cpu for r in runs], lambda v: f'{v:.2f}'):>20}{spread([r.pss for r in runs], lambda v: f'{v:.0f}'):>22}")  # fmt: skip
    dates_beside_dateparser()
    shutil.rmtree(ws / "pycache", ignore_errors=True)


if __name__ == "__main__":
    main()
