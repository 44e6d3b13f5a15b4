"""Sending conflicts back to Label Studio for a reviewer, and the decisions back into adjudication.

The review project is the schema's own labelling config under the name ``<schema>-review``, so the
bridge pushes and pulls it exactly like an annotation project (idempotent push, incremental pull,
its own store) and it never mixes with the annotators' tasks. Each review task carries every
annotator's answer as a named prediction (``model_version`` = the annotator's pseudonym), so the
reviewer sees all answers side by side and decides between them.

No single answer is the reviewer's starting point. With no annotation on a task, the labelling
view opens a new one copied from the prediction whose ``model_version`` is the project's (else
the first): Label Studio sets a project's model version to the last one imported, so each review
once opened pre-filled with the last annotator's answer, and Submit accepted it. Each review task
therefore carries one more prediction, :data:`AGREED`, holding only what every annotator gave
(the labels all chose, the mentions all marked; often nothing), and the review project's model
version is set to it: the reviewer starts from what nobody disputes. (Label Studio's queue,
"Label All Tasks", serves only that prediction; review from the project's task list, where every
answer is shown.) The reviewer's pulled
annotations are review decisions: they stay in the review store and enter adjudication as
``reviews=`` (never as an answer, never in the agreement figures):

    >>> push_review(client, url, adjudication, "units.jsonl", schema, "article", names=pseudonyms)
    >>> pull_review(client, url, schema, "article", store_path="review.jsonl")
    >>> gold = adjudicate(answers, ("majority", "reviewer"), reviews=read_annotations("review.jsonl"))

The review is fed an :class:`~curation.agreement.Adjudication`: the bridge depends on agreement,
never the other way round.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from curation.agreement import Adjudication
from curation.schema import Schema
from curation.studio import DEFAULT_STUDIO_DIR
from curation.studio.contract import StudioGateway
from curation.studio.pull import PullReport, pull_annotations
from curation.studio.push import PushReport, push_tasks
from curation.studio.tasks import Prediction, read_units_to_push
from curation.units import EntitySpan

if TYPE_CHECKING:
    from curation.studio.connection import StudioClient

REVIEW_SUFFIX = "-review"
AGREED = "agreed by all"  # the model version of the prediction a reviewer starts from


def review_schema(schema: Schema) -> Schema:
    """The same labels under another name, hence another Label Studio project and store."""
    return replace(schema, name=f"{schema.name}{REVIEW_SUFFIX}")


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


def agreed_predictions(adjudication: Adjudication, unit_ids: set[str], level: str) -> list[Prediction]:
    """Per unit, what every annotator gave (the same labels of a family, the mentions all marked)
    as one prediction named :data:`AGREED`: the reviewer's starting form."""
    table = adjudication.table
    agreed: dict[str, Prediction] = {unit_id: Prediction(unit_id, {}, (), model_version=AGREED) for unit_id in sorted(unit_ids)}
    for family in table.families:
        if family.level != level:
            continue
        for unit_id, answers in table.units(family).items():
            if unit_id not in agreed or not answers:
                continue
            values = [answer.value for answer in answers.values()]
            if family.kind == "span":
                common = set.intersection(*(set(value) for value in values))
                spans = tuple(span for span in values[0] if isinstance(span, EntitySpan) and span in common)
                agreed[unit_id] = replace(agreed[unit_id], spans=spans)
            elif all(value == values[0] for value in values):
                agreed[unit_id].choices[family.name] = values[0]  # type: ignore[assignment]
    return list(agreed.values())


def push_review(
    client: StudioClient,
    url: str,
    adjudication: Adjudication,
    units_path: str | Path,
    schema: Schema,
    level: str,
    *,
    state_dir: Path = DEFAULT_STUDIO_DIR,
    unresolved_only: bool = True,
    names: Mapping[str, str] | None = None,
) -> PushReport:
    """Push the conflicted units of ``level`` (the unresolved ones, or every conflict) to the review
    project, each with every annotator's answer as a prediction named ``names[annotator]`` and the
    :data:`AGREED` one the reviewer starts from; units
    missing from ``units_path`` are listed in the report's problems. Re-pushing replaces those
    predictions, never duplicates them."""
    conflicts = adjudication.unresolved if unresolved_only else adjudication.conflicts
    wanted = {c.unit_id for c in conflicts if c.level == level}
    return push_units_for_review(client, url, adjudication, units_path, schema, level, wanted, state_dir=state_dir, names=names,
                                 why="conflict")  # fmt: skip


def push_units_for_review(
    client: StudioClient,
    url: str,
    adjudication: Adjudication,
    units_path: str | Path,
    schema: Schema,
    level: str,
    wanted: set[str],
    *,
    state_dir: Path = DEFAULT_STUDIO_DIR,
    names: Mapping[str, str] | None = None,
    suggestions: Sequence[Prediction] = (),
    why: str = "unit",
) -> PushReport:
    """Push the ``wanted`` units of ``level`` to the review project with every annotator's answer
    (and any model ``suggestions``) as named predictions, replacing those of an earlier push."""
    found = read_units_to_push(units_path, level, only=wanted)
    predictions = (agreed_predictions(adjudication, wanted, level) + answer_predictions(adjudication, wanted, level, names)
                   + [p for p in suggestions if p.unit_id in wanted])  # fmt: skip
    gateway = StudioGateway(client, url)
    report = push_tasks(gateway, found, level, review_schema(schema), predictions, state_dir, replace_predictions=True)
    if found.units:  # their tasks now hold the AGREED prediction the project's version must name
        gateway.set_model_version(report.project.id, AGREED)
    missing = sorted(wanted - set(found.units))
    report.problems.extend(f"{why} on unit {uid}: not in {units_path}, not sent for review" for uid in missing)
    return report


def pull_review(
    client: StudioClient,
    url: str,
    schema: Schema,
    level: str,
    *,
    store_path: str | Path | None = None,
    state_dir: Path = DEFAULT_STUDIO_DIR,
) -> PullReport:
    """Pull the reviewer's decisions into the review project's own store."""
    return pull_annotations(client, url, review_schema(schema), level, store_path=store_path, state_dir=state_dir)
