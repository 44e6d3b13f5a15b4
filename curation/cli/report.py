"""`curation report` (``Project.report``): the page a lead opens every day, with progress while it is made.

In a workspace every argument has a default: its units file, its annotation stores, its last build
and data/report.html, so `curation report` alone answers "where do we stand"."""

from __future__ import annotations

from pathlib import Path

import click

from curation.cli._common import console, open_project, print_errors, untrusted
from curation.cli._progress import shown_progress
from curation.results import ReportResult


@click.command("report")
@click.argument("units", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--annotations", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Annotation store (JSONL of Annotation records) or a folder of them, as `curation pull` writes; repeatable "
                   "[default: the workspace's data/annotations].")
@click.option("--build", "build_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Build folder whose manifest is shown [default: the workspace recipe's output].")
@click.option("--dedup", "dedup_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Folder `curation dedup` wrote (clusters.jsonl, repeated.jsonl) [default: the workspace's data/dedup].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="HTML file to write [default: the workspace's data/report.html].")
@click.option("--label-field", default="topic", show_default=True, help="Label family / document meta field shown.")
@click.option("--model", default=None, help="A model `curation train` wrote, or 'latest', to weigh annotators by (cleanlab "
              "CROWDLAB) beside the agreement [default: the workspace's latest model, if one was trained].")
def report_command(units: Path | None, annotations: tuple[Path, ...], build_dir: Path | None, dedup_dir: Path | None,
                   output: Path | None, label_field: str, model: str | None) -> ReportResult:  # fmt: skip
    """A self-contained right-to-left HTML page of where the corpus stands: what to act on first,
    progress per day and annotator with the queue's forecast, agreement per label over time with the
    disagreements, sources and dates, labels, duplicates and repeated passages, the last build."""
    from curation.reporting import STEPS

    project = open_project()
    with shown_progress(console) as shown:
        shown.start("making the report", STEPS, "steps")
        result = project.report(units, annotations=annotations, build=build_dir, dedup=dedup_dir, output=output,
                                label_field=label_field, model=model, progress=lambda _: shown.advance())  # fmt: skip
    show(result)
    return result


def show(result: ReportResult) -> None:
    console.print(
        f"wrote {untrusted(str(result.output))}: {result.counts['documents']:,} documents, {result.counts['articles']:,} "
        f"articles, {result.counts['sentences']:,} sentences, {result.clusters:,} duplicate clusters, "
        f"{result.annotations:,} annotations",
        highlight=False,
    )
    for item in result.actions:
        console.print(f"[yellow]to do[/yellow] {untrusted(item)}", highlight=False, soft_wrap=True)
    print_errors(result.problems)
