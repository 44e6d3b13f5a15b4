"""`curation schema check|show|config|new`: inspect a label schema file, or draft one from labels."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from curation.cli._common import console, open_project, untrusted
from curation.errors import CurationError, UsageError

schema_file = click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))


@click.group("schema")
def schema_group() -> None:
    """Check, show and turn into a Label Studio config a label schema (default: the workspace's, else the bundled news schema)."""


@schema_group.command("check")
@schema_file
@click.option("--strict", is_flag=True, help="Also require what a first draft may leave out: ar, description, example.")
def check_command(file: Path | None, strict: bool) -> None:
    """Validate FILE and report every problem with its line and key path."""
    schema = open_project(file).load_schema(strict=strict)
    labels = sum(len(family.labels) for family in schema.all_families)
    console.print(
        f"[green]ok[/green] {untrusted(str(schema.path))}: {schema.name} v{schema.version}, "
        f"{len(schema.all_families)} families, {labels} labels, {len(schema.migrations)} migration step(s), "
        f"fingerprint {schema.fingerprint[:16]}",
        highlight=False,
    )


@schema_group.command("show")
@schema_file
def show_command(file: Path | None) -> None:
    """A table of every label: family, value, Arabic name, hotkey, colour, description, example."""
    schema = open_project(file).schema
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
                untrusted(label.value),
                untrusted(label.ar),
                untrusted(label.hotkey),
                f"[{label.color}]■[/] {label.color}",
                untrusted(label.description),
                untrusted(label.example),
            )
        out.print(table)
        if family.target:
            out.print(f"default stance target: {untrusted(family.target)}")
    for step in schema.migrations:
        out.print(f"migration {step.from_version} -> {step.from_version + 1}:")
        for family_name, mapping in step.mapping.items():
            for old, new in mapping.items():
                out.print(f"  {family_name}: {untrusted(old)} -> {untrusted(new)}", highlight=False)
        for family_name, retired in step.retired.items():
            for old in sorted(retired):
                out.print(f"  {family_name}: {untrusted(old)} retired", highlight=False)


@schema_group.command("config")
@schema_file
@click.option("--level", type=click.Choice(["article", "sentence", "document"]), default="article", show_default=True)
def config_command(file: Path | None, level: str) -> None:
    """Print the Label Studio labeling config (XML) of FILE for one level."""
    schema = open_project(file).schema
    try:
        click.echo(schema.label_config(level), nl=False)
    except ValueError as error:
        raise CurationError(str(error)) from None


@schema_group.command("new")
@click.argument("name")
@click.option("--entities", default=None, help="Comma-separated entity labels, kept exactly (e.g. PER,ORG,Population-Center).")
@click.option("--from", "corpus", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="A CoNLL/BIO file whose tags give the labels.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Schema YAML to write.")
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
def new_command(name: str, entities: str | None, corpus: Path | None, output: Path, force: bool) -> None:
    """Write a first-draft schema NAME with one entity family (hotkeys clear of Label Studio's, colours chosen)."""
    from curation.imports.conll import corpus_labels
    from curation.schema.generate import draft_schema

    if (entities is None) == (corpus is None):
        raise UsageError("give exactly one of --entities and --from")
    if output.exists() and not force:
        raise CurationError(f"{output}: exists; pass --force to replace it")
    try:
        labels = corpus_labels(corpus) if corpus else [v.strip() for v in (entities or "").split(",") if v.strip()]
        text = draft_schema(name, labels)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise CurationError(str(error)) from None
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    schema = open_project(output).schema
    console.print(f"[green]wrote[/green] {escape(str(output))}: {len(schema.all_families[0].labels)} labels; "
                  "`curation schema check --strict` lists the Arabic names, descriptions and examples still to write",
                  highlight=False)
