"""Stage 2 of dedup: texts that share an LSH band key (or their exact key) become candidate pairs.

One band at a time (a datatrove task can take any subset of bands): the band's keys of every part
are read memory-mapped, sorted together, and each run of equal keys is one bucket. This stage holds
24 bytes per text for one band, never a text or a signature. A bucket first collapses exact copies
(they are paired through the exact-key bucket) and pairs the distinct texts left; a huge bucket
(boilerplate every page shares) pairs each text with its ``WINDOW`` predecessors only.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

from curation.dedup.minhash import Part, list_parts, refs

WINDOW = 64
EXACT = -1  # the "band" whose key is the exact key of the normalised text


def _band_table(parts: list[Part], band: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(keys, exact keys, refs)`` of every text of every part, sorted by key then exact key then ref."""
    keys, exact, found = [], [], []
    for number, part in enumerate(parts):
        if not len(part):
            continue
        part_exact = np.asarray(part.array("exact"))
        keys.append(part_exact if band == EXACT else np.asarray(part.array("bands")[band]))
        exact.append(part_exact)
        found.append(refs(number, len(part)))
    if not keys:
        empty = np.empty(0, np.uint64)
        return empty, empty, empty
    key, ex, ref = np.concatenate(keys), np.concatenate(exact), np.concatenate(found)
    order = np.lexsort((ref, ex, key))
    return key[order], ex[order], ref[order]


def _runs(values: np.ndarray) -> Iterator[tuple[int, int]]:
    """``[start, end)`` of each run of two or more equal values in a sorted array."""
    if len(values) < 2:
        return
    edges = np.flatnonzero(values[1:] != values[:-1]) + 1
    starts = np.concatenate(([0], edges))
    ends = np.concatenate((edges, [len(values)]))
    for start, end in zip(starts[ends - starts > 1].tolist(), ends[ends - starts > 1].tolist()):
        yield start, end


def band_pairs(parts: list[Part], band: int) -> np.ndarray:
    """``(n, 2)`` uint64 pairs of references (lower first) proposed by one band."""
    key, exact, ref = _band_table(parts, band)
    pairs: list[np.ndarray] = []
    for start, end in _runs(key):
        members = ref[start:end]
        if band == EXACT:  # already sorted: chain the copies, union-find does the rest
            pairs.append(np.stack([members[:-1], members[1:]], axis=1))
            continue
        _, first = np.unique(exact[start:end], return_index=True)
        distinct = np.sort(members[first])
        for offset in range(1, min(len(distinct), WINDOW + 1)):
            pairs.append(np.stack([distinct[:-offset], distinct[offset:]], axis=1))
    if not pairs:
        return np.empty((0, 2), np.uint64)
    return np.unique(np.concatenate(pairs), axis=0)


def write_band_pairs(signatures: Path, out: Path, bands: list[int]) -> None:
    """Candidate pairs of each listed band to ``out/band-<n>.npy`` (``exact`` for :data:`EXACT`)."""
    parts = list_parts(signatures)
    out.mkdir(parents=True, exist_ok=True)
    for band in bands:
        name = "exact" if band == EXACT else f"{band:03d}"
        np.save(out / f"band-{name}.npy", band_pairs(parts, band))


def read_pairs(folder: Path, exact: bool) -> np.ndarray:
    """Distinct pairs of all band files (``exact``: only the exact-key file; else the LSH bands)."""
    files = sorted(folder.glob("band-exact.npy" if exact else "band-[0-9]*.npy"))
    found = [np.load(f) for f in files]
    found = [f for f in found if len(f)]
    if not found:
        return np.empty((0, 2), np.uint64)
    return np.unique(np.concatenate(found), axis=0)
