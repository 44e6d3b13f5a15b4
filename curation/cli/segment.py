"""`curation segment`: pages in, units out (``Project.segment``)."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from curation.cli._common import console, open_project, print_errors, show_tidied, untrusted
from curation.cli._executors import executor_options, pop_executor_args
from curation.cli._ingest import ingest_options, pop_ingest_args
from curation.cli._progress import shown_progress
from curation.results import SegmentResult


@click.command("segment")
@click.argument("inputs", nargs=-1)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Units file to write (.jsonl, or compact .jsonl.gz) [default: the recipe's units:, else the workspace's data/units.jsonl].")
@click.option("--recipe", type=click.Path(exists=True, dir_okay=False), help="Cut units with this build recipe's settings (and its inputs when none are given), so ids match what `curation build` exports [default: the workspace's recipe].")
@ingest_options
@executor_options
def segment_command(inputs: tuple[str, ...], output: str | None, recipe: str | None, **options: Any) -> SegmentResult:
    """Split pages (.txt, .jsonl[.gz], .html, .warc files, folders, globs; default: the workspace's
    inputs) into document, article and sentence units with exact character offsets; the settings
    used are written beside the output, so `curation build` can check its units were cut as it would."""
    ingest, executor = pop_ingest_args(options), pop_executor_args(options)
    with shown_progress(console) as shown:  # redrawn by this thread: no display thread while workers fork
        result = open_project().segment(inputs, output=output, recipe=recipe, ingest=ingest, executor=executor, progress=shown)
    show(result)
    return result


def show(result: SegmentResult) -> None:
    if result.submitted:
        console.print(f"submitted to Slurm: {untrusted(str(result.output))} is written when the merge job ends "
                      f"(logs in {untrusted(str(result.run.work_dir))})")  # fmt: skip
        return
    show_tidied(result.run.tidied)
    where = "in this process" if result.run.in_process else "on the executor's workers"
    table = Table(title=f"segmented {where} into {untrusted(str(result.output))}")
    table.add_column("units")
    table.add_column("count", justify="right")
    for name in ("documents", "articles (main)", "articles (teaser)", "sentences"):
        table.add_row(name, f"{result.run.counts.get(name, 0):,}")
    table.add_row("failed inputs", f"{len(result.problems):,}", style="red" if result.problems else None)
    console.print(table)
    from curation.pipeline.steps import SET_ASIDE  # here: its module loads datatrove, which `--help` must not

    set_aside = ", ".join(f"{result.run.counts.get(name, 0):,} {name}" for name in SET_ASIDE)
    console.print(f"set aside from what annotators read, kept as article metadata: {set_aside}")
    for warning in result.warnings:
        console.print(f"[yellow]warning[/yellow] {untrusted(warning)}", highlight=False, soft_wrap=True)
    print_errors(result.problems)
