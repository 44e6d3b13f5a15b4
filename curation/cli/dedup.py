"""`curation dedup` (``Project.dedup``), and the dedup settings options `curation report` shares."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click
from rich.table import Table

from curation.cli._common import console, open_project, print_errors, show_tidied, untrusted
from curation.cli._executors import executor_options, pop_executor_args
from curation.cli._progress import shown_progress
from curation.results import DedupResult
from curation.settings import DedupSettings
from curation.units import COMPARED_TEXTS

_SETTINGS = ("compare", "threshold", "num_perm", "shingle_size", "min_words", "containment", "no_containment")


def settings_options(command: Callable[..., Any]) -> Callable[..., Any]:
    defaults = DedupSettings()
    options = [
        click.option("--compare", type=click.Choice(COMPARED_TEXTS), default=defaults.compare, show_default=True, help="What of an article is compared: its body, or its headline and body."),
        click.option("--threshold", default=defaults.threshold, show_default=True, help="Jaccard similarity of a near-duplicate."),
        click.option("--num-perm", default=defaults.num_perm, show_default=True, help="MinHash permutations."),
        click.option("--shingle-size", default=defaults.shingle_size, show_default=True, help="Words per shingle."),
        click.option("--min-words", default=defaults.min_words, show_default=True, help="Shorter texts are never clustered (only counted)."),
        click.option("--containment", default=defaults.containment, show_default=True, help="Share of a text inside a longer one."),
        click.option("--no-containment", is_flag=True, help="Do not look for teasers inside full articles."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def pop_settings(options: dict[str, Any]) -> DedupSettings:
    """The :class:`DedupSettings` of a command's keyword arguments, taken out of them."""
    given = {name: options.pop(name) for name in _SETTINGS}
    try:
        return DedupSettings(
            compare=given["compare"], threshold=given["threshold"], num_perm=given["num_perm"],
            shingle_size=given["shingle_size"], min_words=given["min_words"],
            containment=given["containment"], find_contained=not given["no_containment"],
        )  # fmt: skip
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("dedup")
@click.argument("units", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Clusters JSONL to write, one cluster a line [default: the workspace's data/dedup/clusters.jsonl].")
@click.option("--contained", type=click.Path(dir_okay=False), help="Containment JSONL to write (inner, outer, share) [default: data/dedup/contained.jsonl in a workspace].")
@click.option("--repeated", type=click.Path(dir_okay=False), help="Repeated passages JSONL to write (their index is built only when asked) [default: data/dedup/repeated.jsonl in a workspace].")
@click.option("--label-field", default="topic", show_default=True, help="Document meta field checked for label conflicts.")
@settings_options
@executor_options
def dedup_command(
    units: str | None, output: str | None, contained: str | None, repeated: str | None, label_field: str, **options: Any
) -> DedupResult:
    """Exact and near-duplicate articles of a units file (default: the workspace's), teasers
    contained in longer articles (a relation apart), repeated passages, and clusters whose
    members carry different labels, as datatrove jobs. Memory stays bounded by a part of the
    file, not the file: what grows with it is spilled to disk."""
    executor = pop_executor_args(options)
    settings = pop_settings(options)
    if not executor.automatic:  # left to itself, a small units file is read in this process
        console.print(f"finding duplicates in {executor.ranks} task(s) on the {executor.executor} executor", highlight=False)
    with shown_progress(console) as shown:
        result = open_project().dedup(units, settings=settings, clusters=output, contained=contained, repeated=repeated,
                                      label_field=label_field, executor=executor, progress=shown)  # fmt: skip
    show(result)
    return result


def show(result: DedupResult) -> None:
    found = result.summary
    if found is None:
        console.print("submitted to Slurm; the last job writes the outputs and summary.json in the work folder", highlight=False)
        return
    show_tidied(found.tidied)
    table = Table(title=f"duplicates in {untrusted(str(result.units))}")
    table.add_column("")
    table.add_column("count", justify="right")
    table.add_row("units compared", f"{found.compared:,}")
    table.add_row("of them too short to compare (never clustered)", f"{found.too_short:,}")
    for reason, count in found.clusters.items():
        table.add_row(f"clusters ({reason})", f"{count:,}")
    table.add_row("units in clusters", f"{found.in_clusters:,}")
    table.add_row("units a representative-only export leaves out", f"{found.left_out:,}")
    table.add_row("contained in a longer article (teasers)", f"{found.contained:,}")
    table.add_row(f"label conflicts ({result.label_field})", f"{found.conflicts:,}")
    table.add_row("repeated passages", f"{found.repeated:,}" if found.repeated is not None else "not asked (--repeated)")
    table.add_row("unreadable lines", f"{len(found.errors):,}", style="red" if found.errors else None)
    console.print(table)
    for name, path in result.outputs.items():
        console.print(f"  {name}: {untrusted(str(path))}", highlight=False)
    print_errors(found.errors)
