"""The command group: every command reachable by name, each imported only when it runs."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from curation.cli import COMMANDS, main

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def test_every_listed_command_loads_under_its_name() -> None:
    ctx = click.Context(main)
    assert main.list_commands(ctx) == sorted(COMMANDS)
    for name in COMMANDS:
        command = main.get_command(ctx, name)
        assert isinstance(command, click.Command) and command.name == name


def test_segment_runs_without_loading_label_studio_or_datasets(tmp_path: Path) -> None:
    script = (
        "import sys\n"
        "from curation.cli import main\n"
        f"try:\n    main(['segment', {str(SEEDS)!r}, '-o', {str(tmp_path / 'u.jsonl')!r}])\n"
        "except SystemExit as done:\n    assert done.code in (0, None), done.code\n"
        "heavy = sorted(m for m in ('label_studio_sdk', 'datasets', 'statsmodels') if m in sys.modules)\n"
        "print('heavy:', heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "heavy: []" in result.stdout
    assert (tmp_path / "u.jsonl").stat().st_size > 0


def test_python_dash_m_runs_the_same_commands_as_the_script() -> None:
    """`python -m curation.cli` is what the benches call when no script is installed."""
    ran = subprocess.run([sys.executable, "-m", "curation.cli", "--help"], capture_output=True, text=True, timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert "segment" in ran.stdout and "build" in ran.stdout
