"""Containment: a shorter text whose shingles mostly occur inside one longer text (a teaser and the
full article it announces), reported as its own relation.

A contained text names its single best container and never joins a near-duplicate cluster, so one
teaser (or one boilerplate paragraph) cannot chain two different articles into one cluster.

Candidates come from bottom-k sketches: a text's ``ANCHORS`` smallest shingle hashes are a uniform
sample of its shingles, so a container holds about ``containment`` of them. Only postings of those
anchor hashes are collected (scanning each part's shingles memory-mapped, a chunk at a time), so
this stage holds the anchors and their postings, not the corpus; a shingle posted by more than
``MAX_POSTINGS`` texts is boilerplate and no evidence. Every candidate is verified exactly.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from curation.dedup.clusters import Texts
from curation.dedup.minhash import Part, ref_of, refs
from curation.dedup.shingles import containment
from curation.settings import DedupSettings

ANCHORS = 16
MAX_POSTINGS = 1_000
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Contained:
    """``inner`` (the shorter text) is ``share`` inside ``outer``, its best container."""

    inner: str
    outer: str
    share: float

    def to_record(self) -> dict[str, Any]:
        return {"inner": self.inner, "outer": self.outer, "share": round(self.share, 4)}


def _anchors(parts: Sequence[Part], settings: DedupSettings) -> tuple[np.ndarray, np.ndarray]:
    """``(anchor hashes, owner refs)`` of every text long enough to count as contained."""
    hashes, owners = [], []
    for number, part in enumerate(parts):
        offsets, words = np.asarray(part.offsets), np.asarray(part.array("words"))
        flat = part.flat_shingles
        for local in np.flatnonzero(words >= settings.containment_min_words).tolist():
            start = offsets[local]
            anchor = np.asarray(flat[start : min(offsets[local + 1], start + ANCHORS)])
            hashes.append(anchor)
            owners.append(np.full(len(anchor), ref_of(number, local), dtype=np.uint64))
    if not hashes:
        return np.empty(0, np.uint32), np.empty(0, np.uint64)
    return np.concatenate(hashes), np.concatenate(owners)


def _postings(parts: Sequence[Part], wanted: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(hash, ref)`` of every occurrence of a ``wanted`` hash, sorted by hash."""
    hashes, owners = [], []
    for number, part in enumerate(parts):
        flat, offsets = part.flat_shingles, np.asarray(part.offsets)
        for start in range(0, len(flat), _CHUNK):
            chunk = np.asarray(flat[start : start + _CHUNK])
            hit = np.flatnonzero(np.isin(chunk, wanted, assume_unique=False))
            if len(hit):
                local = np.searchsorted(offsets, start + hit, side="right") - 1
                hashes.append(chunk[hit])
                owners.append(refs(number, len(part))[local])
    if not hashes:
        return np.empty(0, np.uint32), np.empty(0, np.uint64)
    hash_, owner = np.concatenate(hashes), np.concatenate(owners)
    order = np.lexsort((owner, hash_))
    return hash_[order], owner[order]


def find_contained(parts: Sequence[Part], settings: DedupSettings) -> Iterator[tuple[int, int, float]]:
    """``(inner ref, outer ref, share)`` for each text with a container, in reference order."""
    anchor_hashes, anchor_owners = _anchors(parts, settings)
    if not len(anchor_hashes):
        return
    posted_hash, posted_ref = _postings(parts, np.unique(anchor_hashes))
    texts = Texts(parts)
    order = np.argsort(anchor_owners, kind="stable")
    anchor_hashes, anchor_owners = anchor_hashes[order], anchor_owners[order]
    bounds = np.flatnonzero(np.diff(anchor_owners)) + 1
    for hashes, owner in zip(np.split(anchor_hashes, bounds), anchor_owners[np.concatenate(([0], bounds))].tolist()):
        lows = np.searchsorted(posted_hash, hashes, "left")
        highs = np.searchsorted(posted_hash, hashes, "right")
        postings = [posted_ref[lo:hi] for lo, hi in zip(lows, highs) if hi - lo <= MAX_POSTINGS]
        if not postings:
            continue
        candidates, hits = np.unique(np.concatenate(postings), return_counts=True)
        needed = max(1, int(np.ceil(len(hashes) * settings.containment / 2)))
        inner = texts.shingles(owner)
        best: tuple[float, int, int] | None = None
        for other in candidates[hits >= needed].tolist():
            if other == owner:
                continue
            outer = texts.shingles(other)
            if len(outer) <= len(inner):
                continue
            share = containment(inner, outer)
            candidate = (share, len(outer), -other)
            if share >= settings.containment and (best is None or candidate > best):
                best = candidate
        if best is not None:
            yield owner, -best[2], best[0]
