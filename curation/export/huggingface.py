"""Rows -> Parquet shards laid out the way the Hub and ``datasets.load_dataset`` expect.

Rows are turned into Arrow record batches as they arrive (Arrow holds text far more compactly
than Python dicts, which keeps a corpus-sized build in memory), and once every unit's split is
known each split is streamed out batch by batch, with pinned writer options and fixed row-group
boundaries, so that the same rows always give the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from datasets import Features

from curation.export.codec import row_encoder
from curation.fileio import atomic_writer

DATA_DIR = "data"
# Every option that changes the bytes is pinned; pyarrow's own version is in the manifest.
PARQUET_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
    "data_page_version": "1.0",
    "store_schema": True,
}
ROW_GROUP_ROWS = 10_000


class ConfigTable:
    """The rows of one config (``articles`` or ``sentences``), collected as Arrow batches; each
    row remembers the key (its article id) that decides its split."""

    def __init__(self, name: str, features: Features, split_key: str, batch_rows: int = 2_000) -> None:
        self.name = name
        self.features = features
        self.schema = features.arrow_schema
        self.split_key = split_key
        self._encode = row_encoder(features)
        self._pending: list[dict[str, Any]] = []
        self._batches: list[pa.RecordBatch] = []
        self._batch_rows = batch_rows
        self.num_rows = 0

    def add(self, row: dict[str, Any]) -> None:
        self._pending.append(self._encode(row))
        self.num_rows += 1
        if len(self._pending) >= self._batch_rows:
            self._flush()

    def _flush(self) -> None:
        if self._pending:
            self._batches.append(pa.RecordBatch.from_pylist(self._pending, schema=self.schema))
            self._pending = []

    def table(self) -> pa.Table:
        self._flush()
        return pa.Table.from_batches(self._batches, schema=self.schema)


@dataclass(frozen=True, slots=True)
class WrittenSplit:
    config: str
    split: str
    num_rows: int
    num_bytes: int
    files: tuple[Path, ...]


class _RowStream:
    """Record batches re-cut into tables of an exact number of rows, so row groups and shards
    have the same boundaries whatever the size of the incoming batches."""

    def __init__(self, batches: Iterable[pa.RecordBatch], schema: pa.Schema) -> None:
        self._batches = iter(batches)
        self._schema = schema
        self._buffer: list[pa.RecordBatch] = []
        self._buffered = 0

    def take(self, rows: int) -> pa.Table:
        while self._buffered < rows:
            batch = next(self._batches, None)
            if batch is None:
                break
            if batch.num_rows:
                self._buffer.append(batch)
                self._buffered += batch.num_rows
        table = pa.Table.from_batches(self._buffer, schema=self._schema)
        head, rest = table.slice(0, rows), table.slice(rows)
        self._buffer = rest.to_batches()
        self._buffered = rest.num_rows
        return head


def shard_name(split: str, index: int, count: int) -> str:
    return f"{split}-{index:05d}-of-{count:05d}.parquet"


def write_split(
    out_dir: Path,
    config: str,
    split: str,
    batches: Iterable[pa.RecordBatch],
    num_rows: int,
    schema: pa.Schema,
    shard_rows: int,
) -> WrittenSplit:
    """Write one split as ``data/<config>/<split>-NNNNN-of-MMMMM.parquet`` shards, streaming:
    only one row group is held at a time, never a copy of the split."""
    count = max(1, -(-num_rows // shard_rows))
    folder = out_dir / DATA_DIR / config
    stream = _RowStream(batches, schema)
    files, num_bytes = [], 0
    for index in range(count):
        path = folder / shard_name(split, index, count)
        remaining = min(shard_rows, num_rows - index * shard_rows)
        with atomic_writer(path, binary=True) as handle, pq.ParquetWriter(handle, schema, **PARQUET_OPTIONS) as writer:
            while remaining > 0:
                group = stream.take(min(ROW_GROUP_ROWS, remaining))
                if not group.num_rows:
                    raise ValueError(f"{config}/{split}: expected {num_rows} rows, the batches ran out early")
                writer.write_table(group, row_group_size=ROW_GROUP_ROWS)
                num_bytes += group.nbytes
                remaining -= group.num_rows
        files.append(path)
    return WrittenSplit(config, split, num_rows, num_bytes, tuple(files))


def data_files_pattern(config: str, split: str) -> str:
    return f"{DATA_DIR}/{config}/{split}-*"
