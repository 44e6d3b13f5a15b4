"""How a command shows the :class:`~curation.progress.Progress` the library reports to (not a
command module): on a terminal a live bar per stage with its count, total and ETA; in a log or a
pipe one line per stage as it ends; under ``--quiet`` or ``--json`` nothing.

The bar runs no refresh thread (rich's ``auto_refresh=False``; it is redrawn when told of
progress, at most ten times a second): a thread alive while datatrove forks its workers made them
spawn instead (10-40 s slower), and none may outlive the command.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from rich.console import Console

from curation.progress import SILENT, Progress

if TYPE_CHECKING:
    from rich.progress import Progress as RichProgress
    from rich.progress import TaskID

REDRAW_S = 0.1


class _Stage:
    """The stage under way: its name, total, unit, count and start."""

    def __init__(self, name: str, total: int | None, unit: str) -> None:
        self.name, self.total, self.unit = name, total, unit
        self.done = 0
        self.began = time.monotonic()

    def summary(self) -> str:
        """``name: done / total unit in s``; a stage that counts nothing says its time alone (a bare
        ``0`` read as "none found")."""
        took = f"in {time.monotonic() - self.began:.1f} s"
        if self.total is None and not self.done and not self.unit:
            return f"{self.name} {took}"
        counted = f"{self.done:,}" + (f" / {self.total:,}" if self.total is not None else "")
        return f"{self.name}: {counted} {self.unit} {took}".replace("  ", " ")


class LineProgress(Progress):
    """One line per stage, printed when it ends: for logs and pipes, where a redrawn bar is noise."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.stage: _Stage | None = None

    def start(self, stage: str, total: int | None = None, unit: str = "") -> None:
        self.finish()
        self.stage = _Stage(stage, total, unit)

    def advance(self, amount: int = 1) -> None:
        if self.stage is not None:
            self.stage.done += amount

    def update(self, done: int) -> None:
        if self.stage is not None:
            self.stage.done = done

    def finish(self) -> None:
        if self.stage is not None:
            self.console.print(self.stage.summary(), highlight=False)
            self.stage = None

    def drop(self) -> None:
        """End without the stage's summary: a command that failed says why, and that alone."""
        self.stage = None
        self.finish()


class LiveProgress(LineProgress):
    """A live bar for the stage under way (count, total, elapsed, ETA), and its summary line when it ends."""

    shows_totals = True

    def __init__(self, console: Console) -> None:
        super().__init__(console)
        self.bar: RichProgress | None = None
        self.task: TaskID | None = None
        self.drawn = 0.0

    def start(self, stage: str, total: int | None = None, unit: str = "") -> None:
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress

        super().start(stage, total, unit)
        self.bar = RichProgress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn(unit),
            TimeElapsedColumn(), TextColumn("eta"), TimeRemainingColumn(),
            console=self.console, transient=True, auto_refresh=False, redirect_stdout=False, redirect_stderr=False,
        )  # fmt: skip
        self.bar.start()
        self.task = self.bar.add_task(stage, total=total)
        self._draw(force=True)

    def advance(self, amount: int = 1) -> None:
        super().advance(amount)
        self._draw()

    def update(self, done: int) -> None:
        super().update(done)
        self._draw()

    def _draw(self, force: bool = False) -> None:
        if self.bar is None or self.task is None or self.stage is None:
            return
        if force or time.monotonic() - self.drawn >= REDRAW_S:
            self.bar.update(self.task, completed=self.stage.done)
            self.bar.refresh()
            self.drawn = time.monotonic()

    def finish(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = self.task = None
        super().finish()


@contextmanager
def shown_progress(console: Console) -> Iterator[Progress]:
    """The progress display for ``console`` (silent when it is quiet), finished however the block ends."""
    display: Progress = SILENT if console.quiet else LiveProgress(console) if console.is_terminal else LineProgress(console)
    try:
        yield display
    except BaseException:
        if isinstance(display, LineProgress):
            display.drop()
        raise
    finally:
        display.finish()
