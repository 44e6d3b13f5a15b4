"""What every reader shares: the error record, canonical text, bounded reads of regular files."""

from __future__ import annotations

import stat
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Union

from curation.fileio import DecodeProblem, decode_text, open_gunzipped

if TYPE_CHECKING:
    from curation.units import Document

UTF8_BOM = b"\xef\xbb\xbf"
MAX_PAGE_BYTES = 64 << 20
"""A single page (a .txt or .html file, one WARC record) larger than this is refused, never
loaded: no news page is that long, and a file that is (a symlink to /dev/zero) must not hang."""


@dataclass(frozen=True, slots=True)
class IngestError:
    """Why one file (or one line of a JSONL file, one record of a WARC) could not become a document."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


PageLoader = Callable[[], Union["Document", IngestError]]
"""A page found in an input but not yet made a document: the costly part (JSON parsing, HTML
extraction) waits for the call, so ranks that share an input each make only their own pages."""
PageItem = IngestError | PageLoader
"""What a file's reader yields: a problem found while listing its pages, or a page to make."""


def loaded(items: Iterable[PageItem]) -> Iterator[Document | IngestError]:
    """Every page of ``items`` made (for a reader that wants them all, in one process)."""
    for item in items:
        yield item if isinstance(item, IngestError) else item()


def canonical_text(raw: bytes, encoding: str | None = None) -> str:
    """Decoded (UTF-8 unless ``encoding`` names another; a BOM dropped), CRLF and lone CR turned
    into LF, NFC composed. Undecodable bytes raise :class:`~curation.fileio.DecodeProblem`."""
    return canonicalize(decode_text(raw, encoding))


def canonicalize(text: str) -> str:
    """The string-level half of :func:`canonical_text`, for text that arrives already decoded."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def problem_with_bytes(raw: bytes, encoding: str | None = None) -> str | None:
    """A human reason why these bytes are not a readable page (with the likely encoding when
    they are not UTF-8: UTF-16, cp1256), or None when they are."""
    try:
        text = canonical_text(raw, encoding)
    except DecodeProblem as exc:
        return str(exc)
    if not text.strip():
        return "empty: no text after decoding"
    return None


def not_a_regular_file(path: Path) -> str | None:
    """Why ``path`` cannot be read as a page file (a FIFO would block, a device never ends, a name
    that is not UTF-8 could not be written into the provenance of any output)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return "file name is not valid UTF-8: rename the file to read it"
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"cannot read: {exc.strerror or exc}"
    return None if stat.S_ISREG(mode) else "not a regular file (a FIFO, device or socket): skipped"


def open_binary(path: Path) -> BinaryIO:
    """The file's bytes, gunzipped when its name ends in ``.gz``."""
    if path.name.lower().endswith(".gz"):
        return open_gunzipped(path)  # a gzip of endless newlines is refused, never read for ever
    return path.open("rb")


def read_page_bytes(path: Path) -> bytes | IngestError:
    """The whole (decompressed) file, or why not: unreadable, not a regular file, too large."""
    problem = not_a_regular_file(path)
    if problem:
        return IngestError(str(path), problem)
    try:
        with open_binary(path) as handle:
            raw = handle.read(MAX_PAGE_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:  # EOFError, zlib.error: a truncated or damaged .gz
        return IngestError(str(path), f"cannot read: {getattr(exc, 'strerror', None) or exc}")
    if len(raw) > MAX_PAGE_BYTES:
        return IngestError(str(path), f"larger than {MAX_PAGE_BYTES >> 20} MiB: not read as one page")
    return raw
