"""The ``curation`` command: a thin layer over the library.

Commands are imported only when they run: the Label Studio SDK, ``datasets`` and statsmodels
take seconds to import, and ``curation segment`` needs none of them. Each module in this package
defines its commands; ``COMMANDS`` below says where each one lives. ``curation --help`` reads the
one-line help of each command from its module's source instead of importing it.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util

import click

from curation.cli._common import adopt_output_options

# command name -> "module:attribute" inside curation.cli
COMMANDS: dict[str, str] = {
    "agree": "agree:agree_command",
    "build": "build:build_command",
    "dedup": "dedup:dedup_command",
    "init": "init:init_command",
    "issues": "issues:issues_command",
    "import": "imports:import_command",
    "preannotate": "preannotate:preannotate_command",
    "publish": "build:publish_command",
    "pull": "bridge:pull_command",
    "push": "bridge:push_command",
    "report": "report:report_command",
    "review": "agree:review_group",
    "schema": "schema:schema_group",
    "segment": "segment:segment_command",
    "status": "status:status_command",
    "studio": "studio:studio_group",
    "train": "train:train_command",
    "verify": "build:verify_command",
}


class LazyGroup(click.Group):
    """A click group that imports a command's module the first time the command is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | COMMANDS.keys())

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            module_name, attribute = COMMANDS[cmd_name].split(":")
            command = getattr(importlib.import_module(f"{__name__}.{module_name}"), attribute)
            self.add_command(adopt_output_options(command, cmd_name), cmd_name)
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list of ``curation --help``, without importing any command's module."""
        limit = formatter.width - 6 - max(len(name) for name in self.list_commands(ctx))
        rows = []
        for name in self.list_commands(ctx):
            if name in self.commands:
                rows.append((name, self.commands[name].get_short_help_str(limit)))
            else:
                rows.append((name, click.Command(name, help=_docstring(COMMANDS[name])).get_short_help_str(limit)))
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _docstring(location: str) -> str:
    """The docstring of the function ``location`` ("module:attribute") names, read from its source."""
    module_name, attribute = location.split(":")
    spec = importlib.util.find_spec(f"{__name__}.{module_name}")
    if spec is None or spec.origin is None:
        return ""
    with open(spec.origin, encoding="utf-8") as source:
        tree = ast.parse(source.read())
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == attribute:
            return ast.get_docstring(node) or ""
    return ""


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="curation")
def main() -> None:
    """Turn raw Arabic news pages into annotated, published training data."""
