"""Dedup benchmark: ANT through ``curation.dedup`` beside rensa (and, asked, datasketch), same
shingles, permutations and threshold, scored against an exact all-pairs gold, and the whole
``curation dedup`` command on a units file of ANT, in interleaved rounds.

    .venv/bin/python bench/dedup.py                        # whole ANT (31,523 articles), 3 rounds
    .venv/bin/python bench/dedup.py --limit 3000 --rounds 1  # a quick look
    .venv/bin/python bench/dedup.py --units ant.jsonl.gz     # also the CLI on `curation segment`'s ANT
    .venv/bin/python bench/dedup.py --units ant.jsonl.gz --cli-before ../main  # and another checkout's CLI

Every run is a fresh process measured by ``bench/measure.py``: wall seconds, CPU seconds of the
process tree (user + system, imports and reading the corpus included) and peak summed PSS. The
tools take turns going first round by round; the load average is printed after each round.
Printed: median (min-max) over the rounds, recall and pair precision, and the ratio of CPU seconds
to rensa's in the same round (median, min-max). Ours also runs on 30% of the corpus, to show that
its memory is bounded by a part (4,096 texts) or a spilled key range, not by the corpus.

* **ours**: ``curation.dedup.find_duplicates``: signatures, LSH buckets (32 bands of 4 rows at
  0.7 and 128 permutations, from the S-curve: see ``curation/dedup/minhash.py``), exact-Jaccard
  verification, clusters; containment (teaser in article) reported apart.
* **rensa**: ``RMinHash`` of the same word shingles, ``RMinHashLSH`` (16 bands of 8 rows: rensa
  wants bands dividing the permutations), a candidate kept when rensa's estimated Jaccard reaches
  the threshold; connected components.
* **datasketch** (``--datasketch``): ``MinHash.update_batch`` of the same shingles, ``MinHashLSH``
  at the threshold; connected components of the query answers.
* **cli** (``--units``): ``curation dedup UNITS -o clusters.jsonl``: the units file read, the
  articles' bodies compared, clusters, containment and label conflicts written (no repeated
  passages: not asked). Its unit ids are not ANT's, so it is timed, not scored; its clusters and
  contained files must be the same bytes in every round (SHA-256 printed).
* **cli before** (``--cli-before TREE``): the same command from another checkout of curation (its
  folder put first on ``PYTHONPATH``), e.g. main before a change, in the same rounds; its outputs
  must be the same bytes as the CLI's.

**Gold**: among the articles of ``min_words`` words or more (shorter ones are never clustered,
only counted: pairs of them are left out of every tool's score), every pair whose exact shingle Jaccard reaches the threshold, found by an
exact all-pairs similarity join (prefix filtering, as in PPJoin: two sets with Jaccard >= t share
a token of their prefixes under one global token order, so no pair is missed) and verified
exactly. Recall = gold pairs that a tool puts in one cluster; pair precision = pairs a tool puts
in one cluster whose exact Jaccard reaches the threshold. Containment pairs are scored apart: the
share of reported (inner, outer) pairs whose exact containment reaches the setting.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import Measured, load, measure, spread

from curation.dedup import DedupSettings, jaccard, text_shingles
from curation.dedup.shingles import containment, word_tokens
from curation.normalize import normalize_text

ANT = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "ant-v2.1.jsonl.gz"
WORD = re.compile(r"\w+")
RENSA_BANDS = 16


def iter_ant(limit: int | None) -> Iterator[tuple[str, str]]:
    """``(id, text)`` of the first ``limit`` ANT articles, read as they are needed."""
    with gzip.open(ANT, "rt", encoding="utf-8") as handle:
        for line in itertools.islice(handle, limit):
            record = json.loads(line)
            yield str(record["id"]), record["text"]


def shingle_strings(text: str, settings: DedupSettings) -> set[str]:
    """The word windows ours hashes, as strings for the peer tools to hash their own way."""
    words = WORD.findall(normalize_text(text, settings.normalize))
    width = min(settings.shingle_size, len(words))
    return {" ".join(words[i : i + width]) for i in range(len(words) - width + 1)}


def components(ids: list[str], pairs: Iterable[tuple[int, int]]) -> list[list[str]]:
    from curation.dedup.unionfind import UnionFind

    links: UnionFind[int] = UnionFind()
    for left, right in pairs:
        links.union(left, right)
    return [[ids[i] for i in members] for members in links.groups().values() if len(members) > 1]


def run_ours(limit: int | None, settings: DedupSettings) -> dict[str, Any]:
    from curation.dedup import find_duplicates

    found = find_duplicates(iter_ant(limit), settings)
    return {
        "clusters": [list(c.member_ids) for c in found.clusters],
        "contained": [(c.inner, c.outer) for c in found.contained],
    }


def run_rensa(limit: int | None, settings: DedupSettings) -> dict[str, Any]:
    return {"clusters": rensa_clusters(iter_ant(limit), settings), "contained": []}


def rensa_clusters(items: Iterable[tuple[str, str]], settings: DedupSettings) -> list[list[str]]:
    """rensa's near-duplicate clusters of (id, text) items, at our shingles, permutations and threshold."""
    from rensa import RMinHash, RMinHashLSH

    lsh = RMinHashLSH(threshold=settings.threshold, num_perm=settings.num_perm, num_bands=RENSA_BANDS)
    ids: list[str] = []
    sketches: list[Any] = []
    for unit_id, text in items:
        shingles = shingle_strings(text, settings) - {""}  # a text without words gives one empty window
        if not shingles:
            continue
        sketch = RMinHash(num_perm=settings.num_perm, seed=settings.seed)
        sketch.update(list(shingles))
        lsh.insert(len(ids), sketch)
        ids.append(unit_id)
        sketches.append(sketch)
    pairs = (
        (key, other)
        for key, sketch in enumerate(sketches)
        for other in lsh.query(sketch)
        if other > key and sketch.jaccard(sketches[other]) >= settings.threshold
    )
    return components(ids, pairs)


def run_datasketch(limit: int | None, settings: DedupSettings) -> dict[str, Any]:
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=settings.threshold, num_perm=settings.num_perm)
    ids, sketches = [], []
    for unit_id, text in iter_ant(limit):
        shingles = shingle_strings(text, settings)
        if not shingles:
            continue
        sketch = MinHash(num_perm=settings.num_perm, seed=settings.seed)
        sketch.update_batch([s.encode("utf-8") for s in shingles])
        lsh.insert(len(ids), sketch)
        ids.append(unit_id)
        sketches.append(sketch)
    pairs = ((key, other) for key, sketch in enumerate(sketches) for other in lsh.query(sketch) if other > key)
    return {"clusters": components(ids, pairs), "contained": []}


RUNS = {"ours": run_ours, "rensa": run_rensa, "datasketch": run_datasketch}


def exact_gold(shingles: dict[str, np.ndarray], threshold: float) -> set[tuple[str, str]]:
    """Every pair with exact Jaccard >= threshold: prefix-filter join, then exact verification."""
    ids = [i for i, s in shingles.items() if len(s)]
    values, counts = np.unique(np.concatenate([shingles[i] for i in ids]), return_counts=True)
    rank = dict(zip(values.tolist(), np.argsort(np.argsort(counts, kind="stable"), kind="stable").tolist()))
    postings: dict[int, list[int]] = defaultdict(list)
    for index, unit_id in enumerate(ids):
        ordered = sorted(shingles[unit_id].tolist(), key=rank.__getitem__)  # rarest first
        prefix = len(ordered) - int(np.ceil(threshold * len(ordered))) + 1
        for token in ordered[:prefix]:
            postings[token].append(index)
    candidates = {pair for docs in postings.values() if len(docs) > 1 for pair in itertools.combinations(docs, 2)}
    gold = set()
    for left, right in candidates:
        if jaccard(shingles[ids[left]], shingles[ids[right]]) >= threshold:
            gold.add(tuple(sorted((ids[left], ids[right]))))
    return gold


def pairs_of(clusters: Iterable[list[str]]) -> set[tuple[str, str]]:
    return {pair for members in clusters for pair in itertools.combinations(sorted(members), 2)}


def tool_args(name: str, limit: int, settings: DedupSettings, out: Path) -> list[str]:
    """The command running one tool in a fresh process, its clusters written to ``out``."""
    return [sys.executable, str(Path(__file__).resolve()), "--tool", name, "--limit", str(limit), "--out", str(out),
            "--threshold", str(settings.threshold), "--num-perm", str(settings.num_perm), "--shingle-size", str(settings.shingle_size)]  # fmt: skip


def cli_args(units: Path, out: Path, tree: Path | None = None) -> list[str]:
    """``curation dedup`` of ``units`` into ``out``'s clusters and contained files (of the checkout ``tree``, if given)."""
    command = [sys.executable, "-c", "from curation.cli import main; main()", "dedup", str(units.resolve())]
    command += ["-o", str(out / "clusters.jsonl"), "--contained", str(out / "contained.jsonl")]
    return ["env", f"PYTHONPATH={tree.resolve()}", *command] if tree else command


def digests(out: Path) -> str:
    return " ".join(f"{name} {hashlib.sha256((out / name).read_bytes()).hexdigest()[:16]}" for name in ("clusters.jsonl", "contained.jsonl"))


def score(name: str, limit: int, total: int, result: dict[str, Any], gold: set[tuple[str, str]], shingles: dict[str, np.ndarray], settings: DedupSettings) -> str:
    found = {pair for pair in pairs_of(result["clusters"]) if pair[0] in shingles and pair[1] in shingles}
    scored = gold
    if limit != total:  # the 30% run is scored against the gold pairs inside that 30%
        inside = {unit_id for unit_id, _ in iter_ant(limit)}
        scored = {pair for pair in gold if pair[0] in inside and pair[1] in inside}
    recall = len(scored & found) / len(scored) if scored else 1.0
    true = sum(jaccard(shingles[a], shingles[b]) >= settings.threshold for a, b in found)
    line = f"{len(result['clusters']):>9,} {len(found):>8,} {recall:>8.2%} {true / len(found) if found else 1.0:>10.2%}"
    if result["contained"]:
        held = sum(containment(shingles[i], shingles[o]) >= settings.containment for i, o in result["contained"])
        line += f"  containment apart: {len(result['contained']):,} pairs, {held / len(result['contained']):.2%} held"
    return line


def main() -> None:
    defaults = DedupSettings()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="only the first N ANT articles")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--units", type=Path, help="a units file of the same ANT articles, for the CLI column")
    parser.add_argument("--cli-before", type=Path, help="another checkout of curation: its CLI too, in the same rounds (needs --units)")
    parser.add_argument("--datasketch", action="store_true", help="datasketch too (about ten times rensa's time)")
    parser.add_argument("--threshold", type=float, default=defaults.threshold)
    parser.add_argument("--num-perm", type=int, default=defaults.num_perm)
    parser.add_argument("--shingle-size", type=int, default=defaults.shingle_size)
    parser.add_argument("--tool", choices=sorted(RUNS), help=argparse.SUPPRESS)  # one run, in this process
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    settings = DedupSettings(threshold=args.threshold, num_perm=args.num_perm, shingle_size=args.shingle_size)
    if args.tool:
        args.out.write_text(json.dumps(RUNS[args.tool](args.limit, settings)), encoding="utf-8")
        return
    total = args.limit or sum(1 for _ in iter_ant(None))
    part = max(1, int(total * 0.3))

    started = time.perf_counter()
    shingles = {  # the texts dedup compares: of min_words words or more (shorter ones are only counted)
        unit_id: text_shingles(text, settings.shingle_size, settings.normalize)
        for unit_id, text in iter_ant(total)
        if len(word_tokens(text, settings.normalize)) >= settings.min_words
    }
    gold = exact_gold(shingles, settings.threshold)
    print(
        f"ANT articles: {total:,}; threshold {settings.threshold}, {settings.num_perm} permutations, "
        f"{settings.shingle_size}-word shingles; cores {os.cpu_count()}, {load()}\nexact all-pairs gold (prefix-filter join, "
        f"exact Jaccard): {len(gold):,} pairs at Jaccard >= {settings.threshold} ({time.perf_counter() - started:.0f} s)\n"
    )
    runs = [("ours 30%", "ours", part), ("ours", "ours", total), ("rensa", "rensa", total)]
    runs += [("datasketch", "datasketch", total)] if args.datasketch else []
    runs += [("cli", "cli", total)] if args.units else []
    runs += [("cli before", "cli", total)] if args.units and args.cli_before else []
    measured: dict[str, list[Measured]] = {label: [] for label, _, _ in runs}
    results: dict[str, dict[str, Any]] = {}
    written: set[str] = set()  # the digests of every CLI run's outputs: one, or the bytes differ
    with tempfile.TemporaryDirectory(prefix="bench-dedup-") as work:
        folder = Path(work)
        for round_ in range(args.rounds):
            for label, name, limit in runs[round_ % len(runs):] + runs[: round_ % len(runs)]:  # who goes first turns
                out = folder / f"{name}-{limit}.json"
                if name == "cli":
                    out = folder / label.replace(" ", "-")
                    out.mkdir(exist_ok=True)
                    command = cli_args(args.units, out, args.cli_before if label == "cli before" else None)
                else:
                    command = tool_args(name, limit, settings, out)
                measured[label].append(measure(command, folder))
                if name == "cli":
                    written.add(digests(out))
                else:
                    results[label] = json.loads(out.read_text(encoding="utf-8"))
            print(f"round {round_ + 1} of {args.rounds} done; {load()}", file=sys.stderr)
    if written:
        print(f"the CLI's outputs, every run{' of both checkouts' if args.cli_before else ''}: {' | '.join(sorted(written))}")
        if len(written) > 1:
            raise SystemExit("the CLI's outputs differ between runs")
    shown = {"wall": "{:.1f}".format, "cpu": "{:.1f}".format, "pss": "{:.0f}".format}
    print(f"{'run':<11} {'articles':>8}  {'wall s':<17} {'CPU s':<17} {'PSS MB':<14} {'clusters':>9} {'pairs':>8} {'recall':>8} {'precision':>10}")
    for label, name, limit in runs:
        figures = "  ".join(f"{spread([getattr(m, key) for m in measured[label]], shown[key]):<16}" for key in shown)
        quality = score(name, limit, total, results[label], gold, shingles, settings) if label in results else ""
        print(f"{label:<11} {limit:>8,}  {figures} {quality}")
    print()
    for label in ("ours", "datasketch", "cli", "cli before"):
        if label in measured:
            ratios = [m.cpu / r.cpu for m, r in zip(measured[label], measured["rensa"], strict=True)]
            print(f"{label} / rensa CPU seconds, same round: {spread(ratios, '{:.2f}x'.format)}")
    peaks = [statistics.median(m.pss for m in measured[label]) for label in ("ours 30%", "ours")]
    print(f"ours: summed PSS {peaks[1]:.0f} MB at 100%, {peaks[1] / peaks[0] - 1:+.0%} from 30% (target within 20%); {load()}")


if __name__ == "__main__":
    main()
