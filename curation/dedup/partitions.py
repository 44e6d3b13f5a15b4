"""Rows spilled to disk by partition and read back one partition at a time: the external sort
(or hash join) behind every dedup stage that would otherwise hold a table of the whole corpus.

A stage picks the number of partitions from the rows it will spill (``partitions_for``), so one
partition holds about ``ROWS`` rows whatever the corpus size, routes each row by a uniform hash
(``by_range``) or by the part it belongs to, and then sorts or joins a partition in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np

ROWS = 1 << 18  # rows of one partition, a few MB whatever their dtype


def partitions_for(rows: int) -> int:
    """How many partitions keep each at about :data:`ROWS` rows."""
    return max(1, -(-rows // ROWS))


def by_range(keys: np.ndarray, count: int) -> np.ndarray:
    """Partition of each uniform hash key (uint32 or uint64): equal keys share a partition and
    the partitions split the key space evenly."""
    top = keys.astype(np.uint64) if keys.dtype.itemsize == 4 else keys >> np.uint64(32)
    return ((top * np.uint64(count)) >> np.uint64(32)).astype(np.int64)


class Partitions:
    """Rows of one dtype appended to ``count`` files under ``folder`` (partition files an earlier,
    interrupted run left there are removed first); iterating reads each file back whole, in
    partition order and in the order its rows were added, then removes it."""

    def __init__(self, folder: Path, dtype: np.dtype, count: int) -> None:
        self.folder, self.dtype, self.count = folder, np.dtype(dtype), count
        folder.mkdir(parents=True, exist_ok=True)
        for stale in folder.glob("[0-9][0-9][0-9][0-9][0-9][0-9].bin"):  # left by a run that stopped
            stale.unlink()

    def path(self, partition: int) -> Path:
        return self.folder / f"{partition:06d}.bin"

    def add(self, rows: np.ndarray, partition: np.ndarray) -> None:
        """Append ``rows`` (of this spill's dtype), each to its ``partition``."""
        if not len(rows):
            return
        order = np.argsort(partition, kind="stable")
        rows, partition = rows[order], partition[order]
        bounds = np.searchsorted(partition, np.arange(self.count + 1))
        for number in np.flatnonzero(np.diff(bounds)).tolist():
            with self.path(number).open("ab") as handle:
                handle.write(rows[bounds[number] : bounds[number + 1]].tobytes())

    def __iter__(self) -> Iterator[np.ndarray]:
        for number in range(self.count):
            path = self.path(number)
            if not path.exists():
                yield np.empty(0, self.dtype)
                continue
            rows = np.fromfile(path, dtype=self.dtype)
            path.unlink()
            yield rows
