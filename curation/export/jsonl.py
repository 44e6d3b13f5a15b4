"""JSONL export: one row a line with label names rather than ids, for tools that do not read Parquet."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import jsonlines
import pyarrow as pa
from datasets import Features

from curation.export.codec import batch_rows, row_decoder
from curation.fileio import atomic_writer, dumps

JSONL_DIR = "jsonl"


class JsonlWriter:
    """``jsonl/<config>/<split>.jsonl``, fed batch by batch; the file appears when ``stack``
    closes without error, and never half-written."""

    def __init__(self, stack: ExitStack, out_dir: Path, config: str, split: str, features: Features) -> None:
        self.path = out_dir / JSONL_DIR / config / f"{split}.jsonl"
        handle = stack.enter_context(atomic_writer(self.path))
        self._writer = jsonlines.Writer(handle, dumps=dumps)  # NaN as null: valid JSON for every reader
        self._decode = row_decoder(features)

    def write(self, batch: pa.RecordBatch) -> None:
        for row in batch_rows(batch):
            self._writer.write(self._decode(row))
