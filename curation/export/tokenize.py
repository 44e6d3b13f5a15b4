"""Arabic word tokens with offsets, and BIO tags that agree exactly with entity spans.

Arabic glues clitics to words (``وواشنطن`` is "and Washington"), so an annotator's entity often
starts or ends inside a whitespace token. Rather than stretching or shrinking the entity to token
edges, which would change what the annotator marked, the token is split at the boundary and the
split is counted so the dataset card can report it.

A unit imported with its corpus's own tokens (``Document.given_tokens``) keeps them: they are the
tokens, each exactly as the corpus gave it, and only an entity boundary inside one cuts it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import regex

from curation.units import EntitySpan

# A word is a run of grapheme clusters that start with a letter or digit (``regex``'s ``\w`` takes
# in every combining mark: Arabic tashkeel, Quranic marks, superscript alef, Latin accents, so a
# word never breaks at a diacritic); anything else is one token per grapheme cluster, so an emoji
# sequence (a skin tone, a ZWJ family, a flag) is never cut into code points.
TOKEN_PATTERN = regex.compile(r"(?:(?=\w)\X)+|(?=\S)\X")
OUTSIDE = "O"


@dataclass(frozen=True, slots=True)
class Token:
    """A token of a unit's text; ``start``/``end`` are code points into that text."""

    start: int
    end: int
    text: str


@dataclass(frozen=True, slots=True)
class Tagging:
    """Tokens and their BIO tags for one unit, with what the card reports about them."""

    tokens: tuple[Token, ...]
    tags: tuple[str, ...]
    boundary_splits: int
    overlapping: tuple[EntitySpan, ...]


GivenTokens = Sequence[tuple[int, int, str]]
"""A corpus's own tokens of a unit: (start, end, the token as given), offsets into the unit's text."""


def _base_tokens(text: str, given: GivenTokens | None) -> list[Token]:
    if given is not None:
        return [Token(start, end, token) for start, end, token in given]
    return [Token(m.start(), m.end(), m.group()) for m in TOKEN_PATTERN.finditer(text)]


def tokenize(text: str, boundaries: Iterable[int] = (), given: GivenTokens | None = None) -> list[Token]:
    """Word and punctuation tokens (or the ``given`` ones), each token additionally cut at every
    offset in ``boundaries`` that falls strictly inside it."""
    cuts = sorted(set(boundaries))
    base = _base_tokens(text, given)
    if not cuts:  # most sentences: no entity to cut at
        return base
    tokens: list[Token] = []
    for token in base:
        inside = _cuts_inside(cuts, token.start, token.end)
        if not inside:
            tokens.append(token)
            continue
        start = token.start
        for cut in inside:
            tokens.append(Token(start, cut, text[start:cut]))
            start = cut
        tokens.append(Token(start, token.end, text[start : token.end]))
    return tokens


def token_texts(text: str) -> list[str]:
    """The texts of :func:`tokenize`'s tokens when nothing cuts them (a sentence without gold
    entities): the same words, without building a token object each."""
    return TOKEN_PATTERN.findall(text)


def _cuts_inside(cuts: Sequence[int], start: int, end: int) -> Sequence[int]:
    """The sorted ``cuts`` strictly between ``start`` and ``end`` (a bisection: a sentence's
    tokens times its boundaries would be quadratic)."""
    return cuts[bisect_right(cuts, start) : bisect_right(cuts, end - 1)]


def count_boundary_splits(text: str, spans: Iterable[EntitySpan], given: GivenTokens | None = None) -> int:
    """How many entity boundaries fall inside a plain (or given) token (each such boundary is one split)."""
    offsets = sorted({offset for span in spans for offset in (span.start, span.end)})
    if not offsets:
        return 0
    return sum(len(_cuts_inside(offsets, token.start, token.end)) for token in _base_tokens(text, given))


def bio_tagging(text: str, spans: Sequence[EntitySpan], given: GivenTokens | None = None) -> Tagging:
    """Tokens (the ``given`` ones, else words and punctuation) cut at entity boundaries and tagged B-/I-/O.

    BIO cannot express overlapping or nested mentions: the earlier (then longer) span is tagged
    and the others are returned in ``overlapping`` so the caller can report them; they stay in the
    span list of the row, so nothing is lost.
    """
    kept, overlapping = _without_overlaps(spans)
    tokens = tokenize(text, (offset for span in kept for offset in (span.start, span.end)), given)
    tags = _bio_tags(tokens, kept)
    return Tagging(tuple(tokens), tuple(tags), count_boundary_splits(text, kept, given), tuple(overlapping))


def _without_overlaps(spans: Sequence[EntitySpan]) -> tuple[list[EntitySpan], list[EntitySpan]]:
    """The spans BIO can tag (in text order, the longer first where two start together) and the
    ones that overlap a span kept before them."""
    kept: list[EntitySpan] = []
    overlapping: list[EntitySpan] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end, s.label)):
        if kept and span.start < kept[-1].end:
            overlapping.append(span)
        else:
            kept.append(span)
    return kept, overlapping


def _bio_tags(tokens: Sequence[Token], kept: Sequence[EntitySpan]) -> list[str]:
    """One tag per token: B- on a span's first token, I- on the rest, O outside every span.
    ``kept`` is in text order without overlaps, and tokens are cut at its edges."""
    tags = [OUTSIDE] * len(tokens)
    position = 0
    for span in kept:
        while position < len(tokens) and tokens[position].end <= span.start:
            position += 1
        first = True
        while position < len(tokens) and tokens[position].start < span.end:
            tags[position] = f"{'B' if first else 'I'}-{span.label}"
            first = False
            position += 1
    return tags
