"""`curation agree`: agreement figures and adjudicated gold for an annotation store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from curation.agreement import (
    DEFAULT_POLICY,
    POLICIES,
    Adjudication,
    abstain_where_set_aside,
    adjudicate,
    collect_answers,
    set_aside_ranges,
)
from curation.cli._common import console, load_schema_or_exit, one_line, refuse_output_over_input, untrusted, workspace
from curation.cli.studio import data_dir_option, one_line_errors, url_option
from curation.schema import Schema
from curation.studio.server import find_server
from curation.studio.tasks import PUSHABLE_LEVELS
from curation.units import Annotation
from curation.fileio import atomic_writer, dumps

if TYPE_CHECKING:
    from curation.agreement.report import AgreementReport

SHOWN_PROBLEMS = 20


def _figure(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _used(rows: list[dict[str, Any]], count: str) -> list[dict[str, Any]]:
    """Label rows someone actually gave (the JSON keeps every label of the schema)."""
    return [row for row in rows if row[count]]


def _choice_tables(entry: dict[str, Any]) -> list[Table]:
    title = f"{entry['family']} ({entry['level']}, {'multi' if entry['multiple'] else 'single'} choice)"
    main = Table(title=f"{title}: {entry['units']} units, {len(entry['annotators'])} annotators")
    for column in ("", "answers", "α Krippendorff", "κ Fleiss", "κ Cohen", "observed"):
        main.add_column(column, justify="left" if not column else "right")
    overall = entry["overall"]
    main.add_row(
        "[bold]overall[/bold]",
        "",
        _figure(overall["krippendorff_alpha"]),
        _figure(overall["fleiss_kappa"]),
        _figure(overall.get("cohen_kappa")),
        _figure(overall["observed_agreement"]),
    )
    for row in _used(entry["labels"], "answers_with_label"):
        main.add_row(
            escape(row["label"]),
            str(row["answers_with_label"]),
            _figure(row["krippendorff_alpha"]),
            _figure(row["fleiss_kappa"]),
            _figure(row.get("cohen_kappa")),
            _figure(row["observed_agreement"]),
        )
    people = Table(title=f"{entry['family']} ({entry['level']}): pairs and each annotator against the rest")
    for column in ("annotators", "units", "κ Cohen", "observed"):
        people.add_column(column, justify="left" if column == "annotators" else "right")
    for row in entry["pairs"]:
        people.add_row(
            escape(" × ".join(row["annotators"])),
            str(row["units"]),
            _figure(row["cohen_kappa"]),
            _figure(row["observed_agreement"]),
        )
    for row in entry["against_rest"]:
        people.add_row(
            escape(f"{row['annotator']} × rest"),
            str(row["units"]),
            _figure(row["cohen_kappa"]),
            _figure(row["observed_agreement"]),
        )
    return [main, people]


def _span_tables(entry: dict[str, Any]) -> list[Table]:
    table = Table(
        title=f"{entry['family']} ({entry['level']}, spans): {entry['units']} units, "
        f"{len(entry['annotators'])} annotators, pairwise F1"
    )
    for column in ("", "spans", "F1 exact", "F1 overlap"):
        table.add_column(column, justify="left" if not column else "right")

    def add(name: str, row: dict[str, Any]) -> None:
        table.add_row(name, str(row["spans"]), _figure(row["exact_f1"]), _figure(row["overlap_f1"]))

    add("[bold]overall[/bold]", entry["overall"])
    for row in _used(entry["labels"], "spans"):
        add(escape(row["label"]), row)
    for row in entry["pairs"]:
        add(escape(" × ".join(row["annotators"])), row)
    for row in entry["against_rest"]:
        add(escape(f"{row['annotator']} × rest"), row)
    return [table]


def print_report(out: Console, report: AgreementReport, adjudication: Adjudication) -> None:
    data = report.to_dict()
    for entry in data["families"]:
        if not entry["units"]:
            out.print(f"{escape(entry['family'])} ({entry['level']}): no answers", highlight=False)
            continue
        for table in _span_tables(entry) if entry["kind"] == "span" else _choice_tables(entry):
            out.print(table)
    counts = data["annotations"]
    not_counted = ", ".join(f"{n} {kind}" for kind, n in counts["not_counted"].items()) or "none"
    out.print(
        f"{counts['counted']} of {counts['total']} annotations counted (not counted: {not_counted}); "
        f"{data['counting_rule']}.",
        highlight=False,
    )
    summary = adjudication.to_dict()
    sources = ", ".join(f"{n} by {source}" for source, n in summary["gold_by_source"].items()) or "none"
    out.print(
        f"gold ({' > '.join(summary['policy'])}): {summary['gold']} unit-family answers ({sources}); "
        f"{summary['conflicts']} conflicts, {summary['unresolved']} unresolved",
        highlight=False,
    )
    spans = summary["span_yield"]
    if spans["spans"]:
        out.print(
            f"entity gold, mention by mention: {spans['decided_without_review']} of {spans['spans']} marked mentions "
            f"decided without review ({spans['yield_without_review']:.1%}), {spans['disputed']} still disputed "
            f"(only these need a reviewer); {spans['units_with_gold']} of {spans['units_with_spans']} units have gold",
            highlight=False,
        )


annotations_argument = click.argument("annotations", type=click.Path(exists=True, dir_okay=False, path_type=Path))
schema_option = click.option(
    "--schema",
    "schema_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Label schema (default: the bundled curation/schemas/news.yaml).",
)
policy_option = click.option(
    "--policy",
    "policies",
    multiple=True,
    type=click.Choice(POLICIES),
    help=f"Adjudication policy; repeat to chain, first that decides wins [default: {' then '.join(DEFAULT_POLICY)}].",
)
reviewer_option = click.option(
    "--reviewer",
    help="With --reviews: whose review decisions count (default: every reviewer's). Without: the annotator "
    "whose own answer wins under the 'reviewer' policy.",
)
reviews_option = click.option(
    "--reviews",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Review decisions (the store `curation review pull` writes): they decide under the 'reviewer' policy "
    "but are never counted as answers nor in the agreement figures.",
)


def _read_store(path: Path, schema: Schema) -> tuple[list[Annotation], list[str], dict[tuple[str, str], list[dict[str, Any]]]]:
    """A store's annotations, every unreadable line reported and returned, and the regions set
    aside from its annotations (by unit id and annotation id)."""
    from curation.export.annotations import read_snapshot  # the export package loads datasets: not for --help

    snapshot = read_snapshot(path, schema)
    if snapshot.problems and not snapshot.total:  # nothing readable: an empty result would look like "no answers"
        raise click.ClickException(one_line(f"{snapshot.problems[0]} (no annotation could be read; nothing written)"))
    for problem in snapshot.problems[:SHOWN_PROBLEMS]:
        console.print(f"[yellow]skipped[/yellow] {escape(problem)}", highlight=False)
    if len(snapshot.problems) > SHOWN_PROBLEMS:
        console.print(f"… and {len(snapshot.problems) - SHOWN_PROBLEMS} more, all listed in the JSON output")
    return [a for unit in snapshot.by_unit.values() for a in unit], snapshot.problems, snapshot.set_aside


def _unit_texts(units: Path | None, wanted: set[str]) -> dict[str, str]:
    """The texts of the ``wanted`` units of ``units`` (their set-aside regions are placed in them)."""
    if units is None or not wanted:
        return {}
    from curation.unitfile import iter_unit_records

    errors: list[object] = []  # a bad line of the units file only leaves its regions unplaced
    return {str(r["id"]): str(r["text"]) for r in iter_unit_records(units, errors=errors) if r.get("id") in wanted}


def _adjudicated(
    annotations: Path,
    schema: Schema,
    policies: tuple[str, ...],
    reviewer: str | None,
    reviews: Path | None = None,
    units: Path | None = None,
) -> tuple[list[str], Adjudication]:
    """The unreadable lines of both stores, and the adjudication. An annotation with regions set
    aside abstains where they lie (placed in the texts of ``units``; without it, on its whole
    unit): as in the build, a region kept out is not that annotator's "no entity"."""
    records, problems, set_aside = _read_store(annotations, schema)
    decisions = None
    if reviews is not None:
        decisions, review_problems, _ = _read_store(reviews, schema)
        problems = problems + review_problems
    texts = _unit_texts(units, {unit_id for unit_id, _ in set_aside})
    if set_aside and len(texts) < len({unit_id for unit_id, _ in set_aside}):
        console.print(f"[yellow]note[/yellow] {len(set_aside)} annotation(s) have regions set aside; those whose unit "
                      "text is not at hand (--units) abstain on their whole unit's entities", highlight=False)
    table = abstain_where_set_aside(collect_answers(records, schema), set_aside_ranges(set_aside, texts))
    try:
        adjudication = adjudicate(table, policies or DEFAULT_POLICY, reviewer=reviewer, schema=schema, reviews=decisions)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--policy/--reviewer/--reviews") from None
    return problems, adjudication


@click.command("agree")
@annotations_argument
@schema_option
@policy_option
@reviewer_option
@reviews_option
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("agreement.json"),
    show_default=True,
    help="Where to write figures, conflicts and problems as JSON ('-' for stdout).",
)
@click.option(
    "--gold",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also write the gold answers as JSONL, one unit and family a line.",
)
@click.option(
    "--units",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The units file the tasks came from, to place regions set aside at pull in their text "
    "[default: the workspace's; without one, such an annotation abstains on its whole unit's entities].",
)
def agree_command(
    annotations: Path,
    schema_file: Path | None,
    policies: tuple[str, ...],
    reviewer: str | None,
    reviews: Path | None,
    output: Path,
    gold: Path | None,
    units: Path | None,
) -> None:
    """Agreement per label family, label, annotator pair and annotator, and gold by adjudication.

    ANNOTATIONS is an annotation store (JSONL of annotation records, as `curation pull` writes).
    Deleted and cancelled annotations never count as answers. The figures use the annotators'
    independent answers only: review decisions (--reviews) decide gold but are never counted.
    A region set aside at pull is not its annotator's "no entity": there the annotation abstains.
    """
    if units is None and (found := workspace()) is not None and found.units_file.is_file():
        units = found.units_file
    refuse_output_over_input([output, gold], [annotations, reviews, schema_file, units])
    schema = load_schema_or_exit(schema_file)
    unreadable, adjudication = _adjudicated(annotations, schema, policies, reviewer, reviews, units)
    from curation.agreement.report import agreement_report  # numpy and krippendorff: only when figures are made

    report = agreement_report(adjudication.table)
    for issue in report.table.issues[:SHOWN_PROBLEMS]:
        console.print(f"[yellow]note[/yellow] {escape(issue)}", highlight=False)

    document = {
        "annotations_file": str(annotations),
        "schema": {"name": schema.name, "version": schema.version, "fingerprint": schema.fingerprint},
        "unreadable": unreadable,
        "agreement": {"computed_on": "independent annotations only, before review", **report.to_dict()},
        "adjudication": adjudication.to_dict(),
    }
    text = dumps(document, indent=2) + "\n"
    if str(output) == "-":
        click.echo(text, nl=False)
    else:
        with atomic_writer(output) as handle:
            handle.write(text)
    if gold is not None:
        with atomic_writer(gold) as handle:
            for record in adjudication.gold_records():
                handle.write(dumps(record) + "\n")
    to_stdout = str(output) != "-"
    print_report(Console() if to_stdout else console, report, adjudication)
    if to_stdout:
        console.print(f"wrote {untrusted(str(output))}" + (f" and {untrusted(str(gold))}" if gold else ""), highlight=False)


@click.group("review")
def review_group() -> None:
    """Send conflicts to a Label Studio review project and pull the reviewer's decisions."""


@review_group.command("push")
@annotations_argument
@click.option(
    "--units",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="The units file the annotated tasks came from (curation segment output).",
)
@click.option("--level", type=click.Choice(PUSHABLE_LEVELS), required=True)
@click.option("--all-conflicts", is_flag=True, help="Also the units the policy resolved, not only the unresolved ones.")
@schema_option
@policy_option
@reviewer_option
@url_option
@data_dir_option
def review_push_command(
    annotations: Path,
    units: Path,
    level: str,
    all_conflicts: bool,
    schema_file: Path | None,
    policies: tuple[str, ...],
    reviewer: str | None,
    url: str | None,
    data_dir: Path,
) -> None:
    """Push the units whose adjudication of ANNOTATIONS is in conflict to the review project."""
    from curation.agreement.review import push_review  # the Label Studio SDK: loaded to work, not for --help
    from curation.export.pseudonyms import pseudonyms_beside

    schema = load_schema_or_exit(schema_file)
    _, adjudication = _adjudicated(annotations, schema, policies, reviewer, units=units)
    with one_line_errors():
        server = find_server(url, data_dir)
        # the reviewer sees each answer under the annotator's pseudonym (blind review, same ids as exports)
        names = pseudonyms_beside(annotations, {a.annotator for a in adjudication.table.all_answers()})
        report = push_review(
            server.client(), server.url, adjudication, units, schema, level,
            state_dir=data_dir, unresolved_only=not all_conflicts, names=names,
        )  # fmt: skip
    for problem in report.problems:
        console.print(f"[yellow]not sent[/yellow] {escape(problem)}", highlight=False)
    console.print(
        f"[green]review[/green] {report.created} new task(s) in {escape(report.project.title)} "
        f"(project {report.project.id}); {report.already_pushed} already there",
        highlight=False,
    )


@review_group.command("pull")
@click.option("--level", type=click.Choice(PUSHABLE_LEVELS), required=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Store file (default .curation/annotations/SCHEMA-review-LEVEL.jsonl).",
)
@schema_option
@url_option
@data_dir_option
def review_pull_command(
    level: str, output: Path | None, schema_file: Path | None, url: str | None, data_dir: Path
) -> None:
    """Pull the reviewer's decisions; then run `curation agree` on both stores with --policy reviewer."""
    from curation.agreement.review import pull_review  # the Label Studio SDK: loaded to work, not for --help

    schema = load_schema_or_exit(schema_file)
    with one_line_errors():
        server = find_server(url, data_dir)
        report = pull_review(server.client(), server.url, schema, level, store_path=output, state_dir=data_dir)
    console.print(
        f"[green]review[/green] {escape(str(report.store))}: {report.new} new, {report.updated} updated, "
        f"[red]{report.rejected} rejected[/red]",
        highlight=False,
    )
    for reason in report.reasons:
        console.print(f"  [red]rejected[/red] {escape(reason)}", highlight=False)
