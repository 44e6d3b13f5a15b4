"""Console, progress and error helpers shared by the CLI modules (not itself a command module)."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

# Output for humans goes to stderr so that stdout stays clean for data (e.g. `-o -`).
console = Console(stderr=True)


def progress(transient: bool = False) -> Progress:
    """A progress display that shows a bar when the total is known and a live count otherwise."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=transient,
    )
