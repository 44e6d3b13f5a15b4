"""`curation studio up|login|status|down`: the local Label Studio (``Project.studio_up``, ``.status``,
``.studio_down``); `push` and `pull` are in :mod:`curation.cli.bridge`."""

from __future__ import annotations

from pathlib import Path

import click

from curation.cli._common import (
    console,
    data_dir_option,
    open_project,
    show_problems,
    untrusted,
)
from curation.results import StudioResult


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


# The team commands (`studio users`, `studio overlap`) live in their own module, which registers them.
from curation.cli import users as team  # noqa: E402, F401
