"""Dedup benchmark: all of ANT through ``curation.dedup.find_clusters`` beside a plain datasketch
``MinHashLSH`` run with the same shingles, permutations and threshold, in the same run.

    .venv/bin/python bench/dedup.py               # whole ANT (31,523 articles): a few minutes
    .venv/bin/python bench/dedup.py --limit 3000  # quick run on the first 3,000 articles

Each side runs in its own child process, one after the other, after loading the texts; time is
wall clock of the dedup call, memory the peak resident set of the dedup call (``VmHWM`` reset
after loading). The reference is what a user would write with datasketch alone: normalised word
shingles hashed by ``MinHash.update_batch`` (sha1), every article inserted into ``MinHashLSH``
and queried back, connected components of the answers. Agreement compares the sets of
co-clustered pairs (ours without containment, which the reference does not look for, and with
it). Exact-duplicate recall: of the article pairs with the very same ANT text, the share that
end up in one cluster (must be 100%).
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
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from datasketch import MinHash, MinHashLSH

from curation.dedup import (
    Cluster,
    DedupSettings,
    find_clusters,
    jaccard,
    label_conflicts,
    text_shingles,
)
from curation.normalize import normalize_text

ANT = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "ant-v2.1.jsonl.gz"  # shared/ beside the repo
WORD = re.compile(r"\w+")


def load_ant(limit: int | None, field: str = "text") -> list[tuple[str, str]]:
    """``(id, field)`` of the first ``limit`` ANT articles: the text, or e.g. the topic."""
    with gzip.open(ANT, "rt", encoding="utf-8") as handle:
        lines = itertools.islice(handle, limit)
        return [(record["id"], record[field]) for record in map(json.loads, lines)]


def reference_clusters(items: list[tuple[str, str]], settings: DedupSettings) -> list[list[str]]:
    """Plain datasketch: the same normalised word shingles, MinHash + MinHashLSH, components."""
    lsh = MinHashLSH(threshold=settings.threshold, num_perm=settings.num_perm)
    sketches = {}
    for unit_id, text in items:
        words = WORD.findall(normalize_text(text, settings.normalize))
        width = min(settings.shingle_size, len(words))
        shingles = {" ".join(words[i : i + width]).encode("utf-8") for i in range(len(words) - width + 1)}
        if not shingles:
            continue
        sketch = MinHash(num_perm=settings.num_perm, seed=settings.seed)
        sketch.update_batch(shingles)
        sketches[unit_id] = sketch
        lsh.insert(unit_id, sketch)
    parent = {unit_id: unit_id for unit_id in sketches}

    def find(item: str) -> str:
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    for unit_id, sketch in sketches.items():
        for other in lsh.query(sketch):
            parent[find(other)] = find(unit_id)
    groups: dict[str, list[str]] = defaultdict(list)
    for unit_id in sketches:
        groups[find(unit_id)].append(unit_id)
    return [members for members in groups.values() if len(members) > 1]


def ours(items: list[tuple[str, str]], settings: DedupSettings) -> list[Cluster]:
    return find_clusters(items, settings)


def _reset_peak_memory() -> None:
    Path("/proc/self/clear_refs").write_text("5")


def _peak_memory_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _child(name: str, limit: int | None, settings: DedupSettings, queue: multiprocessing.Queue) -> None:
    items = load_ant(limit)
    run = {"ours": ours, "ours, no containment": ours, "datasketch": reference_clusters}[name]
    if name == "ours, no containment":
        settings = DedupSettings(**{**settings.to_dict(), "find_contained": False})
    _reset_peak_memory()
    started = time.perf_counter()
    clusters = run(items, settings)
    queue.put((name, time.perf_counter() - started, _peak_memory_mb(), clusters))


def measure(name: str, limit: int | None, settings: DedupSettings) -> tuple[float, float, list[Any]]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(name, limit, settings, queue))
    process.start()
    _, seconds, memory, clusters = queue.get()
    process.join()
    return seconds, memory, clusters


def members_of(cluster: Cluster | list[str]) -> list[str]:
    return list(cluster.member_ids) if isinstance(cluster, Cluster) else cluster


def pairs(clusters: Iterable[list[str]]) -> set[tuple[str, str]]:
    return {pair for members in clusters for pair in itertools.combinations(sorted(members), 2)}


def exact_duplicate_pairs(items: list[tuple[str, str]]) -> set[tuple[str, str]]:
    same: dict[str, list[str]] = defaultdict(list)
    for unit_id, text in items:
        same[text].append(unit_id)
    return pairs(ids for ids in same.values() if len(ids) > 1)


def main() -> None:
    defaults = DedupSettings()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="only the first N ANT articles")
    parser.add_argument("--threshold", type=float, default=defaults.threshold)
    parser.add_argument("--num-perm", type=int, default=defaults.num_perm)
    parser.add_argument("--shingle-size", type=int, default=defaults.shingle_size)
    args = parser.parse_args()
    settings = DedupSettings(threshold=args.threshold, num_perm=args.num_perm, shingle_size=args.shingle_size)
    items = load_ant(args.limit)
    exact = exact_duplicate_pairs(items)
    print(
        f"ANT articles: {len(items):,}; threshold {settings.threshold}, {settings.num_perm} permutations, "
        f"{settings.shingle_size}-word shingles; exact-duplicate pairs: {len(exact):,}\n"
    )
    results = {name: measure(name, args.limit, settings) for name in ("datasketch", "ours, no containment", "ours")}
    members = {name: [members_of(c) for c in clusters] for name, (_, _, clusters) in results.items()}
    reference = pairs(members["datasketch"])
    print(f"{'run':<22} {'seconds':>8} {'peak MB':>8} {'clusters':>9} {'pairs':>8} {'exact recall':>13} {'pair agreement':>15}")
    for name, (seconds, memory, clusters) in results.items():
        found = pairs(members[name])
        recall = len(exact & found) / len(exact) if exact else 1.0
        agreement = len(found & reference) / len(found | reference) if found | reference else 1.0
        print(
            f"{name:<22} {seconds:>8.1f} {memory:>8.0f} {len(clusters):>9,} {len(found):>8,} "
            f"{recall:>12.2%} {agreement:>14.2%}"
        )
    ours_pairs = pairs(members["ours, no containment"])
    print(
        f"\nno-containment run vs datasketch: {len(ours_pairs & reference):,} pairs shared, "
        f"{len(ours_pairs - reference):,} only ours, {len(reference - ours_pairs):,} only datasketch"
    )
    topics = {unit_id: (topic,) for unit_id, topic in load_ant(args.limit, "topic")}
    conflicts = label_conflicts(results["ours"][2], topics)
    same_text: dict[str, list[str]] = defaultdict(list)
    for unit_id, text in items:
        same_text[text].append(unit_id)
    cross_topic = [ids for ids in same_text.values() if len({topics[i] for i in ids}) > 1]
    covered = {frozenset(c.cluster.member_ids) for c in conflicts}
    listed = sum(any(set(ids) <= members for members in covered) for ids in cross_topic)
    print(
        f"topic conflicts listed by ours: {len(conflicts):,} clusters; identical texts under different "
        f"topics: {len(cross_topic):,} groups, {listed:,} of them inside a listed conflict"
    )
    total_pairs = len(items) * (len(items) - 1) // 2
    disagreements = len(ours_pairs ^ reference)
    print(f"all {total_pairs:,} article pairs, same decision (together / apart): {1 - disagreements / total_pairs:.5%}")
    texts = dict(items)
    for label, only in (("only datasketch", reference - ours_pairs), ("only ours", ours_pairs - reference)):
        similarities = sorted(round(true_jaccard(texts[a], texts[b], settings), 2) for a, b in only)
        below = sum(s < settings.threshold for s in similarities)
        print(f"{label}: true shingle Jaccard {similarities[:20]}{' ...' if len(similarities) > 20 else ''}; {below} below threshold")


def true_jaccard(left: str, right: str, settings: DedupSettings) -> float:
    """Exact Jaccard of the two texts' word shingles, the quantity LSH estimates."""
    return jaccard(text_shingles(left, settings), text_shingles(right, settings))


if __name__ == "__main__":
    main()
