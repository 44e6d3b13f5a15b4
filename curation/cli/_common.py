"""Console, options and the one error boundary shared by the CLI modules (not itself a
command module).

Kept light (no Label Studio SDK, datasets, statsmodels...): every command imports it, and
`curation X --help` must answer at once. Where a setting comes from is decided by
:meth:`curation.project.Project.open`, not here."""

from __future__ import annotations

import dataclasses
import functools
import json
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.markup import escape

from curation.errors import CurationError
from curation.secrets import scrub

if TYPE_CHECKING:  # loaded when used: `curation --help` needs no ruamel.yaml
    from curation.project import Project

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


def print_errors(errors: Iterable[object]) -> None:
    """Each error on one unwrapped red line, secrets scrubbed, rich markup in messages escaped."""
    for error in errors:
        error_console.print(f"[red]error[/red] {untrusted(scrub(str(error)))}", highlight=False, soft_wrap=True)


# --- the project every command works on -----------------------------------------------------------


def show_tidied(tidied: Iterable[tuple[Path, int]]) -> None:
    """The work folders of killed runs that this run removed (:mod:`curation.pipeline.workfolder`)."""
    for folder, size in tidied:
        console.print(f"[yellow]note[/yellow] removed {untrusted(str(folder))} ({size / 1e6:,.1f} MB), the work folder of a "
                      "run that was killed", highlight=False, soft_wrap=True)  # fmt: skip


def open_project(schema: Path | None = None, studio_dir: Path | None = None, url: str | None = None) -> Project:
    """The :class:`~curation.project.Project` of the current folder, with the options given over it."""
    from curation.project import Project

    return Project.open(schema=schema, studio_dir=studio_dir, url=url)


schema_option = click.option(
    "--schema", "schema_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help="Label schema YAML [default: $CURATION_SCHEMA, else the workspace's, else the bundled news schema].",
)  # fmt: skip
data_dir_option = click.option(
    "--data-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
    help="Folder of the local Label Studio (database, credentials, pid file) and of the push/pull state "
    "[default: $CURATION_DATA_DIR, else the workspace's data/studio, else .curation/studio].",
)  # fmt: skip
url_option = click.option(
    "--url", default=None,
    help="An existing Label Studio; the key comes from LABEL_STUDIO_API_KEY "
    "[default: $LABEL_STUDIO_URL, else the workspace's server.url, else the local server].",
)  # fmt: skip


def server_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--schema``, ``--url`` and ``--data-dir``: what a Label Studio command may override."""
    return schema_option(url_option(data_dir_option(command)))


def project_of(options: dict[str, Any]) -> Project:
    """The project, with the ``--schema``/``--url``/``--data-dir`` values taken out of ``options``."""
    return open_project(options.pop("schema_path", None), options.pop("data_dir", None), options.pop("url", None))


# --- --quiet and --json on every command, and the one error boundary -------------------------------


@dataclasses.dataclass
class OutputMode:
    """How the running command reports: ``quiet`` silences everything but errors; ``json`` prints
    the command's result as one JSON object on stdout, and nothing else there."""

    command: str
    quiet: bool = False
    json: bool = False


_mode = OutputMode("curation")


def json_mode() -> bool:
    return _mode.json


quiet_option = click.option("-q", "--quiet", is_flag=True, help="Print nothing but errors.")
json_option = click.option(
    "--json", "json_summary", is_flag=True, help="Print the result as one JSON object on stdout (implies --quiet)."
)


def _print_json(name: str, code: int, result: Any, errors: list[str]) -> None:
    from curation.results import jsonable

    body = result.to_dict() if hasattr(result, "to_dict") else jsonable(result) if result is not None else {}
    summary = {"command": name, "ok": code == 0, "exit_code": code, **body}
    if errors:
        summary["errors"] = errors
    click.echo(json.dumps(summary, ensure_ascii=False, default=str))


def _with_output_mode(name: str, callback: Callable[..., Any]) -> Callable[..., Any]:
    """Run a command: its result's exit code (1 when it reported problems), a
    :class:`~curation.errors.CurationError` as red lines and its exit code, never a traceback."""

    @functools.wraps(callback)
    def run(*args: Any, quiet: bool, json_summary: bool, **kwargs: Any) -> Any:
        global _mode
        _mode = OutputMode(name, quiet=quiet or json_summary, json=json_summary)
        console.quiet = _mode.quiet
        result, errors, code = None, [], 0
        try:
            result = callback(*args, **kwargs)
            code = getattr(result, "exit_code", 0)
        except CurationError as exc:
            errors, code = [scrub(problem) for problem in exc.problems], exc.exit_code
            print_errors(errors)
            if len(errors) > 1:
                error_console.print(f"[red]{len(errors)} problem(s)[/red]")
        except OSError as exc:  # a full disk, a read-only folder, a file gone: the path and the reason, one line
            errors, code = [scrub(f"{exc.filename or 'error'}: {exc.strerror or exc}")], 1
            print_errors(errors)
        except RuntimeError as exc:  # Python < 3.13's pathlib raises this, not OSError, on a symlink loop
            if not str(exc).startswith("Symlink loop from "):
                raise
            errors, code = [scrub(f"{str(exc).removeprefix('Symlink loop from ').strip(chr(39))}: symlink loop (links that point at each other)")], 1
            print_errors(errors)
        except click.ClickException as exc:
            code = exc.exit_code
            raise
        finally:
            console.quiet = False
            if _mode.json:
                _print_json(name, code, result, errors)
        if code:
            sys.exit(code)
        return result

    return run


def adopt_output_options(command: click.Command, name: str | None = None) -> click.Command:
    """Give ``command`` (every subcommand of a group) ``--quiet``, ``--json`` and the error
    boundary; done once, by the ``curation`` group, for every command it loads."""
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


def show_problems(problems: Iterable[str], label: str = "problem", limit: int = 200) -> None:
    """Each problem on one line (never silenced by --quiet, as errors), the first ``limit`` of them."""
    shown = list(problems)
    for problem in shown[:limit]:
        error_console.print(f"[yellow]{label}[/yellow] {untrusted(scrub(str(problem)))}", highlight=False, soft_wrap=True)
    if len(shown) > limit:
        error_console.print(f"… and {len(shown) - limit} more (all of them in --json)", highlight=False)
