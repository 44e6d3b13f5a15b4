"""Rows -> Parquet shards laid out the way the Hub and ``datasets.load_dataset`` expect.

Rows are turned into Arrow record batches as they arrive (Arrow holds text far more compactly
than Python dicts, which keeps a corpus-sized build in memory), split once every unit's split is
known, and written with pinned writer options so that the same rows always give the same bytes.
"""

from __future__ import annotations

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
    "row_group_size": 10_000,
    "store_schema": True,
}


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


def shard_name(split: str, index: int, count: int) -> str:
    return f"{split}-{index:05d}-of-{count:05d}.parquet"


def write_split(out_dir: Path, config: str, split: str, table: pa.Table, shard_rows: int) -> WrittenSplit:
    """Write one split as ``data/<config>/<split>-NNNNN-of-MMMMM.parquet`` shards."""
    count = max(1, -(-table.num_rows // shard_rows))
    folder = out_dir / DATA_DIR / config
    files = []
    for index in range(count):
        path = folder / shard_name(split, index, count)
        with atomic_writer(path, binary=True) as handle:
            pq.write_table(table.slice(index * shard_rows, shard_rows), handle, **PARQUET_OPTIONS)
        files.append(path)
    return WrittenSplit(config, split, table.num_rows, table.nbytes, tuple(files))


def data_files_pattern(config: str, split: str) -> str:
    return f"{DATA_DIR}/{config}/{split}-*"
