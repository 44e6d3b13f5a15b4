"""Console, progress, error and option helpers shared by the CLI modules (not itself a command module)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from curation.schema import Schema, SchemaError, load_schema
from curation.studio.client import StudioError, scrub
from curation.studio.server import DEFAULT_DATA_DIR

# Output for humans goes to stderr so that stdout stays clean for data (e.g. `-o -`).
console = Console(stderr=True)

data_dir_option = click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_DATA_DIR, show_default=True,
    help="Folder of the local Label Studio (database, credentials, pid file) and of the push/pull state.",
)
url_option = click.option(
    "--url", default=None, help="An existing Label Studio; the key comes from LABEL_STUDIO_API_KEY. Default: the local server."
)
schema_option = click.option(
    "--schema", "schema_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Label schema YAML (default: schemas/news.yaml).",
)


def progress(transient: bool = False) -> Progress:
    """A progress display that shows a bar when the total is known and a live count otherwise."""
    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=transient,
    )


def print_errors(errors: Iterable[object]) -> None:
    """Each error on one unwrapped red line, secrets scrubbed, rich markup in messages escaped."""
    for error in errors:
        console.print(f"[red]error[/red] {escape(scrub(str(error)))}", highlight=False, soft_wrap=True)


def load_schema_or_exit(path: Path | None) -> Schema:
    """The schema (default when ``path`` is None), or every problem printed and exit status 1."""
    try:
        return load_schema(path)
    except SchemaError as error:
        print_errors(error.problems)
        console.print(f"[red]{len(error.problems)} problem(s)[/red]")
        sys.exit(1)


@contextmanager
def one_line_errors() -> Iterator[None]:
    """Any expected failure becomes one red line on stderr and exit status 1, never a traceback."""
    try:
        yield
    except SchemaError as error:
        print_errors(error.problems)
        sys.exit(1)
    except (StudioError, OSError, ValueError) as error:
        print_errors([error])
        sys.exit(1)
