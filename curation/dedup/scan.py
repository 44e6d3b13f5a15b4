"""Everything ``curation dedup`` finds in a units file, in two reads of it and bounded memory.

The first read feeds the dedup stages (each article's dedup text, see :func:`dedup_items`) and the
repeated-passage index at once; the second, once the clusters are known, reads the labels of their
members only. What grows with the corpus stays on disk under the scan's temporary folder.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from curation.dedup.labels import LabelConflict, label_conflicts, meta_labels
from curation.dedup.passages import PassageIndex, RepeatedPassage
from curation.dedup.stages import DedupResult, find_duplicates
from curation.settings import DedupSettings
from curation.units import Article, Document, Unit


def dedup_items(units: Iterable[Unit]) -> Iterator[tuple[str, str]]:
    """``(unit id, dedup text)`` at article level, streaming; a document without article units
    (a file of documents only) is compared whole. Units come in file order: a document, then its
    articles and sentences."""
    pending: Document | None = None
    for unit in units:
        if isinstance(unit, Document):
            if pending is not None:
                yield pending.id, pending.dedup_text
            pending = unit
        elif isinstance(unit, Article):
            if pending is not None and pending.id == unit.doc_id:
                pending = None
            yield unit.id, unit.dedup_text
    if pending is not None:
        yield pending.id, pending.dedup_text


@dataclass(frozen=True, slots=True)
class Scan:
    """What :func:`scan_units` found; ``repeated`` streams from disk and is read once."""

    found: DedupResult
    compared: int
    conflicts: list[LabelConflict]
    repeated: Iterator[RepeatedPassage]


@contextmanager
def scan_units(read: Callable[[str], Iterable[Unit]], settings: DedupSettings, label_field: str = "topic") -> Iterator[Scan]:
    """Duplicates, containment, repeated passages and label conflicts of the units ``read(phase)``
    gives (called twice, with the phase's name, for a fresh read each time)."""
    with tempfile.TemporaryDirectory(prefix="curation-dedup-") as folder:
        passages = PassageIndex(Path(folder) / "passages.sqlite")
        compared = 0

        def indexed(units: Iterable[Unit]) -> Iterator[Unit]:
            for unit in units:
                passages.add(unit)
                yield unit

        def items() -> Iterator[tuple[str, str]]:
            nonlocal compared
            for item in dedup_items(indexed(read("duplicates and passages"))):
                compared += 1
                yield item

        try:
            found = find_duplicates(items(), settings, Path(folder) / "stages")
            members = {member for cluster in found.clusters for member in cluster.member_ids}
            conflicts = label_conflicts(found.clusters, meta_labels(read("labels"), label_field, members))
            yield Scan(found, compared, conflicts, passages.repeated())
        finally:
            passages.close()
