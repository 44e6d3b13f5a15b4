"""The units file that ``curation segment`` writes and every later stage reads.

Two forms, chosen by the file name:

* ``units.jsonl``: one full unit record a line, for small jobs and for reading by eye;
* ``units.jsonl.gz`` (compact): gzipped JSONL in which article and sentence records carry their
  offsets but not their texts (``text``, ``body``, ``title`` and each span's ``text`` are slices
  of the document's text, which comes first). Readers rebuild them from the document, so every
  command reads both forms alike. Gzipped JSONL rather than Parquet because units are a stream of
  three record shapes in document order: gzip keeps that stream (and ``zcat | jq``) while the
  dropped repetition, not the codec, is what makes the file small.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import re
import zlib
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curation.fileio import (
    MAX_LINE_BYTES,
    EndOfSelection,
    JsonlLineError,
    atomic_writer,
    dumps,
    iter_jsonl,
    kept_lines,
    open_gunzipped,
    report,
    text_lines,
    write_jsonl,
)
from curation.units import Article, Document, Unit, unit_from_record

if TYPE_CHECKING:  # the segmenter and its settings, imported where they are used: not by a command that only reads units
    from curation.segment.pipeline import SegmentedDocument
    from curation.settings import Settings

COMPACT_SUFFIX = ".gz"
SETTINGS_SUFFIX = ".settings.json"
INDEX_SUFFIX = ".index.json"
INDEX_FORMAT = 1


class UnitFileError(JsonlLineError):
    """A line of a units file that cannot be read back, with its file and line number."""


def is_compact(path: str | Path) -> bool:
    return str(path).endswith(COMPACT_SUFFIX)


def _is_span(value: Any) -> bool:
    return isinstance(value, dict) and value.keys() == {"start", "end", "text"}


def compact_record(record: dict[str, Any]) -> dict[str, Any]:
    """The record without the texts its document's text already holds: ``text``, ``body`` and
    ``title`` go, and every span (or list of spans) becomes ``[start, end]`` pairs."""
    if record.get("level") == "document":
        return record
    slim: dict[str, Any] = {}
    for key, value in record.items():
        if key in ("text", "body", "title"):
            continue
        if _is_span(value):
            value = [value["start"], value["end"]]
        elif isinstance(value, list) and value and all(_is_span(v) for v in value):
            value = [[v["start"], v["end"]] for v in value]
        slim[key] = value
    return slim


def _is_bounds(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2 and isinstance(value[0], int) and isinstance(value[1], int)


def expand_record(record: dict[str, Any], document_text: str) -> dict[str, Any]:
    """The full record of a compact one, texts sliced from its document's text."""
    if record.get("level") == "document":
        return record
    full: dict[str, Any] = {}
    for key, value in record.items():  # the keys in the order units write them
        full[key] = _expanded_value(value, document_text)
        if key in _KEYS_BEFORE_TEXTS:
            full.update(_texts_after(key, record, document_text))
    return full


_KEYS_BEFORE_TEXTS = frozenset(("end", "role"))


def _texts_after(key: str, record: dict[str, Any], document_text: str) -> dict[str, Any]:
    """The texts a full record holds right after ``key``: a unit's ``text`` (and an article's
    ``title``) after ``end``, an article's ``body`` after ``role``."""
    article = record.get("level") == "article"
    if key == "end":
        texts: dict[str, Any] = {"text": document_text[record["start"] : record["end"]]}
        if article:
            title = record.get("title_span")
            texts["title"] = document_text[title[0] : title[1]] if title else None
        return texts
    if article:
        return {"body": "\n".join(document_text[s:e] for s, e in record.get("paragraphs") or ())}
    return {}


def _expanded_value(value: Any, document_text: str) -> Any:
    """A compact ``[start, end]`` (or list of them) as the span(s) it stands for; any other value as is."""
    if not isinstance(value, list) or not value:  # most values: an id, an offset, None, no spans
        return value
    if _is_bounds(value):
        return _span(value, document_text)
    if all(_is_bounds(v) for v in value):
        return [_span(v, document_text) for v in value]
    return value


def _span(bounds: list[int], document_text: str) -> dict[str, Any]:
    return {"start": bounds[0], "end": bounds[1], "text": document_text[bounds[0] : bounds[1]]}


def compact_line(record: dict[str, Any]) -> bytes:
    """A unit record as a line of a compact units file."""
    return dumps(compact_record(record)).encode("utf-8") + b"\n"  # NaN as null


def write_unit_records(path: str | Path, records: Iterable[dict[str, Any]]) -> int:
    """Write unit records atomically (compact when ``path`` ends in ``.gz``); returns the count."""
    if not is_compact(path):
        return write_jsonl(path, records)
    count = 0
    with atomic_writer(path, binary=True) as raw, _packer(raw) as packed:
        for record in records:
            packed.write(compact_line(record))
            count += 1
    return count


def _packer(raw: Any) -> gzip.GzipFile:
    # mtime=0 and no file name in the header: the same units give the same bytes
    return gzip.GzipFile(filename="", fileobj=raw, mode="wb", compresslevel=6, mtime=0)


def gzip_member(lines: Iterable[bytes]) -> bytes:
    """Compact lines as one gzip member. Members written apart and joined end to end are one
    gzip file (RFC 1952), so ranks compress their blocks of a units file and a merge joins the
    bytes; a block's member is the same bytes whichever rank made it."""
    buffer = io.BytesIO()
    with _packer(buffer) as packed:
        for line in lines:
            packed.write(line)
    return buffer.getvalue()


LineFilter = Callable[[str], bool]
"""Told each line of a units file in order, says whether to decode it (a skipped line costs no JSON
parsing); raises :class:`~curation.fileio.EndOfSelection` when no later line is wanted."""

_HEAD = re.compile(r'\{"id": "[^"\\]*(?:\\.[^"\\]*)*", "level": "(\w+)"')  # the id's string unrolled: 2.7x faster
_HEAD_BYTES = re.compile(_HEAD.pattern.encode("ascii"))


class PageSelector:
    """The lines of pages ``rank, rank + world_size, ...`` of a units file (a page: a document
    line and the lines after it), or with ``total`` (the file's pages) of the ``rank``-th of
    ``world_size`` runs of consecutive pages; and of ``levels`` only. Ranks that share a units
    file so decode their own share, not the whole file. The level is read from the line's head as
    ``curation segment`` writes it (id, then level); any other line is parsed to know.
    ``page`` is the number of the page of the last line seen, the same whatever the rank. A rank
    with a run stops the reading once its run has ended. With the ``index`` of a compact file
    (:func:`read_index`) the reader inflates only :attr:`members`: the pages of gzip members
    ``rank, rank + world_size, ...`` (whole members, not every n-th page), or the members a run
    overlaps."""

    def __init__(
        self, rank: int = 0, world_size: int = 1, levels: Collection[str] | None = None, total: int | None = None,
        index: Sequence[Member] | None = None,
    ) -> None:
        self.rank, self.world_size, self.levels = rank, world_size, levels
        self.run = None if total is None else range(total * rank // world_size, total * (rank + 1) // world_size)
        self.page = -1
        self.members = None if index is None else self._members_of(index)

    def _members_of(self, index: Sequence[Member]) -> list[Member]:
        """The gzip members of a compact file (its :func:`read_index`) that hold this selector's
        pages: every ``world_size``-th member from the ``rank``-th, or those that overlap the run.
        The reader inflates these alone, and the rank's pages are then whole members."""
        if self.run is None:
            return list(index[self.rank :: self.world_size])
        run = self.run
        return [m for m in index if m.first_page < run.stop and m.first_page + m.pages > run.start]

    def enter(self, member: Member) -> None:
        """The reader is at the start of ``member``: its first line is page ``member.first_page``."""
        self.page = member.first_page - 1

    def owns(self, page: int) -> bool:
        """Whether ``page`` is this selector's, of those it meets (a line every rank meets is then
        named by one)."""
        if self.run is not None:
            return page in self.run
        return self.members is not None or page % self.world_size == self.rank

    def __call__(self, line: str) -> bool:
        head = _HEAD.match(line)
        return self._select(head.group(1) if head else _level_of(line))

    def refuses(self, raw: bytes) -> bool:
        """Whether a line, still bytes, is surely one this selector does not want: read from its
        head when it is ASCII (so it has no UTF-8 error to name), its page counted as :meth:`__call__`
        would; any other line, or a wanted one, is left to be decoded and asked again as text.
        Most lines of a compact units file are another rank's or a sentence's ASCII offsets: this
        spares decoding them."""
        head = _HEAD_BYTES.match(raw) if raw.isascii() else None
        if head is None:
            return False
        page = self.page
        if self._select(head.group(1).decode("ascii")):
            self.page = page  # counted again when the text is asked
            return False
        return True

    def _select(self, level: str | None) -> bool:
        if level == "document" or self.page < 0:  # lines before the first document: page 0
            self.page += 1
        wanted = self.levels is None or level is None or level in self.levels
        if self.run is not None:
            if self.page >= self.run.stop:
                raise EndOfSelection
            return wanted and self.page in self.run
        return wanted and (self.members is not None or self.page % self.world_size == self.rank)


def _level_of(line: str) -> str | None:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return None  # decoded anyway, and reported by the reader
    return record.get("level") if isinstance(record, dict) else None


def _iter_compact_lines(
    path: str | Path, errors: list[JsonlLineError] | None, keep: LineFilter | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` of a gzipped units file; bad lines as :func:`iter_jsonl` treats them."""
    def bad(number: int, reason: str) -> None:
        report(UnitFileError(path, number, reason), errors)

    selector = keep if isinstance(keep, PageSelector) else None
    refused = selector.refuses if selector is not None else None
    try:  # lines bounded in length, the gzip in expansion: a bomb is one error, never a hang
        if selector is None or selector.members is None:
            with open_gunzipped(path) as handle:
                lines = kept_lines(text_lines(handle, MAX_LINE_BYTES, bad, refused), keep)
                yield from _compact_objects(lines, bad)
            return
        with open(path, "rb") as raw:
            for member in selector.members:
                selector.enter(member)
                yield from _compact_objects(kept_lines(_member_lines(raw, member, bad, refused), keep), bad)
    except (OSError, EOFError, zlib.error) as exc:
        report(UnitFileError(path, 0, f"cannot read the compact units file: {exc}"), errors)


def _member_lines(
    raw: io.BufferedReader, member: Member, bad: Callable[[int, str], None], refused: Callable[[bytes], bool] | None
) -> Iterator[tuple[int, str]]:
    """The numbered lines of one gzip member, numbered as in the whole file."""
    raw.seek(member.offset)
    with open_gunzipped(io.BytesIO(raw.read(member.size))) as handle:
        before = member.first_line - 1
        for number, line in text_lines(handle, MAX_LINE_BYTES, lambda n, reason: bad(before + n, reason), refused):
            yield before + number, line


def _compact_objects(
    lines: Iterable[tuple[int, str]], bad: Callable[[int, str], None]
) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in lines:
        record = _compact_object(line)
        if isinstance(record, str):
            bad(number, record)
        else:
            yield number, record


def _compact_object(line: str) -> dict[str, Any] | str:
    """The JSON object of a compact file's line, or why the line is none."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"invalid JSON ({exc.msg} at column {exc.colno})"
    return record if isinstance(record, dict) else "a line must be a JSON object"


def iter_unit_records(
    path: str | Path, level: str | None = None, errors: list[JsonlLineError] | None = None, keep: LineFilter | None = None,
    taken: Callable[[bytes], bool] | None = None,
) -> Iterator[dict[str, Any]]:
    """Full records of a units file (either form), optionally only one level, or only the lines
    ``keep`` accepts and ``taken`` did not read from their bytes (see :func:`~curation.fileio.iter_jsonl`).
    A malformed line raises an error naming the line, or, when an ``errors`` list is given, is
    appended to it and skipped so the rest of the file is still read."""
    compact = is_compact(path)
    if compact and taken is not None:
        keep = _not_taken(keep, taken)
    lines = _iter_compact_lines(path, errors, keep) if compact else iter_jsonl(path, errors, keep=keep, taken=taken)
    units = _unit_lines(path, lines, errors)
    records = _expanded_records(path, units, errors) if compact else (record for _, record in units)
    for record in records:
        if level is None or record["level"] == level:
            yield record


def _not_taken(keep: LineFilter | None, taken: Callable[[bytes], bool]) -> LineFilter:
    """A line filter of a compact file (text lines, decoded by gzip) that asks ``taken`` first."""
    return lambda line: not taken(line.encode("utf-8", "surrogatepass")) and (keep is None or keep(line))


def _unit_lines(
    path: str | Path, lines: Iterable[tuple[int, dict[str, Any]]], errors: list[JsonlLineError] | None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The numbered records that are units (they have an ``id`` and a ``level``); others are reported."""
    for number, record in lines:
        if "level" in record and "id" in record:
            yield number, record
        else:
            report(UnitFileError(path, number, "not a unit record (needs 'id' and 'level')"), errors)


def _expanded_records(
    path: str | Path, units: Iterable[tuple[int, dict[str, Any]]], errors: list[JsonlLineError] | None
) -> Iterator[dict[str, Any]]:
    """The full records of a compact file's units, each article and sentence rebuilt from the
    document before it; a record that cannot be is reported."""
    document_text = ""
    for number, record in units:
        if record["level"] == "document":
            document_text = str(record.get("text") or "")
            yield record
            continue
        try:
            full = expand_record(record, document_text)
        except (KeyError, IndexError, TypeError) as exc:
            report(UnitFileError(path, number, f"unit {record['id']}: malformed compact record ({exc!r})"), errors)
            continue
        yield full


def iter_units(
    path: str | Path, level: str | None = None, errors: list[object] | None = None, keep: LineFilter | None = None,
    taken: Callable[[bytes], bool] | None = None,
) -> Iterator[Unit]:
    """Units of a units file as Document, Article and Sentence objects: the one way later stages
    read units. With an ``errors`` list, unreadable lines and malformed units are collected there
    (naming file, line or unit) and reading goes on; without one, the first raises. ``keep``
    (e.g. a :class:`PageSelector`) picks the lines worth decoding; a line ``taken`` returns True
    for was read by it from its bytes, and is not decoded again (:func:`iter_unit_records`)."""
    for record in iter_unit_records(path, level, errors, keep, taken):  # type: ignore[arg-type]
        try:
            yield unit_from_record(record)
        except (KeyError, TypeError, ValueError) as exc:
            if errors is None:
                raise
            errors.append(f"{path}: unit {record.get('id')}: malformed ({type(exc).__name__}: {exc})")


def count_pages(path: str | Path, limit: int | None = None, index: Sequence[Member] | None = None) -> int:
    """Pages of a units file, counted from the lines' heads (none is decoded), or told by its
    ``index`` (:func:`read_index`); with ``limit``, the reading stops there and the count is at
    most ``limit``. No file, no pages: whoever reads it next says what is wrong."""
    if index is not None:
        counted = index_pages(index)
    elif not Path(path).is_file():
        return 0
    else:
        pages = PageSelector(levels=(), total=limit)
        for _ in iter_units(path, errors=[], keep=pages):
            pass
        counted = pages.page + 1
    return counted if limit is None else min(counted, limit)


@dataclass(frozen=True, slots=True)
class Member:
    """One gzip member of a compact units file (``curation segment`` writes one per block of
    pages): where its bytes are and the file's page and line it starts at."""

    offset: int
    size: int
    first_page: int  # counted from 0, as PageSelector.page
    pages: int
    first_line: int  # counted from 1, as the readers name lines


def index_path(units_path: str | Path) -> Path:
    """Where the index of a compact units file's gzip members is kept: ``<units file>.index.json``."""
    return Path(f"{units_path}{INDEX_SUFFIX}")


def write_index(units_path: str | Path, members: Sequence[tuple[int, int, int]], digest: Any) -> Path:
    """Record beside a compact units file the ``(bytes, pages, lines)`` of each of its gzip
    members, in order, with ``digest`` (a ``hashlib.sha256`` fed the file's bytes) finished over
    the members too: :func:`read_index` trusts the record only for those very bytes."""
    path = index_path(units_path)
    listed = [list(member) for member in members]
    digest.update(_members_json(listed))
    record = {"format": INDEX_FORMAT, "bytes": sum(size for size, _, _ in listed), "sha256": digest.hexdigest(), "members": listed}
    with atomic_writer(path) as handle:
        json.dump(record, handle, separators=(",", ":"))
        handle.write("\n")
    return path


def _members_json(members: list[list[int]]) -> bytes:
    return json.dumps(members, separators=(",", ":")).encode("ascii")


def read_index(units_path: str | Path) -> tuple[Member, ...] | None:
    """The gzip members of a compact units file from the index written beside it, or None when
    there is none or it does not describe this file's bytes (damaged, or older than an edit of
    the file): the readers then read the whole file, as without an index. The file is hashed
    (SHA-256, about 0.05 s for ANT's 44 MB), so an edit that keeps the size and time is seen."""
    path = index_path(units_path)
    if not is_compact(units_path) or not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        listed = record["members"]
        if record["format"] != INDEX_FORMAT or not _well_formed(listed) or Path(units_path).stat().st_size != record["bytes"]:
            return None
        digest = hashlib.sha256()
        with open(units_path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        digest.update(_members_json(listed))
        if digest.hexdigest() != record["sha256"]:
            return None
    except (OSError, ValueError, TypeError, KeyError):
        return None
    members, offset, page, line = [], 0, 0, 1
    for size, pages, lines in listed:
        members.append(Member(offset, size, page, pages, line))
        offset, page, line = offset + size, page + pages, line + lines
    return tuple(members)


def _well_formed(listed: Any) -> bool:
    return isinstance(listed, list) and all(
        isinstance(member, list) and len(member) == 3 and all(type(n) is int and n >= 0 for n in member) and member[0] > 0
        for member in listed
    )


def index_pages(index: Sequence[Member]) -> int:
    """The pages of a units file, from its index."""
    return index[-1].first_page + index[-1].pages if index else 0


def settings_path(units_path: str | Path) -> Path:
    """Where the settings a units file was cut with are kept: ``<units file>.settings.json``."""
    return Path(f"{units_path}{SETTINGS_SUFFIX}")


def write_settings(units_path: str | Path, settings: Settings) -> Path:
    """Record beside a units file the settings that gave its unit ids (``build`` checks them)."""
    path = settings_path(units_path)
    with atomic_writer(path) as handle:
        json.dump(settings.to_dict(), handle, ensure_ascii=False, indent=1, sort_keys=True)
        handle.write("\n")
    return path


def read_settings(units_path: str | Path) -> Settings | None:
    """The settings recorded beside a units file; ``None`` when there is no record (an older file).
    A damaged record raises ``ValueError`` naming the file."""
    from curation.settings import Settings

    path = settings_path(units_path)
    if not path.is_file():
        return None
    try:
        return Settings.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, ValueError, TypeError, AttributeError) as exc:
        raise ValueError(f"{path}: not a settings record ({exc})") from None


def iter_segmented(
    path: str | Path, errors: list[object] | None = None, keep: LineFilter | None = None
) -> Iterator[SegmentedDocument]:
    """Each document of a units file (or of the lines ``keep`` accepts) with its articles and
    sentences, typed: what a stage that works a page at a time (the exporter's rows) reads.
    Memory holds one page."""
    from curation.segment.pipeline import SegmentedDocument

    current: SegmentedDocument | None = None
    for unit in iter_units(path, errors=errors, keep=keep):
        if isinstance(unit, Document):
            if current is not None:
                yield current
            current = SegmentedDocument(unit, [], [])
        elif current is None or unit.doc_id != current.document.id:
            problem = f"{path}: unit {unit.id}: not after its document {unit.doc_id}"
            if errors is None:
                raise UnitFileError(path, 0, problem)
            errors.append(problem)
        elif isinstance(unit, Article):
            current.articles.append(unit)
        else:
            current.sentences.append(unit)
    if current is not None:
        yield current


class UnitFile:
    """A units file that can be read as many times as a stage needs (e.g. repeated passages)."""

    def __init__(self, path: str | Path, level: str | None = None, errors: list[object] | None = None) -> None:
        self.path, self.level, self.errors = Path(path), level, errors
        self._passes = 0

    def __iter__(self) -> Iterator[Unit]:
        # errors are collected on the first pass only, so a file read twice reports each once
        errors = self.errors if self._passes == 0 else []
        self._passes += 1
        return iter_units(self.path, self.level, errors if self.errors is not None else None)
