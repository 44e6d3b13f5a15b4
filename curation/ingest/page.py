"""A page's text from its metadata and its body: title, byline and date lines, then the story.

A title, writer or date that a scraper (a JSONL field) or the page's own metadata (HTML) gives
is better than any guess from the body, but it must still be text that offsets point into, so
that a title is annotated like any sentence and ``doc.text[start:end] == unit.text`` holds. The
page is therefore written as the header lines, a blank line, then the body; where each header
line stands goes into the document's metadata (``meta["header"]``) and the segmenter takes those
lines as they are, never guessing them again. A body that already opens with its title (an
``<h1>`` kept by the extractor), spaced differently or glued to the first sentence, or written
with other quotes, punctuation or a tatweel on a line of its own, loses it, so the title is
written once. A value too long for a header line opens the body instead: nothing a
page gives is dropped. HTML entities (``&amp;``, ``&#8217;``) are decoded in every value.
"""

from __future__ import annotations

import html
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
_TITLE_STOPS = " .!?؟…:؛-–—|"
"""What may end a title written again in the body, before the first sentence glued to it."""


def one_line(value: object) -> str | None:
    """A metadata value as one canonical line (a number as written: a title may be ``1984``), HTML
    entities decoded, or None when it is not text."""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = "، ".join(v for v in value if v.strip())  # several authors
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    line = _SPACES.sub(" ", canonicalize(html.unescape(value))).strip()
    if not any(ch.isalnum() for ch in line):
        return None  # empty, or marks only ("\u200f", "-"): no title, writer or date
    return line


def _after_title(line: str, title: str) -> int | None:
    """Where ``line`` goes on after ``title`` when it opens with it, white space not counted (a
    title spaced differently, or glued to the first sentence); None when it does not."""
    wanted, at = "".join(title.split()), 0
    for index, ch in enumerate(line):
        if at == len(wanted):
            return index if ch.isspace() or not ch.isalnum() else None  # the title ends at a word's end
        if ch.isspace():
            continue
        if ch != wanted[at]:
            return None
        at += 1
    return len(line) if at == len(wanted) else None


def _letters(text: str) -> list[str]:
    """The letters and digits of a text, tatweel aside: what a title written twice keeps."""
    return [ch for ch in text if ch.isalnum() and ch != "ـ"]


def compose_page(body: str, header: dict[HeaderKind, str]) -> tuple[str, dict[str, list[int]]]:
    """``(text, spans)``: the header lines, a blank line, the body (without its first line when
    that line is the title); ``spans`` maps each header kind to ``[start, end]`` in ``text``."""
    given = [(kind, header[kind]) for kind in HEADER_ORDER if header.get(kind)]
    lines = [(kind, value) for kind, value in given if len(value) <= MAX_HEADER_CHARS]
    body = "".join(f"{value}\n" for _, value in given if len(value) > MAX_HEADER_CHARS) + body
    if not lines:
        return body, {}
    if header.get("title") and len(header["title"]) <= MAX_HEADER_CHARS:
        first_line, _, rest = body.lstrip().partition("\n")
        cut = _after_title(first_line, header["title"])
        if cut is None and _letters(first_line) == _letters(header["title"]):
            cut = len(first_line)  # the title with a tatweel, other quotes or a stop: the whole line
        if cut is not None and (rest.strip() or first_line[cut:].strip()):
            glued = first_line[cut:].lstrip(_TITLE_STOPS).strip()  # a sentence glued to the title, or only its stop
            body = glued + "\n" + rest if any(map(str.isalnum, glued)) else rest  # written once
    spans: dict[str, list[int]] = {}
    position = 0
    for kind, value in lines:
        spans[kind] = [position, position + len(value)]
        position += len(value) + 1
    return "".join(f"{value}\n" for _, value in lines) + "\n" + body.lstrip("\n"), spans
