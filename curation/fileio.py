"""Writing files so that a crash or a full disk never leaves a half-written output behind, and
reading untrusted files so that no input can crash, hang or exhaust memory: JSONL lines are
bounded and checked, page bytes are decoded with a hint naming the likely encoding, folders are
walked with every unreadable one reported."""

from __future__ import annotations

import codecs
import errno
import gzip
import io
import json
import math
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, BinaryIO

from curation.errors import CurationError

# a disk or quota full, a file over the size limit, a read-only file system: the write cannot go on
_FULL = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS})


def _default_file_mode() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_writer(path: str | Path, *, binary: bool = False, private: bool = False) -> Iterator[IO]:
    """Yield a handle on a temporary file beside ``path``; rename it over ``path`` only when the
    block finishes without error, so readers see the old file or the new one, never a mix.
    ``private``: readable by the owner only (0600) from the first byte."""
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:  # a read-only folder, a full disk: named by the output asked for
        raise OSError(exc.errno, exc.strerror, str(target)) from None
    if not private:
        os.chmod(tmp_name, _default_file_mode())  # mkstemp makes 0600; outputs are ordinary files
    try:
        handle: IO[Any]
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException as exc:
        Path(tmp_name).unlink(missing_ok=True)
        if isinstance(exc, OSError) and (exc.filename == tmp_name or (exc.errno in _FULL and exc.filename is None)):
            # write() says "No space left on device" without a path, the rename names the temporary
            # file: the line names the output asked for
            raise OSError(exc.errno, exc.strerror, str(target)) from None
        raise


class JsonlLineError(ValueError):
    """A line of a JSONL file that is not a JSON object, named by file and line number."""

    def __init__(self, path: str | Path, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path, self.line, self.reason = str(path), line, reason


class EndOfSelection(Exception):
    """Raised by a line filter (``keep``): no later line of the file is wanted, so reading stops
    (a rank that takes a run of pages leaves the rest of the file unread)."""


MAX_LINE_BYTES = 64 << 20  # one record; a longer line is reported and skipped, never loaded whole
_SNIFF_BYTES = 8192
_SKIP_CHUNK = 1 << 20
_READ_BUFFER = 1 << 20
# a JSON \u escape of a UTF-16 surrogate: decodes to a lone surrogate that no UTF-8 writer accepts
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _missing(_name: str) -> None:
    return None


# One decoder for every line: json.loads with a keyword builds a new one per call (a fifth of
# the parse time of a units file's short lines).
_DECODER = json.JSONDecoder(parse_constant=_missing)


MAX_EXPANSION = 200  # gzipped Arabic JSONL and HTML expand 4-10x; a gzip of endless newlines 1,000x
_EXPANSION_GRACE = 1 << 20  # a small file may expand more: nothing is checked before this much


class ExpandsTooMuch(OSError):
    """A gzip that expands more than any page or units file does: a decompression bomb (endless
    newlines, a gigabyte of zeros), refused after a bounded read instead of read for ever."""


def expands_too_much(inflated: int, compressed: int) -> bool:
    """Whether ``inflated`` bytes out of ``compressed`` read is past what any real input does."""
    return inflated > _EXPANSION_GRACE and inflated > MAX_EXPANSION * max(compressed, 1)


class _ExpansionGuard(io.RawIOBase):
    """The gunzipped bytes of ``compressed``, refused with :class:`ExpandsTooMuch` once they
    outgrow :data:`MAX_EXPANSION` times the compressed bytes read so far."""

    def __init__(self, compressed: BinaryIO) -> None:
        self._compressed, self._out = compressed, 0
        self._inflated = gzip.GzipFile(fileobj=compressed, mode="rb")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        count = self._inflated.readinto(buffer)
        self._out += count
        if expands_too_much(self._out, self._compressed.tell()):
            raise ExpandsTooMuch(f"expands more than {MAX_EXPANSION} times (a decompression bomb?): not read further")
        return count

    def close(self) -> None:
        if not self.closed:
            self._inflated.close()
            self._compressed.close()
        super().close()


def open_gunzipped(path: str | Path | BinaryIO) -> BinaryIO:
    """The decompressed bytes of the gzip at ``path`` (or in a binary file), buffered (``readline``
    and ``peek`` work), bounded in expansion by :data:`MAX_EXPANSION`; damage shows as ``EOFError``
    or ``zlib.error``."""
    raw = open(path, "rb") if isinstance(path, (str, Path)) else path  # noqa: SIM115 (closed by the guard, which the caller closes)
    return io.BufferedReader(_ExpansionGuard(raw), buffer_size=1 << 16)


def parse_json_line(line: str) -> tuple[Any, str | None]:
    """``(value, None)`` for a line of JSON, or ``(None, reason)``: invalid JSON, nesting too deep
    for the parser, and lone surrogates (``"\\ud800"``, which decode but can never be written as
    UTF-8). ``NaN`` and ``Infinity``, which are not JSON but which Python and pandas write for
    missing values, are read as null, so they never travel on into an output."""
    try:
        if line.startswith("\ufeff"):  # what json.loads says of it
            raise json.JSONDecodeError("Unexpected UTF-8 BOM (decode using utf-8-sig)", line, 0)
        value = _DECODER.decode(line)
    except json.JSONDecodeError as exc:
        return None, f"invalid JSON: {exc.msg} at column {exc.colno}"
    except RecursionError:
        return None, "invalid JSON: nested too deeply"
    if _SURROGATE_ESCAPE.search(line):
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as exc:
            return None, f"invalid text: lone surrogate \\u{ord(exc.object[exc.start]):04x} is not a Unicode character"
    return value, None


def bounded_lines(handle: BinaryIO, max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, bytes)``, or ``(line number, None)`` for a line over the limit (skipped unread)."""
    number = 0
    while raw := handle.readline(max_line_bytes + 1):
        number += 1
        if len(raw) > max_line_bytes and not raw.endswith(b"\n"):
            while (rest := handle.readline(_SKIP_CHUNK)) and not rest.endswith(b"\n"):
                pass
            yield number, None
        else:
            yield number, raw


def iter_jsonl(
    path: str | Path,
    errors: list[JsonlLineError] | None = None,
    *,
    max_line_bytes: int = MAX_LINE_BYTES,
    keep: Callable[[str], bool] | None = None,
    taken: Callable[[bytes], bool] | None = None,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for each non-blank line (that ``keep``, given, accepts before it
    is parsed: a reader's cheap filter, which may raise :class:`EndOfSelection`; a line for which
    ``taken`` returns True has been read by it from its raw bytes, and is neither decoded nor parsed). A bad line raises :class:`JsonlLineError`,
    or, when an ``errors`` list is given, is appended to it so the rest of the file is still read.
    A binary file (NUL bytes near the start: an image, an archive) or a FIFO or device is one
    error, not one per line; a missing or unreadable file raises :class:`OSError`."""

    def bad(number: int, reason: str) -> None:
        report(JsonlLineError(path, number, reason), errors)

    if not stat.S_ISREG(os.stat(path).st_mode):  # a FIFO would block, /dev/zero never end
        bad(1, "not a regular file (a FIFO, device or socket), not read")
        return
    # a 1 MB buffer: with the default 8 KB, every long line (a document) is read in pieces and joined;
    # the units file of all of ANT is read in 0.16 s CPU instead of 0.40 s
    with io.BufferedReader(io.FileIO(path), buffer_size=_READ_BUFFER) as handle:
        if b"\x00" in handle.peek(_SNIFF_BYTES)[:_SNIFF_BYTES]:
            bad(1, "binary content (NUL bytes), not a JSONL text file")
            return
        for number, line in kept_lines(text_lines(handle, max_line_bytes, bad, taken), keep):
            record = _json_object(line)
            if isinstance(record, str):
                bad(number, record)
            else:
                yield number, record


def report(error: JsonlLineError, errors: list[JsonlLineError] | None) -> None:
    """Raise ``error``, or add it to ``errors`` when the caller collects them to read on."""
    if errors is None:
        raise error from None
    errors.append(error)


def kept_lines(lines: Iterable[tuple[int, str]], keep: Callable[[str], bool] | None) -> Iterator[tuple[int, str]]:
    """The numbered lines that are not blank and that ``keep`` (when given) accepts, until it
    raises :class:`EndOfSelection`."""
    try:
        for number, line in lines:
            if line and not line.isspace() and (keep is None or keep(line)):  # not blank, without copying the line
                yield number, line
    except EndOfSelection:
        return


def text_lines(
    handle: BinaryIO, max_line_bytes: int, bad: Callable[[int, str], None], taken: Callable[[bytes], bool] | None = None
) -> Iterator[tuple[int, str]]:
    """``(line number, text)`` of each line ``taken`` did not read from its bytes; a line over the
    limit or not UTF-8 is told to ``bad``."""
    for number, raw in bounded_lines(handle, max_line_bytes):
        if raw is None:
            bad(number, f"line longer than {max_line_bytes:,} bytes, skipped")
            continue
        if taken is not None and taken(raw):
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad(number, f"not UTF-8: byte 0x{raw[exc.start]:02x} at column {exc.start + 1}")
            continue
        yield number, line


def _json_object(line: str) -> dict[str, Any] | str:
    """The JSON object of a line, or why the line is none."""
    record, reason = parse_json_line(line)
    if reason is not None:
        return reason
    return record if isinstance(record, dict) else "a line must be a JSON object"


def _finite(value: Any) -> Any:
    """``value`` with NaN and infinities (which JSON cannot hold) as null, containers walked."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(item) for item in value]
    return value


def dumps(value: Any, **options: Any) -> str:
    """JSON that every reader accepts: NaN and infinities are written as null (as pandas does),
    never as the bare ``NaN`` Python's json module emits by default."""
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False, **options)
    except ValueError:
        return json.dumps(_finite(value), ensure_ascii=False, allow_nan=False, **options)


def write_jsonl(path: str | Path, records: Iterable[dict[str, Any]]) -> int:
    """One JSON object a line (UTF-8, Arabic kept readable), written atomically; returns the count."""
    count = 0
    with atomic_writer(path) as handle:
        for record in records:
            handle.write(dumps(record))
            handle.write("\n")
            count += 1
    return count


# --- decoding pages ------------------------------------------------------------------------------

_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_ARABIC = re.compile("[\u0600-\u06ff]")


class DecodeProblem(CurationError, ValueError):
    """Bytes that are not text in the expected encoding; the message says which encoding they
    probably are and how to read them (``--encoding``)."""


def check_encoding(name: str) -> str:
    """``name`` when Python knows the encoding, else :class:`DecodeProblem`."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise DecodeProblem(f"unknown encoding {name!r} (try utf-8, utf-16, cp1256)") from None


def _looks_utf16(raw: bytes) -> bool:
    """UTF-16 text: a BOM, or (without one) every other byte NUL (Latin) or 0x06 (Arabic), and
    the whole decodes as UTF-16 into text without NULs (a binary file rarely does)."""
    if raw.startswith(_UTF16_BOMS):
        codec = "utf-16"
    else:
        sample = raw[:4096]
        if len(sample) < 8 or b"\x00" not in sample:
            return False
        shares = [sum(1 for b in half if b in (0, 6)) / len(half) for half in (sample[0::2], sample[1::2])]
        if max(shares) <= 0.8:
            return False
        codec = "utf-16-be" if shares[0] > shares[1] else "utf-16-le"
    try:
        return "\x00" not in raw.decode(codec)
    except UnicodeDecodeError:
        return False


def _likely_cp1256(raw: bytes) -> bool:
    """Windows Arabic (cp1256), the usual legacy encoding of Arabic web pages: most of its
    non-ASCII bytes decode to Arabic letters."""
    high = [b for b in raw[:65536] if b >= 0x80]
    if len(high) < 4:  # too little to tell
        return False
    text = bytes(high).decode("cp1256", errors="replace")
    return len(_ARABIC.findall(text)) >= 0.6 * len(high)


def decode_text(raw: bytes, encoding: str | None = None) -> str:
    """The text of ``raw``: UTF-8 (a BOM dropped) unless ``encoding`` names another. Raise
    :class:`DecodeProblem` with a one-line reason (and the likely encoding: UTF-16, cp1256)
    instead of a ``UnicodeDecodeError``."""
    if encoding is not None:
        try:
            text = raw.decode(check_encoding(encoding))
        except UnicodeDecodeError as exc:
            raise DecodeProblem(f"not {encoding}: byte 0x{raw[exc.start]:02x} at offset {exc.start} cannot be decoded") from None
        return text[1:] if text.startswith("\ufeff") else text
    if _looks_utf16(raw):
        raise DecodeProblem("UTF-16 text, not UTF-8: read it with --encoding utf-16 (or convert it to UTF-8)")
    if b"\x00" in raw:
        raise DecodeProblem("binary content (NUL bytes), not a text page")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        hint = "; it looks like Windows Arabic: read it with --encoding cp1256" if _likely_cp1256(raw) else ""
        raise DecodeProblem(f"not UTF-8: byte 0x{raw[exc.start]:02x} at offset {exc.start} cannot be decoded{hint}") from None
    return text[1:] if text.startswith("\ufeff") else text


def read_small_text(path: str | Path, max_bytes: int) -> str:
    """The UTF-8 text of a small file (a schema, a recipe), refusing with :class:`OSError` or
    :class:`DecodeProblem` what would hang or exhaust memory: a FIFO, a device (a symlink to
    ``/dev/zero``), a file over ``max_bytes``."""
    if not stat.S_ISREG(os.stat(path).st_mode):
        raise DecodeProblem("not a regular file (a FIFO, device or socket)")
    with open(path, "rb") as handle:
        raw = handle.read(max_bytes + 1)
    if len(raw) > max_bytes:
        raise DecodeProblem(f"larger than {max_bytes:,} bytes")
    return decode_text(raw)


# --- walking folders -----------------------------------------------------------------------------


def files_under(folder: str | Path, problems: list[tuple[str, str]]) -> list[Path]:
    """Every file under ``folder`` (symlinks and special files included: a reader refuses what it
    cannot read, with a message), sorted; each sub-folder that
    cannot be listed is added to ``problems`` as ``(path, reason)`` instead of being skipped
    silently, and each file name that is not valid UTF-8 too (it could not be written into
    any output)."""
    found: list[Path] = []

    def unreadable(exc: OSError) -> None:
        problems.append((str(exc.filename), f"folder cannot be read: {exc.strerror or exc}; its files were skipped"))

    for root, _dirs, names in os.walk(folder, onerror=unreadable):
        for name in names:
            path = Path(root, name)
            try:
                str(path).encode("utf-8")
            except UnicodeEncodeError:
                problems.append((str(path), "file name is not valid UTF-8: rename the file to read it"))
                continue
            if not path.is_dir():  # FIFOs and devices too: readers refuse them with a message
                found.append(path)
    return sorted(found)
