"""CoNLL export of the sentences config: one token and its BIO tag a line, a blank line between
sentences, and ``# id`` / ``# text`` comments so every sentence can be traced back. A sentence
without gold entities is written with ``_`` tags (as in CoNLL-U: unspecified), never ``O``,
which would claim it was checked and holds no entity."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import pyarrow as pa
from datasets import Features

from curation.export.codec import batch_rows, row_decoder
from curation.export.rows import BIO_COLUMN, TOKENS_COLUMN
from curation.fileio import atomic_writer

CONLL_DIR = "conll"
NOT_ANNOTATED = "_"
COLUMNS = ("id", "text", TOKENS_COLUMN, BIO_COLUMN)


class ConllWriter:
    """``conll/<split>.conll``, fed batches with ``tokens`` and ``ner_tags`` columns; the file
    appears when ``stack`` closes without error."""

    def __init__(self, stack: ExitStack, out_dir: Path, split: str, features: Features) -> None:
        self.path = out_dir / CONLL_DIR / f"{split}.conll"
        self._handle = stack.enter_context(atomic_writer(self.path))
        self._decode = row_decoder(Features({column: features[column] for column in COLUMNS}))

    def write(self, batch: pa.RecordBatch) -> None:
        for row in batch_rows(batch.select(list(COLUMNS))):
            row = self._decode(row)
            self._handle.write(f"# id = {row['id']}\n# text = {_one_line(row['text'])}\n")
            tags = row[BIO_COLUMN] or [NOT_ANNOTATED] * len(row[TOKENS_COLUMN])
            for token, tag in zip(row[TOKENS_COLUMN], tags, strict=True):
                self._handle.write(f"{token}\t{tag}\n")
            self._handle.write("\n")


def _one_line(text: str) -> str:
    return " ".join(text.split())
