"""Rows spilled by partition come back whole, a partition at a time, and never mix runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from curation.dedup.partitions import Partitions, by_range

ROW = np.dtype([("key", np.uint64), ("value", np.int64)])


def _rows(keys: list[int]) -> np.ndarray:
    rows = np.empty(len(keys), ROW)
    rows["key"], rows["value"] = keys, np.arange(len(keys))
    return rows


def test_rows_come_back_by_partition_in_the_order_they_were_added(tmp_path: Path) -> None:
    spill = Partitions(tmp_path, ROW, 3)
    spill.add(_rows([5, 6, 7, 8]), np.array([2, 0, 2, 0]))
    spill.add(_rows([9]), np.array([2]))
    assert [r["key"].tolist() for r in spill] == [[6, 8], [], [5, 7, 9]]
    assert not list(tmp_path.iterdir())  # read once, then gone


def test_files_an_interrupted_run_left_are_not_read_again(tmp_path: Path) -> None:
    Partitions(tmp_path, ROW, 2).add(_rows([1, 2]), np.array([0, 1]))
    spill = Partitions(tmp_path, ROW, 2)
    spill.add(_rows([3]), np.array([1]))
    assert [r["key"].tolist() for r in spill] == [[], [3]]


def test_ranges_keep_equal_keys_together_and_split_hashes_evenly() -> None:
    keys = np.random.default_rng(3).integers(0, 2**63, 40_000, dtype=np.uint64) * np.uint64(2)
    counts = np.bincount(by_range(keys, 8), minlength=8)
    assert counts.min() > 4_500 and counts.max() < 5_500
    assert np.array_equal(by_range(keys, 8), by_range(keys.copy(), 8))
    small = keys.astype(np.uint32)
    assert set(by_range(small, 4).tolist()) == {0, 1, 2, 3}
