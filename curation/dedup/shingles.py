"""Word shingles of a text's normalised view, hashed, and the exact set measures on them.

Every stage compares the same thing: the words of :func:`curation.normalize.normalize_text`,
``shingle_size`` words a window, each window hashed to 32 bits. Token hashes are blake2b, so they
are the same in every process and on every machine (``hash()`` is not).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from curation.normalize import DEFAULT_OPTIONS, NormalizeOptions, normalize_text

WORD = re.compile(r"\w+")
CHUNK_WORDS = 1 << 17


def word_tokens(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> list[str]:
    """Words of the normalised text (punctuation never matters for duplicates)."""
    return WORD.findall(normalize_text(text, options))


def exact_key(normalised: str) -> int:
    """64-bit key of a normalised text: equal keys are exact duplicates."""
    return int.from_bytes(hashlib.blake2b(normalised.encode("utf-8"), digest_size=8).digest(), "little")


class TokenHasher(dict[str, int]):
    """Stable 64-bit hashes of word types, computed once per distinct word."""

    def __missing__(self, token: str) -> int:
        value = self[token] = int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")
        return value

    def __call__(self, tokens: Sequence[str]) -> np.ndarray:
        return np.fromiter(map(self.__getitem__, tokens), dtype=np.uint64, count=len(tokens))


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
    return shingle_sets([TokenHasher()(word_tokens(text, options))], size)[0]


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
