"""Tokens -> exact code-point offsets, in a text given with them or one rebuilt from them.

A corpus's tokens are kept twice, each where it holds: exactly as given (``ImportedItem.tokens``,
what the export's ``tokens`` column gives back, WikiFANE's leading U+200E included), and in the
text annotators read, NFC-composed with bidi marks (LRM, RLM, ALM, embeddings, isolates) removed
and joined by single spaces: the marks are invisible, yet one glued to a token would end up inside
an entity span. ``token_offsets`` says where each given token stands in that text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

BIDI_MARKS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"
_BIDI = re.compile(f"[{BIDI_MARKS}]")
_SKIPPABLE = frozenset(BIDI_MARKS)


def clean_token(raw: str) -> str:
    """A token as it goes into the text: bidi marks dropped, NFC."""
    return unicodedata.normalize("NFC", _BIDI.sub("", raw))


def has_bidi_marks(raw: str) -> bool:
    return _BIDI.search(raw) is not None


def rebuild(tokens: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """The tokens joined by single spaces, and each token's ``[start, end)``."""
    offsets: list[tuple[int, int]] = []
    position = 0
    for token in tokens:
        offsets.append((position, position + len(token)))
        position += len(token) + 1
    return " ".join(tokens), offsets


def align(text: str, tokens: Sequence[str]) -> list[tuple[int, int]] | int:
    """Each token's ``[start, end)`` in ``text``, found in order with only whitespace and bidi
    marks between them; or the index of the first token that is not where it should be."""
    offsets: list[tuple[int, int]] = []
    position = 0
    for index, token in enumerate(tokens):
        while position < len(text) and (text[position].isspace() or text[position] in _SKIPPABLE):
            position += 1
        if not text.startswith(token, position):
            return index
        offsets.append((position, position + len(token)))
        position += len(token)
    return offsets
