"""Reading files, folders and globs of scraped pages into canonical Documents.

``.txt`` files are one page each, ``.jsonl`` files one page a line (title, byline and date fields
put first), ``.html`` files and ``.warc`` archives go through trafilatura (:mod:`.html`). A bad
file never stops the run: it becomes an :class:`IngestError` naming the file (and line or WARC
record) and what is wrong, and the remaining inputs are still read.
"""

from __future__ import annotations

import glob
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from curation.fileio import check_encoding, files_under
from curation.ingest.base import (
    IngestError,
    PageItem,
    canonical_text,
    canonicalize,
    loaded,
    problem_with_bytes,
    read_page_bytes,
)
from curation.ingest.html import HTML_SUFFIXES, HtmlSettings, looks_like_html, read_html_file
from curation.ingest.jsonl import DEFAULT_FIELDS, JSONL_SUFFIXES, MetadataFields, jsonl_pages, read_jsonl_file
from curation.ingest.page import HEADER_KEY
from curation.ingest.warc import WARC_SUFFIXES, warc_pages
from curation.units import Document, Provenance, sha256_hex

__all__ = [
    "HEADER_KEY",
    "SUPPORTED_SUFFIXES",
    "HtmlSettings",
    "IngestError",
    "IngestSettings",
    "PageItem",
    "MetadataFields",
    "canonical_text",
    "canonicalize",
    "expand_inputs",
    "find_pages",
    "read_documents",
    "read_html_file",
    "read_jsonl_file",
    "read_text_file",
    "text_document",
]

TEXT_SUFFIXES = (".txt", ".txt.gz")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + JSONL_SUFFIXES + HTML_SUFFIXES + WARC_SUFFIXES
DEFAULT_HTML = HtmlSettings()


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
            paths.extend(_folder_pages(path, errors))
        elif path.exists() or path.is_symlink():
            paths.append(path)
        elif any(ch in str(item) for ch in "*?["):
            paths.extend(_pattern_matches(str(item), errors))
        else:
            errors.append(IngestError(str(path), "no such file or folder"))
    return paths


def _folder_pages(folder: Path, errors: list[IngestError]) -> list[Path]:
    """The supported files under ``folder``, sorted; sub-folders that cannot be listed, file names
    that are not UTF-8 and a folder without any page go to ``errors``."""
    unreadable: list[tuple[str, str]] = []
    found = [p for p in files_under(folder, unreadable) if _has_suffix(p, SUPPORTED_SUFFIXES)]
    errors.extend(IngestError(where, reason) for where, reason in unreadable)
    if not found:
        errors.append(IngestError(str(folder), "folder holds no .txt, .jsonl, .html or .warc files"))
    return found


def _pattern_matches(pattern: str, errors: list[IngestError]) -> list[Path]:
    """The files a glob pattern (``**`` included) matches, sorted; none is an error."""
    matches = sorted(Path(p) for p in glob.glob(pattern, recursive=True) if Path(p).is_file())
    if not matches:
        errors.append(IngestError(pattern, "pattern matches no file"))
    return matches


def read_text_file(
    path: Path, html: HtmlSettings = DEFAULT_HTML, warnings: list[IngestError] | None = None, encoding: str | None = None
) -> Document | IngestError:
    """One page per ``.txt`` file; a ``.txt`` that is really an HTML page is read as HTML (its
    markup would otherwise become the "text"), with a warning naming it."""
    raw = read_page_bytes(path)
    if isinstance(raw, IngestError):
        return raw
    if looks_like_html(raw):
        notice = IngestError(str(path), "is an HTML page, not text: read as HTML (name it .html)")
        if warnings is not None:
            warnings.append(notice)
        else:  # a caller that collects no warnings still gets it, on stderr, never dropped
            logging.getLogger(__name__).warning("%s", notice)
        return read_html_file(path, html)
    problem = problem_with_bytes(raw, encoding)
    if problem:
        return IngestError(str(path), problem)
    text = canonical_text(raw, encoding)
    return Document(
        id=Document.make_id(text, path.name),
        text=text,
        provenance=Provenance(str(path), None, sha256_hex(raw)),
    )



def text_document(text: str, source: str = "text") -> Document:
    """A page given as a string (a notebook, a test) as a Document: canonical text as a ``.txt``
    file would give, ``source`` standing for the file name in its id and provenance."""
    text = canonicalize(text)
    return Document(
        id=Document.make_id(text, source),
        text=text,
        provenance=Provenance(source, None, sha256_hex(text.encode("utf-8"))),
    )

@dataclass(frozen=True, slots=True)
class IngestSettings:
    """Everything that changes a document's text (hence every id): which JSONL fields hold the
    text, title, byline, date and URL, the HTML extractor's options and the pages' encoding. Part
    of :class:`curation.settings.Settings`, so it is recorded beside every units file and in the
    build manifest."""

    text_field: str = "text"
    fields: MetadataFields = DEFAULT_FIELDS
    html: HtmlSettings = DEFAULT_HTML
    encoding: str | None = None  # of .txt and .jsonl pages (e.g. cp1256); None: UTF-8

    def to_dict(self) -> dict[str, Any]:
        data = {"text_field": self.text_field, "fields": self.fields.to_dict(), "html": self.html.to_dict()}
        return data | ({"encoding": self.encoding} if self.encoding else {})  # UTF-8 manifests stay as they were

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> IngestSettings:
        """Settings from :meth:`to_dict`'s form; a missing key keeps its default, a bad one raises ``ValueError``."""
        data = dict(data or {})
        unknown = sorted(set(data) - {"text_field", "fields", "html", "encoding"})
        if unknown:
            raise ValueError(f"unknown ingest setting(s) {', '.join(unknown)}; known: encoding, fields, html, text_field")
        try:
            html = HtmlSettings(**(data.get("html") or {}))
        except TypeError as exc:
            raise ValueError(f"html: {exc}") from None
        return cls(html=html).with_options(
            text_field=data.get("text_field"), encoding=data.get("encoding"), **(data.get("fields") or {})
        )

    def with_options(
        self, *, text_field: str | None = None, encoding: str | None = None, **fields: str | Sequence[str] | None
    ) -> IngestSettings:
        """These settings with what a command line or a recipe gives replaced (None keeps a value);
        ``fields`` are :meth:`MetadataFields.choose`'s ``title``, ``byline``, ``date`` and ``url``."""
        if text_field is not None and not (isinstance(text_field, str) and text_field.strip()):
            raise ValueError(f"text field: a field name, got {text_field!r}")
        return replace(
            self,
            text_field=text_field.strip() if text_field else self.text_field,
            encoding=check_encoding(encoding) if encoding else self.encoding,
            fields=self.fields.choose(**fields),
        )


def read_documents(
    inputs: Iterable[str | Path],
    errors: list[IngestError],
    *,
    text_field: str = "text",
    fields: MetadataFields = DEFAULT_FIELDS,
    html: HtmlSettings = DEFAULT_HTML,
    warnings: list[IngestError] | None = None,
    settings: IngestSettings | None = None,
    encoding: str | None = None,
) -> Iterator[Document]:
    """Stream documents from files, folders and globs; problems are appended to ``errors``, and
    notices that change nothing the user must fix (a ``.txt`` that is HTML) to ``warnings``.
    ``settings``, when given, replaces ``text_field``, ``fields``, ``html`` and ``encoding`` (of
    .txt and .jsonl pages; None: UTF-8, and a page that is not says which encoding it looks like)."""
    if settings is None:
        settings = IngestSettings(text_field, fields, html, encoding)
    for item in loaded(find_pages(inputs, errors, settings, warnings)):
        if isinstance(item, IngestError):
            errors.append(item)
        else:
            yield item


def find_pages(
    inputs: Iterable[str | Path], errors: list[IngestError], settings: IngestSettings, warnings: list[IngestError] | None = None
) -> Iterator[PageItem]:
    """The pages of files, folders and globs in order, each made only when called (a file's
    problems found while listing it come in their place): :func:`read_documents` makes them all,
    a rank of ``curation segment`` only its own. Inputs that cannot be expanded go to ``errors``;
    a ``.txt`` read as HTML is told in ``warnings`` when its page is made."""
    html, encoding = settings.html, settings.encoding
    for path in expand_inputs(inputs, errors):
        if _has_suffix(path, JSONL_SUFFIXES):
            yield from jsonl_pages(path, settings.text_field, settings.fields, encoding, html)
        elif _has_suffix(path, TEXT_SUFFIXES):
            yield partial(read_text_file, path, html, warnings, encoding)
        elif _has_suffix(path, HTML_SUFFIXES):
            yield partial(read_html_file, path, html)
        elif _has_suffix(path, WARC_SUFFIXES):
            yield from warc_pages(path, html)
        else:
            yield IngestError(str(path), "unsupported file type (expected .txt, .jsonl, .html or .warc, optionally .gz)")
