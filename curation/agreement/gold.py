"""From annotation stores on disk to figures and gold: what ``curation agree`` and ``review push`` share.

Deleted and cancelled annotations never count as answers; review decisions decide gold under the
``reviewer`` policy but are never counted in the figures. A region set aside at pull is not its
annotator's "no entity": there the annotation abstains (placed in the unit's text when the units
file is at hand, else on the whole unit).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curation.agreement.adjudication import DEFAULT_POLICY, Adjudication, adjudicate
from curation.agreement.answers import abstain_where_set_aside, collect_answers, set_aside_ranges
from curation.errors import CurationError, UsageError
from curation.units import Annotation

if TYPE_CHECKING:
    from curation.agreement.report import AgreementReport
    from curation.schema import Schema

SetAside = dict[tuple[str, str], list[dict[str, Any]]]


def read_answers(
    stores: Sequence[Path], schema: Schema, pseudonyms: Path | None = None
) -> tuple[list[Annotation], list[str], SetAside]:
    """The stores' annotations, their unreadable lines, and the regions set aside (by unit and
    annotation id); with ``pseudonyms`` (a mapping file) every annotator under their pseudonym.
    Stores from which nothing at all can be read are an error: an empty result would pass for "no answers"."""
    from curation.export.annotations import read_stores  # loads datasets: only when answers are read

    snapshot = read_stores([(str(path), path) for path in stores], schema)
    if snapshot.problems and not snapshot.total:
        raise CurationError(f"{snapshot.problems[0]} (no annotation could be read; nothing written)")
    if pseudonyms is not None:
        from curation.export.pseudonyms import pseudonymize

        pseudonymize(snapshot, pseudonyms)
    return [a for unit in snapshot.by_unit.values() for a in unit], snapshot.problems, snapshot.set_aside


def _unit_texts(units: Path | None, wanted: set[str]) -> dict[str, str]:
    """The texts annotators read (an article's body, a sentence's text) of the ``wanted`` units:
    their set-aside regions are placed in them."""
    if units is None or not wanted:
        return {}
    from curation.studio.tasks import unit_text
    from curation.unitfile import iter_unit_records
    from curation.units import Article, Sentence, unit_from_record

    errors: list[Any] = []  # a bad line of the units file only leaves its regions unplaced
    texts = {}
    for record in iter_unit_records(units, errors=errors):
        if record.get("id") in wanted:
            unit = unit_from_record(record)
            if isinstance(unit, (Article, Sentence)):
                texts[unit.id] = unit_text(unit)
    return texts


def adjudicate_stores(
    stores: Sequence[Path],
    schema: Schema,
    policies: Sequence[str] = (),
    reviewer: str | None = None,
    reviews: Path | None = None,
    units: Path | None = None,
    pseudonyms: Path | None = None,
) -> tuple[Adjudication, list[str], list[str]]:
    """The adjudication of the stores' answers, the unreadable lines of every store read, and notes;
    with ``pseudonyms`` (a mapping file) annotators and reviewer are named by their pseudonyms."""
    records, problems, set_aside = read_answers(stores, schema, pseudonyms)
    decisions = None
    if reviews is not None:
        decisions, review_problems, _ = read_answers([reviews], schema, pseudonyms)
        problems = problems + review_problems
    if pseudonyms is not None and reviewer is not None:
        from curation.export.pseudonyms import Pseudonyms

        reviewer = Pseudonyms.load(pseudonyms).ids.get(reviewer, reviewer)
    wanted = {unit_id for unit_id, _ in set_aside}
    texts = _unit_texts(units, wanted)
    notes = []
    if set_aside and len(texts) < len(wanted):
        notes.append(f"{len(set_aside)} annotation(s) have regions set aside; those whose unit text is not at hand "
                     "(the units file) abstain on their whole unit's entities")  # fmt: skip
    table = abstain_where_set_aside(collect_answers(records, schema), set_aside_ranges(set_aside, texts))
    try:
        adjudication = adjudicate(table, tuple(policies) or DEFAULT_POLICY, reviewer=reviewer, schema=schema, reviews=decisions)
    except ValueError as error:
        raise UsageError(f"--policy/--reviewer/--reviews: {error}") from None
    return adjudication, problems, notes


def agreement_document(
    adjudication: Adjudication, schema: Schema, stores: Sequence[Path], unreadable: list[str]
) -> tuple[AgreementReport, dict[str, Any]]:
    """The figures on the independent answers, and the JSON document ``agree`` writes."""
    from curation.agreement.report import agreement_report  # numpy and krippendorff: only when figures are made

    report = agreement_report(adjudication.table)
    document = {
        "annotations_file": str(stores[0]) if len(stores) == 1 else [str(path) for path in stores],
        "schema": {"name": schema.name, "version": schema.version, "fingerprint": schema.fingerprint},
        "unreadable": unreadable,
        "agreement": {"computed_on": "independent annotations only, before review", **report.to_dict()},
        "adjudication": adjudication.to_dict(),
    }
    return report, document


def write_gold(adjudication: Adjudication, path: Path) -> None:
    """The gold answers as JSONL, one unit and family a line."""
    from curation.fileio import atomic_writer, dumps

    with atomic_writer(path) as handle:
        for record in adjudication.gold_records():
            handle.write(dumps(record) + "\n")
