"""Stage 1 of dedup: MinHash signatures and LSH band keys, written to disk one part at a time.

A part holds at most ``PART_ITEMS`` texts, so this stage's memory is bounded by the part, never by
the corpus. Each part is a folder of ``.npy`` arrays that later stages read a slice at a time
(plain reads, not memory maps: a map's touched pages would count against the process and grow
with the corpus):

* ``ids`` (unit ids), ``idkey`` (64-bit key of the id, to find an id given twice),
  ``position`` (the unit's place in the input, for input-ordered output), ``words`` (word
  count), ``exact`` (64-bit key of the normalised text);
* ``offsets`` and ``shingles``: each text's sorted distinct shingle hashes, flattened;
* ``bands``: one 64-bit key per LSH band and text (the band's MinHash rows hashed together).

Signatures use datasketch's own permutations and its ``affine32`` scheme, so they equal what
``datasketch.MinHash`` gives for the same shingle hashes (a test checks this), computed for a whole
part at once with numpy instead of datasketch's per-shingle Python loop.

**Banding.** A pair of Jaccard ``s`` shares at least one of ``b`` bands of ``r`` rows with
probability ``1 - (1 - s**r)**b`` (the S-curve). Every candidate is then verified by exact
Jaccard, so a false candidate costs only a check while a missed pair is lost: :func:`banding`
takes the most rows per band (the fewest false candidates) for which a pair exactly at the
threshold is still missed with probability at most :data:`MISSED_AT_THRESHOLD`; pairs above it
are missed less often. At threshold 0.7 and 128 permutations that is 32 bands of 4 rows (a pair
at 0.7 missed once in 6,600; 25 bands of 5 rows would miss one in 100, and datasketch's 0.6
banding, 18 of 7, one in 5).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from curation.dedup.shingles import shingle_sets, word_hashes
from curation.settings import DedupSettings

PART_ITEMS = 4_096
MISSED_AT_THRESHOLD = 1e-3


@lru_cache(maxsize=64)
def banding(threshold: float, num_perm: int) -> tuple[int, int]:
    """``(bands, rows)``: the most rows per band whose S-curve still proposes a pair exactly at
    ``threshold`` with probability ``1 - MISSED_AT_THRESHOLD`` or more (see the module's notes)."""
    for rows in range(num_perm, 0, -1):
        bands = num_perm // rows
        if (1.0 - threshold**rows) ** bands <= MISSED_AT_THRESHOLD:
            return bands, rows
    return num_perm, 1  # too few permutations for the guarantee: the most bands there can be


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
    hashfunc=identity)`` fed the same hashes; an empty set keeps datasketch's empty signature."""
    offsets = np.concatenate(([0], np.cumsum([len(s) for s in shingle_sets]))).astype(np.int64)
    flat = np.concatenate(shingle_sets) if len(shingle_sets) else np.empty(0, np.uint32)
    return flat_signatures(flat.astype(np.uint32, copy=False), offsets, num_perm, seed)


def flat_signatures(flat: np.ndarray, offsets: np.ndarray, num_perm: int, seed: int) -> np.ndarray:
    """:func:`minhash_signatures` of the sets ``flat[offsets[i]:offsets[i + 1]]``: one permutation
    at a time over all shingles of a part, reduced per set with ``np.minimum.reduceat`` (about 30
    times faster than a (shingles x permutations) block)."""
    a, b = permutations(num_perm, seed)
    signatures = np.full((num_perm, len(offsets) - 1), np.iinfo(np.uint32).max, dtype=np.uint32)
    filled = np.flatnonzero(np.diff(offsets))
    if len(filled):
        mixed = _fmix32(flat)
        with np.errstate(over="ignore"):
            for row in range(num_perm):
                signatures[row, filled] = np.minimum.reduceat(mixed * a[row] + b[row], offsets[filled])
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


def id_key(unit_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(unit_id.encode("utf-8"), digest_size=8).digest(), "little")


def write_part(folder: Path, items: Sequence[tuple[int, str, str]], settings: DedupSettings) -> Path:
    """Write one part for ``(position, unit id, text)`` items; returns its folder."""
    words = word_hashes([text for _, _, text in items], settings.normalize)
    shingles, offsets = shingle_sets(words.per_text(), settings.shingle_size)
    bands, rows = banding(settings.threshold, settings.num_perm)
    signatures = flat_signatures(shingles, offsets, settings.num_perm, settings.seed)
    arrays = {
        "ids": np.array([unit_id for _, unit_id, _ in items], dtype=str),
        "idkey": np.array([id_key(unit_id) for _, unit_id, _ in items], dtype=np.uint64),
        "position": np.array([position for position, _, _ in items], dtype=np.int64),
        "words": words.counts.astype(np.int32),
        "exact": words.exact,
        "offsets": offsets,
        "shingles": shingles,
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
    """One part on disk; its arrays are read a slice at a time (see the module's notes)."""

    path: Path

    @cached_property
    def _layouts(self) -> dict[str, tuple[str, int, np.dtype, tuple[int, ...]]]:
        return {}

    def _layout(self, name: str) -> tuple[str, int, np.dtype, tuple[int, ...]]:
        """``(file, data offset, dtype, shape)`` of one ``.npy`` array, from its header."""
        layouts = self._layouts
        if name not in layouts:
            path = str(self.path / f"{name}.npy")
            with open(path, "rb") as handle:
                version = np.lib.format.read_magic(handle)
                read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
                shape, _, dtype = read_header(handle)
                layouts[name] = (path, handle.tell(), dtype, shape)
        return layouts[name]

    def read(self, name: str, start: int = 0, stop: int | None = None) -> np.ndarray:
        """Elements ``[start, stop)`` of an array, counted in its flattened (row-major) order."""
        path, offset, dtype, shape = self._layout(name)
        stop = int(np.prod(shape)) if stop is None else stop
        count = max(0, stop - start)
        if not count:
            return np.empty(0, dtype)
        return np.fromfile(path, dtype=dtype, count=count, offset=offset + start * dtype.itemsize)

    def gather(self, name: str, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """Elements ``[starts[i], starts[i] + lengths[i])`` of a flat array, one after the other,
        through a map of the file dropped before returning: only the pages read are touched, and
        they leave the process with the map."""
        path, offset, dtype, shape = self._layout(name)
        if not int(np.prod(shape)) or not lengths.sum():
            return np.empty(0, dtype)
        index = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(lengths.sum())
        mapped = np.memmap(path, dtype=dtype, mode="r", offset=offset, shape=(int(np.prod(shape)),))
        try:
            return np.asarray(mapped[index])
        finally:
            del mapped

    def value(self, name: str, local: int) -> Any:
        """One cell as a Python value (an int or a float, as the column holds)."""
        return self.read(name, local, local + 1)[0].item()

    @cached_property
    def size(self) -> int:
        return self._layout("position")[3][0]

    def __len__(self) -> int:
        return self.size

    def band(self, band: int) -> np.ndarray:
        """The keys of one band, a key per text."""
        return self.read("bands", band * len(self), (band + 1) * len(self))

    def shingles(self, local: int, offsets: np.ndarray | None = None) -> np.ndarray:
        """One text's shingles (``offsets``: the part's, when the caller holds them)."""
        start, stop = (self.read("offsets", local, local + 2) if offsets is None else offsets[local : local + 2]).tolist()
        return self.read("shingles", start, stop)


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
