"""Writing files so that a crash or a full disk never leaves a half-written output behind."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


def _default_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_writer(path: str | Path, *, binary: bool = False) -> Iterator[IO]:
    """Yield a handle on a temporary file beside ``path``; rename it over ``path`` only when the
    block finishes without error, so readers see the old file or the new one, never a mix."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.chmod(tmp_name, _default_file_mode())  # mkstemp makes 0600; outputs are ordinary files
    try:
        mode = "wb" if binary else "w"
        with os.fdopen(fd, mode, **({} if binary else {"encoding": "utf-8", "newline": "\n"})) as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


class JsonlLineError(ValueError):
    """A line of a JSONL file that is not a JSON object, named by file and line number."""

    def __init__(self, path: str | Path, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path, self.line, self.reason = str(path), line, reason


def iter_jsonl(path: str | Path, errors: list[JsonlLineError] | None = None) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each non-blank line. A bad line raises :class:`JsonlLineError`,
    or, when an ``errors`` list is given, is appended to it so the rest of the file is still read."""
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                error = JsonlLineError(path, number, f"invalid JSON ({exc.msg} at column {exc.colno})")
            else:
                if isinstance(record, dict):
                    yield number, record
                    continue
                error = JsonlLineError(path, number, "a line must be a JSON object")
            if errors is None:
                raise error
            errors.append(error)


def write_jsonl(path: str | Path, records: Iterable[dict[str, Any]]) -> int:
    """One JSON object a line (UTF-8, Arabic kept readable), written atomically; returns the count."""
    count = 0
    with atomic_writer(path) as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False))
            handle.write("\n")
            count += 1
    return count
