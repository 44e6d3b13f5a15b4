"""The agreement report: every figure per family, overall, per label, per annotator pair and per
annotator against the rest, in a JSON-ready form with a fixed ordering (dataset cards and CI diffs
rely on it being byte-stable)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any, cast

from curation.agreement.answers import (
    COUNTING_RULE,
    Answer,
    AnswerTable,
    AnswerValue,
    ChoiceValue,
    Family,
    SpanValue,
    collect_answers,
)
from curation.agreement.measures import (
    SpanCounts,
    against_rest,
    cohen,
    fleiss,
    krippendorff_alpha,
    observed_agreement,
    paired,
    pairwise_span_counts,
    to_ratings,
)
from curation.schema import Schema
from curation.units import Annotation

DECIMALS = 6
DEFINITIONS = {
    "choice": (
        "nominal categories (for multi-choice families the exact set of labels); per label: chose it "
        "or not; Krippendorff's alpha allows missing answers; Fleiss' kappa is computed on the units "
        "with the most common number of answers; against_rest pairs an annotator with the others' "
        "plurality answer (units where the others tie are left out)"
    ),
    "span": (
        "pairwise F1 = 2 x matches / (spans of both), summed over every pair and shared unit; offsets "
        "trimmed of surrounding whitespace; exact = same offsets and label, overlap = same label and at "
        "least one shared character, one-to-one; against_rest sums the pairs that include the annotator"
    ),
}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


def _choice_category(value: AnswerValue) -> str:
    """One nominal category per answer: the label, or for multi-choice families the exact set."""
    return "|".join(cast(ChoiceValue, value))


def _has_label(label: str) -> Callable[[AnswerValue], bool]:
    """Whether an answer of a choice family gives ``label``: one binary category per label."""
    return lambda value: label in cast(ChoiceValue, value)


@dataclass(slots=True)
class FamilyAgreement:
    """All figures for one family; ``overall``/``labels``/``pairs``/``annotators`` are plain dicts
    so that the JSON and the rich table read the same data."""

    family: Family
    units: int
    annotators: list[str]
    overall: dict[str, Any]
    labels: list[dict[str, Any]] = field(default_factory=list)
    pairs: list[dict[str, Any]] = field(default_factory=list)
    against_rest: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "family": self.family.name,
            "level": self.family.level,
            "kind": self.family.kind,
            "multiple": self.family.multiple,
            "units": self.units,
            "annotators": self.annotators,
            "overall": self.overall,
            "labels": self.labels,
            "pairs": self.pairs,
            "against_rest": self.against_rest,
        }


@dataclass(slots=True)
class AgreementReport:
    families: list[FamilyAgreement]
    table: AnswerTable

    def family(self, name: str, level: str | None = None) -> FamilyAgreement:
        for entry in self.families:
            if entry.family.name == name and (level is None or entry.family.level == level):
                return entry
        raise KeyError(f"no family {name!r}" + (f" at level {level!r}" if level else "") + " in the report")

    def to_dict(self) -> dict[str, Any]:
        kinds = Counter(e.kind for e in self.table.exclusions)
        return {
            "counting_rule": COUNTING_RULE,
            "definitions": DEFINITIONS,
            "annotations": {
                "total": self.table.total_annotations,
                "counted": self.table.total_annotations - len(self.table.exclusions),
                "not_counted": dict(sorted(kinds.items())),
            },
            "not_counted": [
                e.to_dict()
                for e in sorted(self.table.exclusions, key=lambda e: (e.unit_id, e.annotator, e.annotation_id))
            ],
            "issues": sorted(self.table.issues),
            "families": [f.to_dict() for f in self.families],
        }


def agreement_report(annotations: Iterable[Annotation] | AnswerTable, schema: Schema | None = None) -> AgreementReport:
    """Agreement for every family of the schema (or found in the annotations when none is given),
    or over an answer table already collected."""
    table = annotations if isinstance(annotations, AnswerTable) else collect_answers(annotations, schema)
    families = [_span_agreement(table, f) if f.kind == "span" else _choice_agreement(table, f) for f in table.families]
    return AgreementReport(families, table)


def _coefficients(ratings: dict[str, dict[str, Any]], two_annotators: bool) -> dict[str, Any]:
    fleiss_result = fleiss(ratings)
    pair_values = [(unit[a], unit[b]) for unit in ratings.values() for a, b in combinations(sorted(unit), 2)]
    figures = {
        "krippendorff_alpha": _round(krippendorff_alpha(ratings)),
        "fleiss_kappa": _round(fleiss_result.kappa),
        "fleiss_units": fleiss_result.units,
        "fleiss_raters_per_unit": fleiss_result.raters_per_unit,
        "observed_agreement": _round(observed_agreement(pair_values)),
    }
    if two_annotators:
        left, right = sorted({a for unit in ratings.values() for a in unit})
        figures["cohen_kappa"] = _round(cohen(paired(ratings, left, right)))
    return figures


def _kappa_row(pairs: list[tuple[Any, Any]]) -> dict[str, Any]:
    return {
        "units": len(pairs),
        "observed_agreement": _round(observed_agreement(pairs)),
        "cohen_kappa": _round(cohen(pairs)),
    }


def _choice_agreement(table: AnswerTable, family: Family) -> FamilyAgreement:
    units = table.units(family)
    annotators = table.annotators(family)
    ratings = to_ratings(units, _choice_category)
    two = len(annotators) == 2
    given = {v for unit in units.values() for ans in unit.values() for v in cast(ChoiceValue, ans.value)}
    labels = sorted(set(family.labels) | given)
    label_rows = []
    for label in labels:
        binary = to_ratings(units, _has_label(label))
        positives = len([has_it for unit in binary.values() for has_it in unit.values() if has_it])
        label_rows.append({"label": label, "answers_with_label": positives, **_coefficients(binary, two)})
    pair_rows = [
        {"annotators": [left, right], **_kappa_row(paired(ratings, left, right))}
        for left, right in combinations(annotators, 2)
    ]
    rest_rows = [{"annotator": annotator, **_kappa_row(against_rest(ratings, annotator))} for annotator in annotators]
    return FamilyAgreement(
        family, len(units), annotators, _coefficients(ratings, two), label_rows, pair_rows, rest_rows
    )


def _span_figures(counts: SpanCounts) -> dict[str, Any]:
    return {
        "spans": counts.spans,
        "exact_matches": counts.exact,
        "exact_f1": _round(counts.exact_f1),
        "overlap_matches": counts.overlap,
        "overlap_f1": _round(counts.overlap_f1),
    }


def _sum(counts: Iterable[SpanCounts]) -> SpanCounts:
    return sum(counts, SpanCounts())


def _readable_units(table: AnswerTable, family: Family) -> dict[str, dict[str, Answer]]:
    """The family's answers less those with regions set aside: what such an answer says about the
    characters those regions cover is unknown, so it is not scored against anyone (as in the build)."""
    units = {}
    for unit_id, by_annotator in table.units(family).items():
        readable = {annotator: answer for annotator, answer in by_annotator.items() if not answer.unread}
        if readable:
            units[unit_id] = readable
    return units


def _span_agreement(table: AnswerTable, family: Family) -> FamilyAgreement:
    units = _readable_units(table, family)
    annotators = sorted({annotator for unit in units.values() for annotator in unit})
    per_pair = pairwise_span_counts(units)
    label_rows = [
        {"label": label, **_span_figures(_sum(pairwise_span_counts(units, label).values()))}
        for label in _span_labels(family, units)
    ]
    pair_rows = [
        {
            "annotators": [left, right],
            "units": _shared_units(units, left, right),
            **_span_figures(per_pair.get((left, right), SpanCounts())),
        }
        for left, right in combinations(annotators, 2)
    ]
    rest_rows = [
        {
            "annotator": annotator,
            **_span_figures(_sum(c for pair, c in per_pair.items() if annotator in pair)),
        }
        for annotator in annotators
    ]
    return FamilyAgreement(
        family, len(units), annotators, _span_figures(_sum(per_pair.values())), label_rows, pair_rows, rest_rows
    )


def _span_labels(family: Family, units: dict[str, dict[str, Any]]) -> list[str]:
    """The schema's entity labels and any other an annotator used, sorted."""
    return sorted(set(family.labels) | {s.label for unit in units.values() for ans in unit.values() for s in cast(SpanValue, ans.value)})


def _shared_units(units: dict[str, dict[str, Any]], left: str, right: str) -> int:
    return sum(1 for unit in units.values() if left in unit and right in unit)
