"""`curation schema check|show|config|new`: inspect a label schema file, or draft one from labels."""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from curation.cli._common import console, json_mode, open_project, show_problems, untrusted
from curation.errors import UsageError
from curation.results import SchemaResult

schema_file = click.argument("file", required=False, type=click.Path(dir_okay=False, path_type=Path))


@click.group("schema")
def schema_group() -> None:
    """Check, show and turn into a Label Studio config a label schema (default: the workspace's, else the bundled news schema)."""


@schema_group.command("check")
@schema_file
@click.option("--strict", is_flag=True, help="Also require what a first draft may leave out: ar, description, example.")
def check_command(file: Path | None, strict: bool) -> SchemaResult:
    """Validate FILE and report every problem with its line and key path."""
    result = open_project(file).schema_check(strict)
    labels = sum(len(values) for values in result.labels.values())
    console.print(
        f"[green]ok[/green] {untrusted(str(result.path))}: {result.name} v{result.version}, "
        f"{len(result.labels)} families, {labels} labels, {result.migrations} migration step(s), "
        f"fingerprint {result.fingerprint[:16]}",
        highlight=False,
    )
    return result


@schema_group.command("show")
@schema_file
def show_command(file: Path | None) -> SchemaResult:
    """A table of every label: family, value, Arabic name, hotkey, colour, description, example."""
    project = open_project(file)
    result = project.schema_check()
    if json_mode():
        return result
    schema = project.schema
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
    return result


@schema_group.command("config")
@schema_file
@click.option("--level", type=click.Choice(["article", "sentence", "document"]), default="article", show_default=True)
def config_command(file: Path | None, level: str) -> SchemaResult:
    """Print the Label Studio labeling config (XML) of FILE for one level."""
    result = open_project(file).schema_check(level=level)
    if not json_mode():  # the XML is the output asked for; under --json it is the result's "config"
        click.echo(result.config, nl=False)
    return result


@schema_group.command("new")
@click.argument("name")
@click.option("--entities", default=None, help="Comma-separated entity labels, kept exactly (e.g. PER,ORG,Population-Center).")
@click.option("--from", "corpus", type=click.Path(exists=True, path_type=Path), multiple=True,
              help="A corpus whose entity tags give the labels (a CoNLL/BIO file, a JSONL file of token rows, a "
                   "dataset folder); repeat it to merge several (noise tags such as MIS-1 or a bare ENGLISH are "
                   "reported, not made labels).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Schema YAML to write.")
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists.")
def new_command(name: str, entities: str | None, corpus: tuple[Path, ...], output: Path, force: bool) -> SchemaResult:
    """Write a first-draft schema NAME with one entity family (hotkeys clear of Label Studio's, colours chosen)."""
    from curation.project import Project

    labels = [v.strip() for v in (entities or "").split(",") if v.strip()]
    if entities is not None and not labels:
        raise UsageError("--entities: give at least one label")
    result = Project.schema_new(name, labels, corpus=corpus, output=output, force=force)
    show_problems(result.problems)
    console.print(f"[green]wrote[/green] {untrusted(str(output))}: {sum(len(v) for v in result.labels.values())} labels; "
                  "`curation schema check --strict` lists the Arabic names, descriptions and examples still to write",
                  highlight=False)  # fmt: skip
    return result
