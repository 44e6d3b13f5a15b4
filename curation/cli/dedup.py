"""`curation dedup`: duplicate clusters of a units file (and the unit reading and settings `curation report` shares)."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import click
from rich.table import Table

from curation.cli._common import console, print_errors, progress, refuse_output_over_input, untrusted
from curation.dedup import DedupSettings, scan_units
from curation.fileio import write_jsonl
from curation.unitfile import UnitFile, iter_unit_records
from curation.units import Document, Unit, unit_from_record


def _read_units(path: str, errors: list[object]) -> list[dict[str, Any]]:
    """Every readable unit record (for the report); each bad line is added to ``errors``."""
    records = []
    for record in iter_unit_records(path, errors=errors):
        try:
            unit_from_record(record)  # validates the fields every later step relies on
        except (KeyError, TypeError, ValueError) as exc:
            errors.append(f"{path}: unit {record.get('id')}: malformed ({type(exc).__name__}: {exc})")
            continue
        records.append(record)
    return records


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
def dedup_command(
    units: str, output: str | None, contained: str | None, repeated: str | None, label_field: str, **settings_args: Any
) -> None:
    """Exact and near-duplicate articles of a units file (`curation segment` output), teasers
    contained in longer articles (a relation apart), repeated passages, and clusters whose
    members carry different labels, in two reads of the file. Memory stays bounded by a part of
    the file, not the file: what grows with it is spilled to a temporary folder."""
    refuse_output_over_input([output, contained, repeated], [units])
    settings = _settings(**settings_args)
    errors: list[object] = []
    unit_file = UnitFile(units, errors=errors)
    with progress() as bar:
        documents: int | None = None

        def shown(phase: str) -> Iterator[Unit]:
            """The units file read once more, its pages counted on the bar (total known after the first read)."""
            nonlocal documents
            task = bar.add_task(f"{phase} (pages)", total=documents)
            count = 0
            for unit in unit_file:
                if isinstance(unit, Document):
                    count += 1
                    bar.advance(task)
                yield unit
            documents = count
            bar.update(task, total=count, completed=count)

        with scan_units(shown, settings, label_field) as scan:  # passages stream from disk, inside
            if repeated:
                passages = write_jsonl(repeated, (p.to_record() for p in scan.repeated))
            else:
                passages = sum(1 for _ in scan.repeated)
    found, clusters, conflicts = scan.found, scan.found.clusters, scan.conflicts
    if output:
        write_jsonl(output, (c.to_record() for c in clusters))
    if contained:
        write_jsonl(contained, (c.to_record() for c in found.contained))
    by_reason = Counter(c.reason for c in clusters)
    table = Table(title=f"duplicates in {untrusted(units)}")
    table.add_column("")
    table.add_column("count", justify="right")
    table.add_row("units compared", f"{scan.compared:,}")
    for reason, count in sorted(by_reason.items()):
        table.add_row(f"clusters ({reason})", f"{count:,}")
    table.add_row("units in clusters", f"{sum(len(c.members) for c in clusters):,}")
    table.add_row("units a representative-only export leaves out", f"{sum(len(c.members) - 1 for c in clusters):,}")
    table.add_row("contained in a longer article (teasers)", f"{len(found.contained):,}")
    table.add_row(f"label conflicts ({label_field})", f"{len(conflicts):,}")
    table.add_row("repeated passages", f"{passages:,}")
    table.add_row("unreadable lines", f"{len(errors):,}", style="red" if errors else None)
    console.print(table)
    print_errors(errors)
    if errors:
        sys.exit(1)
