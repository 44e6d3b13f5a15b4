"""`curation agree` and `curation review push|pull`: agreement figures, adjudicated gold and the
review project (``Project.agree``, ``.review_push``, ``.review_pull``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from curation.agreement.adjudication import DEFAULT_POLICY, POLICIES
from curation.cli._common import (
    console,
    project_of,
    server_options,
    show_problems,
    untrusted,
)
from curation.project import PUSHABLE_LEVELS
from curation.results import AgreeResult, ReviewPullResult, ReviewPushResult

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


def print_report(out: Console, report: AgreementReport, summary: dict[str, Any]) -> None:
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


annotations_argument = click.argument("annotations", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
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
units_option = click.option(
    "--units",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="The units file the tasks came from, to place regions set aside at pull in their text "
    "[default: the workspace's].",
)


@click.command("agree")
@annotations_argument
@policy_option
@reviewer_option
@click.option(
    "--reviews",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Review decisions (the store `curation review pull` writes): they decide under the 'reviewer' policy "
    "but are never counted as answers nor in the agreement figures [default with --policy reviewer: the workspace's].",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Where to write figures, conflicts and problems as JSON ('-' for stdout) [default: the workspace's data/agreement.json, "
    "else agreement.json].",
)
@click.option("--gold", type=click.Path(dir_okay=False, path_type=Path), help="Also write the gold answers as JSONL, one unit and family a line.")
@units_option
@click.option("--model", default=None, help="A model `curation train` wrote, or 'latest', to weigh annotators by (cleanlab's "
              "CROWDLAB) [default: the workspace's latest, if any].")
@server_options
def agree_command(
    annotations: tuple[Path, ...],
    policies: tuple[str, ...],
    reviewer: str | None,
    reviews: Path | None,
    output: Path | None,
    gold: Path | None,
    units: Path | None,
    model: str | None,
    **options: Any,
) -> AgreeResult:
    """Agreement per label family, label, annotator pair and annotator, and gold by adjudication.

    ANNOTATIONS are annotation stores (JSONL of annotation records, as `curation pull` writes;
    default: the workspace's). Deleted and cancelled annotations never count as answers. The figures
    use the annotators' independent answers only: review decisions (--reviews) decide gold but are
    never counted. A region set aside at pull is not its annotator's "no entity": there the
    annotation abstains.
    """
    result = project_of(options).agree(annotations, policies=policies, reviewer=reviewer, reviews=reviews, units=units,
                                       output=output, gold=gold, model=model)  # fmt: skip
    if str(output) == "-":  # the document itself is the output asked for
        from curation.fileio import dumps

        click.echo(dumps(result.document, indent=2))
    show_problems(result.problems[:SHOWN_PROBLEMS], "skipped")
    if len(result.problems) > SHOWN_PROBLEMS:
        console.print(f"… and {len(result.problems) - SHOWN_PROBLEMS} more, all listed in the JSON output")
    for note in result.notes[:SHOWN_PROBLEMS]:
        console.print(f"[yellow]note[/yellow] {untrusted(note)}", highlight=False)
    if result.agreement is not None:
        print_report(console, result.agreement, result.document["adjudication"])
    if result.annotator_quality:
        quality = Table(title="annotator quality (cleanlab CROWDLAB, weighed with the model)")
        for column in ("annotator", "family", "units", "quality", "agrees with consensus"):
            quality.add_column(column, justify="left" if column in ("annotator", "family") else "right")
        for row in result.annotator_quality:
            quality.add_row(escape(row.annotator), f"{row.family}@{row.level}", str(row.units), _figure(row.quality),
                            _figure(row.agreement_with_consensus))  # fmt: skip
        console.print(quality)
    written = [str(path) for path in (result.output, result.gold) if path is not None]
    if written:
        console.print(f"wrote {untrusted(' and '.join(written))}", highlight=False)
    return result


@click.group("review")
def review_group() -> None:
    """Send conflicts to a Label Studio review project and pull the reviewer's decisions."""


@review_group.command("push")
@annotations_argument
@units_option
@click.option("--level", type=click.Choice(PUSHABLE_LEVELS), required=True)
@click.option("--all-conflicts", is_flag=True, help="Also the units the policy resolved, not only the unresolved ones.")
@policy_option
@reviewer_option
@server_options
def review_push_command(
    annotations: tuple[Path, ...], units: Path | None, level: str, all_conflicts: bool, policies: tuple[str, ...],
    reviewer: str | None, **options: Any,
) -> ReviewPushResult:  # fmt: skip
    """Push the units whose adjudication of ANNOTATIONS (default: the workspace's stores) is in
    conflict to the review project."""
    result = project_of(options).review_push(level, annotations, units=units, all_conflicts=all_conflicts,
                                             policies=policies, reviewer=reviewer)  # fmt: skip
    report = result.report
    show_problems(report.problems, "not sent")
    console.print(f"[green]review[/green] {report.created} new task(s) in {untrusted(report.project.title)} "
                  f"(project {report.project.id}); {report.already_pushed} already there", highlight=False)  # fmt: skip
    return result


@review_group.command("pull")
@click.option("--level", type=click.Choice(PUSHABLE_LEVELS), required=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Store file [default: the workspace's data/annotations/SCHEMA-review-LEVEL.jsonl, else .curation/annotations/...].")
@server_options
def review_pull_command(level: str, output: Path | None, **options: Any) -> ReviewPullResult:
    """Pull the reviewer's decisions; then `curation agree --policy reviewer` uses them."""
    result = project_of(options).review_pull(level, output=output)
    report = result.report
    console.print(f"[green]review[/green] {untrusted(str(report.store))}: {report.new} new, {report.updated} updated, "
                  f"[red]{report.rejected} rejected[/red]", highlight=False)  # fmt: skip
    for reason in report.reasons:
        console.print(f"  [red]rejected[/red] {untrusted(reason)}", highlight=False)
    return result
