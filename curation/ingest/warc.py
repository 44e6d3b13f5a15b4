"""WARC archives (what crawlers such as wget, Heritrix, Browsertrix and CommonCrawl write) to documents.

Each successful HTML response (or ``resource`` record of an HTML page) is one page, read through
the same extractor as an ``.html`` file, its URL from ``WARC-Target-URI``. Requests, metadata,
images, scripts, redirects and error pages are not pages and are passed over; a WARC without a
single HTML page, an HTML record with no main text and a damaged archive are reported.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

from curation.fileio import MAX_EXPANSION, expands_too_much
from curation.ingest.base import MAX_PAGE_BYTES, IngestError, PageItem, not_a_regular_file
from curation.ingest.html import HtmlSettings, html_document

WARC_SUFFIXES = (".warc", ".warc.gz")
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _html_payload(record) -> bool:
    """Whether a record holds an HTML page that the server served successfully."""
    if record.rec_type == "response":
        http = record.http_headers
        if http is None or not http.get_statuscode().startswith("2"):
            return False
        content_type = http.get_header("Content-Type") or ""
    elif record.rec_type == "resource":
        content_type = record.rec_headers.get_header("Content-Type") or ""
    else:
        return False
    return content_type.split(";", 1)[0].strip().lower() in _HTML_TYPES


def warc_pages(path: Path, settings: HtmlSettings) -> Iterator[PageItem]:
    """One page per HTML page in the archive, extracted when called; ``line`` in errors and
    provenance is the record's 1-based position in the archive."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    problem = not_a_regular_file(path)
    if problem:
        yield IngestError(str(path), problem)
        return
    pages = 0
    number = 0
    declared = 0  # the records' bytes as their headers give them, which warcio inflates even to skip one
    try:
        with path.open("rb") as handle:
            for number, record in enumerate(ArchiveIterator(handle), start=1):
                declared += int(record.rec_headers.get_header("Content-Length") or 0)
                if expands_too_much(declared, handle.tell()):
                    yield IngestError(str(path), f"record {number} expands more than {MAX_EXPANSION} times the archive "
                                                 "(a decompression bomb?): not read further", number)  # fmt: skip
                    return
                if not _html_payload(record):
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                raw = record.content_stream().read(MAX_PAGE_BYTES + 1)
                if len(raw) > MAX_PAGE_BYTES:
                    yield IngestError(str(path), f"page {url} larger than {MAX_PAGE_BYTES >> 20} MiB: not read", number)
                    continue
                if getattr(record.raw_stream, "limit", 0):  # bytes the record declares but the file lacks
                    yield IngestError(str(path), f"page {url} is cut short (a truncated archive): not read", number)
                    continue
                pages += 1
                yield partial(
                    html_document, raw, settings, path=str(path), source_key=f"{path.name}#{url or number}", line=number, url=url
                )
    except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
        yield IngestError(str(path), f"damaged WARC after record {number}: {exc}".replace("\n", " "))
        return
    if not pages:
        yield IngestError(str(path), "no HTML page in this WARC (only requests, metadata or other content types)")
