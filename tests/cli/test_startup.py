"""Every command answers ``--help`` at once: none of the libraries that take seconds to import
(the Label Studio SDK, ``datasets``, pandas, pyarrow, matplotlib...) is loaded to print help.

Checked by what is imported, not by timing (timings vary with the machine's load): each command
runs ``--help`` for itself and every subcommand in a fresh interpreter, which then lists the
heavy modules it holds."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from curation.cli import COMMANDS

# Each costs from a fraction of a second to several seconds to import; a command needs them only to work.
HEAVY = (
    "label_studio_sdk",
    "datasets",
    "huggingface_hub",
    "pyarrow",
    "pandas",
    "statsmodels",
    "sklearn",
    "scipy",
    "matplotlib",
    "trafilatura",
    "datatrove",
    "torch",
    "httpx",
    "krippendorff",
    "numpy",
)

_PROBE = """
import json, sys
import click
from curation.cli import main

def helps(words):
    try:
        main([*words, "--help"], standalone_mode=False)
    except SystemExit:
        pass

def leaves(words, command):
    helps(words)
    if not isinstance(command, click.Group):
        return [(words, command)]
    return [leaf for sub in sorted(command.commands) for leaf in leaves([*words, sub], command.commands[sub])]

name = sys.argv[1]
found = leaves([name], main.get_command(click.Context(main), name))
print(json.dumps({
    "subcommands": [" ".join(words) for words, _ in found],
    "heavy": sorted(m for m in json.loads(sys.argv[2]) if m in sys.modules),
    "without_quiet_or_json": [" ".join(w) for w, c in found if not {"quiet", "json_summary"} <= {p.name for p in c.params}],
}))
"""


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_help_loads_no_heavy_library_and_offers_quiet_and_json(name: str) -> None:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, name, json.dumps(HEAVY)], capture_output=True, text=True, check=True
    )
    found = json.loads(result.stdout.splitlines()[-1])
    assert found["heavy"] == [], f"`curation {name} --help` (and {found['subcommands']}) imports {found['heavy']}"
    assert found["without_quiet_or_json"] == []  # every command takes --quiet and --json


def test_the_top_level_help_imports_no_command_module_nor_a_yaml_parser() -> None:
    script = (
        "import sys\nfrom curation.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('curation.cli.', 'ruamel', 'rich.progress'))"
        " and m != 'curation.cli._common'))"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip().splitlines()[-1] == "[]"
