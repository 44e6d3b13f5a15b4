"""`curation dedup`: duplicate clusters of a units file (and the dedup settings options `curation report` shares)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click
from rich.table import Table

from curation.cli._common import console, one_line, print_errors, refuse_output_over_input, untrusted
from curation.cli._executors import executor_options, pop_executor_args
from curation.settings import DedupSettings
from curation.pipeline.options import PipelineFailed


def _settings_options(command: Callable[..., Any]) -> Callable[..., Any]:
    defaults = DedupSettings()
    options = [
        click.option("--threshold", default=defaults.threshold, show_default=True, help="Jaccard similarity of a near-duplicate."),
        click.option("--num-perm", default=defaults.num_perm, show_default=True, help="MinHash permutations."),
        click.option("--shingle-size", default=defaults.shingle_size, show_default=True, help="Words per shingle."),
        click.option("--containment", default=defaults.containment, show_default=True, help="Share of a text inside a longer one."),
        click.option("--no-containment", is_flag=True, help="Do not look for teasers inside full articles."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _settings(threshold: float, num_perm: int, shingle_size: int, containment: float, no_containment: bool) -> DedupSettings:
    try:
        return DedupSettings(
            threshold=threshold,
            num_perm=num_perm,
            shingle_size=shingle_size,
            containment=containment,
            find_contained=not no_containment,
        )
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("dedup")
@click.argument("units", type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Clusters JSONL to write (one cluster a line).")
@click.option("--contained", type=click.Path(dir_okay=False), help="Containment JSONL to write (inner, outer, share).")
@click.option("--repeated", type=click.Path(dir_okay=False), help="Repeated passages JSONL to write.")
@click.option("--label-field", default="topic", show_default=True, help="Document meta field checked for label conflicts.")
@_settings_options
@executor_options
def dedup_command(
    units: str, output: str | None, contained: str | None, repeated: str | None, label_field: str, **options: Any
) -> None:
    """Exact and near-duplicate articles of a units file (`curation segment` output), teasers
    contained in longer articles (a relation apart), repeated passages, and clusters whose
    members carry different labels, as datatrove jobs (like `curation segment`). Memory stays
    bounded by a part of the file, not the file: what grows with it is spilled to disk."""
    from curation.dedup.run import run_dedup

    refuse_output_over_input([output, contained, repeated], [units])
    executor = pop_executor_args(options)
    settings = _settings(**options)
    console.print(f"finding duplicates in {executor.ranks} task(s) on the {executor.executor} executor", highlight=False)
    try:
        found = run_dedup(units, settings, executor, label_field=label_field, clusters=output, contained=contained, repeated=repeated)
    except (PipelineFailed, ValueError) as exc:
        raise click.ClickException(one_line(str(exc))) from None
    if found is None:
        console.print(f"submitted to Slurm; the last job writes the outputs and {executor.work_dir}/summary.json", highlight=False)
        return
    table = Table(title=f"duplicates in {untrusted(units)}")
    table.add_column("")
    table.add_column("count", justify="right")
    table.add_row("units compared", f"{found.compared:,}")
    for reason, count in found.clusters.items():
        table.add_row(f"clusters ({reason})", f"{count:,}")
    table.add_row("units in clusters", f"{found.in_clusters:,}")
    table.add_row("units a representative-only export leaves out", f"{found.left_out:,}")
    table.add_row("contained in a longer article (teasers)", f"{found.contained:,}")
    table.add_row(f"label conflicts ({label_field})", f"{found.conflicts:,}")
    table.add_row("repeated passages", f"{found.repeated:,}")
    table.add_row("unreadable lines", f"{len(found.errors):,}", style="red" if found.errors else None)
    console.print(table)
    print_errors(found.errors)
    if found.errors:
        sys.exit(1)
