"""The rows of one config kept on disk, in build order, between the rows pass and the writers.

A unit's split is known only once every unit has been seen (splits group near-duplicates across the
whole corpus), so the rows must wait somewhere; on disk (an Arrow IPC stream, lz4) a build holds
one batch of rows at a time, whatever the size of the corpus. Batches come back exactly as they
went in, so the writers see the same batch boundaries on every run and with any number of workers.
The file (about 7 MB per 1,000 ANT pages) is named, in the build's work folder, so that the
writers of :mod:`curation.export.writing` can read it from other processes; the build removes
its work folder when it ends (one killed with -9 leaves it in the temporary folder).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
from datasets import Features

from curation.export.codec import row_encoder

BATCH_ROWS = 2_000
_IPC_OPTIONS = pa.ipc.IpcWriteOptions(compression="lz4")
# batches decompressed in the reading thread: on Arrow's thread pool each thread's allocations
# (glibc's arena of its own, jemalloc's caches) stay with the process, 30-45 MB a write job of
# ANT's articles (133 against 109 MB for their JSONL at 1x, 167 against 120 at 10x)
_READ_OPTIONS = pa.ipc.IpcReadOptions(use_threads=False)


def use_returning_memory_pool() -> None:
    """Make Arrow's jemalloc pool (else the system's) this process's default. Arrow's default here,
    mimalloc, keeps the pages of freed batches: a rows pass of ANT's 31,523 pages grew by 3.5 KB a
    page (about 110 MB) with 1 MB of live Python objects and at most 18 MB of live Arrow buffers;
    with jemalloc it stays within 6 MB from 4,000 to 16,000 pages, so a build's memory does not
    grow with the corpus."""
    try:
        pa.set_memory_pool(pa.jemalloc_memory_pool())
    except NotImplementedError:  # a pyarrow built without jemalloc
        pa.set_memory_pool(pa.system_memory_pool())


class RowSpill:
    """Rows of one config (``articles`` or ``sentences``) as label-id Arrow batches in the file ``path``."""

    def __init__(self, path: Path, features: Features, batch_rows: int = BATCH_ROWS) -> None:
        use_returning_memory_pool()
        self.path = path
        self.features = features
        self.schema = features.arrow_schema
        self.num_rows = 0
        self._encode = row_encoder(features)
        self._pending: list[dict[str, Any]] = []
        self._batch_rows = batch_rows
        self._file = pa.OSFile(str(path), "wb")
        self._writer = pa.ipc.new_stream(self._file, self.schema, options=_IPC_OPTIONS)

    def add(self, row: dict[str, Any]) -> None:
        """Add a row with label names (encoded to ids here, as Parquet stores them)."""
        self._pending.append(self._encode(row))
        self.num_rows += 1
        if len(self._pending) >= self._batch_rows:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._writer.write_batch(pa.RecordBatch.from_pylist(self._pending, schema=self.schema))
            self._pending = []

    def finish(self) -> None:
        """No more rows: write the last batch and the end of the stream."""
        self._flush()
        self._writer.close()
        self._file.close()


def spilled_batches(path: str | Path) -> Iterator[pa.RecordBatch]:
    """The rows of a finished spill back, one batch in memory at a time (as often as needed, from any process)."""
    use_returning_memory_pool()
    with pa.OSFile(str(path), "rb") as source, pa.ipc.open_stream(source, options=_READ_OPTIONS) as reader:  # not mapped: a mapping counts in the resident size
        yield from reader
