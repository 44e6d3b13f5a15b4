"""`curation report`: the page a lead opens every day (curation/report.py), with progress while it is made.

In a workspace every argument has a default: its units file, its annotation stores, its last build
and data/report.html, so `curation report` alone answers "where do we stand"."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from curation.cli._common import (
    console,
    one_line,
    print_errors,
    progress,
    refuse_output_over_input,
    summarize,
    untrusted,
    workspace,
)
from curation.cli.dedup import _settings, _settings_options
from curation.unitfile import iter_unit_records
from curation.units import unit_from_record

# the steps corpus_stats and render_report announce
_STEPS = 5


def _read_units(path: str, errors: list[object]) -> list[dict[str, Any]]:
    """Every readable unit record; each bad line or malformed unit is added to ``errors``."""
    records = []
    for record in iter_unit_records(path, errors=errors):
        try:
            unit_from_record(record)  # validates the fields every later step relies on
        except (KeyError, TypeError, ValueError) as exc:
            errors.append(f"{path}: unit {record.get('id')}: malformed ({type(exc).__name__}: {exc})")
            continue
        records.append(record)
    return records


def _defaults(units: Path | None, annotations: tuple[Path, ...], output: Path | None, build: Path | None) -> tuple[Path, tuple[Path, ...], Path, Path | None]:
    """Each argument left out, taken from the workspace; outside one, UNITS and -o are required."""
    found = workspace()
    if found is None:
        if units is None or output is None:
            raise click.UsageError("give UNITS and -o/--output, or run inside a workspace (`curation init`)")
        return units, annotations, output, build
    if build is None and found.recipe is not None and found.recipe.is_file():
        from curation.export.recipe import RecipeError, load_recipe

        try:
            build = load_recipe(found.recipe).output_dir
        except RecipeError:
            build = None  # `curation build` names a broken recipe; the report still shows the rest
    if not annotations and found.annotations_dir.is_dir():
        annotations = (found.annotations_dir,)
    return units or found.units_file, annotations, output or found.report_file, build


@click.command("report")
@click.argument("units", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--annotations", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Annotation store (JSONL of Annotation records) or a folder of them, as `curation pull` writes; repeatable "
                   "[default: the workspace's data/annotations].")
@click.option("--build", "build_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Build folder whose manifest is shown [default: the workspace recipe's output].")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="HTML file to write [default: the workspace's data/report.html].")
@click.option("--label-field", default="topic", show_default=True, help="Label family / document meta field shown.")
@_settings_options
def report_command(units: Path | None, annotations: tuple[Path, ...], build_dir: Path | None, output: Path | None,
                   label_field: str, **settings_args: Any) -> None:  # fmt: skip
    """A self-contained right-to-left HTML page of where the corpus stands: what to act on, sources
    and dates, annotation progress per project and annotator, agreement per label with the
    disagreements, label distributions, duplicates and conflicts side by side, the last build."""
    units, annotations, output, build_dir = _defaults(units, annotations, output, build_dir)
    if not units.is_file():
        raise click.ClickException(f"{untrusted(str(units))}: no units file; `curation segment` writes it")
    refuse_output_over_input([output], [units, *annotations])
    settings = _settings(**settings_args)
    from curation.report import NotAnInput, check_input

    errors: list[object] = []
    try:  # before any display: a file that is no input at all is one line, and nothing is written
        with console.status("reading units and annotations"):
            records = _read_units(str(units), errors)
            check_input(units, "a units file", len(records), errors)
            found = _annotations(annotations, errors)
    except NotAnInput as exc:
        raise click.ClickException(one_line(str(exc))) from None
    with progress() as bar:
        task = bar.add_task(f"{len(records):,} units and {len(found):,} annotations read", total=_STEPS)

        def step(name: str) -> None:
            bar.update(task, advance=1, description=name)

        from curation.report import corpus_stats, render_report, write_report

        stats = corpus_stats(records, found, settings=settings, label_field=label_field, build_dir=build_dir, on_step=step)
        page = render_report(records, found, stats=stats, label_field=label_field, title=f"Report: {units.name}", on_step=step)
        write_report(output, page)
        bar.update(task, completed=_STEPS, description="written")
    console.print(
        f"wrote {untrusted(str(output))}: {stats.counts['documents']:,} documents, {stats.counts['articles']:,} articles, "
        f"{stats.counts['sentences']:,} sentences, {len(stats.clusters):,} duplicate clusters, "
        f"{len(found):,} annotations",
        highlight=False,
    )
    from curation.report import actions

    todo = actions(stats)
    for item in todo:
        console.print(f"[yellow]to do[/yellow] {untrusted(item)}", highlight=False, soft_wrap=True)
    summarize(output=output, counts=dict(stats.counts), clusters=len(stats.clusters), annotations=len(found), actions=todo)
    print_errors(errors)
    if errors:
        sys.exit(1)


def _annotations(paths: tuple[Path, ...], errors: list[object]) -> list[Any]:
    """Every annotation of the stores (files, or folders of stores); bad lines go to ``errors``,
    a file with none readable (not a store) raises NotAnInput."""
    from curation.report import check_input
    from curation.studio.store import AnnotationStore, store_files

    found = []
    for path in paths:
        for store in store_files(path):
            problems: list[str] = []
            read = AnnotationStore(store).annotations(problems)
            check_input(store, "an annotation store", len(read), problems)
            found.extend(read)
            errors.extend(problems)
    return found
