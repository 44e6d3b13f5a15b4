"""Dedup benchmark: ANT through ``curation.dedup`` beside rensa and datasketch, same shingles,
permutations and threshold, scored against an exact all-pairs gold, all in one run.

    .venv/bin/python bench/dedup.py               # whole ANT (31,523 articles): a few minutes
    .venv/bin/python bench/dedup.py --limit 3000  # quick run on the first 3,000 articles

Every tool reads the articles streaming from ``../shared/corpora/ant-v2.1.jsonl.gz`` in its own
child process (one after the other); time is wall clock of read + dedup, memory the peak resident
set (``VmHWM``, reset after imports). Ours runs on 30% and on 100% of the corpus, to show that its
memory is bounded by a part (4,096 texts) or a spilled key range, not by the corpus (target: within
20% from 30% to 100%).

* **ours**: ``curation.dedup.find_duplicates``: signatures, LSH buckets (32 bands of 4 rows at
  0.7 and 128 permutations, from the S-curve: see ``curation/dedup/minhash.py``), exact-Jaccard
  verification, clusters; containment (teaser in article) reported apart.
* **rensa**: ``RMinHash`` of the same word shingles, ``RMinHashLSH`` (16 bands of 8 rows: rensa
  wants bands dividing the permutations), a candidate kept when rensa's estimated Jaccard reaches
  the threshold; connected components.
* **datasketch**: ``MinHash.update_batch`` of the same shingles, ``MinHashLSH`` at the threshold;
  connected components of the query answers.

**Gold**: every pair of articles whose exact shingle Jaccard reaches the threshold, found by an
exact all-pairs similarity join (prefix filtering, as in PPJoin: two sets with Jaccard >= t share
a token of their prefixes under one global token order, so no pair is missed) and verified
exactly. Recall = gold pairs that a tool puts in one cluster; pair precision = pairs a tool puts
in one cluster whose exact Jaccard reaches the threshold. Containment pairs are scored apart: the
share of reported (inner, outer) pairs whose exact containment reaches the setting.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import multiprocessing
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from curation.dedup import DedupSettings, jaccard, text_shingles
from curation.dedup.shingles import containment
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


def _peak_memory_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _child(name: str, limit: int | None, settings: DedupSettings, queue: multiprocessing.Queue) -> None:
    import datasketch  # noqa: F401  (imports are not what is measured)
    import rensa  # noqa: F401

    import curation.dedup  # noqa: F401

    Path("/proc/self/clear_refs").write_text("5")
    started = time.perf_counter()
    result = RUNS[name](limit, settings)
    queue.put((time.perf_counter() - started, _peak_memory_mb(), result))


def measure(name: str, limit: int | None, settings: DedupSettings) -> tuple[float, float, dict[str, Any]]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(name, limit, settings, queue))
    process.start()
    found = queue.get()
    process.join()
    return found


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


def main() -> None:
    defaults = DedupSettings()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="only the first N ANT articles")
    parser.add_argument("--threshold", type=float, default=defaults.threshold)
    parser.add_argument("--num-perm", type=int, default=defaults.num_perm)
    parser.add_argument("--shingle-size", type=int, default=defaults.shingle_size)
    args = parser.parse_args()
    settings = DedupSettings(threshold=args.threshold, num_perm=args.num_perm, shingle_size=args.shingle_size)
    total = args.limit or sum(1 for _ in iter_ant(None))
    part = max(1, int(total * 0.3))

    started = time.perf_counter()
    shingles = {unit_id: text_shingles(text, settings.shingle_size, settings.normalize) for unit_id, text in iter_ant(total)}
    gold = exact_gold(shingles, settings.threshold)
    print(
        f"ANT articles: {total:,}; threshold {settings.threshold}, {settings.num_perm} permutations, "
        f"{settings.shingle_size}-word shingles\nexact all-pairs gold (prefix-filter join, exact Jaccard): "
        f"{len(gold):,} pairs at Jaccard >= {settings.threshold} ({time.perf_counter() - started:.0f} s)\n"
    )
    runs = [("ours", part), ("ours", total), ("rensa", total), ("datasketch", total)]
    header = f"{'run':<12} {'articles':>9} {'seconds':>8} {'peak MB':>8} {'clusters':>9} {'pairs':>8} {'recall':>8} {'precision':>10}"
    print(header)
    peaks: dict[int, float] = {}
    for name, limit in runs:
        seconds, memory, result = measure(name, limit, settings)
        if name == "ours":
            peaks[limit] = memory
        found = pairs_of(result["clusters"])
        scored = gold
        if limit != total:  # the 30% run is scored against the gold pairs inside that 30%
            inside = {unit_id for unit_id, _ in iter_ant(limit)}
            scored = {pair for pair in gold if pair[0] in inside and pair[1] in inside}
        recall = len(scored & found) / len(scored) if scored else 1.0
        true = sum(jaccard(shingles[a], shingles[b]) >= settings.threshold for a, b in found)
        precision = true / len(found) if found else 1.0
        print(
            f"{name:<12} {limit:>9,} {seconds:>8.1f} {memory:>8.0f} {len(result['clusters']):>9,} {len(found):>8,} "
            f"{recall:>8.2%} {precision:>10.2%}"
        )
        if result["contained"]:
            held = sum(containment(shingles[i], shingles[o]) >= settings.containment for i, o in result["contained"])
            print(
                f"{'':<12} containment (apart): {len(result['contained']):,} pairs, precision "
                f"{held / len(result['contained']):.2%} (exact containment >= {settings.containment})"
            )
    print(f"\nours: peak {peaks[total]:.0f} MB at 100%, {peaks[total] / peaks[part] - 1:+.0%} from 30% (target within 20%)")


if __name__ == "__main__":
    main()
