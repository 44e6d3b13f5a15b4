"""JSONL export: one row a line with label names rather than ids, for tools that do not read Parquet."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonlines
import pyarrow as pa
from datasets import Features

from curation.export.codec import row_decoder
from curation.fileio import atomic_writer

JSONL_DIR = "jsonl"


def decoded_rows(table: pa.Table, features: Features, batch_rows: int = 5_000) -> Iterator[dict[str, Any]]:
    """Rows of an Arrow table as dicts with label names, batch by batch to bound memory."""
    decode = row_decoder(features)
    for batch in table.to_batches(max_chunksize=batch_rows):
        for row in batch.to_pylist():
            yield decode(row)


def write_jsonl(out_dir: Path, config: str, split: str, table: pa.Table, features: Features) -> Path:
    path = out_dir / JSONL_DIR / config / f"{split}.jsonl"
    with atomic_writer(path) as handle:
        writer = jsonlines.Writer(handle, dumps=lambda obj: json.dumps(obj, ensure_ascii=False))
        writer.write_all(decoded_rows(table, features))
    return path
