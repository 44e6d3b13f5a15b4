"""The units JSONL file that ``curation segment`` writes and every later stage reads."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from curation.fileio import atomic_writer
from curation.units import Unit, unit_from_record


class UnitFileError(ValueError):
    """A line of a units file that cannot be read back, with its file and line number."""

    def __init__(self, path: str | Path, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path, self.line, self.reason = str(path), line, reason


def write_unit_records(path: str | Path, records: Iterable[dict[str, Any]]) -> int:
    """Write records one JSON object a line (UTF-8, Arabic kept readable), atomically."""
    count = 0
    with atomic_writer(path) as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False, sort_keys=False))
            handle.write("\n")
            count += 1
    return count


def iter_unit_records(
    path: str | Path, level: str | None = None, errors: list[UnitFileError] | None = None
) -> Iterator[dict[str, Any]]:
    """Records of a units file, optionally only one level. A malformed line raises
    :class:`UnitFileError` naming the line, or, when an ``errors`` list is given, is appended to it
    and skipped so the rest of the file is still read."""
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = _parse_unit_line(path, number, line)
            except UnitFileError as error:
                if errors is None:
                    raise
                errors.append(error)
                continue
            if level is None or record["level"] == level:
                yield record


def _parse_unit_line(path: str | Path, number: int, line: str) -> dict[str, Any]:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        raise UnitFileError(path, number, f"invalid JSON ({exc.msg})") from None
    if not isinstance(record, dict) or "level" not in record or "id" not in record:
        raise UnitFileError(path, number, "not a unit record (needs 'id' and 'level')")
    return record


def read_units(path: str | Path, level: str | None = None) -> Iterator[Unit]:
    """Units of a units file as Document, Article and Sentence objects."""
    for record in iter_unit_records(path, level):
        yield unit_from_record(record)
