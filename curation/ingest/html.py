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

import html
import json
import re
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
MAX_AUTHOR_CHARS = 120
"""Fewer words than this is a menu or a link that trafilatura's fallback kept, not a story."""
_HTML_OPENERS = ("<!doctype html", "<html", "<head", "<body", "<?xml")
_LEADING_COMMENTS = re.compile(r"(?:<!--.*?-->\s*)+", re.DOTALL)
_BLOCKS = "p|div|article|section|header|footer|main|nav|aside|figure|h[1-6]|table|ul|ol|li|blockquote|span|a|title|meta"
_FRAGMENT_OPENING = re.compile(rf"<(?:{_BLOCKS})[\s>/]", re.IGNORECASE)
_FRAGMENT_CLOSING = re.compile(rf"</(?:{_BLOCKS})\s*>", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class HtmlSettings:
    """trafilatura's options for main-text extraction; recorded with every document it makes."""

    favor_precision: bool = True
    include_comments: bool = False
    include_tables: bool = True
    deduplicate: bool = False
    date_extensive_search: bool = False
    """htmldate's search of the page text for a date: 4x slower, and on pages that declare none it
    takes any date it meets (a copyright year) for the publication date. Off: metadata dates only."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@cache
def extractor_version() -> str:
    from importlib.metadata import version

    return version("trafilatura")


def looks_like_html(raw: bytes) -> bool:
    """Whether a file's first bytes are an HTML document or fragment (for ``.txt`` files that are not
    text), by content: comments before the first tag are skipped (``<!-- saved from url -->``), and a
    fragment is text opening with a block element and closing at least two."""
    head = raw[: _SNIFF_CHARS * 8].decode("utf-8", "ignore").lstrip("\ufeff \t\r\n")
    head = _LEADING_COMMENTS.sub("", head, count=1)
    lower = head.lower()
    if lower.startswith(_HTML_OPENERS):
        return "<html" in lower or lower.startswith("<!doctype html")
    return _FRAGMENT_OPENING.match(head) is not None and len(_FRAGMENT_CLOSING.findall(head)) >= 2


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
            date_extraction_params={"extensive_search": settings.date_extensive_search, "original_date": True},
        )
    except Exception as exc:  # noqa: BLE001 - trafilatura raises from lxml and its own parsers alike
        return f"HTML could not be parsed ({type(exc).__name__}: {exc})"
    body = canonicalize(getattr(result, "text", None) or "").strip()  # a Document, or None for no text
    if len(body.split()) < MIN_BODY_WORDS:
        words = len(body.split())
        return f"no main text found in this HTML page (trafilatura found {words} word{'' if words == 1 else 's'})"
    meta: dict[str, Any] = {}
    for key in ("title", "author", "date", "url", "sitename", "language"):
        value = getattr(result, key, None)
        if isinstance(value, str) and value.strip():
            meta[key] = html.unescape(value).strip()  # a title may keep "&amp;" escaped twice in the page
    author = _as_the_page_writes_it(raw, meta.get("author"))
    if author:
        meta["author"] = author
    meta["extractor"] = {"name": "trafilatura", "version": extractor_version(), "settings": settings.to_dict()}
    return body, meta


_AUTHOR_XPATH = (
    "//meta[@name='author' or @property='article:author' or @name='byl' or @name='dc.creator']/@content"
    " | //script[@type='application/ld+json']/text()"
)


def _as_the_page_writes_it(raw: bytes, author: str | None) -> str | None:
    """The page's own author value that trafilatura's ``author`` was cut from (or the first one,
    when trafilatura kept none). trafilatura keeps what stands before a dash (``Name - Site``),
    but Arabic bylines put the city or outlet first (``القاهرة - أحمد الريدي``), so its author is
    then the city, or nothing; the value the page declares is the byline."""
    from lxml import html as lxml_html

    try:
        tree = lxml_html.fromstring(raw)
    except (ValueError, TypeError, lxml_html.etree.ParserError):
        return author
    words = (author or "").replace(".", " ").split()
    for value in tree.xpath(_AUTHOR_XPATH):
        for candidate in _author_values(str(value)):
            if "://" in candidate or len(candidate) > MAX_AUTHOR_CHARS:
                continue
            if all(word in candidate.replace(".", " ").split() for word in words):
                return candidate
    return author


def _author_values(value: str) -> list[str]:
    """A ``<meta>`` author as is, or the author names of a JSON-LD block."""
    value = value.strip()
    if not value.startswith(("{", "[")):
        return [value]
    try:
        data = json.loads(value)
    except json.JSONDecodeError:
        return []
    found: list[str] = []
    for item in _as_list(data):
        authors = item.get("author") if isinstance(item, dict) else None
        for author in _as_list(authors):
            name = _author_name(author)
            if name:
                found.append(name)
    return found


def _as_list(value: Any) -> list[Any]:
    """JSON-LD gives one item or a list of them."""
    return value if isinstance(value, list) else [value]


def _author_name(author: Any) -> str | None:
    """A JSON-LD author's name (a Person's ``name``, or a bare string), trimmed; None when empty."""
    name = author.get("name") if isinstance(author, dict) else author
    return name.strip() if isinstance(name, str) and name.strip() else None


def page_header(meta: dict[str, Any]) -> dict[HeaderKind, str]:
    """The title, byline and date lines that an extracted page's metadata gives."""
    header: dict[HeaderKind, str] = {}
    sources: tuple[tuple[HeaderKind, str], ...] = (("title", "title"), ("byline", "author"), ("dateline", "date"))
    for kind, key in sources:
        value = one_line(meta.get(key))
        if value:
            header[kind] = value
    return header


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
    text, spans = compose_page(body, page_header(meta))
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
