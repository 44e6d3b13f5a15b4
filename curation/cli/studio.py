"""`curation studio up|status|down`, `curation push`, `curation pull`: the Label Studio bridge."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from contextlib import contextmanager
from pathlib import Path

import click
from rich.markup import escape

# data_dir_option, url_option and schema_option (re-exported for the other Label Studio commands) fall back on
# $CURATION_DATA_DIR / $LABEL_STUDIO_URL / $CURATION_SCHEMA, then the workspace file, then the defaults.
from curation.cli._common import (
    annotation_store,
    console,
    data_dir_option,
    load_schema_or_exit,
    one_line,
    print_errors,
    schema_option,
    untrusted,
    url_option,
    workspace_annotators,
)
from curation.schema import SchemaError
from curation.studio.client import StudioError
from curation.studio.contract import StudioGateway
from curation.secrets import scrub
from curation.studio.server import (
    DATABASE_FILE,
    DEFAULT_HOST,
    LOG_FILE,
    StudioServer,
    find_server,
    server_status,
    start_server,
    stop_server,
)
from curation.studio.tasks import PUSHABLE_LEVELS


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Any expected failure becomes one red line on stderr and exit status 1, never a traceback."""
    try:
        yield
    except SchemaError as error:
        print_errors(error.problems)
        sys.exit(1)
    except (StudioError, OSError, ValueError) as error:
        print_errors([error])
        sys.exit(1)


@click.group("studio")
def studio_group() -> None:
    """Run a local Label Studio for annotators."""


@studio_group.command("up")
@data_dir_option
@click.option("--port", type=int, default=None, help="Port on 127.0.0.1 (default: the one used last, else a free one).")
@click.option("--host", default=DEFAULT_HOST, show_default=True,
              help="Address to listen on; another than 127.0.0.1 serves a team on the network (plain HTTP, strong passwords required).")
def up_command(data_dir: Path, port: int | None, host: str) -> None:
    """Start Label Studio on 127.0.0.1 (one per data folder: an already running one is reported, never doubled)."""
    with one_line_errors():
        running = server_status(data_dir)
        if running.running:
            console.print(f"[yellow]already running[/yellow] for {running.data_dir}: {running.url}  pid {running.pid}"
                          " (not starting a second server on the same data folder)", highlight=False)
            return
        if host != DEFAULT_HOST:
            team.serve_on_lan(host, data_dir)
        server = _start_showing_progress(data_dir, port, host)
        if host != DEFAULT_HOST:
            team.report_unvetted(server.url, data_dir, server.username)
        console.print(f"[green]up[/green] {server.url}  pid {server.pid}")
        console.print(f"login: {server.username}  password: see {server.data_dir / 'credentials.json'} (mode 0600)")


def startup_activity(data_dir: Path, log_start: int = 0) -> str:
    """What a starting server is doing, as its files show it: the database being prepared (the first
    start on a machine migrates one: minutes when the machine is busy), then the last line Label
    Studio wrote to its log since ``log_start`` (secrets scrubbed, one printable line)."""
    if not (data_dir / DATABASE_FILE).exists():
        return "preparing Label Studio's database (first start on this machine: a few minutes when it is busy)"
    try:
        with open(data_dir / LOG_FILE, "rb") as log:
            log.seek(log_start)
            lines = [line.strip() for line in log.read().decode("utf-8", "replace").splitlines() if line.strip()]
    except OSError:
        lines = []
    return f"starting Label Studio: {one_line(scrub(lines[-1]))[:100]}" if lines else "starting Label Studio"


def _start_showing_progress(data_dir: Path, port: int | None, host: str) -> StudioServer:
    """start_server, with what it is doing and the seconds elapsed on one live line (no made-up ETA)."""
    log = data_dir / LOG_FILE
    log_start = log.stat().st_size if log.exists() else 0
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=1) as pool, console.status("starting Label Studio") as status:
        started = pool.submit(start_server, data_dir, port=port, host=host)
        while not wait([started], timeout=0.5).done:
            status.update(f"{untrusted(startup_activity(data_dir, log_start))}  [dim]{time.monotonic() - began:.0f} s[/dim]")
    server = started.result()
    console.print(f"started in {time.monotonic() - began:.0f} s", highlight=False)
    return server


@studio_group.command("status")
@data_dir_option
def status_command(data_dir: Path) -> None:
    """Whether the local server runs and answers /health; exit status 1 when it does not."""
    with one_line_errors():
        status = server_status(data_dir)
    if status.healthy:
        console.print(f"[green]up[/green] {status.url}  pid {status.pid}  login {status.username}")
        team.print_progress(data_dir)
        return
    if status.running:
        console.print(f"[yellow]starting or not answering[/yellow] {status.url}  pid {status.pid}")
    else:
        console.print(f"[red]down[/red] no Label Studio running for {status.data_dir}: `curation studio up`")
    sys.exit(1)


@studio_group.command("down")
@data_dir_option
def down_command(data_dir: Path) -> None:
    """Stop the server of this data folder (the process holding its lock), and nothing else."""
    with one_line_errors():
        stopped = stop_server(data_dir)
    console.print("[green]stopped[/green]" if stopped else "nothing to stop")


@click.command("push")
@click.argument("units", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--level", type=click.Choice(PUSHABLE_LEVELS), required=True, help="Which units become tasks.")
@click.option("--predictions", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="JSONL of pre-annotations: unit_id, choices, spans (code points), model_version, score.")
@click.option("--replace-predictions", is_flag=True,
              help="Predictions for tasks pushed earlier replace their predictions of the same model_version "
                   "(default: added next to them).")
@click.option("--recreate", is_flag=True, help="The recorded project was deleted on the server: create it again.")
@schema_option
@url_option
@data_dir_option
def push_command(units: Path, level: str, predictions: Path | None, replace_predictions: bool, recreate: bool,
                 schema_path: Path | None, url: str | None, data_dir: Path) -> None:
    """Create a task for every LEVEL unit of UNITS (curation segment output) not yet pushed, and
    send --predictions to new and existing tasks. Exit status 1 if any prediction was not sent."""
    from curation.studio.push import push_units  # the SDK: loaded to work, not for --help

    with one_line_errors():
        schema = load_schema_or_exit(schema_path)
        server = find_server(url, data_dir)
        report = push_units(server.client(), server.url, units, level, schema, state_dir=data_dir,
                            predictions_path=predictions, replace_predictions=replace_predictions, recreate=recreate)
        per_task = workspace_annotators(level)
        if per_task is not None:  # the workspace file's word for this level wins over `studio overlap`
            from curation.studio.overlap import apply_overlap

            apply_overlap(server.client(), server.url, report.project.id, per_task)
            console.print(f"{per_task} annotator(s) per {level} task (curation.yaml)", highlight=False)
    for problem in report.problems:
        console.print(f"[red]not sent[/red] {untrusted(problem)}", highlight=False, soft_wrap=True)
    console.print(
        f"[green]pushed[/green] {report.created} new task(s) to {escape(report.project.title)} "
        f"(project {report.project.id} at {report.project.url}); {report.already_pushed} already there, "
        f"{report.recovered} recovered from an interrupted push; predictions: {report.predictions} sent, "
        f"{report.predictions_replaced} replaced, {report.predictions_unchanged} already there",
        highlight=False,
    )
    if report.problems:
        sys.exit(1)


@click.command("pull")
@click.option("--level", "levels", type=click.Choice(PUSHABLE_LEVELS), multiple=True,
              help="Levels to pull (default: every level pushed for this schema).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Store file (default: the workspace's data/annotations/SCHEMA-LEVEL.jsonl, else "
                   ".curation/annotations/...); only with one --level.")
@click.option("--full", is_flag=True, help="Re-read every task instead of only those changed since the last pull.")
@schema_option
@url_option
@data_dir_option
def pull_command(levels: tuple[str, ...], output: Path | None, full: bool,
                 schema_path: Path | None, url: str | None, data_dir: Path) -> None:
    """Bring back every annotation (all annotators), each region checked against the schema and its text."""
    from curation.studio.projects import pushed_levels  # the SDK: loaded to work, not for --help
    from curation.studio.pull import default_store_path, pull_annotations

    with one_line_errors():
        schema = load_schema_or_exit(schema_path)
        server = find_server(url, data_dir)
        client = server.client()
        StudioGateway(client, server.url).whoami()
        candidates = tuple(level for level in PUSHABLE_LEVELS if level in schema.levels)
        chosen = levels or tuple(pushed_levels(server.url, schema, candidates, data_dir))
        if not chosen:
            raise StudioError(f"no {schema.name} project recorded in {data_dir.resolve()} for {server.url}: "
                              "run `curation push UNITS.jsonl --level LEVEL` first.")
        if output is not None and len(chosen) != 1:
            raise ValueError("-o/--output needs exactly one --level")
        for level in chosen:
            store = output or annotation_store(default_store_path(schema, level))
            report = pull_annotations(client, server.url, schema, level, store_path=store,
                                      state_dir=data_dir, full=full)
            kept_out = report.rejections
            console.print(
                f"[green]{level}[/green] {report.store}: {report.new} new, {report.updated} updated, "
                f"{report.deleted} marked deleted, {report.unchanged} unchanged ({report.tasks_fetched} task(s) fetched); "
                f"[red]{kept_out.annotations} annotation(s) rejected, {kept_out.regions} region(s) set aside[/red] "
                f"on {len(kept_out.flagged_units)} flagged unit(s)",
                highlight=False,
            )
            for kind, count in sorted(kept_out.reasons.items()):
                console.print(f"  {count} × {untrusted(kind)}", highlight=False, soft_wrap=True)
            for reason in report.reasons:
                console.print(f"  [red]new[/red] {untrusted(reason)}", highlight=False, soft_wrap=True)


# The team commands (`studio users`, `studio overlap`) live in their own module, which registers them.
from curation.cli import users as team  # noqa: E402
