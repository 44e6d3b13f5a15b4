"""Dedup on what the user means: recall and pair precision on articles as curation cuts them, against
an exact all-pairs gold, for ``DedupSettings.compare`` = ``body`` (the default) and ``title+body``,
beside rensa on the same texts; then a stress case of planted duplicates and empty bodies.

    .venv/bin/python bench/dedup_recall.py                       # all ANT (31,523 articles): a few minutes
    .venv/bin/python bench/dedup_recall.py --sample 8000 --rounds 3

ANT pages are read and cut into articles by curation (ingest, ``split_articles``: not timed); what
each run compares is ``dedup_items(articles, compare)``, the text the model defines for the setting.

* **ours**: ``curation.dedup.find_duplicates`` with ``DedupSettings(compare=...)``: signatures, LSH
  buckets, exact-Jaccard verification, clusters; texts of fewer than ``min_words`` words are never
  clustered (counted: the ``short`` column).
* **rensa**: ``RMinHash`` of the same word shingles, ``RMinHashLSH`` (16 bands of 8 rows), a candidate
  kept when rensa's estimated Jaccard reaches the threshold; connected components (as in
  ``bench/dedup.py``). rensa has no minimum length: it skips only texts without a shingle.

**Gold** (what the user means: the same story, whatever its headline): every pair of articles whose
*bodies* have exact shingle Jaccard >= the threshold, both bodies of ``min_words`` words or more.
Shingles are curation's (``text_shingles``: 5-word windows of the normalised words, 32-bit hashes).
Found by brute force, nothing filtered or estimated: the 0/1 (articles x shingles) matrix times its
transpose gives every pair's shared shingles, a block of rows at a time. Pairs among bodies under
``min_words`` are printed apart with how many of them have related headlines (headline Jaccard >= 0.5):
they are why such texts are never clustered.

**Scores**: recall = gold pairs a run puts in one cluster; precision = pairs a run puts in one
cluster that are gold pairs. CPU seconds are user + system of the run's process tree (a spawned
child that reads the texts and deduplicates), wall the same child's, PSS the peak of the child's
summed proportional set size, sampled every 50 ms. With ``--rounds`` > 1 the runs are interleaved
round by round and medians are printed with the range.

**Stress case**: the same corpus plus ``--planted`` articles whose body is another article's under
a different headline (another article's), ``--empty`` articles with an empty body (a page read
entirely as captions) and half as many whose body is one 7-word disclaimer (as 11 ANT columns are).
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import multiprocessing
import os
import queue
import random
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse

from curation.dedup import DedupSettings, dedup_items, jaccard, text_shingles
from curation.dedup.shingles import word_tokens
from curation.units import COMPARED_TEXTS, Article, ComparedText, Span

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dedup import ANT, rensa_clusters  # bench/dedup.py: rensa fed as it is there
from measure import pss_mb, tree  # bench/measure.py: the summed PSS of a process tree

DISCLAIMER = "** جميع المقالات المنشورة تمثل رأي كتابها فقط."  # all the body 11 ANT columns have
GOLD_BLOCK = 2_000
RELATED_HEADLINES = 0.5


def ant_articles(sample: int | None, seed: int) -> list[Article]:
    """ANT's articles as curation cuts them; ``sample``: that many pages, drawn with ``seed``."""
    from curation.ingest import read_documents
    from curation.segment.articles import split_articles

    documents = list(read_documents([ANT], []))
    if sample:
        documents = [documents[i] for i in sorted(random.Random(seed).sample(range(len(documents)), sample))]
    return [article for document in documents for article in split_articles(document)]


def stressed(articles: list[Article], planted: int, empty: int, settings: DedupSettings, seed: int) -> tuple[list[Article], list[tuple[str, str]]]:
    """``articles`` plus planted copies (another headline over the same body), empty bodies and
    disclaimer-only bodies; with the planted ``(original, copy)`` pairs."""
    rng = random.Random(seed)
    long_enough = [a for a in articles if len(word_tokens(a.body, settings.normalize)) >= settings.min_words and a.title]
    added, pairs = [], []
    for original, donor in zip(rng.sample(long_enough, planted), rng.sample(long_enough, planted)):
        headline = donor.title_text or ""
        copy = dataclasses.replace(original, id=f"{original.id}-copy", title=Span(0, len(headline), headline))
        added.append(copy)
        pairs.append((original.id, copy.id))
    for number, source in enumerate(rng.sample(articles, empty + empty // 2)):
        body = () if number < empty else (Span(0, len(DISCLAIMER), DISCLAIMER),)
        added.append(dataclasses.replace(source, id=f"{source.id}-empty", paragraphs=body))
    return articles + added, pairs


def exact_gold(bodies: list[np.ndarray], threshold: float) -> tuple[set[tuple[int, int]], int]:
    """Every pair ``(i, j)``, ``i < j``, of non-empty shingle sets with Jaccard >= threshold, by brute
    force over the sparse product; with the count of pairs sharing at least one shingle."""
    sizes = np.array([len(s) for s in bodies], dtype=np.int64)
    vocabulary, columns = np.unique(np.concatenate(bodies), return_inverse=True)
    matrix = scipy.sparse.csr_matrix(
        (np.ones(len(columns), np.int32), columns, np.concatenate(([0], np.cumsum(sizes)))), shape=(len(bodies), len(vocabulary))
    )
    transposed = matrix.T.tocsr()
    gold: set[tuple[int, int]] = set()
    sharing = 0
    for start in range(0, len(bodies), GOLD_BLOCK):
        shared = (matrix[start : start + GOLD_BLOCK] @ transposed).tocoo()
        rows, cols, counts = shared.row.astype(np.int64) + start, shared.col.astype(np.int64), shared.data
        upper = cols > rows
        rows, cols, counts = rows[upper], cols[upper], counts[upper]
        sharing += len(rows)
        similar = counts / (sizes[rows] + sizes[cols] - counts) >= threshold
        gold.update(zip(rows[similar].tolist(), cols[similar].tolist()))
    return gold, sharing


# --- the runs, each in a spawned child -------------------------------------------------------------


def _read_items(path: str) -> Iterator[tuple[str, str]]:
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            unit_id, text = json.loads(line)
            yield unit_id, text


def run_ours(path: str, settings: DedupSettings) -> dict[str, Any]:
    from curation.dedup import find_duplicates

    found = find_duplicates(_read_items(path), settings)
    return {"clusters": [list(c.member_ids) for c in found.clusters], "short": found.too_short}


def run_rensa(path: str, settings: DedupSettings) -> dict[str, Any]:
    return {"clusters": rensa_clusters(_read_items(path), settings), "short": None}


RUNS = {"ours": run_ours, "rensa": run_rensa}


def _cpu_seconds() -> float:
    mine, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + children.ru_utime + children.ru_stime


def _child(name: str, path: str, settings: DedupSettings, queue: Any) -> None:
    import curation.dedup  # noqa: F401  (imports are not what is measured)

    if name == "rensa":
        import rensa  # noqa: F401
    cpu, wall = _cpu_seconds(), time.perf_counter()
    result = RUNS[name](path, settings)
    queue.put({**result, "cpu": _cpu_seconds() - cpu, "wall": time.perf_counter() - wall})


def measure(name: str, path: Path, settings: DedupSettings) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    process = context.Process(target=_child, args=(name, str(path), settings, results))
    process.start()
    peak = 0.0
    while True:
        peak = max(peak, pss_mb(tree(process.pid or 0)))
        try:
            found: dict[str, Any] = results.get(timeout=0.05)
            break
        except queue.Empty:
            if not process.is_alive():
                raise SystemExit(f"{name} failed (exit code {process.exitcode})") from None
    process.join()
    return {**found, "pss": peak}


# --- scoring and printing ---------------------------------------------------------------------------


def cluster_pairs(clusters: Iterable[list[str]], index: dict[str, int]) -> set[tuple[int, int]]:
    return {
        (min(index[a], index[b]), max(index[a], index[b])) for members in clusters for a, b in itertools.combinations(members, 2)
    }


def spread(values: list[float], unit: str = "") -> str:
    middle = statistics.median(values)
    if len(values) == 1:
        return f"{middle:.1f}{unit}"
    return f"{middle:.1f}{unit} ({min(values):.1f}-{max(values):.1f})"


def print_min_words_choice(pairs: set[tuple[int, int]], words: list[int], headlines: list[np.ndarray]) -> None:
    """For candidate minimums, the body pairs at the threshold a minimum leaves out (the shorter
    body under it), told apart by their headlines: related ones are lost duplicates, unrelated ones
    the clusters of boilerplate it prevents."""
    print(f"   {'min_words':>9} {'pairs left out':>15} {'related headlines':>18} {'unrelated':>10}")
    for minimum in (2, 4, 6, 8, 10, 12, 14, 16, 20, 30):
        out = [(i, j) for i, j in pairs if min(words[i], words[j]) < minimum]
        related = sum(jaccard(headlines[i], headlines[j]) >= RELATED_HEADLINES for i, j in out)
        print(f"   {minimum:>9} {len(out):>15,} {related:>18,} {len(out) - related:>10,}")


def evaluate(label: str, articles: list[Article], settings: DedupSettings, rounds: int, planted: list[tuple[str, str]]) -> None:
    index = {a.id: n for n, a in enumerate(articles)}
    words = [len(word_tokens(a.body, settings.normalize)) for a in articles]
    bodies = [text_shingles(a.body, settings.shingle_size, settings.normalize) for a in articles]
    started = time.perf_counter()
    every, sharing = exact_gold(bodies, settings.threshold)
    gold = {(i, j) for i, j in every if min(words[i], words[j]) >= settings.min_words}
    short = every - gold
    headlines = [text_shingles(a.title_text or "", settings.shingle_size, settings.normalize) for a in articles]
    related = sum(jaccard(headlines[i], headlines[j]) >= RELATED_HEADLINES for i, j in short)
    print(
        f"\n== {label}: {len(articles):,} articles; exact all-pairs gold on bodies: {len(gold):,} pairs at Jaccard >= "
        f"{settings.threshold} ({sharing:,} pairs share a shingle; {time.perf_counter() - started:.1f} s)\n"
        f"   bodies under {settings.min_words} words: {sum(0 < w < settings.min_words for w in words):,} "
        f"(+{words.count(0):,} empty); pairs among them at Jaccard >= {settings.threshold}: {len(short):,}, "
        f"{related:,} with related headlines (headline Jaccard >= {RELATED_HEADLINES})"
    )
    if not planted:
        print_min_words_choice(every, words, headlines)
    planted_pairs = {(min(index[a], index[b]), max(index[a], index[b])) for a, b in planted}
    with tempfile.TemporaryDirectory(prefix="dedup-recall-") as folder:
        paths = {}
        for compare in COMPARED_TEXTS:
            paths[compare] = Path(folder) / f"{compare}.jsonl"
            with paths[compare].open("w", encoding="utf-8") as handle:
                for item in dedup_items(articles, compare):
                    handle.write(json.dumps(item, ensure_ascii=False) + "\n")
        runs: list[tuple[str, ComparedText]] = [(name, compare) for compare in COMPARED_TEXTS for name in RUNS]
        measured: dict[tuple[str, ComparedText], list[dict[str, Any]]] = {run: [] for run in runs}
        for _ in range(rounds):
            for name, compare in runs:
                measured[name, compare].append(measure(name, paths[compare], dataclasses.replace(settings, compare=compare)))
    head = f"{'run':<6} {'compare':<11} {'CPU s':>15} {'wall s':>15} {'PSS MB':>15} {'pairs':>7} {'recall':>8} {'precision':>10} {'missed':>7} {'short':>6}"
    if planted_pairs:
        head += f" {'planted':>8} {'near-empty pairs':>17}"
    print(head)
    for (name, compare), results in measured.items():
        found = cluster_pairs(results[0]["clusters"], index)
        assert all(cluster_pairs(r["clusters"], index) == found for r in results[1:]), f"{name} differs between rounds"
        recall = len(found & gold) / len(gold) if gold else 1.0
        precision = len(found & gold) / len(found) if found else 1.0
        short_count = "-" if results[0]["short"] is None else f"{results[0]['short']:,}"
        line = (
            f"{name:<6} {compare:<11} {spread([r['cpu'] for r in results]):>15} {spread([r['wall'] for r in results]):>15} "
            f"{spread([r['pss'] for r in results]):>15} {len(found):>7,} {recall:>8.2%} {precision:>10.2%} "
            f"{len(gold - found):>7,} {short_count:>6}"
        )
        if planted_pairs:
            near_empty = sum(min(words[i], words[j]) < settings.min_words for i, j in found)
            line += f" {len(found & planted_pairs) / len(planted_pairs):>8.1%} {near_empty:>17,}"
        print(line)


def main() -> None:
    defaults = DedupSettings()
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sample", type=int, default=None, help="only this many ANT pages, drawn at random (default: all)")
    parser.add_argument("--seed", type=int, default=7, help="of the sample and the stress case")
    parser.add_argument("--rounds", type=int, default=1, help="interleaved rounds of every run (medians, range)")
    parser.add_argument("--planted", type=int, default=500, help="stress case: bodies copied under another headline")
    parser.add_argument("--empty", type=int, default=200, help="stress case: empty bodies (and half as many disclaimers)")
    parser.add_argument("--min-words", type=int, default=defaults.min_words)
    args = parser.parse_args()
    settings = DedupSettings(min_words=args.min_words)
    print(
        f"threshold {settings.threshold}, {settings.num_perm} permutations, {settings.shingle_size}-word shingles, "
        f"min_words {settings.min_words}; load average {' '.join(f'{v:.2f}' for v in os.getloadavg())}, {os.cpu_count()} cores"
    )
    articles = ant_articles(args.sample, args.seed)
    evaluate("ANT", articles, settings, args.rounds, [])
    stress, planted = stressed(articles, args.planted, args.empty, settings, args.seed)
    evaluate(
        f"stress: ANT + {args.planted} bodies under another headline + {args.empty} empty + {args.empty // 2} disclaimer-only",
        stress, settings, args.rounds, planted,
    )  # fmt: skip
    print(f"\nload average {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
