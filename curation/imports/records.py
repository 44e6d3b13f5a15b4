"""CSV, TSV and JSONL files of labelled texts: a stance corpus's text, its target (a claim), a
headline and the label, one record a row.

They are read here rather than through ``datasets`` so that every problem names the file's own line
(a CSV record may span lines: its first line is named), and a row that cannot be read (an unquoted
comma that adds a column, a line that is not a JSON object) is reported and left out without taking
the others with it. The rows then go through :func:`~curation.imports.huggingface.text_items`, as a
Hugging Face text classification dataset's do.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, TypeGuard

from curation.imports.huggingface import TextColumns, text_items
from curation.imports.model import ImportedItem, ImportProblem

RECORD_SUFFIXES = frozenset({".csv", ".tsv", ".jsonl", ".ndjson"})


def is_record_file(given: object) -> TypeGuard[str | Path]:
    """Whether ``given`` names a CSV, TSV or JSONL file (by its suffix)."""
    return isinstance(given, str | Path) and Path(given).suffix.lower() in RECORD_SUFFIXES


def read_record_file(
    path: Path,
    source: str,
    family: str,
    known: frozenset[str],
    label_map: Mapping[str, str],
    problems: list[ImportProblem],
    columns: TextColumns,
) -> Iterator[ImportedItem]:
    """One item per record, its label a choice of ``family``, each problem at its line."""
    rows = _json_rows(path, problems) if path.suffix.lower() in {".jsonl", ".ndjson"} else _csv_rows(path, problems)
    yield from text_items(rows, str(path), source, family, known, label_map, problems, columns)


def _csv_rows(path: Path, problems: list[ImportProblem]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(first line, record) of each CSV (or TSV) record under the header; blank lines are not records."""
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        problems.append(ImportProblem(str(path), None, f"cannot read: {exc.strerror or exc}"))
        return
    with handle:
        # a TSV quotes nothing: a tweet that opens with a quote mark must not swallow the lines after it
        tsv = path.suffix.lower() == ".tsv"
        reader = csv.reader(handle, delimiter="\t" if tsv else ",", quoting=csv.QUOTE_NONE if tsv else csv.QUOTE_MINIMAL)
        try:
            header = next(reader, None)
            if header is None:
                problems.append(ImportProblem(str(path), None, "empty file: nothing imported"))
                return
            last = reader.line_num
            for row in reader:
                first, last = last + 1, reader.line_num
                if not row:
                    continue
                if len(row) != len(header):
                    problems.append(ImportProblem(str(path), first, f"{len(row)} fields under a header of {len(header)} "
                                                  "(an unquoted comma or quote?): row left out"))
                    continue
                yield first, dict(zip(header, row, strict=True))
        except (UnicodeDecodeError, csv.Error) as exc:
            problems.append(ImportProblem(str(path), reader.line_num or None, f"cannot read further: {exc}"))


def _json_rows(path: Path, problems: list[ImportProblem]) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line, object) of each JSONL line; a line that is not a JSON object is reported and left out."""
    try:
        lines = path.read_text(encoding="utf-8-sig").split("\n")  # not splitlines: U+2028 may sit in a string
    except (OSError, UnicodeDecodeError) as exc:
        problems.append(ImportProblem(str(path), None, f"cannot read: {getattr(exc, 'strerror', None) or exc}"))
        return
    if not any(line.strip() for line in lines):
        problems.append(ImportProblem(str(path), None, "empty file: nothing imported"))
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line.rstrip("\r"))
        except json.JSONDecodeError as exc:
            problems.append(ImportProblem(str(path), number, f"not JSON ({exc.msg}): line left out"))
            continue
        if not isinstance(record, dict):
            problems.append(ImportProblem(str(path), number, f"a JSON {type(record).__name__}, not an object: line left out"))
            continue
        yield number, record
