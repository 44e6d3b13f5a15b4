"""What a long command tells whoever watches it: its stages, each with a total when one is known,
and how far each has come. The library reports to a :class:`Progress`; it never prints. The CLI
renders one (a live bar with an ETA on a terminal, a line per stage otherwise, nothing under
``--quiet``: :mod:`curation.cli._progress`); the base class is silent, the default everywhere.

Work done on datatrove's workers (other processes, other machines on Ray) is counted through
files: each rank's step keeps its count in ``<folder>/rank-NNNNN.count`` (:class:`RankTally`), and
whoever waits for the run sums them (:func:`tallied`) while it polls. So the count is the same
whatever the executor and start method, and no thread or shared memory has to cross a fork.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from curation.fileio import atomic_writer

T = TypeVar("T")

TALLY_EVERY_S = 0.5  # how often a rank writes its count: often enough for a live bar, rare enough to cost nothing


class Progress:
    """Told of each stage (``start``), of work done (``advance`` by an amount, or ``update`` to a
    count read elsewhere), and of the end (``finish``). This class hears and does nothing."""

    shows_totals = False
    """Whether a stage's total changes what is shown (a bar, an ETA): when not, the library does not
    count one that costs work (the pages of a units file, a whole read of it)."""

    def start(self, stage: str, total: int | None = None, unit: str = "") -> None:
        """A new stage begins (the previous one, if any, is over); ``total`` in ``unit`` when known."""

    def advance(self, amount: int = 1) -> None:
        """``amount`` more of the current stage is done."""

    def update(self, done: int) -> None:
        """``done`` of the current stage is done in all (a count gathered from the workers)."""

    def finish(self) -> None:
        """The last stage is over."""


SILENT = Progress()


def counted(items: Iterable[T], progress: Progress) -> Iterator[T]:
    """``items`` as they come, each told to ``progress`` once it has been handled (``advance``)."""
    for item in items:
        yield item
        progress.advance()


def tally_path(folder: str | Path, rank: int) -> Path:
    return Path(folder) / f"rank-{rank:05d}.count"


class RankTally:
    """A rank's running count, written to its file at most every :data:`TALLY_EVERY_S` seconds
    and once more when :meth:`close` d, for :func:`tallied` to sum in the waiting process."""

    def __init__(self, folder: str | Path, rank: int) -> None:
        self.path = tally_path(folder, rank)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.count = 0
        self.written = 0.0

    def add(self, amount: int = 1) -> None:
        self.count += amount
        if time.monotonic() - self.written >= TALLY_EVERY_S:
            self._write()

    def close(self) -> None:
        self._write()

    def _write(self) -> None:
        with atomic_writer(self.path) as handle:  # a reader sees the old count or the new one, never half a number
            handle.write(str(self.count))
        self.written = time.monotonic()


def tallied(folder: str | Path) -> int:
    """The sum of every rank's count in ``folder`` (0 before any rank wrote)."""
    total = 0
    for path in Path(folder).glob("rank-*.count"):
        try:
            total += int(path.read_text(encoding="ascii") or 0)
        except (OSError, ValueError):
            continue  # a rank's file replaced while read: its count is there at the next poll
    return total
