"""HTML pages to documents through trafilatura, with the page's title, author, date and URL.

Why trafilatura: it is the extractor the web-corpus builders keep (datatrove's ``Trafilatura``
step, FineWeb, many CommonCrawl pipelines), it ranks first or near first in the public
main-text benchmarks against jusText, readability, boilerpipe and goose, it reads the page's
metadata (Open Graph, JSON-LD, ``<meta>``) in the same pass, and it is pure Python on lxml.
``bench/html_extract.py`` measures it beside jusText (the paragraph classifier trafilatura
itself falls back on) on Arabic pages.

The settings favour precision and leave comments out: what annotators read must be the story,
and a missed closing paragraph costs less than a comment thread presented as news.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Any

from curation.ingest.base import IngestError, canonicalize, read_page_bytes
from curation.ingest.page import HEADER_KEY, HeaderKind, compose_page, one_line
from curation.units import Document, Provenance, sha256_hex

HTML_SUFFIXES = (".html", ".htm", ".xhtml", ".html.gz", ".htm.gz")
_SNIFF_CHARS = 1024
MIN_BODY_WORDS = 8
"""Fewer words than this is a menu or a link that trafilatura's fallback kept, not a story."""
_HTML_OPENERS = ("<!doctype html", "<html", "<head", "<body", "<?xml")


@dataclass(frozen=True, slots=True)
class HtmlSettings:
    """trafilatura's options for main-text extraction; recorded with every document it makes."""

    favor_precision: bool = True
    include_comments: bool = False
    include_tables: bool = True
    deduplicate: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@cache
def extractor_version() -> str:
    from importlib.metadata import version

    return version("trafilatura")


def looks_like_html(raw: bytes) -> bool:
    """Whether a file's first bytes are an HTML document (for ``.txt`` files that are not text)."""
    head = raw[:_SNIFF_CHARS].decode("utf-8", "ignore").lstrip("\ufeff \t\r\n").lower()
    return head.startswith(_HTML_OPENERS) and "<html" in raw[: _SNIFF_CHARS * 8].decode("utf-8", "ignore").lower()


def extract_html(raw: bytes, settings: HtmlSettings, url: str | None = None) -> tuple[str, dict[str, Any]] | str:
    """``(body text, metadata)`` of one page, or the reason there is none. The bytes go to
    trafilatura undecoded: it reads the page's declared charset."""
    import trafilatura  # 0.3 s of imports, paid only when a page is HTML

    try:
        result = trafilatura.bare_extraction(
            raw,
            url=url,
            with_metadata=True,
            favor_precision=settings.favor_precision,
            include_comments=settings.include_comments,
            include_tables=settings.include_tables,
            deduplicate=settings.deduplicate,
        )
    except Exception as exc:  # noqa: BLE001 - trafilatura raises from lxml and its own parsers alike
        return f"HTML could not be parsed ({type(exc).__name__}: {exc})"
    body = canonicalize(result.text or "").strip() if result is not None else ""
    if len(body.split()) < MIN_BODY_WORDS:
        return f"no main text found in this HTML page (trafilatura found {len(body.split())} words)"
    meta: dict[str, Any] = {}
    for key in ("title", "author", "date", "url", "sitename", "language"):
        value = getattr(result, key, None)
        if isinstance(value, str) and value.strip():
            meta[key] = value.strip()
    meta["extractor"] = {"name": "trafilatura", "version": extractor_version(), "settings": settings.to_dict()}
    return body, meta


def html_document(
    raw: bytes,
    settings: HtmlSettings,
    *,
    path: str,
    source_key: str,
    line: int | None = None,
    url: str | None = None,
) -> Document | IngestError:
    """One HTML page as a Document: title, author and date lines over the extracted body."""
    extracted = extract_html(raw, settings, url)
    if isinstance(extracted, str):
        return IngestError(path, extracted, line)
    body, meta = extracted
    if url is not None:
        meta["fetched_url"] = url  # where the crawler got it; "url" is the page's own (canonical) one
    header: dict[HeaderKind, str] = {}
    for kind, key in (("title", "title"), ("byline", "author"), ("dateline", "date")):
        value = one_line(meta.get(key))
        if value:
            header[kind] = value
    text, spans = compose_page(body, header)
    if spans:
        meta[HEADER_KEY] = spans
    return Document(
        id=Document.make_id(text, source_key),
        text=text,
        provenance=Provenance(path, line, sha256_hex(raw)),
        meta=meta,
    )


def read_html_file(path: Path, settings: HtmlSettings) -> Document | IngestError:
    """One page per ``.html`` file."""
    raw = read_page_bytes(path)
    if isinstance(raw, IngestError):
        return raw
    if not raw.strip():
        return IngestError(str(path), "empty: no bytes in this HTML file")
    return html_document(raw, settings, path=str(path), source_key=path.name)
