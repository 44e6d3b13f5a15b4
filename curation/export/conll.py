"""CoNLL export of the sentences config: one token and its BIO tag a line, a blank line between
sentences, and ``# id`` / ``# text`` comments so every sentence can be traced back. A sentence
without gold entities is written with ``_`` tags (as in CoNLL-U: unspecified), never ``O``,
which would claim it was checked and holds no entity."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
from datasets import Features

from curation.export.jsonl import decoded_rows
from curation.export.rows import BIO_COLUMN, TOKENS_COLUMN
from curation.fileio import atomic_writer

CONLL_DIR = "conll"
NOT_ANNOTATED = "_"


def write_conll(out_dir: Path, split: str, batches: Iterable[pa.RecordBatch], features: Features) -> Path:
    """Write ``conll/<split>.conll``; the batches must have ``tokens`` and ``ner_tags`` columns."""
    path = out_dir / CONLL_DIR / f"{split}.conll"
    columns = ["id", "text", TOKENS_COLUMN, BIO_COLUMN]
    with atomic_writer(path) as handle:
        for row in decoded_rows((batch.select(columns) for batch in batches), features):
            handle.write(f"# id = {row['id']}\n# text = {_one_line(row['text'])}\n")
            tags = row[BIO_COLUMN] or [NOT_ANNOTATED] * len(row[TOKENS_COLUMN])
            for token, tag in zip(row[TOKENS_COLUMN], tags, strict=True):
                handle.write(f"{token}\t{tag}\n")
            handle.write("\n")
    return path


def _one_line(text: str) -> str:
    return " ".join(text.split())
