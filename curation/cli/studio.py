"""`curation studio up|status|down`, `curation push`, `curation pull`: the Label Studio bridge
(``Project.studio_up``, ``.status``, ``.studio_down``, ``.push``, ``.pull``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from curation.cli._common import (
    console,
    data_dir_option,
    open_project,
    project_of,
    server_options,
    show_problems,
    untrusted,
)
from curation.project import PUSHABLE_LEVELS
from curation.results import PullResult, PushResult, StudioResult


@click.group("studio")
def studio_group() -> None:
    """Run a local Label Studio for annotators."""


@studio_group.command("up")
@data_dir_option
@click.option("--port", type=int, default=None, help="Port on 127.0.0.1 (default: the one used last, else a free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on; another than 127.0.0.1 serves a team on the network (plain HTTP, strong passwords required).")
def up_command(data_dir: Path | None, port: int | None, host: str) -> StudioResult:
    """Start Label Studio on 127.0.0.1 (one per data folder: an already running one is reported, never doubled)."""
    project = open_project(studio_dir=data_dir)
    with console.status("starting Label Studio") as status:

        def waiting(activity: str, seconds: float) -> None:
            status.update(f"{untrusted(activity)}  [dim]{seconds:.0f} s[/dim]")

        result = project.studio_up(port, host, waiting)
    if not result.started:
        console.print(f"[yellow]already running[/yellow] for {untrusted(str(result.data_dir))}: {result.url}  pid {result.pid}"
                      " (not starting a second server on the same data folder)", highlight=False)  # fmt: skip
        return result
    for warning in result.warnings:
        console.print(f"[yellow]warning[/yellow] {untrusted(warning)}", highlight=False, soft_wrap=True)
    console.print(f"started in {result.seconds:.0f} s", highlight=False)
    console.print(f"[green]up[/green] {result.url}  pid {result.pid}")
    for url in result.team_urls:
        console.print(f"annotators open: {url}", highlight=False)
    console.print(f"login: {result.username}  password: `curation studio login` (kept in {untrusted(str(result.credentials))}, mode 0600)")
    return result


@studio_group.command("login")
@data_dir_option
@click.option("--open", "open_browser", is_flag=True, help="Also open the login page in the default web browser.")
def login_command(data_dir: Path | None, open_browser: bool) -> StudioResult:
    """Print the local Label Studio's login page, admin e-mail and password (from credentials.json,
    mode 0600); with --open, open the page too. The password is never in --json."""
    from curation.studio.contract import LOGIN_PAGE

    result, password = open_project(studio_dir=data_dir).studio_login()
    page = f"{result.url}/{LOGIN_PAGE}"
    console.print(f"{page}\n  e-mail:   {untrusted(result.username or '')}\n  password: {untrusted(password)}", highlight=False)
    if open_browser:
        import webbrowser

        if not webbrowser.open(page):
            console.print("[yellow]no web browser to open here[/yellow]: open the page above yourself", highlight=False)
    return result


@studio_group.command("status")
@data_dir_option
def status_command(data_dir: Path | None) -> StudioResult:
    """Whether the local server runs and answers /health, and each project's progress per annotator;
    exit status 1 when it does not answer."""
    from rich.table import Table

    result = open_project(studio_dir=data_dir).status()
    if not result.healthy:
        show_problems(result.problems, "down")
        return result
    console.print(f"[green]up[/green] {result.url}  pid {result.pid}  login {result.username}")
    for project in result.projects:
        table = Table(title=f"{untrusted(project.title)} (project {project.project_id}): {project.complete} of {project.tasks} "
                      f"tasks have {project.annotators_per_task} annotation(s); {project.disagreements} with disagreements")  # fmt: skip
        for column in ("annotator", "done", "remaining", "disagreements"):
            table.add_column(column, justify="left" if column == "annotator" else "right")
        for row in project.annotators:
            table.add_row(untrusted(row.annotator), str(row.done), str(row.remaining), str(row.disagreements))
        console.print(table)
    for warning in result.warnings:
        console.print(f"[yellow]warning[/yellow] {untrusted(warning)}", highlight=False, soft_wrap=True)
    return result


@studio_group.command("down")
@data_dir_option
def down_command(data_dir: Path | None) -> StudioResult:
    """Stop the server of this data folder (the process holding its lock), and nothing else."""
    result = open_project(studio_dir=data_dir).studio_down()
    console.print("[green]stopped[/green]" if result.stopped else "nothing to stop")
    return result


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


# The team commands (`studio users`, `studio overlap`) live in their own module, which registers them.
from curation.cli import users as team  # noqa: E402, F401
