"""A page's text from its metadata and its body: title, byline and date lines, then the story.

A title, writer or date that a scraper (a JSONL field) or the page's own metadata (HTML) gives
is better than any guess from the body, but it must still be text that offsets point into, so
that a title is annotated like any sentence and ``doc.text[start:end] == unit.text`` holds. The
page is therefore written as the header lines, a blank line, then the body; where each header
line stands goes into the document's metadata (``meta["header"]``) and the segmenter takes those
lines as they are, never guessing them again. A body that already opens with its title (an
``<h1>`` kept by the extractor) loses that first line, so the title is written once.
"""

from __future__ import annotations

import re
from typing import Literal

from curation.ingest.base import canonicalize

HeaderKind = Literal["title", "byline", "dateline"]
HEADER_ORDER: tuple[HeaderKind, ...] = ("title", "byline", "dateline")
HEADER_KEY = "header"
"""The ``Document.meta`` key holding ``{kind: [start, end]}`` for each header line."""
MAX_HEADER_CHARS = 500
"""A metadata value longer than this is no title, byline or date (a scraper put a body there)."""

_SPACES = re.compile(r"\s+")


def one_line(value: object) -> str | None:
    """A metadata value as one canonical line, or None when it is not usable text."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = "، ".join(v for v in value if v.strip())  # several authors
    if not isinstance(value, str):
        return None
    line = _SPACES.sub(" ", canonicalize(value)).strip()
    if not any(ch.isalnum() for ch in line):
        return None  # empty, or marks only ("\u200f", "-"): no title, writer or date
    return line if len(line) <= MAX_HEADER_CHARS else None


def compose_page(body: str, header: dict[HeaderKind, str]) -> tuple[str, dict[str, list[int]]]:
    """``(text, spans)``: the header lines, a blank line, the body (without its first line when
    that line is the title); ``spans`` maps each header kind to ``[start, end]`` in ``text``."""
    lines = [(kind, header[kind]) for kind in HEADER_ORDER if header.get(kind)]
    if not lines:
        return body, {}
    if header.get("title"):
        stripped = body.lstrip()
        first_line, _, rest = stripped.partition("\n")
        if first_line.strip() == header["title"] and rest.strip():
            body = rest  # the extractor kept the <h1>: the title is written once, at the top
    spans: dict[str, list[int]] = {}
    position = 0
    for kind, value in lines:
        spans[kind] = [position, position + len(value)]
        position += len(value) + 1
    return "".join(f"{value}\n" for _, value in lines) + "\n" + body.lstrip("\n"), spans
