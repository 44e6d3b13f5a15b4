"""Stage 2 of dedup: texts that share an LSH band key (or their exact key) become candidate pairs.

One band at a time (a datatrove task can take any subset of bands). A band's ``(key, exact key,
ref)`` rows of every part are spilled to disk by key range (:mod:`~curation.dedup.partitions`),
so a range holds about ``ROWS`` texts whatever the corpus size; each range is sorted in memory and
each run of equal keys is one bucket. A bucket first collapses exact copies (they are paired
through the exact-key bucket) and pairs the distinct texts left; a huge bucket (boilerplate every
page shares) pairs each text with its ``WINDOW`` predecessors only.

Two more "bands" ride on the same machinery: :data:`EXACT` (the exact key of the normalised text:
copies) and :data:`IDS` (a key of the unit id: an id given twice is refused here, without a set of
every id in memory).

A text of fewer than ``min_words`` words (an empty body, a lone disclaimer) enters no bucket but
the ids': all such texts would otherwise be "copies" of each other, whatever article they stand for.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from curation.dedup.minhash import Part, list_parts, refs, split_ref
from curation.dedup.partitions import Partitions, by_range, partitions_for

WINDOW = 64
EXACT = -1  # the "band" whose key is the exact key of the normalised text
IDS = -2  # the "band" whose key is the key of the unit id
ROW = np.dtype([("key", np.uint64), ("exact", np.uint64), ("position", np.int64), ("ref", np.uint64)])


def band_name(band: int) -> str:
    return {EXACT: "exact", IDS: "ids"}.get(band, f"{band:03d}")


def _keys(part: Part, band: int) -> np.ndarray:
    if band == EXACT:
        return part.read("exact")
    if band == IDS:
        return part.read("idkey")
    return part.band(band)


def _sorted_ranges(parts: list[Part], band: int, spill: Path, min_words: int) -> Iterator[np.ndarray]:
    """The band's rows of every part (but the ids', only of texts of ``min_words`` words or
    more), a key range at a time, sorted by key, exact key, input position (not by reference:
    which part holds a text depends on the number of ranks)."""
    ranges = Partitions(spill, ROW, partitions_for(sum(len(p) for p in parts)))
    for number, part in enumerate(parts):
        if not len(part):
            continue
        rows: np.ndarray = np.empty(len(part), ROW)
        rows["key"], rows["exact"], rows["ref"] = _keys(part, band), part.read("exact"), refs(number, len(part))
        rows["position"] = part.read("position")
        if band != IDS:
            rows = rows[part.read("words") >= min_words]
        ranges.add(rows, by_range(rows["key"], ranges.count))
    for rows in ranges:
        yield rows[np.lexsort((rows["position"], rows["exact"], rows["key"]))]


def _refuse_repeated_ids(parts: list[Part], rows: np.ndarray) -> None:
    """Texts whose id keys collide: equal ids are an error, a 64-bit collision is nothing."""
    colliding = np.flatnonzero(rows["key"][1:] == rows["key"][:-1])
    for left, right in zip(rows["ref"][colliding].tolist(), rows["ref"][colliding + 1].tolist()):
        ids = [str(parts[number].value("ids", local)) for number, local in (split_ref(left), split_ref(right))]
        if ids[0] == ids[1]:
            raise ValueError(f"unit id {ids[0]!r} appears twice in the dedup input")


def _neighbours(keys: np.ndarray, refs: np.ndarray, window: int) -> Iterator[np.ndarray]:
    """Pairs of rows ``1..window`` apart that share a key (rows sorted by key), a distance at a
    time, until no run of equal keys is that long."""
    for offset in range(1, window + 1):
        same = np.flatnonzero(keys[offset:] == keys[:-offset])
        if not len(same):
            return
        yield np.stack([refs[same], refs[same + offset]], axis=1)


def band_pairs(parts: list[Part], band: int, spill: Path, min_words: int) -> np.ndarray:
    """``(n, 2)`` uint64 pairs of references (lower first) proposed by one band among the texts
    of ``min_words`` words or more."""
    pairs: list[np.ndarray] = []
    for rows in _sorted_ranges(parts, band, spill, min_words):
        if band == IDS:
            _refuse_repeated_ids(parts, rows)
        elif band == EXACT:  # chain the copies, union-find does the rest
            pairs.extend(_neighbours(rows["key"], rows["ref"], 1))
        elif len(rows):  # the earliest of each set of copies (rows are sorted by exact key, then position)
            first = np.concatenate(([True], (rows["key"][1:] != rows["key"][:-1]) | (rows["exact"][1:] != rows["exact"][:-1])))
            distinct = rows[first]
            distinct = distinct[np.lexsort((distinct["position"], distinct["key"]))]  # input order in a bucket
            pairs.extend(_neighbours(distinct["key"], distinct["ref"], WINDOW))
    if not pairs:
        return np.empty((0, 2), np.uint64)
    return np.unique(np.sort(np.concatenate(pairs), axis=1), axis=0)


def write_band_pairs(signatures: Path, out: Path, bands: list[int], min_words: int) -> None:
    """Candidate pairs of each listed band to ``out/band-<name>.npy`` (the ids band writes none)."""
    parts = list_parts(signatures)
    out.mkdir(parents=True, exist_ok=True)
    for band in bands:
        found = band_pairs(parts, band, out / f"spill-{band_name(band)}", min_words)
        if band != IDS:
            np.save(out / f"band-{band_name(band)}.npy", found)


def read_pairs(folder: Path, exact: bool) -> np.ndarray:
    """Distinct pairs of all band files (``exact``: only the exact-key file; else the LSH bands), sorted.
    Band files are joined in turn, folded into the distinct pairs whenever the files waiting hold as many
    rows as those: a pair many bands found is held about once, so memory follows the distinct pairs, not
    32 bands' copies (10x ANT: 94 MB of band files, 280 MB at the peak all at once), and each fold's sort
    costs less than `np.unique(axis=0)` of everything (integer lexsort, not row comparisons)."""
    found = np.empty((0, 2), np.uint64)
    waiting: list[np.ndarray] = []
    rows = 0
    for path in sorted(folder.glob("band-exact.npy" if exact else "band-[0-9]*.npy")):
        band = np.load(path)
        if not len(band):
            continue
        waiting.append(band)
        rows += len(band)
        if rows >= len(found):
            found, waiting, rows = _distinct_rows(np.concatenate([found, *waiting])), [], 0
    return _distinct_rows(np.concatenate([found, *waiting])) if rows else found


def _distinct_rows(pairs: np.ndarray) -> np.ndarray:
    """The distinct rows of a ``(n, 2)`` array in lexicographic order (what ``np.unique(axis=0)`` gives)."""
    ordered = pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))].reshape(-1, 2)
    keep = np.empty(len(ordered), bool)
    keep[:1] = True
    np.any(ordered[1:] != ordered[:-1], axis=1, out=keep[1:])
    return ordered[keep]
