"""Stage 1: signatures equal datasketch's, banding follows the S-curve, parts bound the memory."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from datasketch import MinHash

from curation.dedup import minhash
from curation.dedup.minhash import MISSED_AT_THRESHOLD, banding, list_parts, minhash_signatures, write_parts
from curation.settings import DedupSettings
from tests.dedup.conftest import OTHER_STORY, STORY


def test_vectorised_signatures_equal_datasketch_minhash() -> None:
    rng = np.random.default_rng(7)
    sets = [np.unique(rng.integers(0, 2**32, size=n, dtype=np.uint64).astype(np.uint32)) for n in (40, 0, 1, 900, 3)]
    signatures = minhash_signatures(sets, num_perm=64, seed=3)
    for shingles, signature in zip(sets, signatures):
        reference = MinHash(num_perm=64, seed=3, hashfunc=lambda value: value)
        reference.update_batch(shingles.tolist())
        assert np.array_equal(signature, reference.hashvalues)


def test_parts_hold_at_most_part_items_and_keep_input_positions(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(minhash, "PART_ITEMS", 2)
    items = [(10 * i, f"u{i}", STORY if i % 2 else OTHER_STORY) for i in range(5)]
    assert write_parts(tmp_path, items, DedupSettings(), prefix="00003") == 5
    parts = list_parts(tmp_path)
    assert [p.path.name for p in parts] == ["00003-00000", "00003-00001", "00003-00002"]
    assert [len(p) for p in parts] == [2, 2, 1]
    assert np.concatenate([p.read("position") for p in parts]).tolist() == [0, 10, 20, 30, 40]
    assert [p.value("ids", 1) for p in parts[:2]] == ["u1", "u3"]
    bands, _ = banding(0.7, 128)
    assert len(parts[0].band(bands - 1)) == 2 and parts[0].read("bands").shape == (bands * 2,)
    assert np.array_equal(parts[2].shingles(0), np.load(parts[2].path / "shingles.npy"))


def _missed(similarity: float, bands: int, rows: int) -> float:
    """Probability that no band of a pair of this Jaccard similarity agrees (the S-curve)."""
    return (1 - similarity**rows) ** bands


def test_banding_takes_the_most_rows_that_still_propose_a_pair_at_the_threshold() -> None:
    assert banding(0.7, 128) == (32, 4)  # 25 x 5 would miss a pair at 0.7 once in 100
    for threshold in (0.3, 0.5, 0.7, 0.8, 0.9):
        for num_perm in (64, 128, 256):
            bands, rows = banding(threshold, num_perm)
            assert bands * rows <= num_perm
            assert _missed(threshold, bands, rows) <= MISSED_AT_THRESHOLD
            assert _missed(threshold, num_perm // (rows + 1), rows + 1) > MISSED_AT_THRESHOLD
            assert _missed(threshold + 0.05, bands, rows) < _missed(threshold, bands, rows)


def test_permutations_are_datasketchs_without_importing_it() -> None:
    from curation.dedup.minhash import permutations

    for seed in (1, 3):
        a, b = permutations(128, seed)
        reference = MinHash(num_perm=128, seed=seed).permutations
        assert np.array_equal(a, reference[0]) and np.array_equal(b, reference[1])
