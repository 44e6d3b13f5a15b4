"""`curation preannotate`: predictions from gazetteers (Arabic clitics understood) and any model
callable, written to a predictions file and, with --push, sent to the level's Label Studio project.
A problem (a bad gazetteer line, a model span outside the schema, a prediction not sent) is printed
and the rest goes on; the exit code is then 1, as for every command."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from curation.cli._common import (
    console,
    data_dir_option,
    error_console,
    load_schema_or_exit,
    print_errors,
    refuse_output_over_input,
    schema_option,
    untrusted,
    url_option,
)

SHOWN_PROBLEMS = 200


@click.command("preannotate")
@click.argument("units", type=click.Path(exists=True, dir_okay=False, path_type=Path))
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
@schema_option
@url_option
@data_dir_option
def preannotate_command(units: Path, level: str, gazetteers: tuple[Path, ...], model_spec: str | None,
                        model_version: str | None, label_map: Path | None, output: Path | None, push_: bool,
                        existing_only: bool, replace: bool, schema_path: Path | None, url: str | None,
                        data_dir: Path) -> None:
    """Pre-annotate the LEVEL units of UNITS with --gazetteer and/or --model, for annotators to correct."""
    from curation.imports import LabelMapError, read_label_map
    from curation.imports.model import ImportProblem
    from curation.preannotate import load_gazetteer, load_model, preannotate
    from curation.studio.client import StudioError
    from curation.studio.server import find_server

    if not gazetteers and model_spec is None:
        print_errors(["give --gazetteer, --model or both"])
        sys.exit(1)
    if output is None and not push_:
        print_errors(["nothing to do: give -o FILE, --push or both"])
        sys.exit(1)
    refuse_output_over_input([output], [units, *gazetteers, label_map])
    schema = load_schema_or_exit(schema_path)
    family = schema.span_family(level)
    if family is None:
        print_errors([f"schema {schema.name} has no span family asked at the {level} level"])
        sys.exit(1)
    load_problems: list[ImportProblem] = []
    try:
        mapping = read_label_map(label_map) if label_map else {}
        gazetteer = load_gazetteer(gazetteers, family.values, load_problems, mapping) if gazetteers else None
        model = load_model(model_spec) if model_spec else None
    except (LabelMapError, ValueError, OSError) as error:
        print_errors([error])
        sys.exit(1)
    except Exception as error:  # noqa: BLE001 - importing a user's module may raise anything
        print_errors([f"model {model_spec}: loading it raised {type(error).__name__}: {error}"])
        sys.exit(1)
    server = None
    try:
        if push_:
            server = find_server(url, data_dir)
        report = preannotate(units, schema, level, gazetteer=gazetteer, model=model,
                             model_version=model_version or model_spec, label_map=mapping, output=output,
                             client=server.client() if server else None, url=server.url if server else None,
                             state_dir=data_dir, new_tasks=not existing_only, replace=replace)
    except (StudioError, OSError, ValueError) as error:
        print_errors([error])
        sys.exit(1)
    problems = [str(p) for p in load_problems] + report.problems + (report.sent.problems if report.sent else [])
    for problem in problems[:SHOWN_PROBLEMS]:  # like errors, never silenced by --quiet
        error_console.print(f"[yellow]problem[/yellow] {untrusted(problem)}", highlight=False, soft_wrap=True)
    if len(problems) > SHOWN_PROBLEMS:
        error_console.print(f"… and {len(problems) - SHOWN_PROBLEMS} more problem(s)")
    if gazetteer is not None:
        console.print(f"gazetteer: {len(gazetteer)} name(s)", highlight=False)
    for version, count in report.predictions.items():
        console.print(f"[green]predicted[/green] {untrusted(version)}: {report.spans[version]} span(s) on {count} of "
                      f"{report.units} {level} unit(s)", highlight=False)
    if report.output is not None:
        console.print(f"  predictions: {untrusted(str(report.output))}", highlight=False)
    if report.sent is not None:
        sent = report.sent
        console.print(f"[green]sent[/green] to project {sent.project.id} at {untrusted(sent.project.url)}: {sent.created} new "
                      f"task(s); predictions {sent.predictions} sent, {sent.predictions_replaced} replaced, "
                      f"{sent.predictions_unchanged} already there", highlight=False)
    if problems:  # as every command: the rest was predicted (and sent), the problems make it exit 1
        sys.exit(1)
