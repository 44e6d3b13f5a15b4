"""`curation init [DIR]`: start a workspace, so that later commands need no --schema, --data-dir or --url."""

from __future__ import annotations

from pathlib import Path

import click

from curation.cli._common import console, summarize, untrusted
from curation.workspace import WorkspaceError, init_workspace


@click.command("init")
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default=None, help="Workspace, schema and dataset name [default: from the folder's name].")
def init_command(folder: Path, name: str | None) -> None:
    """Create a workspace in FOLDER (default: here): curation.yaml, a starter schema.yaml to edit,
    recipe.yaml, an empty pages/ folder for your raw pages, data/annotations/ and a .gitignore for data/.
    Files already there are kept as they are."""
    try:
        report = init_workspace(folder, name)
    except WorkspaceError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(f"{untrusted(str(exc.filename or folder))}: {exc.strerror or exc}") from None
    for path in report.written:
        console.print(f"[green]created[/green] {untrusted(str(path))}", highlight=False)
    for path in report.kept:
        console.print(f"[yellow]kept[/yellow] {untrusted(str(path))} (already there)", highlight=False)
    console.print(
        f"next: put pages in {untrusted(str(folder / 'pages'))}, edit {untrusted(str(folder / 'schema.yaml'))}, "
        "then `curation segment`, `curation studio up`, `curation push --level article`",
        highlight=False,
    )
    summarize(workspace=report.workspace, written=report.written, kept=report.kept)
