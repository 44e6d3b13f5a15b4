"""`curation preannotate` (``Project.preannotate``): predictions from gazetteers (Arabic clitics
understood) and any model callable, written to a predictions file and, with --push, sent to the
level's Label Studio project. A problem (a bad gazetteer line, a model span outside the schema, a
prediction not sent) is printed and the rest goes on; the exit code is then 1, as for every command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from curation.cli._common import console, project_of, server_options, show_problems, untrusted
from curation.results import PreannotateResult


@click.command("preannotate")
@click.argument("units", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--level", type=click.Choice(["article", "sentence"]), default="sentence", show_default=True,
              help="Which units get predictions.")
@click.option("--gazetteer", "gazetteers", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Names to find: 'name<TAB>LABEL' lines, or Prodigy/spaCy patterns JSONL. Repeatable.")
@click.option("--model", "model_spec", default=None,
              help="A Python callable text -> spans, as MODULE:NAME or FILE.py:NAME (e.g. a Hugging Face pipeline).")
@click.option("--model-version", default=None, help="Version stored with the model's predictions [default: the --model value].")
@click.option("--label-map", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="YAML 'source label: schema value' lines for gazetteer and model labels; O drops a label.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Predictions JSONL to write (what `curation push --predictions` reads).")
@click.option("--push", "push_", is_flag=True, help="Send the predictions to the level's Label Studio project.")
@click.option("--existing-only", is_flag=True, help="With --push: only tasks pushed before; make no new tasks.")
@click.option("--replace", is_flag=True, help="With --push: replace a task's earlier predictions of the same version.")
@click.option("--call-timeout", type=float, default=None,
              help="Seconds one model call may take; a model that overruns is not called again [default: 60].")
@click.option("--time-limit", type=float, default=None,
              help="Seconds the whole pre-annotation may take; the units left are reported [default: 14400].")
@click.option("--trained", "trained", flag_value="latest", default=None,
              help="Predict with the model `curation train` made last (scores, model version; replaces its own version).")
@click.option("--trained-model", "trained", type=click.Path(exists=True, dir_okay=False), help="Predict with this model file.")
@click.option("--serve-uncertain/--keep-queue", default=True, show_default=True,
              help="With --trained --push: the project's 'Label All Tasks' serves the least sure task first.")
@server_options
def preannotate_command(units: Path | None, level: str, gazetteers: tuple[Path, ...], model_spec: str | None,
                        model_version: str | None, label_map: Path | None, output: Path | None, push_: bool,
                        existing_only: bool, replace: bool, call_timeout: float | None, time_limit: float | None,
                        trained: str | None, serve_uncertain: bool,
                        **options: Any) -> PreannotateResult:  # fmt: skip
    """Pre-annotate the LEVEL units of UNITS (default: the workspace's) with --gazetteer and/or
    --model, or with the --trained model, for annotators to correct."""
    from curation.cli._progress import shown_progress

    with shown_progress(console) as shown:
        result = project_of(options).preannotate(
            level, units, gazetteers=gazetteers, model=model_spec, model_version=model_version, label_map=label_map,
            output=output, push=push_, existing_only=existing_only, replace=replace, call_timeout=call_timeout,
            time_limit=time_limit, trained=trained, serve_uncertain=serve_uncertain, progress=shown,
        )  # fmt: skip
    show_problems(result.problems)
    report = result.report
    if result.names is not None:
        console.print(f"gazetteer: {result.names} name(s)", highlight=False)
    for version, count in report.predictions.items():
        console.print(f"[green]predicted[/green] {untrusted(version)}: {report.spans[version]} span(s) on {count} of "
                      f"{report.units} {level} unit(s)", highlight=False)  # fmt: skip
    if report.output is not None:
        console.print(f"  predictions: {untrusted(str(report.output))}", highlight=False)
    if report.sent is not None:
        sent = report.sent
        console.print(f"[green]sent[/green] to project {sent.project.id} at {untrusted(sent.project.url)}: {sent.created} new "
                      f"task(s); predictions {sent.predictions} sent, {sent.predictions_replaced} replaced, "
                      f"{sent.predictions_unchanged} already there", highlight=False)  # fmt: skip
    return result
