"""Containment: a shorter text whose shingles mostly occur inside one longer text (a teaser and the
full article it announces), reported as its own relation.

A contained text names its single best container and never joins a near-duplicate cluster, so one
teaser (or one boilerplate paragraph) cannot chain two different articles into one cluster.

Candidates come from bottom-k sketches: a text's ``ANCHORS`` smallest shingle hashes are a uniform
sample of its shingles, so a container holds about ``containment`` of them. The search is a join
of the anchors with the postings (every shingle of every text) on the shingle hash, done on disk:
both are spilled by hash range (:mod:`~curation.dedup.partitions`), each range is joined in
memory, and the hits ``(text, candidate container)`` are spilled again by the text's part; a part
at a time, the hits are counted and every candidate with enough of them is verified exactly. So
this stage holds a range or a part, not the corpus. A shingle posted by more than
``MAX_POSTINGS`` texts is boilerplate and no evidence.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from curation.dedup.clusters import Texts
from curation.dedup.minhash import Part, refs, split_ref
from curation.dedup.partitions import ROWS, Partitions, by_range, partitions_for
from curation.dedup.shingles import containment
from curation.settings import DedupSettings

ANCHORS = 16
MAX_POSTINGS = 1_000
POSTING = np.dtype([("hash", np.uint32), ("ref", np.uint64)])
HIT = np.dtype([("inner", np.uint64), ("outer", np.uint64)])


@dataclass(frozen=True, slots=True)
class Contained:
    """``inner`` (the shorter text) is ``share`` inside ``outer``, its best container."""

    inner: str
    outer: str
    share: float

    def to_record(self) -> dict[str, Any]:
        return {"inner": self.inner, "outer": self.outer, "share": round(self.share, 4)}


def _rows(hashes: np.ndarray, owners: np.ndarray) -> np.ndarray:
    rows = np.empty(len(hashes), POSTING)
    rows["hash"], rows["ref"] = hashes, owners
    return rows


def _spill_anchors(parts: Sequence[Part], settings: DedupSettings, anchors: Partitions) -> None:
    """The first ``ANCHORS`` shingles of every text long enough to count as contained (and to be
    compared at all: ``min_words``)."""
    shortest = max(settings.containment_min_words, settings.min_words)
    for number, part in enumerate(parts):
        offsets, long_enough = part.read("offsets"), part.read("words") >= shortest
        lows, owners = offsets[:-1][long_enough], refs(number, len(part))[long_enough]
        counts = np.minimum(offsets[1:][long_enough] - lows, ANCHORS)
        where = np.repeat(lows - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
        flat = part.read("shingles")[where] if len(where) else np.empty(0, np.uint32)
        anchors.add(_rows(flat, np.repeat(owners, counts)), by_range(flat, anchors.count))


def _spill_postings(parts: Sequence[Part], postings: Partitions) -> None:
    """Every shingle of every text with its text's reference, a chunk of a part at a time."""
    for number, part in enumerate(parts):
        offsets = part.read("offsets")
        for start in range(0, int(offsets[-1]), ROWS):
            chunk = part.read("shingles", start, min(start + ROWS, int(offsets[-1])))
            local = np.searchsorted(offsets, start + np.arange(len(chunk)), side="right") - 1
            postings.add(_rows(chunk, refs(number, len(part))[local]), by_range(chunk, postings.count))


def _join(anchors: np.ndarray, postings: np.ndarray) -> np.ndarray:
    """``(inner, outer)`` hits of one hash range: each anchor with every other text posting its
    hash, unless more than ``MAX_POSTINGS`` texts do."""
    postings = postings[np.isin(postings["hash"], anchors["hash"])]
    postings = postings[np.argsort(postings["hash"], kind="stable")]
    lows = np.searchsorted(postings["hash"], anchors["hash"], "left")
    counts = np.searchsorted(postings["hash"], anchors["hash"], "right") - lows
    counts[counts > MAX_POSTINGS] = 0
    hits = np.empty(int(counts.sum()), HIT)
    hits["inner"] = np.repeat(anchors["ref"], counts)
    hits["outer"] = postings["ref"][np.repeat(lows - np.cumsum(counts) + counts, counts) + np.arange(len(hits))]
    return hits[hits["inner"] != hits["outer"]]


def _best_containers(texts: Texts, number: int, hits: np.ndarray, settings: DedupSettings) -> Iterator[tuple[int, int, float]]:
    """``(inner, outer, share)`` of part ``number``'s texts, in reference order, from their hits."""
    if not len(hits):
        return
    hits = hits[np.lexsort((hits["outer"], hits["inner"]))]
    pair_start = np.flatnonzero(np.concatenate(([True], (hits["inner"][1:] != hits["inner"][:-1]) | (hits["outer"][1:] != hits["outer"][:-1]))))
    counts = np.diff(np.concatenate((pair_start, [len(hits)])))
    inner, outer = hits["inner"][pair_start], hits["outer"][pair_start]
    offsets = texts.offsets(number)
    local = (inner & np.uint64(0xFFFFFFFF)).astype(np.int64)
    anchored = np.minimum(offsets[local + 1] - offsets[local], ANCHORS)
    needed = np.maximum(1, np.ceil(anchored * settings.containment / 2))
    keep = counts >= needed
    inner, outer = inner[keep], outer[keep]
    if not len(inner):
        return
    bounds = np.flatnonzero(np.diff(inner)) + 1
    for candidates, owner in zip(np.split(outer, bounds), inner[np.concatenate(([0], bounds))].tolist()):
        shingles = texts.shingles(owner)
        best: tuple[float, int, int, int] | None = None
        for other in candidates.tolist():
            outer_shingles = texts.shingles(other)
            if len(outer_shingles) <= len(shingles):
                continue
            share = containment(shingles, outer_shingles)
            if share < settings.containment:
                continue
            outer_part, outer_local = split_ref(other)
            candidate = (share, len(outer_shingles), -int(texts.parts[outer_part].value("position", outer_local)), other)
            if best is None or candidate > best:  # ties go to the earliest in the input
                best = candidate
        if best is not None:
            yield owner, best[3], best[0]


def find_contained(parts: Sequence[Part], settings: DedupSettings, spill: Path) -> Iterator[tuple[int, int, float]]:
    """``(inner ref, outer ref, share)`` for each text with a container, in reference order; the
    join spills to ``spill``."""
    shingles = sum(int(part.read("offsets", len(part), len(part) + 1)[0]) for part in parts)
    ranges = partitions_for(shingles)
    anchors = Partitions(spill / "anchors", POSTING, ranges)
    postings = Partitions(spill / "postings", POSTING, ranges)
    hits = Partitions(spill / "hits", HIT, len(parts))
    _spill_anchors(parts, settings, anchors)
    _spill_postings(parts, postings)
    for range_anchors, range_postings in zip(anchors, postings):
        found = _join(range_anchors, range_postings)
        hits.add(found, (found["inner"] >> np.uint64(32)).astype(np.int64))
    texts = Texts(parts)
    for number, part_hits in enumerate(hits):
        yield from _best_containers(texts, number, part_hits, settings)
