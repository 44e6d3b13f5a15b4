"""`curation push` and `curation pull`: the Label Studio bridge's tasks out and annotations back
(``Project.push``, ``.pull``). Apart from the `studio` group, whose team commands load the
accounts and the server code: a push or a pull starts with less."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from curation.cli._common import console, project_of, server_options, show_problems, untrusted
from curation.project import PUSHABLE_LEVELS
from curation.results import PullResult, PushResult


@click.command("push")
@click.argument("units", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--level", type=click.Choice(PUSHABLE_LEVELS), required=True, help="Which units become tasks.")
@click.option("--predictions", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="JSONL of pre-annotations: unit_id, choices, spans (code points), model_version, score.")
@click.option("--replace-predictions", is_flag=True,
              help="Predictions for tasks pushed earlier replace their predictions of the same model_version "
                   "(default: added next to them).")
@click.option("--recreate", is_flag=True, help="The recorded project was deleted on the server: create it again.")
@click.option("--roles", default=None,
              help="Comma-separated unit roles that become tasks: sentence title,heading,body,byline; article main,teaser "
                   "[default: body for sentences, every article].")
@click.option("--where", multiple=True, metavar="KEY=VALUE",
              help="Only units of documents whose metadata KEY is VALUE (e.g. source=BBC); repeatable: "
                   "different keys must all match, one key given twice accepts either value.")
@click.option("--sample", type=int, default=None, help="A random sample of N of the selected units (the same N for the same --seed; a larger N contains a smaller one).")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of --sample.")
@click.option("--limit", type=int, default=None, help="At most the first N selected units (in file order); those already pushed count.")
@server_options
def push_command(units: Path | None, level: str, predictions: Path | None, replace_predictions: bool, recreate: bool,
                 roles: str | None, where: tuple[str, ...], sample: int | None, seed: int, limit: int | None,
                 **options: Any) -> PushResult:  # fmt: skip
    """Create a task for every selected LEVEL unit of UNITS (default: the workspace's units file) not
    yet pushed, send --predictions to new and existing tasks, and apply the overlap setting.
    Exit status 1 if any prediction was not sent."""
    from curation.cli._progress import shown_progress
    from curation.studio.selection import Selection, describe, parse_where

    chosen = tuple(role.strip() for role in (roles or "").split(",") if role.strip())
    selection = Selection(chosen, parse_where(where), sample, seed, limit)
    with shown_progress(console) as shown:
        result = project_of(options).push(level, units, predictions=predictions, replace_predictions=replace_predictions,
                                          recreate=recreate, selection=selection, progress=shown)  # fmt: skip
    report = result.report
    show_problems(report.problems, "not sent")
    if report.not_selected:
        console.print(f"{report.units:,} {level} unit(s) selected ({untrusted(describe(selection, level))}); "
                      f"{report.not_selected:,} left out", highlight=False)  # fmt: skip
    if result.annotators_per_task is not None:
        console.print(f"{result.annotators_per_task} annotator(s) per {level} task", highlight=False)
    console.print(
        f"[green]pushed[/green] {report.created} new task(s) to {untrusted(report.project.title)} "
        f"(project {report.project.id} at {report.project.url}); {report.already_pushed} already there, "
        f"{report.recovered} recovered from an interrupted push; predictions: {report.predictions} sent, "
        f"{report.predictions_replaced} replaced, {report.predictions_unchanged} already there",
        highlight=False,
    )
    return result


@click.command("pull")
@click.option("--level", "levels", type=click.Choice(PUSHABLE_LEVELS), multiple=True,
              help="Levels to pull (default: every level pushed for this schema).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Store file (default: the workspace's data/annotations/SCHEMA-LEVEL.jsonl, else "
                   ".curation/annotations/...); only with one --level.")
@click.option("--full", is_flag=True, help="Re-read every task instead of only those changed since the last pull.")
@server_options
def pull_command(levels: tuple[str, ...], output: Path | None, full: bool, **options: Any) -> PullResult:
    """Bring back every annotation (all annotators), each region checked against the schema and its text."""
    from curation.cli._progress import shown_progress

    with shown_progress(console) as shown:
        result = project_of(options).pull(levels, output=output, full=full, progress=shown)
    for report in result.reports:
        kept_out = report.rejections
        console.print(
            f"[green]{report.project.level}[/green] {untrusted(str(report.store))}: {report.new} new, {report.updated} updated, "
            f"{report.deleted} marked deleted, {report.unchanged} unchanged ({report.tasks_fetched} task(s) fetched); "
            f"[red]{kept_out.annotations} annotation(s) rejected, {kept_out.regions} region(s) set aside[/red] "
            f"on {len(kept_out.flagged_units)} flagged unit(s)",
            highlight=False,
        )
        if report.regions_trimmed:
            console.print(f"  {report.regions_trimmed} region(s) kept without the white space at their edges", highlight=False)
        for kind, count in sorted(kept_out.reasons.items()):
            console.print(f"  {count} × {untrusted(kind)}", highlight=False, soft_wrap=True)
        for reason in report.reasons:
            console.print(f"  [red]new[/red] {untrusted(reason)}", highlight=False, soft_wrap=True)
    for warning in result.warnings:
        console.print(f"[yellow]warning[/yellow] {untrusted(warning)}", highlight=False, soft_wrap=True)
    return result
