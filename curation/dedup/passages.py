"""Repeated passages: page lines, sentences and captions whose normalised text occurs again.

One pass over the units puts every passage's key (blake2b of its normalised text) and place into a
SQLite file on disk, each page's text once; SQLite then groups the keys and sorts the groups on
disk with a page cache of a few MB. So memory holds one page's passages, never the corpus's, and a
one-pass stream of units (a units file read once) is enough; ranks of a run each fill their own
index and one merges them. A stretch of a page seen as a line, a sentence and a caption counts
once, as what was seen first (the page's line); units come grouped by document, as a units file
holds them.
"""

from __future__ import annotations

import errno
import hashlib
import re
import sqlite3
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from curation.dedup.shingles import WORD
from curation.normalize import DEFAULT_OPTIONS, NormalizeOptions, normalize_text
from curation.units import Article, Document, Sentence, Unit

_LINE = re.compile(r"[^\s](?:[^\n]*[^\s])?")  # a line without its surrounding whitespace
_BATCH = 10_000
_SCHEMA = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
PRAGMA cache_size = -8000;
PRAGMA temp_store = FILE;
CREATE TABLE documents (number INTEGER PRIMARY KEY, id TEXT NOT NULL, text BLOB);
CREATE TABLE passages (key INTEGER NOT NULL, ordinal INTEGER NOT NULL, document INTEGER NOT NULL, unit TEXT NOT NULL,
                       start INTEGER NOT NULL, end INTEGER NOT NULL, kind TEXT NOT NULL, text BLOB);
"""


def _blob(text: str) -> bytes:
    """Texts are kept as bytes: any Python string goes in (a lone surrogate, a NUL) and comes
    back as it was, and nothing SQLite does depends on them."""
    return text.encode("utf-8", "surrogatepass")


def _text(blob: bytes) -> str:
    return blob.decode("utf-8", "surrogatepass")


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


def _passages(unit: Unit) -> Iterator[tuple[str, int, int, Literal["line", "sentence", "caption"]]]:
    """``(text, start, end, kind)``: lines of a page (where a caption printed twice shows up),
    a sentence, an article's captions."""
    if isinstance(unit, Document):
        for line in _LINE.finditer(unit.text):
            yield line.group(), line.start(), line.end(), "line"
    elif isinstance(unit, Sentence):
        yield unit.text, unit.start, unit.end, "sentence"
    elif isinstance(unit, Article):
        for caption in unit.captions:
            yield caption.text, caption.start, caption.end, "caption"


def document_groups(units: Iterable[Unit]) -> Iterator[list[Unit]]:
    """Units a page at a time: each run of units of one document (its document unit first, when
    there is one), as a units file holds them."""
    group: list[Unit] = []
    current: str | None = None
    for unit in units:
        doc_id = unit.id if isinstance(unit, Document) else unit.doc_id
        if group and (isinstance(unit, Document) or doc_id != current):
            yield group
            group = []
        group.append(unit)
        current = doc_id
    if group:
        yield group


@contextmanager
def _named(path: Path) -> Iterator[None]:
    """SQLite's "database or disk is full" and "unable to open database file" name no file: the
    index's is named, so a full disk is one line saying where."""
    try:
        yield
    except sqlite3.OperationalError as exc:
        raise OSError(errno.EIO, str(exc), str(path)) from None


class PassageIndex:
    """The passages of pages added one by one, kept in a SQLite file at ``path`` (created; the
    caller owns its folder) until :meth:`repeated` groups them. Indexes of disjoint sets of pages
    (the ranks of a run) are put together with :meth:`merge`."""

    def __init__(self, path: Path, *, min_words: int = 3, options: NormalizeOptions = DEFAULT_OPTIONS) -> None:
        self.min_words, self.options, self.path = min_words, options, path
        with _named(path):
            self.db = sqlite3.connect(path)
            self.db.executescript(_SCHEMA)
        self.batch: list[tuple[int, int, int, str, int, int, str, bytes | None]] = []

    def add_document(self, number: int, units: Sequence[Unit]) -> None:
        """Every passage with enough words of one page's units; ``number`` (the page's place in
        the input) orders first occurrences, so it must be unique."""
        first = units[0]
        document = first if isinstance(first, Document) else None
        doc_id = first.id if isinstance(first, Document) else first.doc_id
        self.db.execute("INSERT INTO documents VALUES (?, ?, ?)", (number, doc_id, _blob(document.text) if document else None))
        seen: set[tuple[int, int]] = set()
        for unit in units:
            for text, start, end, kind in _passages(unit):
                if (start, end) in seen:
                    continue
                normalised = normalize_text(text, self.options)
                if len(WORD.findall(normalised)) < self.min_words:
                    continue
                seen.add((start, end))
                key = int.from_bytes(hashlib.blake2b(_blob(normalised), digest_size=8).digest(), "little", signed=True)
                ordinal = (number << 24) | len(seen)
                self.batch.append((key, ordinal, number, unit.id, start, end, kind, None if document else _blob(text)))
        if len(self.batch) >= _BATCH:
            self._flush()

    def _flush(self) -> None:
        with _named(self.path):
            self.db.executemany("INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?, ?)", self.batch)
            self.db.commit()
        self.batch = []

    def merge(self, other: Path) -> None:
        """Add the pages of another index file (pages numbered apart from this one's)."""
        self._flush()
        with _named(self.path):
            self.db.execute("ATTACH DATABASE ? AS other", (str(other),))
            self.db.execute("INSERT INTO documents SELECT * FROM other.documents")
            self.db.execute("INSERT INTO passages SELECT * FROM other.passages")
            self.db.commit()
            self.db.execute("DETACH DATABASE other")

    def repeated(self, min_occurrences: int = 2) -> Iterator[RepeatedPassage]:
        """Passages found ``min_occurrences`` times or more, most frequent first, then in most
        documents, then in the order they first occur."""
        self._flush()
        with _named(self.path):
            self.db.execute("CREATE INDEX passages_by_key ON passages (key, ordinal)")
        groups = self.db.execute(
            "SELECT key, count(*) AS n, count(DISTINCT document) AS documents, min(ordinal) AS first "
            "FROM passages GROUP BY key HAVING n >= ? ORDER BY n DESC, documents DESC, first",
            (min_occurrences,),
        )
        for key, *_ in groups:
            rows = self.db.execute(
                "SELECT p.unit, d.id, p.start, p.end, p.kind, p.document, p.text FROM passages AS p "
                "JOIN documents AS d ON d.number = p.document WHERE p.key = ? ORDER BY p.ordinal",
                (key,),
            ).fetchall()
            _, _, start, end, _, document, own = rows[0]
            if own is None:  # a stretch of its page: the page's text holds it
                page = self.db.execute("SELECT text FROM documents WHERE number = ?", (document,)).fetchone()[0]
                text = _text(page)[start:end]
            else:
                text = _text(own)
            yield RepeatedPassage(text, tuple(Occurrence(*row[:5]) for row in rows))

    def close(self) -> None:
        self._flush()
        self.db.close()


def iter_repeated_passages(
    units: Iterable[Unit],
    *,
    min_occurrences: int = 2,
    min_words: int = 3,
    options: NormalizeOptions = DEFAULT_OPTIONS,
) -> Iterator[RepeatedPassage]:
    """Page lines, sentences and captions whose normalised text occurs ``min_occurrences`` times
    or more (within a page or across pages), most frequent first, read from a temporary SQLite
    file as they are consumed."""
    with tempfile.TemporaryDirectory(prefix="curation-passages-") as folder:
        index = PassageIndex(Path(folder) / "passages.sqlite", min_words=min_words, options=options)
        try:
            for number, group in enumerate(document_groups(units)):
                index.add_document(number, group)
            yield from index.repeated(min_occurrences)
        finally:
            index.close()


def find_repeated_passages(
    units: Iterable[Unit],
    *,
    min_occurrences: int = 2,
    min_words: int = 3,
    options: NormalizeOptions = DEFAULT_OPTIONS,
) -> list[RepeatedPassage]:
    """:func:`iter_repeated_passages` as a list."""
    return list(iter_repeated_passages(units, min_occurrences=min_occurrences, min_words=min_words, options=options))
