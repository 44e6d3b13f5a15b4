"""`curation train` (``Project.train``): a model per label family fitted on the gold, saved under a
version that hashes the gold and settings, for `curation preannotate --trained` and `curation issues`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from curation.cli._common import console, project_of, server_options, show_problems, untrusted
from curation.cli.agree import annotations_argument, policy_option, reviewer_option
from curation.results import TrainResult


@click.command("train")
@annotations_argument
@click.option("--units", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="The units file the tasks came from [default: the workspace's].")
@policy_option
@reviewer_option
@click.option("--gazetteer", "gazetteers", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Names the entity tagger may use as a feature ('name<TAB>LABEL' lines or patterns JSONL). Repeatable.")
@click.option("-o", "--output", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The models folder [default: the workspace's data/models, else models].")
@server_options
def train_command(annotations: tuple[Path, ...], units: Path | None, policies: tuple[str, ...], reviewer: str | None,
                  gazetteers: tuple[Path, ...], output: Path | None, **options: Any) -> TrainResult:  # fmt: skip
    """Train a model per label family on the gold of ANNOTATIONS (default: the workspace's stores)."""
    result = project_of(options).train(annotations, units=units, policies=policies, reviewer=reviewer,
                                       gazetteers=gazetteers, output=output)  # fmt: skip
    show_problems(result.problems)
    report = result.report
    console.print(report.rule, highlight=False)
    for fit in report.families:
        scores = fit.cross_validated
        figures = f"cross-validated accuracy {scores['accuracy']:.3f}, macro-F1 {scores['macro_f1']:.3f}" if scores else "no cross-validation"
        console.print(f"  {fit.family}@{fit.level}: {fit.examples} example(s), {len(fit.labels)} label(s); {figures}", highlight=False)
    for note in report.skipped:
        console.print(f"[yellow]note[/yellow] {untrusted(note)}", highlight=False)
    console.print(f"[green]model[/green] {report.version}: {untrusted(str(report.model_file))}", highlight=False)
    return result
