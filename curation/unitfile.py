"""The units JSONL file that ``curation segment`` writes and every later stage reads."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from curation.fileio import JsonlLineError, iter_jsonl, write_jsonl
from curation.units import Unit, unit_from_record


class UnitFileError(JsonlLineError):
    """A line of a units file that cannot be read back, with its file and line number."""


def write_unit_records(path: str | Path, records: Iterable[dict[str, Any]]) -> int:
    """Write unit records one JSON object a line, atomically; returns the count."""
    return write_jsonl(path, records)


def iter_unit_records(
    path: str | Path, level: str | None = None, errors: list[JsonlLineError] | None = None
) -> Iterator[dict[str, Any]]:
    """Records of a units file, optionally only one level. A malformed line raises an error naming
    the line, or, when an ``errors`` list is given, is appended to it and skipped so the rest of
    the file is still read."""
    for number, record in iter_jsonl(path, errors):
        if "level" not in record or "id" not in record:
            error = UnitFileError(path, number, "not a unit record (needs 'id' and 'level')")
            if errors is None:
                raise error
            errors.append(error)
        elif level is None or record["level"] == level:
            yield record


def read_units(path: str | Path, level: str | None = None) -> Iterator[Unit]:
    """Units of a units file as Document, Article and Sentence objects."""
    for record in iter_unit_records(path, level):
        yield unit_from_record(record)
