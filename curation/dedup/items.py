"""What dedup compares of a units file: each article's dedup text (a page without articles whole)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from curation.units import Article, ComparedText, Document, Unit

DEDUP_LEVELS = ("document", "article")
"""The units :func:`dedup_items` reads: a reader can leave sentences undecoded."""


def dedup_items(units: Iterable[Unit], compare: ComparedText = "body") -> Iterator[tuple[str, str]]:
    """``(unit id, dedup text)`` at article level, streaming, the text chosen by ``compare``
    (``DedupSettings.compare``: see :meth:`curation.units.Article.dedup_text`); a document without
    article units (a file of documents only) is compared whole. Units come in file order: a
    document, then its articles and sentences."""
    pending: Document | None = None
    for unit in units:
        if isinstance(unit, Document):
            if pending is not None:
                yield pending.id, pending.dedup_text(compare)
            pending = unit
        elif isinstance(unit, Article):
            if pending is not None and pending.id == unit.doc_id:
                pending = None
            yield unit.id, unit.dedup_text(compare)
    if pending is not None:
        yield pending.id, pending.dedup_text(compare)
