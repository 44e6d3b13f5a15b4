"""Stage 1 of dedup: MinHash signatures and LSH band keys, written to disk one part at a time.

A part holds at most ``PART_ITEMS`` texts, so this stage's memory is bounded by the part, never by
the corpus. Each part is a folder of ``.npy`` arrays that later stages open memory-mapped:

* ``ids`` (unit ids), ``position`` (the unit's place in the input, for input-ordered output),
  ``words`` (word count), ``exact`` (64-bit key of the normalised text);
* ``offsets`` and ``shingles``: each text's sorted distinct shingle hashes, flattened;
* ``bands``: one 64-bit key per LSH band and text (the band's MinHash rows hashed together).

Signatures use datasketch's own permutations and its ``affine32`` scheme, so they equal what
``datasketch.MinHash`` gives for the same shingle hashes (a test checks this), computed for a whole
part at once with numpy instead of datasketch's per-shingle Python loop.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np

from curation.dedup.shingles import WORD, TokenHasher, exact_key, shingle_hashes
from curation.normalize import normalize_text
from curation.settings import DedupSettings

PART_ITEMS = 4_096


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's finaliser, the pre-mix datasketch applies in its affine32 scheme."""
    with np.errstate(over="ignore"):
        values = values ^ (values >> np.uint32(16))
        values = values * np.uint32(0x85EBCA6B)
        values = values ^ (values >> np.uint32(13))
        values = values * np.uint32(0xC2B2AE35)
        return values ^ (values >> np.uint32(16))


def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """The ``(a, b)`` of datasketch's affine32 scheme for this seed (``MinHash._init_permutations``),
    made here so that dedup does not import datasketch (and scipy) to get them."""
    generator = np.random.RandomState(seed)
    a = generator.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = generator.randint(0, 1 << 32, num_perm, dtype=np.uint32)
    return a, b


def minhash_signatures(shingle_sets: Sequence[np.ndarray], num_perm: int, seed: int) -> np.ndarray:
    """One row of MinHash values per shingle set, equal to ``datasketch.MinHash(num_perm, seed,
    hashfunc=identity)`` fed the same hashes; an empty set keeps datasketch's empty signature.

    One permutation at a time over all shingles of the part, reduced per set with
    ``np.minimum.reduceat``: about 30 times faster than a (shingles x permutations) block."""
    a, b = permutations(num_perm, seed)
    signatures = np.full((num_perm, len(shingle_sets)), np.iinfo(np.uint32).max, dtype=np.uint32)
    sizes = np.array([len(s) for s in shingle_sets], dtype=np.int64)
    filled = np.flatnonzero(sizes)
    if len(filled):
        flat = _fmix32(np.concatenate([shingle_sets[i] for i in filled]))
        starts = np.concatenate(([0], np.cumsum(sizes[filled])[:-1]))
        with np.errstate(over="ignore"):
            for row in range(num_perm):
                signatures[row, filled] = np.minimum.reduceat(flat * a[row] + b[row], starts)
    return np.ascontiguousarray(signatures.T)


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """``(bands, texts)`` 64-bit keys: two texts share a key when they share a band's rows."""
    keys = np.zeros((bands, len(signatures)), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for band in range(bands):
            key = np.full(len(signatures), np.uint64(0xCBF29CE484222325 + band), dtype=np.uint64)
            for column in signatures[:, band * rows : (band + 1) * rows].T:
                key = (key ^ column.astype(np.uint64)) * np.uint64(0x100000001B3)
                key ^= key >> np.uint64(29)
            keys[band] = key
    return keys


def write_part(folder: Path, items: Sequence[tuple[int, str, str]], settings: DedupSettings) -> Path:
    """Write one part for ``(position, unit id, text)`` items; returns its folder."""
    hasher = TokenHasher()
    words, exact, shingles = [], [], []
    for _, _, text in items:
        normalised = normalize_text(text, settings.normalize)
        tokens = WORD.findall(normalised)
        words.append(len(tokens))
        exact.append(exact_key(" ".join(tokens)))
        shingles.append(shingle_hashes(hasher(tokens), settings.shingle_size))
    bands, rows = settings.bands
    signatures = minhash_signatures(shingles, settings.num_perm, settings.seed)
    arrays = {
        "ids": np.array([unit_id for _, unit_id, _ in items], dtype=str),
        "position": np.array([position for position, _, _ in items], dtype=np.int64),
        "words": np.array(words, dtype=np.int32),
        "exact": np.array(exact, dtype=np.uint64),
        "offsets": np.concatenate(([0], np.cumsum([len(s) for s in shingles]))).astype(np.int64),
        "shingles": np.concatenate(shingles) if shingles else np.empty(0, np.uint32),
        "bands": band_keys(signatures, bands, rows),
    }
    folder.mkdir(parents=True, exist_ok=True)
    for name, array in arrays.items():
        np.save(folder / f"{name}.npy", array)
    return folder


def write_parts(
    folder: Path, items: Iterable[tuple[int, str, str]], settings: DedupSettings, prefix: str = "00000"
) -> int:
    """Stream items into parts ``<prefix>-00000``, ``<prefix>-00001``...; returns the item count."""
    batch: list[tuple[int, str, str]] = []
    count = part = 0
    for item in items:
        batch.append(item)
        if len(batch) == PART_ITEMS:
            write_part(folder / f"{prefix}-{part:05d}", batch, settings)
            count, part, batch = count + len(batch), part + 1, []
    if batch or part == 0:
        write_part(folder / f"{prefix}-{part:05d}", batch, settings)
        count += len(batch)
    return count


@dataclass(frozen=True)
class Part:
    """One part on disk, its arrays opened memory-mapped on first use."""

    path: Path

    def array(self, name: str) -> np.ndarray:
        return np.load(self.path / f"{name}.npy", mmap_mode="r")

    @cached_property
    def offsets(self) -> np.ndarray:
        return self.array("offsets")

    @cached_property
    def flat_shingles(self) -> np.ndarray:
        return self.array("shingles")

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def shingles(self, local: int) -> np.ndarray:
        return np.asarray(self.flat_shingles[self.offsets[local] : self.offsets[local + 1]])


def list_parts(folder: Path) -> list[Part]:
    """Every part of a signatures folder in name order: the part number of a text reference."""
    return [Part(path) for path in sorted(p for p in folder.iterdir() if (p / "bands.npy").is_file())]


REF_SHIFT = np.uint64(32)


def refs(part_number: int, count: int) -> np.ndarray:
    """References of a part's texts: part number in the high 32 bits, local index in the low."""
    return (np.uint64(part_number) << REF_SHIFT) | np.arange(count, dtype=np.uint64)


def ref_of(part_number: int, local: int) -> int:
    return (part_number << 32) | local


def split_ref(ref: int) -> tuple[int, int]:
    return int(ref) >> 32, int(ref) & 0xFFFFFFFF
