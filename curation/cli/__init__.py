"""The ``curation`` command: a thin layer over the library.

Every module in this package exposes ``COMMANDS``, a list of click commands or groups; they are
discovered here so that adding a command never means editing a shared file.
"""

from __future__ import annotations

import importlib
import pkgutil

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="curation")
def main() -> None:
    """Turn raw Arabic news pages into annotated, published training data."""


def _register_commands() -> None:
    for module_info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if module_info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{module_info.name}")
        for command in getattr(module, "COMMANDS", ()):
            main.add_command(command)


_register_commands()
