"""Reading files, folders and globs of scraped pages into canonical Documents.

A bad file never stops the run: it becomes an :class:`IngestError` naming the file (and line)
and what is wrong, and the remaining inputs are still read.
"""

from __future__ import annotations

import glob
import gzip
import json
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from curation.units import Document, Provenance, sha256_hex

TEXT_SUFFIXES = (".txt", ".txt.gz")
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".json.gz", ".ndjson")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + JSONL_SUFFIXES
UTF8_BOM = b"\xef\xbb\xbf"


@dataclass(frozen=True, slots=True)
class IngestError:
    """Why one file (or one line of a JSONL file) could not become a document."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


def canonical_text(raw: bytes) -> str:
    """UTF-8 decoded (BOM dropped), CRLF and lone CR turned into LF, NFC composed."""
    if raw.startswith(UTF8_BOM):
        raw = raw[len(UTF8_BOM) :]
    text = raw.decode("utf-8")
    return canonicalize(text)


def canonicalize(text: str) -> str:
    """The string-level half of :func:`canonical_text`, for text that arrives already decoded."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def _has_suffix(path: Path, suffixes: tuple[str, ...]) -> bool:
    name = path.name.lower()
    return any(name.endswith(s) for s in suffixes)


def expand_inputs(inputs: Iterable[str | Path], errors: list[IngestError]) -> list[Path]:
    """Files as given, folders searched recursively for supported files, globs expanded; each
    group sorted so that the order, and hence every id and export, is the same everywhere."""
    paths: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.is_file() and _has_suffix(p, SUPPORTED_SUFFIXES))
            if not found:
                errors.append(IngestError(str(path), "folder holds no .txt or .jsonl files"))
            paths.extend(found)
        elif path.exists():
            paths.append(path)
        elif any(ch in str(item) for ch in "*?["):
            matches = sorted(Path(p) for p in glob.glob(str(item), recursive=True) if Path(p).is_file())
            if not matches:
                errors.append(IngestError(str(item), "pattern matches no file"))
            paths.extend(matches)
        else:
            errors.append(IngestError(str(path), "no such file or folder"))
    return paths


def _open_binary(path: Path) -> BinaryIO:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _problem_with_bytes(raw: bytes) -> str | None:
    """A human reason why these bytes are not a readable page, or None when they are."""
    if b"\x00" in raw:
        return "binary content (NUL bytes), not a UTF-8 text page"
    try:
        text = canonical_text(raw)
    except UnicodeDecodeError as exc:
        return f"not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start} cannot be decoded"
    if not text.strip():
        return "empty: no text after decoding"
    return None


def read_text_file(path: Path) -> Document | IngestError:
    """One page per ``.txt`` file."""
    try:
        with _open_binary(path) as handle:
            raw = handle.read()
    except (OSError, EOFError) as exc:
        return IngestError(str(path), f"cannot read: {exc.strerror or exc}")
    problem = _problem_with_bytes(raw)
    if problem:
        return IngestError(str(path), problem)
    text = canonical_text(raw)
    return Document(
        id=Document.make_id(text, path.name),
        text=text,
        provenance=Provenance(str(path), None, sha256_hex(raw)),
    )


def read_jsonl_file(path: Path, text_field: str = "text") -> Iterator[Document | IngestError]:
    """One page per JSONL line: ``text_field`` is the page, every other field is metadata."""
    try:
        handle = _open_binary(path)
    except OSError as exc:
        yield IngestError(str(path), f"cannot read: {exc.strerror or exc}")
        return
    produced = False
    with handle:
        try:
            for number, raw in enumerate(handle, start=1):
                if not raw.strip():
                    continue
                item = _jsonl_line(path, number, raw, text_field)
                produced = produced or isinstance(item, Document)
                yield item
        except (OSError, EOFError) as exc:
            yield IngestError(str(path), f"cannot read: {exc}")
            return
    if not produced:
        yield IngestError(str(path), "empty: no JSONL record with text")


def _jsonl_line(path: Path, number: int, raw: bytes, text_field: str) -> Document | IngestError:
    problem = _problem_with_bytes(raw)
    if problem:
        return IngestError(str(path), problem, number)
    try:
        record: Any = json.loads(canonical_text(raw))
    except json.JSONDecodeError as exc:
        return IngestError(str(path), f"invalid JSON: {exc.msg} at column {exc.colno}", number)
    if not isinstance(record, dict):
        return IngestError(str(path), "a JSONL line must be an object", number)
    value = record.get(text_field)
    if not isinstance(value, str) or not value.strip():
        return IngestError(str(path), f"no text in field {text_field!r}", number)
    text = canonicalize(value)
    meta = {k: v for k, v in record.items() if k != text_field}
    own_id = record.get("id")
    source_key = f"{path.name}#{own_id}" if own_id is not None else f"{path.name}:{number}"
    return Document(
        id=Document.make_id(text, source_key),
        text=text,
        provenance=Provenance(str(path), number, sha256_hex(raw.rstrip(b"\r\n"))),
        meta=meta,
    )


def read_documents(
    inputs: Iterable[str | Path],
    errors: list[IngestError],
    *,
    text_field: str = "text",
) -> Iterator[Document]:
    """Stream documents from files, folders and globs; problems are appended to ``errors``."""
    for path in expand_inputs(inputs, errors):
        if _has_suffix(path, JSONL_SUFFIXES):
            items: Iterable[Document | IngestError] = read_jsonl_file(path, text_field)
        elif _has_suffix(path, TEXT_SUFFIXES):
            items = (read_text_file(path),)
        else:
            errors.append(IngestError(str(path), "unsupported file type (expected .txt or .jsonl, optionally .gz)"))
            continue
        for item in items:
            if isinstance(item, IngestError):
                errors.append(item)
            else:
                yield item
