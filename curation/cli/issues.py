"""`curation issues` (``Project.issues``): the gold's likely label errors by cleanlab's confident
learning on the model's out-of-sample probabilities, each annotator's quality by cleanlab's
CROWDLAB, and with --review the flagged units sent to the review project."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from curation.cli._common import console, project_of, server_options, show_problems, untrusted
from curation.cli.agree import annotations_argument, policy_option, reviewer_option
from curation.results import IssuesResult


@click.command("issues")
@annotations_argument
@click.option("--model", "model", default="latest", show_default=True,
              help="The model file `curation train` wrote, or 'latest' (the last one recorded).")
@click.option("--units", type=click.Path(exists=True, dir_okay=False, path_type=Path), default=None,
              help="The units file the tasks came from [default: the workspace's].")
@click.option("--top", type=click.IntRange(min=1), default=20, show_default=True, help="How many issues to list and review.")
@click.option("--review", is_flag=True, help="Send the flagged units to the review project, with every answer and the model's suggestion.")
@policy_option
@reviewer_option
@server_options
def issues_command(annotations: tuple[Path, ...], model: str, units: Path | None, top: int, review: bool,
                   policies: tuple[str, ...], reviewer: str | None, **options: Any) -> IssuesResult:  # fmt: skip
    """Likely label errors in the gold and each annotator's quality (cleanlab), worst first."""
    result = project_of(options).issues(annotations, model=model, units=units, top=top, review=review, policies=policies,
                                        reviewer=reviewer)  # fmt: skip
    show_problems(result.problems)
    console.print(f"model {result.model_version}: {len(result.issues)} likely label error(s)", highlight=False)
    for issue in result.issues:
        console.print(f"  {issue.unit_id} {issue.family}@{issue.level}: gold {untrusted(','.join(issue.gold))} -> "
                      f"suggested {untrusted(','.join(issue.suggested))} (label quality {issue.label_quality:.3f})",
                      highlight=False)  # fmt: skip
    for quality in result.annotator_quality:
        console.print(f"  annotator {untrusted(quality.annotator)} on {quality.family}@{quality.level}: quality {quality.quality:.3f}, "
                      f"agrees with consensus on {quality.agreement_with_consensus:.0%} of {quality.units} unit(s)", highlight=False)
    for note in result.notes:
        console.print(f"[yellow]note[/yellow] {untrusted(note)}", highlight=False)
    for sent in result.sent:
        console.print(f"[green]sent for review[/green]: project {sent.project.id}, {sent.created} new task(s)", highlight=False)
    return result
