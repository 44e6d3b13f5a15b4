"""JSONL records (one page a line) to documents, their title, byline and date fields first.

Scrapers put what they know about a page in fields beside its text; a title field is the
article's title, never to be guessed again from the body. :class:`MetadataFields` names the
fields to look in (the first present wins); every field stays in ``Document.meta`` as given.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from curation.fileio import MAX_LINE_BYTES, bounded_lines, parse_json_line
from curation.ingest.base import (
    IngestError,
    PageItem,
    canonical_text,
    canonicalize,
    loaded,
    not_a_regular_file,
    open_binary,
    problem_with_bytes,
)
from curation.ingest.html import HtmlSettings, extract_html, looks_like_html, page_header
from curation.ingest.page import HEADER_KEY, HeaderKind, compose_page, one_line
from curation.units import Document, Provenance, sha256_hex

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".json.gz", ".ndjson")
_SNIFF_CHARS = 8192
KINDS = ("title", "byline", "date", "url")


@dataclass(frozen=True, slots=True)
class MetadataFields:
    """Which JSONL fields hold a page's title, byline, date and URL; an empty tuple turns one off.
    The defaults cover the names scrapers and public corpora use (ANT's ``author``, news-please's
    ``date_publish``, CommonCrawl-derived ``url``)."""

    title: tuple[str, ...] = ("title", "headline")
    byline: tuple[str, ...] = ("byline", "author", "authors")
    date: tuple[str, ...] = ("date", "date_publish", "published", "published_at")
    url: tuple[str, ...] = ("url", "link")

    def to_dict(self) -> dict[str, Any]:
        return {key: list(value) for key, value in asdict(self).items()}

    @classmethod
    def only(cls, **names: str | None) -> MetadataFields:
        """The defaults, with each given kind narrowed to one field name (``""`` or None: none)."""
        return cls().choose(**{kind: [name] if name else [] for kind, name in names.items()})

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> MetadataFields:
        """Fields from ``{kind: [names]}`` (a kind left out keeps its defaults); a bad entry raises ``ValueError``."""
        return cls().choose(**(data or {}))

    def choose(self, **names: str | Sequence[str] | None) -> MetadataFields:
        """These fields with each kind given (``title``, ``byline``, ``date``, ``url``) replaced: a
        name, comma-separated names or a list of names (the first present wins); ``""`` or ``[]``
        turns the kind off and None keeps it as it is. A command line and a recipe both say it so."""
        unknown = sorted(set(names) - set(KINDS))
        if unknown:
            raise ValueError(f"unknown metadata field kind(s) {', '.join(unknown)}; known: {', '.join(KINDS)}")
        chosen = {}
        for kind, value in names.items():
            if value is None:
                continue
            items = value.split(",") if isinstance(value, str) else value
            if not isinstance(items, (list, tuple)) or not all(isinstance(item, str) for item in items):
                raise ValueError(f"{kind} field: a field name, comma-separated names or a list of names, got {value!r}")
            chosen[kind] = tuple(item.strip() for item in items if item.strip())
        return replace(self, **chosen)

    def header(self, record: dict[str, Any]) -> dict[HeaderKind, str]:
        """The title, byline and date lines this record gives."""
        found: dict[HeaderKind, str] = {}
        sources: tuple[tuple[HeaderKind, Sequence[str]], ...] = (("title", self.title), ("byline", self.byline), ("dateline", self.date))
        for kind, names in sources:
            value = next((one_line(record[n]) for n in names if n in record and one_line(record[n])), None)
            if value:
                found[kind] = value
        return found


DEFAULT_FIELDS = MetadataFields()


def jsonl_pages(
    path: Path,
    text_field: str = "text",
    fields: MetadataFields = DEFAULT_FIELDS,
    encoding: str | None = None,
    html: HtmlSettings | None = None,
) -> Iterator[PageItem]:
    """One page per JSONL line, made when called: ``text_field`` is the body, every other field
    is metadata. A line longer than :data:`~curation.fileio.MAX_LINE_BYTES` is reported and
    skipped, never loaded. With ``html`` settings, a text that is an HTML page goes through the
    extractor (its title, author and date fill the header lines the record's own fields leave empty)."""
    problem = not_a_regular_file(path)
    if problem:
        yield IngestError(str(path), problem)
        return
    try:
        handle = open_binary(path)
    except OSError as exc:
        yield IngestError(str(path), f"cannot read: {exc.strerror or exc}")
        return
    lines = 0
    with handle:
        try:
            for number, raw in bounded_lines(handle):
                if raw is None:
                    lines += 1
                    yield IngestError(str(path), f"line longer than {MAX_LINE_BYTES:,} bytes: skipped", number)
                elif raw.strip():
                    lines += 1
                    yield partial(_jsonl_line, path, number, raw, text_field, fields, encoding, html)
        except (OSError, EOFError, zlib.error) as exc:  # EOFError, zlib.error: a truncated or damaged .gz
            yield IngestError(str(path), f"cannot read: {exc}")
            return
    if not lines:
        yield IngestError(str(path), "empty: no JSONL record")


def read_jsonl_file(
    path: Path,
    text_field: str = "text",
    fields: MetadataFields = DEFAULT_FIELDS,
    encoding: str | None = None,
    html: HtmlSettings | None = None,
) -> Iterator[Document | IngestError]:
    """Every page of :func:`jsonl_pages`, made."""
    return loaded(jsonl_pages(path, text_field, fields, encoding, html))


def _jsonl_line(
    path: Path,
    number: int,
    raw: bytes,
    text_field: str,
    fields: MetadataFields,
    encoding: str | None,
    html: HtmlSettings | None,
) -> Document | IngestError:
    """The page of one JSONL line, or why the line is none."""
    parsed = _page_record(raw, text_field, encoding)
    if isinstance(parsed, str):
        return IngestError(str(path), parsed, number)
    record, value = parsed
    meta, url = _record_meta(record, text_field, fields)
    body, header = canonicalize(value), fields.header(record)
    if html is not None and looks_like_html(value[:_SNIFF_CHARS].encode("utf-8")):
        extracted = extract_html(value.encode("utf-8"), html, url)  # a scraper's {"url", "html"} record
        if isinstance(extracted, str):
            return IngestError(str(path), f"field {text_field!r} holds an HTML page: {extracted}", number)
        body = _with_page_metadata(extracted, header, meta)
    text, spans = compose_page(body, header)
    if spans:
        meta[HEADER_KEY] = spans
    return Document(
        id=Document.make_id(text, _source_key(path, number, record)),
        text=text,
        provenance=Provenance(str(path), number, sha256_hex(raw.rstrip(b"\r\n"))),
        meta=meta,
    )


def _page_record(raw: bytes, text_field: str, encoding: str | None) -> tuple[dict[str, Any], str] | str:
    """``(record, its page text)`` of a JSONL line, or the reason it holds no page."""
    problem = problem_with_bytes(raw, encoding)
    if problem:
        return problem
    record, reason = parse_json_line(canonical_text(raw, encoding))  # lone surrogates, deep nesting; NaN as null
    if reason is not None:
        return reason
    if not isinstance(record, dict):
        return "a JSONL line must be an object"
    value = record.get(text_field)
    if not isinstance(value, str) or not value.strip():
        return f"no text in field {text_field!r}"
    return record, value


def _record_meta(record: dict[str, Any], text_field: str, fields: MetadataFields) -> tuple[dict[str, Any], str | None]:
    """``(metadata, URL)``: every field but the text, with ``url`` from the first URL field that
    holds one; the chosen field wins, and the record's own different ``url`` is kept aside."""
    meta = {k: v for k, v in record.items() if k != text_field}
    url = next((record[n].strip() for n in fields.url if isinstance(record.get(n), str) and record[n].strip()), None)
    if url is not None:
        if meta.get("url") not in (None, url):
            meta["record_url"] = meta["url"]
        meta["url"] = url
    return meta, url


def _with_page_metadata(
    extracted: tuple[str, dict[str, Any]], header: dict[HeaderKind, str], meta: dict[str, Any]
) -> str:
    """The body of an HTML page held in a record; the page's title, author and date fill the
    ``header`` lines the record's own fields left empty, and ``meta`` gets the extractor and the
    page's metadata."""
    body, page_meta = extracted
    for kind, line in page_header(page_meta).items():
        header.setdefault(kind, line)
    meta["extractor"] = page_meta.pop("extractor")
    meta["page"] = page_meta
    return body


def _source_key(path: Path, number: int, record: dict[str, Any]) -> str:
    """What names the page in its id: the record's own ``id``, else its line number."""
    own_id = record.get("id")
    return f"{path.name}#{own_id}" if own_id is not None else f"{path.name}:{number}"
