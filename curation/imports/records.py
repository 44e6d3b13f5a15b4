"""CSV, TSV and JSONL files of labelled texts (a stance corpus's text, its target, a headline and the
label, one record a row) or, in JSONL, of tokens and their tags (a dataset's rows written out).

They are read here rather than through ``datasets`` so that every problem names the file's own line
(a CSV record may span lines: its first line is named), and a row that cannot be read (an unquoted
comma that adds a column, a line that is not a JSON object) is reported and left out without taking
the others with it. The rows then go through :mod:`curation.imports.huggingface`'s ``text_items``
or ``token_items``, as a Hugging Face dataset's do.
"""

from __future__ import annotations

import contextlib
import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal, TypeGuard

from curation.imports.model import ImportProblem

RECORD_SUFFIXES = frozenset({".csv", ".tsv", ".jsonl", ".ndjson"})


def is_record_file(given: object) -> TypeGuard[str | Path]:
    """Whether ``given`` names a CSV, TSV or JSONL file (by its suffix)."""
    return isinstance(given, str | Path) and Path(given).suffix.lower() in RECORD_SUFFIXES


def record_format(path: Path) -> Literal["hf-tokens", "hf-text"]:
    """``hf-tokens`` for a JSONL file whose first record has ``tokens``, else ``hf-text``."""
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        with contextlib.suppress(OSError, UnicodeDecodeError, ValueError), path.open(encoding="utf-8-sig") as handle:
            first = next((line for line in handle if line.strip()), "{}")
            record = json.loads(first)
            return "hf-tokens" if isinstance(record, dict) and "tokens" in record else "hf-text"
    return "hf-text"


def record_rows(path: Path, problems: list[ImportProblem]) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line, record)`` of each record of a CSV, TSV or JSONL file (a CSV record that spans lines
    at its first); a record that cannot be read is reported at its line and left out."""
    if path.suffix.lower() in {".jsonl", ".ndjson"}:
        return _json_rows(path, problems)
    return _csv_rows(path, problems)


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
