"""Console, progress, error, workspace and option helpers shared by the CLI modules (not itself a
command module).

Kept light (no Label Studio SDK, datasets, statsmodels...): every command imports it, and
`curation X --help` must answer at once.

Where a setting comes from, first found wins: the command-line option, the environment variable
(``CURATION_SCHEMA``, ``CURATION_DATA_DIR``, ``LABEL_STUDIO_URL``), the workspace file
(``curation.yaml``, found by walking up from the current folder), the built-in default."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.markup import escape

from curation.outputs import OutputOverInput, check_outputs
from curation.secrets import scrub
from curation.workspace import Workspace, WorkspaceError, current_workspace

if TYPE_CHECKING:  # loaded when used: `curation --help` needs neither ruamel.yaml nor rich.progress
    from rich.progress import Progress

    from curation.schema import Schema

SCHEMA_ENV = "CURATION_SCHEMA"
DATA_DIR_ENV = "CURATION_DATA_DIR"
URL_ENV = "LABEL_STUDIO_URL"
# The local Label Studio's folder outside any workspace (curation.studio.server.DEFAULT_DATA_DIR).
DEFAULT_STUDIO_DIR = Path(".curation/studio")

# Output for humans goes to stderr so that stdout stays clean for data (e.g. `-o -`) and --json.
console = Console(stderr=True)
# Errors are never silenced by --quiet.
error_console = Console(stderr=True)
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


def progress(transient: bool = False, auto_refresh: bool = True) -> Progress:
    """A progress display that shows a bar when the total is known and a live count otherwise.
    ``auto_refresh=False``: no refresh thread (the caller refreshes), so that datatrove's local
    workers can be forked rather than spawned, each spawned one importing everything again."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    return Progress(
        SpinnerColumn(),
        TextColumn("[progress.description]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=console,
        transient=transient,
        auto_refresh=auto_refresh,
    )


def print_errors(errors: Iterable[object]) -> None:
    """Each error on one unwrapped red line, secrets scrubbed, rich markup in messages escaped."""
    for error in errors:
        error_console.print(f"[red]error[/red] {untrusted(scrub(str(error)))}", highlight=False, soft_wrap=True)


# --- the workspace and the settings it provides --------------------------------------------------


def workspace() -> Workspace | None:
    """The workspace of the current folder (None outside one); a broken file is reported, exit 1."""
    try:
        return current_workspace()
    except WorkspaceError as error:
        print_errors(error.problems)
        sys.exit(1)


def schema_path(option: Path | None = None) -> Path | None:
    """The schema file to use: option, $CURATION_SCHEMA, the workspace's, else None (the bundled default)."""
    if option is not None:
        return option
    if os.environ.get(SCHEMA_ENV):
        return Path(os.environ[SCHEMA_ENV])
    found = workspace()
    return found.schema if found is not None else None


def load_schema_or_exit(path: Path | None, strict: bool = False) -> Schema:
    """The schema ``path`` names, else the one :func:`schema_path` finds, or every problem printed and exit 1;
    ``strict`` also asks for what a first draft may leave out (Arabic names, descriptions, examples)."""
    from curation.schema import SchemaError, load_schema

    try:
        return load_schema(schema_path(path), strict=strict)
    except SchemaError as error:
        print_errors(error.problems)
        error_console.print(f"[red]{len(error.problems)} problem(s)[/red]")
        sys.exit(1)


def annotation_store(default: Path) -> Path:
    """Where `curation pull` keeps a store: in the workspace's data/annotations (the folder its
    recipe and report read), else at ``default``."""
    found = workspace()
    return default if found is None else found.annotations_dir / default.name


def workspace_annotators(level: str) -> int | None:
    """Annotators per task the workspace file sets for ``level`` (None: not set, or no workspace)."""
    found = workspace()
    return None if found is None else found.annotators.get(level)


def default_recipe(default: str) -> str:
    """The recipe `curation build` builds when none is named: the workspace's, else ``default``."""
    found = workspace()
    return str(found.recipe) if found is not None and found.recipe is not None else default


def _studio_dir(_ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path:
    if value is not None:
        return value
    found = workspace()
    return found.studio_dir if found is not None else DEFAULT_STUDIO_DIR


def _server_url(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    if value:
        return value
    found = workspace()
    return found.server_url if found is not None else None


schema_option = click.option(
    "--schema", "schema_path", type=click.Path(dir_okay=False, path_type=Path), envvar=SCHEMA_ENV, default=None,
    help=f"Label schema YAML [default: ${SCHEMA_ENV}, else the workspace's, else the bundled news schema].",
)  # fmt: skip
data_dir_option = click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar=DATA_DIR_ENV, default=None,
    callback=_studio_dir,
    help=f"Folder of the local Label Studio (database, credentials, pid file) and of the push/pull state "
    f"[default: ${DATA_DIR_ENV}, else the workspace's data/studio, else {DEFAULT_STUDIO_DIR}].",
)  # fmt: skip
url_option = click.option(
    "--url", envvar=URL_ENV, default=None, callback=_server_url,
    help=f"An existing Label Studio; the key comes from LABEL_STUDIO_API_KEY "
    f"[default: ${URL_ENV}, else the workspace's server.url, else the local server].",
)  # fmt: skip


# --- --quiet and --json on every command ----------------------------------------------------------


@dataclasses.dataclass
class OutputMode:
    """How the running command reports: ``quiet`` silences everything but errors; ``json`` prints
    one JSON object on stdout when the command ends (its :func:`summarize` fields, ``ok``, exit code)."""

    command: str
    quiet: bool = False
    json: bool = False
    summary: dict[str, Any] = dataclasses.field(default_factory=dict)


_mode = OutputMode("curation")


def summarize(**fields: Any) -> None:
    """Record the figures of a command's machine-readable summary (``--json``). Call it once the
    figures are known; dataclasses and paths are turned into JSON."""
    _mode.summary.update(fields)


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _jsonable(dataclasses.asdict(value))
    if isinstance(value, dict):
        return {str(key): _jsonable(item) for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(item) for item in value]
    if isinstance(value, Path):
        return str(value)
    return value


quiet_option = click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
json_option = click.option(
    "--json", "json_summary", is_flag=True, help="Print a machine-readable JSON summary on stdout (implies --quiet)."
)


def _with_output_mode(name: str, callback: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(callback)
    def run(*args: Any, quiet: bool, json_summary: bool, **kwargs: Any) -> Any:
        global _mode
        _mode = OutputMode(name, quiet=quiet or json_summary, json=json_summary)
        console.quiet = _mode.quiet
        code = 0
        try:
            return callback(*args, **kwargs)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
            raise
        except click.ClickException as exc:
            code = exc.exit_code
            raise
        finally:
            console.quiet = False
            if _mode.json:
                summary = {"command": name, "ok": code == 0, "exit_code": code, **_jsonable(_mode.summary)}
                click.echo(json.dumps(summary, ensure_ascii=False))

    return run


def adopt_output_options(command: click.Command, name: str | None = None) -> click.Command:
    """Give ``command`` (every subcommand of a group) ``--quiet`` and ``--json``; done once, by the
    ``curation`` group, for every command it loads, so no command can miss them."""
    name = name or command.name or "curation"
    if isinstance(command, click.Group):
        for sub_name, sub in command.commands.items():
            adopt_output_options(sub, f"{name} {sub_name}")
        return command
    if command.callback is None or any(param.name == "json_summary" for param in command.params):
        return command
    json_option(quiet_option(command))  # click stores the options on the command object
    command.callback = _with_output_mode(name, command.callback)
    return command


def refuse_output_over_input(outputs: Iterable[str | Path | None], inputs: Iterable[str | Path | None]) -> None:
    """Stop with one line, before any work, when an output would overwrite an input or another output."""
    try:
        check_outputs(outputs, inputs)
    except OutputOverInput as exc:
        raise click.ClickException(one_line(str(exc))) from None
