"""`curation segment`: pages in, units out, through the pipeline steps on a datatrove executor."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.table import Table

from curation.cli._common import (
    console, one_line, print_errors, refuse_output_over_input, summarize, untrusted, workspace,
)  # fmt: skip
from curation.cli._executors import executor_options, pop_executor_args
from curation.cli._ingest import ingest_options, ingest_with, pop_ingest_args
from curation.pipeline.options import PipelineFailed

if TYPE_CHECKING:
    from curation.settings import Settings


def _recipe_settings(path: str | Path) -> tuple[Settings, tuple[str, ...], Path | None]:
    """A recipe's settings, inputs (resolved) and units file (resolved; None when it names none)."""
    from curation.export.recipe import RecipeError, load_recipe

    try:
        loaded = load_recipe(path)
        settings = loaded.settings
    except (RecipeError, ValueError) as exc:
        raise click.ClickException(one_line(str(exc))) from None
    units = loaded.resolve(loaded.units) if loaded.units else None
    return settings, tuple(str(loaded.resolve(entry)) for entry in loaded.inputs), units


def _plan(inputs: tuple[str, ...], output: str | None, recipe: str | None) -> tuple[tuple[str, ...], str, Settings]:
    """Inputs, output and settings: as given; else the recipe's (its inputs, its ``units:`` file);
    else, with neither INPUTS nor --recipe, the workspace's inputs, units file and recipe settings."""
    from curation.settings import Settings

    settings, units = Settings(), None
    if recipe:
        settings, recipe_inputs, units = _recipe_settings(recipe)
        inputs = inputs or recipe_inputs
    elif not inputs:
        found = workspace()
        if found is None:
            raise click.UsageError("give INPUTS (files, folders, globs), a --recipe naming them, or run inside a workspace (`curation init`)")
        if not found.inputs:
            raise click.UsageError(f"{found.file}: the workspace names no inputs; give INPUTS or add 'inputs:' to it")
        if found.recipe is not None:
            settings = _recipe_settings(found.recipe)[0]
        inputs, units = found.input_paths(), found.units_file
    output = output or (str(units) if units else None)
    if output is None:
        raise click.UsageError("give -o/--output (a units file), or a recipe naming one under 'units:'")
    return inputs, output, settings


@click.command("segment")
@click.argument("inputs", nargs=-1)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Units file to write (.jsonl, or compact .jsonl.gz) [default: the recipe's units:, else the workspace's data/units.jsonl when INPUTS come from it].")
@click.option("--recipe", type=click.Path(exists=True, dir_okay=False), help="Cut units with this build recipe's settings (and its inputs when none are given), so ids match what `curation build` exports.")
@ingest_options
@executor_options
def segment_command(inputs: tuple[str, ...], output: str | None, recipe: str | None, **options: Any) -> None:
    """Split pages (.txt, .jsonl[.gz], .html, .warc files, folders, globs; default: the workspace's
    inputs) into document, article and sentence units with exact character offsets; the settings
    used are written beside the output, so `curation build` can check its units were cut as it would."""
    from curation.pipeline.run import run_segment

    given, executor = pop_ingest_args(options), pop_executor_args(options)
    inputs, output, settings = _plan(inputs, output, recipe)
    settings = replace(settings, ingest=ingest_with(settings.ingest, given))
    refuse_output_over_input([output], inputs)
    # no live display while workers fork: a forked child must not inherit a console thread's lock
    console.print(f"segmenting in {executor.ranks} task(s) on the {executor.executor} executor", highlight=False)
    try:
        run = run_segment(inputs, output, settings, executor)
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
    summarize(output=output, counts=run.counts, errors=[str(e) for e in run.errors], warnings=[str(w) for w in run.warnings])
    for warning in run.warnings:
        console.print(f"[yellow]warning[/yellow] {untrusted(str(warning))}", highlight=False, soft_wrap=True)
    print_errors(run.errors)
    if run.errors:
        sys.exit(1)
