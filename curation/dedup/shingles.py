"""Word shingles of a text's normalised view, hashed, and the exact set measures on them.

Every stage compares the same thing: the words of :func:`curation.normalize.normalize_text`,
``shingle_size`` words a window, each window hashed to 32 bits. Word hashes are computed from the
code points (:func:`word_hashes`), so they are the same in every process and on every machine
(``hash()`` is not).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import NamedTuple

import numpy as np

from curation.normalize import DEFAULT_OPTIONS, DROPPED, NormalizeOptions, codepoint_folds, normalize_text

WORD = re.compile(r"\w+")
CHUNK_WORDS = 1 << 17
CHUNK_CHARACTERS = 1 << 20


def word_tokens(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> list[str]:
    """Words of the normalised text (punctuation never matters for duplicates)."""
    return WORD.findall(normalize_text(text, options))


def _mix(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser: every input bit moves every output bit."""
    with np.errstate(over="ignore"):
        values = values ^ (values >> np.uint64(33))
        values = values * np.uint64(0xFF51AFD7ED558CCD)
        values = values ^ (values >> np.uint64(33))
        values = values * np.uint64(0xC4CEB9FE1A85EC53)
        return values ^ (values >> np.uint64(33))


@lru_cache(maxsize=1)
def _word_characters() -> np.ndarray:
    """Whether each code point of the Basic Multilingual Plane is a character of ``\\w``."""
    return np.array([WORD.match(chr(c)) is not None for c in range(0x10000)], dtype=bool)


class Words(NamedTuple):
    """The words of many texts as 64-bit hashes: text ``i`` has ``counts[i]`` words, after those
    of the texts before it in ``hashes``; ``exact`` is a 64-bit key of each text's word sequence
    (equal keys: exact duplicates)."""

    hashes: np.ndarray
    counts: np.ndarray
    exact: np.ndarray

    def per_text(self) -> list[np.ndarray]:
        return np.split(self.hashes, np.cumsum(self.counts)[:-1]) if len(self.counts) else []


def word_hashes(texts: Sequence[str], options: NormalizeOptions = DEFAULT_OPTIONS) -> Words:
    """The words of :func:`word_tokens` of each text, hashed, with numpy over about
    ``CHUNK_CHARACTERS`` characters at once instead of a regex and a dictionary look-up per word:
    each code point is folded by table (:func:`~curation.normalize.codepoint_folds`; a text holding
    a character that folds to several, or one beyond the Basic Multilingual Plane, is normalised by
    :func:`~curation.normalize.normalize_text` first), words are runs of ``\\w`` characters, and a
    word's hash mixes its code points with their places in it, the same in every process and on
    every machine."""
    chunks, start, size = [], 0, 0
    for end, text in enumerate(texts, start=1):
        size += len(text) + 1
        if size >= CHUNK_CHARACTERS or end == len(texts):
            chunks.append(_words_chunk(texts[start:end], options))
            start, size = end, 0
    if not chunks:
        return Words(np.empty(0, np.uint64), np.empty(0, np.int64), np.empty(0, np.uint64))
    return Words(*(np.concatenate(column) for column in zip(*chunks)))


def _codepoints(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """Code points of the texts, each followed by a newline (no word spans two texts), and the
    text each belongs to."""
    joined = "\n".join(texts) + "\n"
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    return points, np.repeat(np.arange(len(texts)), [len(text) + 1 for text in texts])


def _words_chunk(texts: Sequence[str], options: NormalizeOptions) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    folds, expands = codepoint_folds(options)
    points, owner = _codepoints(texts)
    slow = np.zeros(len(texts), dtype=bool)
    hit = (points > 0xFFFF) | expands[np.minimum(points, 0xFFFF)]
    if hit.any():  # these texts normalised the slow way, then taken as they are
        slow[owner[hit]] = True
        texts = [normalize_text(text, options) if alone else text for text, alone in zip(texts, slow.tolist())]
        points, owner = _codepoints(texts)
    points = np.where(slow[owner], points, folds[np.minimum(points, 0xFFFF)])
    kept = points != DROPPED
    points, owner = points[kept], owner[kept]
    word = _word_characters()[np.minimum(points, 0xFFFF)]
    astral = np.flatnonzero(points > 0xFFFF)
    if len(astral):
        distinct, which = np.unique(points[astral], return_inverse=True)
        word[astral] = np.array([WORD.match(chr(c)) is not None for c in distinct.tolist()])[which]
    edges = np.diff(word.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    starts = np.flatnonzero(edges == 1)
    lengths = np.flatnonzero(edges == -1) - starts
    counts = np.bincount(owner[starts], minlength=len(texts)).astype(np.int64)
    if not len(starts):
        return np.empty(0, np.uint64), counts, _exact_keys(np.empty(0, np.uint64), counts)
    inside = np.flatnonzero(word)
    place = inside - np.repeat(starts, lengths)
    mixed = _mix(points[inside].astype(np.uint64) | (place.astype(np.uint64) << np.uint64(32)))
    with np.errstate(over="ignore"):
        hashes = _mix(np.add.reduceat(mixed, np.cumsum(lengths) - lengths))
    return hashes, counts, _exact_keys(hashes, counts)


def _exact_keys(hashes: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """A key per text of its word sequence: each word's hash mixed with its place, summed, and
    the sum mixed with the word count."""
    place = np.arange(len(hashes), dtype=np.int64) - np.repeat(np.cumsum(counts) - counts, counts)
    mixed = _mix(hashes ^ _mix(place.astype(np.uint64) + np.uint64(1)))
    sums = np.zeros(len(counts), dtype=np.uint64)
    filled = np.flatnonzero(counts)
    with np.errstate(over="ignore"):
        if len(filled):
            sums[filled] = np.add.reduceat(mixed, (np.cumsum(counts) - counts)[filled])
        return _mix(sums + _mix(counts.astype(np.uint64)))


def shingle_sets(token_hashes: Sequence[np.ndarray], size: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct 32-bit hashes of the ``size``-word windows of each text (the whole text when
    shorter), for many texts at once: ``(flat hashes, offsets)``, text ``i``'s hashes being
    ``flat[offsets[i]:offsets[i + 1]]``. numpy passes over many texts' words at once, not one per
    text, in chunks of about ``CHUNK_WORDS`` words (the passes' arrays are 50 bytes a word)."""
    chunks, start, words = [], 0, 0
    for end, tokens in enumerate(token_hashes, start=1):
        words += len(tokens)
        if words >= CHUNK_WORDS or end == len(token_hashes):
            chunks.append(_shingle_chunk(token_hashes[start:end], size))
            start, words = end, 0
    if not chunks:
        return np.empty(0, dtype=np.uint32), np.zeros(1, dtype=np.int64)
    counts = np.concatenate([np.diff(offsets) for _, offsets in chunks])
    return np.concatenate([flat for flat, _ in chunks]), np.concatenate(([0], np.cumsum(counts))).astype(np.int64)


def _shingle_chunk(token_hashes: Sequence[np.ndarray], size: int) -> tuple[np.ndarray, np.ndarray]:
    lengths = np.array([len(t) for t in token_hashes], dtype=np.int64)
    widths = np.minimum(size, lengths)
    windows = np.where(lengths > 0, lengths - widths + 1, 0)
    owner = np.repeat(np.arange(len(token_hashes), dtype=np.uint64), windows)
    if not len(owner):
        return np.empty(0, dtype=np.uint32), np.zeros(len(token_hashes) + 1, dtype=np.int64)
    flat = np.concatenate(token_hashes).astype(np.uint64, copy=False)
    first = np.repeat(np.cumsum(lengths) - lengths - np.cumsum(windows) + windows, windows) + np.arange(len(owner))
    width = np.repeat(widths, windows)
    combined = np.zeros(len(owner), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(size):
            inside = np.flatnonzero(width > offset)
            combined[inside] = combined[inside] * np.uint64(0x100000001B3) ^ flat[first[inside] + offset]
        combined ^= combined >> np.uint64(33)
        combined *= np.uint64(0xFF51AFD7ED558CCD)
        combined ^= combined >> np.uint64(33)
    keyed = np.unique(owner << np.uint64(32) | combined >> np.uint64(32))  # by text, then hash; distinct
    counts = np.bincount((keyed >> np.uint64(32)).astype(np.int64), minlength=len(token_hashes))
    return (keyed & np.uint64(0xFFFFFFFF)).astype(np.uint32), np.concatenate(([0], np.cumsum(counts))).astype(np.int64)


def text_shingles(text: str, size: int = 5, options: NormalizeOptions = DEFAULT_OPTIONS) -> np.ndarray:
    """Sorted distinct shingle hashes of one text, exactly as the dedup stages see it."""
    return shingle_sets(word_hashes([text], options).per_text(), size)[0]


def overlap(left: np.ndarray, right: np.ndarray) -> int:
    """Shingles two sorted distinct arrays share."""
    return len(np.intersect1d(left, right, assume_unique=True))


def jaccard(left: np.ndarray, right: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted distinct shingle-hash arrays."""
    union = len(left) + len(right)
    if union == 0:
        return 1.0
    shared = overlap(left, right)
    return shared / (union - shared)


def containment(inner: np.ndarray, outer: np.ndarray) -> float:
    """Share of ``inner``'s shingles that also occur in ``outer``."""
    return overlap(inner, outer) / len(inner) if len(inner) else 0.0
