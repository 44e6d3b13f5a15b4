"""`curation dedup` and `curation report`: duplicate clusters and the corpus report of a units file."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from curation.cli._common import console, print_errors, refuse_output_over_input, untrusted
from curation.dedup import DedupSettings, dedup_items, find_duplicates, find_repeated_passages, label_conflicts, meta_labels
from curation.fileio import write_jsonl
from curation.report import corpus_stats, render_report, write_report
from curation.studio.store import AnnotationStore
from curation.unitfile import UnitFile, iter_unit_records
from curation.units import unit_from_record


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
    members carry different labels. Memory stays bounded by a part of the file, not the file."""
    refuse_output_over_input([output, contained, repeated], [units])
    settings = _settings(**settings_args)
    errors: list[object] = []
    unit_file = UnitFile(units, errors=errors)
    compared = 0

    def items() -> Iterator[tuple[str, str]]:
        nonlocal compared
        for item in dedup_items(unit_file):
            compared += 1
            yield item

    found = find_duplicates(items(), settings)
    clusters = found.clusters
    passages = find_repeated_passages(unit_file)
    conflicts = label_conflicts(clusters, meta_labels(unit_file, label_field))
    if output:
        write_jsonl(output, (c.to_record() for c in clusters))
    if contained:
        write_jsonl(contained, (c.to_record() for c in found.contained))
    if repeated:
        write_jsonl(repeated, (p.to_record() for p in passages))
    by_reason = Counter(c.reason for c in clusters)
    table = Table(title=f"duplicates in {untrusted(units)}")
    table.add_column("")
    table.add_column("count", justify="right")
    table.add_row("units compared", f"{compared:,}")
    for reason, count in sorted(by_reason.items()):
        table.add_row(f"clusters ({reason})", f"{count:,}")
    table.add_row("units in clusters", f"{sum(len(c.members) for c in clusters):,}")
    table.add_row("units a representative-only export leaves out", f"{sum(len(c.members) - 1 for c in clusters):,}")
    table.add_row("contained in a longer article (teasers)", f"{len(found.contained):,}")
    table.add_row(f"label conflicts ({label_field})", f"{len(conflicts):,}")
    table.add_row("repeated passages", f"{len(passages):,}")
    table.add_row("unreadable lines", f"{len(errors):,}", style="red" if errors else None)
    console.print(table)
    print_errors(errors)
    if errors:
        sys.exit(1)


@click.command("report")
@click.argument("units", type=click.Path(exists=True, dir_okay=False))
@click.option("--annotations", type=click.Path(exists=True, dir_okay=False), help="Annotations JSONL (Annotation records).")
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="HTML file to write.")
@click.option("--label-field", default="topic", show_default=True, help="Label family / document meta field shown.")
@_settings_options
def report_command(
    units: str, annotations: str | None, output: str, label_field: str, **settings_args: Any
) -> None:
    """A self-contained HTML report: counts, lengths, script mix, duplicates side by side,
    repeated passages, labels and annotation progress."""
    refuse_output_over_input([output], [units, annotations])
    settings = _settings(**settings_args)
    errors: list[object] = []
    records = _read_units(units, errors)
    problems: list[str] = []
    found = AnnotationStore(annotations).annotations(problems) if annotations else []
    errors.extend(problems)
    stats = corpus_stats(records, found, settings=settings, label_field=label_field)
    write_report(output, render_report(records, found, stats=stats, label_field=label_field, title=f"Report: {Path(units).name}"))
    console.print(
        f"wrote {untrusted(output)}: {stats.counts['documents']:,} documents, {stats.counts['articles']:,} articles, "
        f"{stats.counts['sentences']:,} sentences, {len(stats.clusters):,} duplicate clusters, "
        f"{len(found):,} annotations",
        highlight=False,
    )
    print_errors(errors)
    if errors:
        sys.exit(1)
