"""`curation schema check|show|config`: inspect a label schema file."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from curation.cli._common import console, load_schema_or_exit, print_errors

schema_file = click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))


@click.group("schema")
def schema_group() -> None:
    """Check, show and turn into a Label Studio config a label schema (default: the bundled curation/schemas/news.yaml)."""


@schema_group.command("check")
@schema_file
def check_command(file: Path | None) -> None:
    """Validate FILE and report every problem with its line and key path."""
    schema = load_schema_or_exit(file)
    labels = sum(len(family.labels) for family in schema.all_families)
    console.print(
        f"[green]ok[/green] {escape(str(schema.path))}: {schema.name} v{schema.version}, "
        f"{len(schema.all_families)} families, {labels} labels, {len(schema.migrations)} migration step(s), "
        f"fingerprint {schema.fingerprint[:16]}",
        highlight=False,
    )


@schema_group.command("show")
@schema_file
def show_command(file: Path | None) -> None:
    """A table of every label: family, value, Arabic name, hotkey, colour, description, example."""
    schema = load_schema_or_exit(file)
    out = Console()  # stdout: the table is the output asked for, not a diagnostic
    out.print(f"[bold]{escape(schema.name)}[/bold] v{schema.version}  fingerprint {schema.fingerprint[:16]}")
    for family in schema.all_families:
        flags = [family.kind, "levels: " + ", ".join(family.levels)]
        if family.kind == "choice":
            flags.append("multiple" if family.multiple else "single")
        else:
            flags.append("overlap allowed" if family.overlap else "no overlap")
            flags.append(f"granularity {family.granularity}")
        if family.required:
            flags.append("required")
        table = Table(title=f"{family.name} ({'; '.join(flags)})", show_lines=False)
        for column in ("value", "ar", "key", "colour", "description", "example"):
            table.add_column(column, overflow="fold")
        for label in family.labels:
            table.add_row(
                label.value,
                label.ar,
                label.hotkey,
                f"[{label.color}]■[/] {label.color}",
                escape(label.description),
                escape(label.example),
            )
        out.print(table)
        if family.target:
            out.print(f"default stance target: {escape(family.target)}")
    for step in schema.migrations:
        out.print(f"migration {step.from_version} -> {step.from_version + 1}:")
        for family_name, mapping in step.mapping.items():
            for old, new in mapping.items():
                out.print(f"  {family_name}: {old} -> {new}")
        for family_name, retired in step.retired.items():
            for old in sorted(retired):
                out.print(f"  {family_name}: {old} retired")


@schema_group.command("config")
@schema_file
@click.option("--level", type=click.Choice(["article", "sentence", "document"]), default="article", show_default=True)
def config_command(file: Path | None, level: str) -> None:
    """Print the Label Studio labeling config (XML) of FILE for one level."""
    schema = load_schema_or_exit(file)
    try:
        click.echo(schema.label_config(level), nl=False)
    except ValueError as error:
        print_errors([error])
        sys.exit(1)
