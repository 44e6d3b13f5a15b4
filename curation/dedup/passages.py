"""Repeated passages: page lines, sentences and captions whose normalised text occurs again.

Two passes over the units, so memory holds one 8-byte key per passage, not the passages: the
first counts keys (blake2b of the normalised text), the second keeps the occurrences of the keys
seen twice or more. The units must therefore be re-iterable (a list, or a units file reader).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from curation.dedup.shingles import WORD
from curation.normalize import DEFAULT_OPTIONS, NormalizeOptions, normalize_text
from curation.units import Article, Document, Sentence, Unit

_LINE = re.compile(r"[^\s](?:[^\n]*[^\s])?")  # a line without its surrounding whitespace
_CHUNK = 65_536


@dataclass(frozen=True, slots=True)
class Occurrence:
    """Where a passage occurs: the unit holding it and its document offsets."""

    unit_id: str
    doc_id: str
    start: int
    end: int
    kind: Literal["line", "sentence", "caption"]


@dataclass(frozen=True, slots=True)
class RepeatedPassage:
    """A line, sentence or caption whose normalised text occurs more than once."""

    text: str
    occurrences: tuple[Occurrence, ...]

    @property
    def documents(self) -> int:
        return len({o.doc_id for o in self.occurrences})

    def to_record(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "count": len(self.occurrences),
            "documents": self.documents,
            "occurrences": [
                {"unit_id": o.unit_id, "doc_id": o.doc_id, "start": o.start, "end": o.end, "kind": o.kind}
                for o in self.occurrences
            ],
        }


def _passages(units: Iterable[Unit]) -> Iterator[tuple[str, Occurrence]]:
    """Lines of pages (where a caption printed twice shows up), sentences and captions."""
    for unit in units:
        if isinstance(unit, Document):
            for line in _LINE.finditer(unit.text):
                yield line.group(), Occurrence(unit.id, unit.id, line.start(), line.end(), "line")
        elif isinstance(unit, Sentence):
            yield unit.text, Occurrence(unit.id, unit.doc_id, unit.start, unit.end, "sentence")
        elif isinstance(unit, Article):
            for caption in unit.captions:
                yield caption.text, Occurrence(unit.id, unit.doc_id, caption.start, caption.end, "caption")


def _keyed(units: Iterable[Unit], min_words: int, options: NormalizeOptions) -> Iterator[tuple[bytes, str, Occurrence]]:
    for text, occurrence in _passages(units):
        normalised = normalize_text(text, options)
        if len(WORD.findall(normalised)) >= min_words:
            yield hashlib.blake2b(normalised.encode("utf-8"), digest_size=8).digest(), text, occurrence


def _repeated_keys(units: Iterable[Unit], min_occurrences: int, min_words: int, options: NormalizeOptions) -> set[bytes]:
    chunks, chunk = [], []
    for key, _, occurrence in _keyed(units, min_words, options):
        chunk.append(key)
        if len(chunk) == _CHUNK:
            chunks.append(np.frombuffer(b"".join(chunk), dtype=np.uint64))
            chunk = []
    chunks.append(np.frombuffer(b"".join(chunk), dtype=np.uint64))
    keys, counts = np.unique(np.concatenate(chunks), return_counts=True)
    # counted per occurrence, so the second pass still drops a stretch seen as line and sentence alike
    return {int(k).to_bytes(8, "little") for k in keys[counts >= min(2, min_occurrences)]}


def find_repeated_passages(
    units: Iterable[Unit],
    *,
    min_occurrences: int = 2,
    min_words: int = 3,
    options: NormalizeOptions = DEFAULT_OPTIONS,
) -> list[RepeatedPassage]:
    """Page lines, sentences and captions whose normalised text occurs ``min_occurrences`` times
    or more (within a page or across pages), most frequent first. One stretch of a page seen as a
    line, a sentence and a caption counts once. ``units`` is read twice."""
    if iter(units) is units:
        raise TypeError("find_repeated_passages reads the units twice: pass a list or a units file reader")
    wanted = _repeated_keys(units, min_occurrences, min_words, options)
    groups: dict[bytes, dict[tuple[str, int, int], Occurrence]] = defaultdict(dict)
    first_text: dict[bytes, str] = {}
    for key, text, occurrence in _keyed(units, min_words, options):
        if key in wanted:
            first_text.setdefault(key, text)
            groups[key].setdefault((occurrence.doc_id, occurrence.start, occurrence.end), occurrence)
    repeated = [
        RepeatedPassage(first_text[key], tuple(found.values()))
        for key, found in groups.items()
        if len(found) >= min_occurrences
    ]
    return sorted(repeated, key=lambda p: (-len(p.occurrences), -p.documents))
