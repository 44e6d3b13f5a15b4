"""`curation build`, `curation verify` and `curation publish` (``Project.build``, ``.verify``, ``.publish``)."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from curation.cli._common import console, error_console, open_project, show_problems, show_tidied, untrusted
from curation.cli._executors import executor_options, pop_executor_args
from curation.cli._ingest import ingest_options, pop_ingest_args
from curation.cli._progress import shown_progress
from curation.errors import CurationError
from curation.results import BuildResult, PublishResult, VerifyResult

PROBLEMS_SHOWN = 20


@click.command("build")
@click.argument("recipe", required=False, type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(file_okay=False), help="Build here instead of the recipe's output folder.")
@click.option("--allow-problems", is_flag=True, help="Replace the previous export even when the build reports problems.")
@click.option("--annotator-names", is_flag=True,
              help="Name annotators as the stores do (e-mail addresses) instead of annotator_1...; never for a public dataset.")
@ingest_options
@executor_options
def build_command(recipe: str | None, output: str | None, allow_problems: bool, annotator_names: bool, **options: Any) -> BuildResult:
    """Build the dataset a RECIPE describes (default: the workspace's recipe, else exports/seed-news.yaml):
    ingest, segment, deduplicate, attach annotations, split, and export Parquet + card, JSONL and CoNLL."""
    from curation.export.output import ProblemsFound

    ingest, executor = pop_ingest_args(options), pop_executor_args(options)
    project = open_project()
    with shown_progress(console) as shown:
        try:
            result = project.build(recipe, output=output, allow_problems=allow_problems, annotator_names=annotator_names,
                                   ingest=ingest, executor=executor, progress=shown)  # fmt: skip
        except ProblemsFound as exc:
            shown.finish()
            show_problems(exc.problems, limit=PROBLEMS_SHOWN)
            raise CurationError(str(exc).splitlines()[0]) from None
    show(result)
    return result


def _summary(result: BuildResult) -> Table:
    report = result.report
    table = Table(title=f"built {untrusted(str(report.out_dir))}")
    for column, justify in (("config", "left"), ("split", "left"), ("rows", "right"), ("files", "right")):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for written in report.written:
        table.add_row(written.config, written.split, f"{written.num_rows:,}", str(len(written.files)))
    table.add_section()
    table.add_row("documents", "", f"{report.documents:,}", "")
    table.add_row("articles / sentences", "", f"{report.articles:,} / {report.sentences:,}", "")
    table.add_row("near-duplicate clusters", "", "not run" if report.clusters is None else f"{report.clusters:,}", "")
    table.add_row("tokens split at entity edges", "", f"{report.boundary_splits:,}", "")
    rejected = report.rejected_at_pull
    if rejected:
        shown = f"{rejected['rejected annotations']:,} / {rejected['regions set aside']:,}"
        table.add_row("rejected at pull (annotations / regions)", "", shown, "", style="red" if shown != "0 / 0" else None)
    table.add_row("problems", "", f"{len(report.problems):,}", "", style="red" if report.problems else None)
    return table


def show(result: BuildResult) -> None:
    console.print(_summary(result))
    for warning in result.report.warnings:
        console.print(f"[yellow]warning[/yellow] {untrusted(warning)}", highlight=False, soft_wrap=True)
    show_tidied(result.report.tidied)
    show_problems(result.problems, limit=PROBLEMS_SHOWN)
    if len(result.problems) > PROBLEMS_SHOWN:
        error_console.print(f"all of them in {untrusted(str(result.report.out_dir / 'manifest.json'))}", highlight=False)


@click.command("verify")
@click.argument("export_dir", required=False, type=click.Path(exists=True, file_okay=False))
@click.option("--recipe", type=click.Path(exists=True, dir_okay=False), help="Recipe to rebuild from (default: the one the manifest names).")
def verify_command(export_dir: str | None, recipe: str | None) -> VerifyResult:
    """Rebuild EXPORT_DIR (default: the workspace recipe's output) in a temporary folder and check
    every file is byte-identical."""
    result = open_project().verify(export_dir, recipe)
    found = result.verification
    if not found.whole:
        console.print(f"[red]partial export[/red]: {len(found.incomplete)} file(s) its manifest lists are missing or "
                      "changed (a build cut short, or edited since)", highlight=False)  # fmt: skip
    for note in [*found.incomplete, *found.notes]:
        console.print(f"[yellow]note[/yellow] {untrusted(note)}", highlight=False)
    for difference in found.differences:
        console.print(f"[red]differs[/red] {untrusted(difference)}", highlight=False)
    if found.identical:
        console.print(f"[green]reproducible[/green]: all {found.files} files of {untrusted(str(result.export_dir))} rebuilt byte for byte")
    else:
        console.print(f"[red]not reproducible[/red]: {len(found.differences)} of {found.files} files differ")
    return result


@click.command("publish")
@click.argument("export_dir", required=False, type=click.Path(exists=True, file_okay=False))
@click.option("--repo", "repo_id", required=True, help="Hub dataset repository, OWNER/NAME.")
@click.option("--private", is_flag=True, help="Create the repository as private.")
@click.option("--timeout", default=5.0, show_default=True, help="Seconds to wait for the Hub to answer before giving up.")
def publish_command(export_dir: str | None, repo_id: str, private: bool, timeout: float) -> PublishResult:
    """Upload EXPORT_DIR (default: the workspace recipe's output) to the Hugging Face Hub (token from
    HF_TOKEN or `hf auth login`)."""
    result = open_project().publish(repo_id, export_dir, private=private, timeout=timeout)
    console.print(f"published {untrusted(str(result.export_dir))} to {untrusted(result.url)}")
    return result
