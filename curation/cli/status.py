"""`curation status` (``Project.overview``): what to act on first and where the queues stand, in the terminal."""

from __future__ import annotations

import click
from rich.table import Table

from curation.charts import shown_seconds
from curation.cli._common import console, open_project, print_errors, untrusted
from curation.results import OverviewResult


@click.command("status")
@click.option("--fresh", is_flag=True, help="Compute again even when no input changed since the last answer.")
def status_command(fresh: bool) -> OverviewResult:
    """What to act on first and the progress per level and annotator (the report's first sections),
    in under a second when no input changed since it was last asked (kept in data/status.json)."""
    result = open_project().overview(fresh=fresh)
    show(result)
    return result


def show(result: OverviewResult) -> None:
    for item in result.actions:
        console.print(f"[yellow]to do[/yellow] {untrusted(item)}", highlight=False, soft_wrap=True)
    if result.progress:
        table = Table(title="progress")
        for name in ("level", "queue", "done", "skipped", "left", "a day", "finish"):
            table.add_column(name, justify="left" if name == "level" else "right")
        for row in result.progress:
            table.add_row(row["level"], f"{row['queue']:,}", f"{row['done']:,}", f"{row['skipped']:,}", f"{row['left']:,}",
                          f"{row['pace_per_day']:,}", "done" if not row["left"] else row["finish"] or "–")  # fmt: skip
        console.print(table)
    if result.annotators:
        table = Table(title="per annotator")
        table.add_column("annotator")
        levels = sorted({level for row in result.annotators for level in row["done"]})
        for name in (*(f"{level} done" for level in levels), "skipped", "s a task", "last day"):
            table.add_column(name, justify="right")
        for row in result.annotators:
            seconds = row["seconds_per_task"]
            table.add_row(untrusted(row["annotator"]), *(f"{row['done'].get(level, 0):,}" for level in levels),
                          f"{row['skipped']:,}", "–" if seconds is None else shown_seconds(seconds), row["last_day"] or "–")  # fmt: skip
        console.print(table)
    print_errors(result.problems)
