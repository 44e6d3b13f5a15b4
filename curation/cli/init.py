"""`curation init [DIR]` (``Project.init``): start a workspace, so that later commands need no path."""

from __future__ import annotations

from pathlib import Path

import click

from curation.cli._common import console, untrusted
from curation.results import InitResult


@click.command("init")
@click.argument("folder", default=".", type=click.Path(file_okay=False, path_type=Path))
@click.option("--name", default=None, help="Workspace, schema and dataset name [default: from the folder's name].")
@click.option("--target", default=None, help="What the starter schema's stance question is about (e.g. a policy, a party, an event).")
@click.option("--topics", default=None, help="Comma-separated topic labels replacing the starter's (e.g. politics,sport,economy).")
@click.option("--entities", default=None, help="Comma-separated entity labels replacing the starter's (e.g. PER,ORG,LOC).")
def init_command(folder: Path, name: str | None, target: str | None, topics: str | None, entities: str | None) -> InitResult:
    """Create a workspace in FOLDER (default: here): curation.yaml, a starter schema.yaml to edit,
    recipe.yaml, an empty pages/ folder for your raw pages, data/annotations/ and a .gitignore for data/.
    Files already there are kept as they are."""
    from curation.project import Project

    _, result = Project.init(folder, name, target=target, topics=_labels(topics), entities=_labels(entities))
    for path in result.written:
        console.print(f"[green]created[/green] {untrusted(str(path))}", highlight=False)
    for path in result.kept:
        console.print(f"[yellow]kept[/yellow] {untrusted(str(path))} (already there)", highlight=False)
    console.print("next, in the workspace:", highlight=False)
    for step in result.next_steps:
        console.print(f"  {untrusted(step)}", highlight=False)
    return result


def _labels(given: str | None) -> list[str]:
    """``a, b,c`` as its labels; none given: none."""
    return [label.strip() for label in (given or "").split(",") if label.strip()]
