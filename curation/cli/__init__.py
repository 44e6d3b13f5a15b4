"""The ``curation`` command: a thin layer over the library.

Commands are imported only when they run: the Label Studio SDK, ``datasets`` and statsmodels
take seconds to import, and ``curation segment`` needs none of them. Each module in this package
defines its commands; ``COMMANDS`` below says where each one lives.
"""

from __future__ import annotations

import importlib

import click

# command name -> "module:attribute" inside curation.cli
COMMANDS: dict[str, str] = {
    "agree": "agree:agree_command",
    "build": "build:build_command",
    "dedup": "dedup:dedup_command",
    "import": "imports:import_command",
    "publish": "build:publish_command",
    "pull": "studio:pull_command",
    "push": "studio:push_command",
    "report": "dedup:report_command",
    "review": "agree:review_group",
    "schema": "schema:schema_group",
    "segment": "segment:segment_command",
    "studio": "studio:studio_group",
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
            self.add_command(command, cmd_name)
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="curation")
def main() -> None:
    """Turn raw Arabic news pages into annotated, published training data."""
