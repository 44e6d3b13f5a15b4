"""Console, progress, error and schema helpers shared by the CLI modules (not itself a command module).

Kept light: the Label Studio SDK is only imported by the commands that talk to a server."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from curation.schema import Schema, SchemaError, load_schema
from curation.secrets import scrub

# Output for humans goes to stderr so that stdout stays clean for data (e.g. `-o -`).
console = Console(stderr=True)
# C0 and C1 controls (newline, ESC of ANSI sequences...) and lone surrogates (undecodable bytes of a file name)
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def one_line(text: str) -> str:
    """Untrusted text (file names, labels, messages quoting them) as one printable line: control
    characters and lone surrogates become visible escapes, so a name can neither split a message
    into lines nor move the cursor or colour the terminal, nor crash the UTF-8 encoder."""
    return _UNPRINTABLE.sub(lambda found: found.group().encode("unicode_escape").decode("ascii"), text)


def untrusted(text: str) -> str:
    """:func:`one_line` with rich markup (``[/]``, ``[red]``) escaped, for console.print and tables."""
    return escape(one_line(text))


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
        console.print(f"[red]error[/red] {untrusted(scrub(str(error)))}", highlight=False, soft_wrap=True)


def load_schema_or_exit(path: Path | None) -> Schema:
    """The schema (default when ``path`` is None), or every problem printed and exit status 1."""
    try:
        return load_schema(path)
    except SchemaError as error:
        print_errors(error.problems)
        console.print(f"[red]{len(error.problems)} problem(s)[/red]")
        sys.exit(1)
