"""JSONL export: one row a line with label names rather than ids, for tools that do not read Parquet."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import jsonlines
import pyarrow as pa
from datasets import Features

from curation.export.codec import row_decoder
from curation.fileio import atomic_writer, dumps

JSONL_DIR = "jsonl"


def decoded_rows(batches: Iterable[pa.RecordBatch], features: Features) -> Iterator[dict[str, Any]]:
    """Rows of Arrow batches as dicts with label names, one batch in memory at a time."""
    decode = row_decoder(features)
    for batch in batches:
        for row in batch.to_pylist():
            yield decode(row)


def write_jsonl(out_dir: Path, config: str, split: str, batches: Iterable[pa.RecordBatch], features: Features) -> Path:
    path = out_dir / JSONL_DIR / config / f"{split}.jsonl"
    with atomic_writer(path) as handle:
        writer = jsonlines.Writer(handle, dumps=dumps)  # NaN as null: valid JSON for every reader
        writer.write_all(decoded_rows(batches, features))
    return path
