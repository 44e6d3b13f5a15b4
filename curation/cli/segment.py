"""`curation segment`: pages in, units out, through the pipeline steps on a datatrove executor."""

from __future__ import annotations

import sys
from typing import Any

import click
from rich.table import Table

from curation.cli._common import console, one_line, print_errors, refuse_output_over_input, untrusted
from curation.cli._executors import executor_options, pop_executor_args
from curation.fileio import DecodeProblem, check_encoding
from curation.pipeline.options import PipelineFailed


@click.command("segment")
@click.argument("inputs", nargs=-1)
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="Units file to write (.jsonl, or compact .jsonl.gz).")
@click.option("--text-field", help="Field holding the page text in JSONL inputs (default: the recipe's, or 'text').")
@click.option("--encoding", help="Encoding of .txt and .jsonl pages that are not UTF-8 (e.g. cp1256, utf-16; default: the recipe's, or UTF-8).")
@click.option("--recipe", type=click.Path(exists=True, dir_okay=False), help="Cut units with this build recipe's settings (and its inputs when none are given), so ids match what `curation build` exports.")
@executor_options
def segment_command(
    inputs: tuple[str, ...], output: str, text_field: str | None, encoding: str | None, recipe: str | None, **executor: Any
) -> None:
    """Split pages (.txt files, .jsonl[.gz] records, folders, globs) into document, article and
    sentence units with exact character offsets; the settings used are written beside the output."""
    from curation.export.recipe import RecipeError, load_recipe
    from curation.pipeline.run import run_segment
    from curation.settings import Settings

    options = pop_executor_args(executor)
    settings = Settings()
    if recipe:
        try:
            loaded = load_recipe(recipe)
            settings = loaded.settings
        except (RecipeError, ValueError) as exc:
            raise click.ClickException(one_line(str(exc))) from None
        inputs = inputs or tuple(str(loaded.resolve(entry)) for entry in loaded.inputs)
        text_field = text_field or loaded.text_field
        encoding = encoding or loaded.encoding
    if not inputs:
        raise click.UsageError("give INPUTS (files, folders, globs) or a --recipe naming them")
    refuse_output_over_input([output], inputs)
    if encoding:
        try:
            encoding = check_encoding(encoding)
        except DecodeProblem as exc:
            raise click.BadParameter(str(exc), param_hint="--encoding") from None
    # no live display while workers fork: a forked child must not inherit a console thread's lock
    console.print(f"segmenting in {options.ranks} task(s) on the {options.executor} executor", highlight=False)
    try:
        run = run_segment(inputs, output, settings, options, text_field or "text", encoding)
    except PipelineFailed as exc:
        raise click.ClickException(one_line(str(exc))) from None
    if run.submitted:
        console.print(f"submitted to Slurm: {untrusted(output)} is written when the merge job ends (logs in {untrusted(str(run.work_dir))})")
        return
    table = Table(title=f"segmented into {untrusted(output)}")
    table.add_column("units")
    table.add_column("count", justify="right")
    for name in ("documents", "articles (main)", "articles (teaser)", "sentences"):
        table.add_row(name, f"{run.counts.get(name, 0):,}")
    table.add_row("failed inputs", f"{len(run.errors):,}", style="red" if run.errors else None)
    console.print(table)
    print_errors(run.errors)
    if run.errors:
        sys.exit(1)
