"""Rows -> Parquet shards laid out the way the Hub and ``datasets.load_dataset`` expect.

A split is streamed into its shards batch by batch, so a build holds one row group, never a split
or a corpus; writer options are pinned and row groups and shards have fixed boundaries, so that
the same rows always give the same bytes.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

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
ROW_GROUP_ROWS = 1_000
"""Rows a row group, as ``datasets``' own ``to_parquet`` writes them: a writer holds one group
(twice, while it is joined into one chunk a column), and an article group of 10,000 rows held
over 100 MB."""


@dataclass(frozen=True, slots=True)
class WrittenSplit:
    config: str
    split: str
    num_rows: int
    num_bytes: int
    files: tuple[Path, ...]


def shard_name(split: str, index: int, count: int) -> str:
    return f"{split}-{index:05d}-of-{count:05d}.parquet"


class SplitWriter:
    """One split as ``data/<config>/<split>-NNNNN-of-MMMMM.parquet`` shards, fed batch by batch.
    Only the rows of the next row group wait in memory, and row groups and shards are cut at the
    same rows whatever the size of the incoming batches. An unfinished shard is dropped if
    ``stack`` unwinds on an error."""

    def __init__(
        self, stack: ExitStack, out_dir: Path, config: str, split: str, num_rows: int, schema: pa.Schema, shard_rows: int
    ) -> None:
        self.config, self.split, self.num_rows, self.schema = config, split, num_rows, schema
        self._shard_rows = shard_rows
        self._count = max(1, -(-num_rows // shard_rows))
        self._folder = out_dir / DATA_DIR / config
        self._buffer: list[pa.RecordBatch] = []
        self._buffered = 0
        self._written = 0
        self._num_bytes = 0
        self._files: list[Path] = []
        self._shard: ExitStack | None = None
        self._writer: pq.ParquetWriter | None = None
        stack.push(self._drop_shard)

    def write(self, batch: pa.RecordBatch) -> None:
        if not batch.num_rows:
            return
        self._buffer.append(batch)
        self._buffered += batch.num_rows
        while self._buffered and self._buffered >= self._group_rows():
            self._write_group()

    def close(self) -> WrittenSplit:
        """Check every promised row arrived (the last shard is already complete) and say what was written."""
        if self._written != self.num_rows:
            raise ValueError(f"{self.config}/{self.split}: expected {self.num_rows} rows, the batches ran out early")
        return WrittenSplit(self.config, self.split, self.num_rows, self._num_bytes, tuple(self._files))

    def _group_rows(self) -> int:
        """Rows of the next row group: a full group, or what is left of the shard."""
        shard_end = min((self._written // self._shard_rows + 1) * self._shard_rows, self.num_rows)
        return min(ROW_GROUP_ROWS, shard_end - self._written)

    def _write_group(self) -> None:
        rows = self._group_rows()
        if rows <= 0:
            raise ValueError(f"{self.config}/{self.split}: more than the expected {self.num_rows} rows")
        table = pa.Table.from_batches(self._buffer, schema=self.schema)
        # one chunk a column: Parquet cuts pages where chunks end, so the bytes would otherwise depend
        # on the batches the rows came in (one spill, or one per rank of the rows pass)
        group, rest = table.slice(0, rows).combine_chunks(), table.slice(rows)
        self._buffer, self._buffered = rest.to_batches(), rest.num_rows
        if self._writer is None:
            path = self._folder / shard_name(self.split, self._written // self._shard_rows, self._count)
            self._shard = ExitStack()
            handle = self._shard.enter_context(atomic_writer(path, binary=True))
            self._writer = self._shard.enter_context(pq.ParquetWriter(handle, self.schema, **PARQUET_OPTIONS))
            self._files.append(path)
        self._writer.write_table(group, row_group_size=ROW_GROUP_ROWS)
        self._written += rows
        if self._written % self._shard_rows == 0 or self._written == self.num_rows:
            shard, self._shard, self._writer = self._shard, None, None
            shard.close()  # type: ignore[union-attr]
            self._num_bytes += _data_bytes(self._files[-1])

    def _drop_shard(self, *exc_info: Any) -> bool:
        if self._shard is not None:
            self._shard.__exit__(*exc_info)
        return False


def _data_bytes(path: Path) -> int:
    """The split's size for the card (``num_bytes``): its rows' uncompressed size as the Parquet
    footer records it, which the same rows always give (an Arrow table's size depends on the
    batches the rows came in: one spill, or one per rank of the rows pass)."""
    metadata = pq.read_metadata(path)
    return sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))


def data_files_pattern(config: str, split: str) -> str:
    return f"{DATA_DIR}/{config}/{split}-*"
