"""Sending conflicts back to Label Studio for a reviewer, and the decisions back into adjudication.

The review project is the schema's own labelling config under the name ``<schema>-review``, so the
bridge pushes and pulls it exactly like an annotation project (idempotent push, incremental pull,
its own store) and it never mixes with the annotators' tasks. Each review task carries every
annotator's answer as a named prediction (``model_version`` = the annotator's pseudonym), so the
reviewer sees all answers side by side and decides between them. The reviewer's pulled
annotations are review decisions: they stay in the review store and enter adjudication as
``reviews=`` (never as an answer, never in the agreement figures):

    >>> push_review(client, url, adjudication, "units.jsonl", schema, "article", names=pseudonyms)
    >>> pull_review(client, url, schema, "article", store_path="review.jsonl")
    >>> gold = adjudicate(answers, ("majority", "reviewer"), reviews=read_annotations("review.jsonl"))

This module imports the Label Studio SDK; ``curation.agreement`` itself does not.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from label_studio_sdk import LabelStudio

from curation.agreement.adjudication import Adjudication
from curation.schema import Schema
from curation.studio.projects import DEFAULT_STATE_DIR
from curation.studio.pull import PullReport, pull_annotations
from curation.studio.predictions import send_predictions
from curation.studio.push import PushReport
from curation.studio.tasks import Prediction
from curation.unitfile import iter_unit_records, write_unit_records

REVIEW_SUFFIX = "-review"


def review_schema(schema: Schema) -> Schema:
    """The same labels under another name, hence another Label Studio project and store."""
    return replace(schema, name=f"{schema.name}{REVIEW_SUFFIX}")


def write_review_units(
    adjudication: Adjudication, units_path: str | Path, out_path: str | Path, level: str, unresolved_only: bool = True
) -> list[str]:
    """Write the unit records under review (unresolved conflicts, or every conflict) to ``out_path``;
    returns the conflicted unit ids that ``units_path`` does not hold, so none goes unreviewed unseen."""
    conflicts = adjudication.unresolved if unresolved_only else adjudication.conflicts
    wanted = {c.unit_id for c in conflicts if c.level == level}
    records = [record for record in iter_unit_records(units_path, level) if record["id"] in wanted]
    write_unit_records(out_path, records)
    return sorted(wanted - {record["id"] for record in records})


def answer_predictions(
    adjudication: Adjudication, unit_ids: set[str], level: str, names: Mapping[str, str] | None = None
) -> list[Prediction]:
    """Every annotator's counted answer on each unit as one prediction named after them
    (``names`` maps annotator -> shown name, e.g. pseudonyms; unmapped annotators show as is)."""
    table = adjudication.table
    answers: dict[tuple[str, str], Prediction] = {}
    for family in table.families:
        if family.level != level:
            continue
        for unit_id in sorted(unit_ids & set(table.units(family))):
            for annotator, answer in table.units(family)[unit_id].items():
                shown = (names or {}).get(annotator, annotator)
                slot = answers.setdefault((unit_id, annotator), Prediction(unit_id, {}, (), model_version=shown))
                if family.kind == "span":
                    answers[(unit_id, annotator)] = replace(slot, spans=answer.value)  # type: ignore[arg-type]
                else:
                    slot.choices[family.name] = answer.value  # type: ignore[assignment]
    return [answers[key] for key in sorted(answers)]


def push_review(
    client: LabelStudio,
    url: str,
    adjudication: Adjudication,
    units_path: str | Path,
    schema: Schema,
    level: str,
    *,
    state_dir: Path = DEFAULT_STATE_DIR,
    unresolved_only: bool = True,
    names: Mapping[str, str] | None = None,
) -> PushReport:
    """Push the conflicted units of ``level`` to the review project, each with every annotator's
    answer as a prediction named ``names[annotator]``; units missing from ``units_path`` are listed
    in the report's problems. Re-pushing replaces those predictions, never duplicates them."""
    review = review_schema(schema)
    folder = Path(state_dir) / "review"
    folder.mkdir(parents=True, exist_ok=True)
    subset = folder / f"{review.name}-{level}-units.jsonl"
    missing = write_review_units(adjudication, units_path, subset, level, unresolved_only)
    conflicted = {c.unit_id for c in (adjudication.unresolved if unresolved_only else adjudication.conflicts)}
    predictions = answer_predictions(adjudication, conflicted, level, names)
    report = send_predictions(
        client, url, review, level, predictions, units_path=subset, state_dir=state_dir, replace=True
    )
    report.problems.extend(f"conflict on unit {uid}: not in {units_path}, not sent for review" for uid in missing)
    return report


def pull_review(
    client: LabelStudio,
    url: str,
    schema: Schema,
    level: str,
    *,
    store_path: str | Path | None = None,
    state_dir: Path = DEFAULT_STATE_DIR,
) -> PullReport:
    """Pull the reviewer's decisions into the review project's own store."""
    return pull_annotations(client, url, review_schema(schema), level, store_path=store_path, state_dir=state_dir)
