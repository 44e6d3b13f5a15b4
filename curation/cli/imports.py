"""`curation import`: CoNLL/BIO files, Label Studio exports and Hugging Face datasets in, units
and annotations (or predictions) out, every tag problem printed with its file and line.

Like every other command, a problem met on the way is reported and the rest still imported, and the
exit code is then 1, so a script (or CI) never mistakes a partial import for a clean one."""

from __future__ import annotations

from pathlib import Path

import click

from curation.cli._common import console, open_project, show_problems, untrusted
from curation.results import ImportResult


@click.command("import")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", "prefix", type=click.Path(path_type=Path), default=None,
              help="Prefix of the files written: PREFIX.docs.jsonl, PREFIX.units.jsonl, PREFIX.annotations.jsonl "
                   "[default in a workspace: where segment, push and build take them up: pages/NAME.docs.jsonl, "
                   "data/imports/NAME.units.jsonl, data/annotations/import-NAME.jsonl; NAME from the first input].")
@click.option("--format", "format_", type=click.Choice(["conll", "labelstudio", "hf-tokens", "hf-text"]), default=None,
              help="Input format (default: .json = Label Studio export, folder = HF dataset, .csv/.tsv/.jsonl = hf-text, "
                   "else CoNLL).")
@click.option("--as", "as_", type=click.Choice(["annotations", "predictions"]), default="annotations", show_default=True,
              help="Corpus labels become annotations (annotator = --source) or predictions to correct.")
@click.option("--source", default="import", show_default=True, help="Who the labels are from (annotator or model name).")
@click.option("--label-map", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="YAML 'source label: schema value' lines; a value of O drops that label.")
@click.option("--repair", type=click.Choice(["lenient", "strict"]), default="lenient", show_default=True,
              help="lenient: an I- without its B- opens a span (conlleval); strict: such spans are dropped.")
@click.option("--text-field", default="text", show_default=True, help="Task data key (Label Studio) or text column (HF).")
@click.option("--label-field", default="label", show_default=True,
              help="Column of each text's label (hf-text: a Hugging Face dataset, a CSV, TSV or JSONL file).")
@click.option("--family", default=None, help="Choice family for text-classification labels (default: the first article one).")
@click.option("--split", default="train", show_default=True, help="Split of a Hugging Face dataset folder.")
@click.option("--title-field", default=None,
              help="Task data key (Label Studio, default: title) or column (HF) of a headline shown above each text.")
@click.option("--target-field", default=None,
              help="Task data key (Label Studio, default: target) or column (HF) of each text's stance target "
                   "(a claim): shown by the schema's families that have a target.")
@click.option("--segment", is_flag=True,
              help="Cut each imported text with the news-page segmenter (title, dateline, byline, sentences) "
                   "instead of keeping it as one unit with the corpus's own text, boundaries and tokens.")
@click.option("--schema", "schema_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Label schema YAML [default: $CURATION_SCHEMA, else the workspace's, else the bundled news schema].")
def import_command(inputs: tuple[Path, ...], prefix: Path, format_: str | None, as_: str, source: str,
                   label_map: Path | None, repair: str, text_field: str, label_field: str, family: str | None, split: str,
                   title_field: str | None, target_field: str | None, segment: bool,
                   schema_path: Path | None) -> ImportResult:
    """Import annotated INPUTS as units plus annotations or predictions."""
    from curation.cli._progress import shown_progress

    with shown_progress(console) as shown:
        result = open_project(schema_path).import_(
            inputs, prefix, format=format_, as_=as_, source=source, label_map=label_map, repair=repair,
            text_field=text_field, label_field=label_field, family=family, split=split, segment=segment,
            fields={key: name for key, name in (("title", title_field), ("target", target_field)) if name},
            progress=shown,
        )  # fmt: skip
    report = result.report
    show_problems(result.problems)
    labels = f"{report.annotations} annotation(s)" if as_ == "annotations" else f"{report.predictions} prediction(s)"
    console.print(
        f"[green]imported[/green] {report.items} item(s) -> {report.units} unit(s), {report.spans} span(s), "
        f"{report.choices} choice(s); {labels} ({report.cancelled} cancelled), {report.rejected} rejected; "
        f"{len(result.problems)} problem(s)",
        highlight=False,
    )
    for name, path in report.outputs.items():
        console.print(f"  {name}: {untrusted(str(path))}", highlight=False)
    return result
