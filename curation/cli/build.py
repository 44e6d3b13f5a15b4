"""`curation build`, `curation verify` and `curation publish`: the exporter from the command line."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.markup import escape
from rich.table import Table

from curation.cli._common import console, default_recipe, one_line, progress, untrusted
from curation.cli._executors import executor_options, pop_executor_args
from curation.cli._ingest import ingest_options, ingest_with, pop_ingest_args
from curation.pipeline.options import PipelineFailed
from curation.schema import SchemaError

if TYPE_CHECKING:  # the exporters load datasets and pyarrow: imported by each command when it runs
    from curation.export.building import BuildReport

DEFAULT_RECIPE = "exports/seed-news.yaml"
PROBLEMS_SHOWN = 20


def _summary(report: BuildReport) -> Table:
    table = Table(title=f"built {untrusted(str(report.out_dir))}")
    for column, justify in (("config", "left"), ("split", "left"), ("rows", "right"), ("files", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for written in report.written:
        table.add_row(written.config, written.split, f"{written.num_rows:,}", str(len(written.files)))
    table.add_section()
    table.add_row("documents", "", f"{report.documents:,}", "")
    table.add_row("articles / sentences", "", f"{report.articles:,} / {report.sentences:,}", "")
    clusters = "not run" if report.clusters is None else f"{report.clusters:,}"
    table.add_row("near-duplicate clusters", "", clusters, "")
    table.add_row("tokens split at entity edges", "", f"{report.boundary_splits:,}", "")
    rejected = report.rejected_at_pull
    if rejected:
        shown = f"{rejected['rejected annotations']:,} / {rejected['regions set aside']:,}"
        table.add_row("rejected at pull (annotations / regions)", "", shown, "", style="red" if shown != "0 / 0" else None)
    table.add_row("problems", "", f"{len(report.problems):,}", "", style="red" if report.problems else None)
    return table


@click.command("build")
@click.argument("recipe", required=False, type=click.Path(dir_okay=False))
@click.option(
    "-o", "--output", type=click.Path(file_okay=False), help="Build here instead of the recipe's output folder."
)
@click.option(
    "--allow-problems", is_flag=True, help="Replace the previous export even when the build reports problems."
)
@click.option(
    "--annotator-names", is_flag=True,
    help="Name annotators as the stores do (e-mail addresses) instead of annotator_1...; never for a public dataset.",
)
@ingest_options
@executor_options
def build_command(recipe: str | None, output: str | None, allow_problems: bool, annotator_names: bool, **executor: Any) -> None:
    """Build the dataset a RECIPE describes (default: the workspace's recipe, else exports/seed-news.yaml):
    ingest, segment, deduplicate, attach annotations, split, and export Parquet + card, JSONL and CoNLL."""
    recipe = recipe or default_recipe(DEFAULT_RECIPE)
    given, options = pop_ingest_args(executor), pop_executor_args(executor)
    from curation.export.building import build
    from curation.export.output import ProblemsFound
    from curation.export.recipe import RecipeError, load_recipe

    try:
        loaded = load_recipe(recipe)
    except RecipeError as exc:
        raise click.ClickException(str(exc)) from None
    loaded = replace(loaded, ingest=ingest_with(loaded.ingest, given))  # the manifest records the fields used
    with progress(transient=True, auto_refresh=False) as bar:
        task = bar.add_task(f"building {loaded.name}", total=None)

        def advance(done: int) -> None:
            bar.advance(task, done)
            bar.refresh()

        try:
            report = build(
                loaded, Path(output) if output else None, advance, allow_problems=allow_problems,
                annotator_names=annotator_names, executor=options,
            )
        except ProblemsFound as exc:
            bar.stop()
            _print_problems(exc.problems, "manifest.json once built with --allow-problems")
            raise click.ClickException(one_line(str(exc))) from None
        except (RecipeError, SchemaError, ValueError, PipelineFailed) as exc:
            raise click.ClickException(one_line(str(exc))) from None
        except OSError as exc:  # a full disk or a read-only folder: the previous export is untouched
            where = one_line(str(exc.filename or output or loaded.output_dir))
            raise click.ClickException(f"{where}: {exc.strerror or exc}; the previous export is intact") from None
    console.print(_summary(report))
    for warning in report.warnings:
        console.print(f"[yellow]warning[/yellow] {untrusted(warning)}", highlight=False, soft_wrap=True)
    _print_problems(report.problems, str(report.out_dir / "manifest.json"))
    if report.problems:
        sys.exit(1)


def _print_problems(problems: list[str], where: str) -> None:
    for problem in problems[:PROBLEMS_SHOWN]:
        console.print(f"[red]problem[/red] {untrusted(problem)}", highlight=False, soft_wrap=True)
    if len(problems) > PROBLEMS_SHOWN:
        console.print(f"... {len(problems) - PROBLEMS_SHOWN} more in {untrusted(where)}", highlight=False)


@click.command("verify")
@click.argument("export_dir", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--recipe",
    type=click.Path(exists=True, dir_okay=False),
    help="Recipe to rebuild from (default: the one the manifest names).",
)
def verify_command(export_dir: str, recipe: str | None) -> None:
    """Rebuild EXPORT_DIR in a temporary folder and check every file is byte-identical."""
    from curation.export.recipe import RecipeError
    from curation.export.verification import verify

    try:
        result = verify(export_dir, recipe)
    except (RecipeError, FileNotFoundError, ValueError) as exc:
        raise click.ClickException(one_line(str(exc))) from None
    except OSError as exc:  # not a build folder (a file, a device), unreadable
        raise click.ClickException(one_line(f"{exc.filename or export_dir}: {exc.strerror or exc}")) from None
    for note in result.notes:
        console.print(f"[yellow]note[/yellow] {escape(note)}", highlight=False)
    for difference in result.differences:
        console.print(f"[red]differs[/red] {escape(difference)}", highlight=False)
    if not result.identical:
        console.print(f"[red]not reproducible[/red]: {len(result.differences)} of {result.files} files differ")
        sys.exit(1)
    console.print(f"[green]reproducible[/green]: all {result.files} files of {export_dir} rebuilt byte for byte")


@click.command("publish")
@click.argument("export_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--repo", "repo_id", required=True, help="Hub dataset repository, OWNER/NAME.")
@click.option("--private", is_flag=True, help="Create the repository as private.")
@click.option(
    "--timeout", default=5.0, show_default=True, help="Seconds to wait for the Hub to answer before giving up."
)
def publish_command(export_dir: str, repo_id: str, private: bool, timeout: float) -> None:
    """Upload EXPORT_DIR to the Hugging Face Hub (token from HF_TOKEN or `hf auth login`)."""
    from curation.export.publishing import PublishError, publish

    try:
        url = publish(export_dir, repo_id, private=private, timeout=timeout)
    except PublishError as exc:
        raise click.ClickException(str(exc)) from None
    console.print(f"published {export_dir} to {escape(url)}")
