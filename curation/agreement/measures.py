"""Agreement statistics on an answer table: chance-corrected coefficients for choice families
and span F1 for entity families.

Alpha comes from the well-kept ``krippendorff`` package; Cohen's and Fleiss' kappa are their
textbook formulas in numpy, written as statsmodels computes them (tests hold the figures equal to
statsmodels' own): importing statsmodels for two formulas cost every report and ``agree`` about a
second and 130 MB (it loads scipy.stats and pandas). This module arranges answers into the
matrices and says when a figure is undefined (one category only, too few units) instead of
printing ``nan``. scipy is imported where used (span matching only).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import cast

import krippendorff
import numpy as np

from curation.agreement.answers import Answer, AnswerValue, SpanValue
from curation.units import EntitySpan

# unit id -> annotator -> hashable category
Ratings = dict[str, dict[str, Hashable]]


def _defined(value: float) -> float | None:
    return None if value is None or math.isnan(value) or math.isinf(value) else float(value)


def krippendorff_alpha(ratings: Ratings) -> float | None:
    """Nominal alpha over all annotators, missing answers allowed; ``None`` when undefined."""
    annotators = sorted({a for unit in ratings.values() for a in unit})
    pairable = [u for u in sorted(ratings) if len(ratings[u]) >= 2]
    # only the units two annotators answered count: one category among them leaves alpha undefined
    # (krippendorff raises), even when a unit answered once holds another
    categories = _categories(v for u in pairable for v in ratings[u].values())
    if len(categories) < 2:
        return None
    matrix = _reliability_matrix(annotators, [ratings[u] for u in pairable], categories)
    return _defined(krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"))


def _categories(values: Iterable[Hashable]) -> list[Hashable]:
    """The distinct answers in a fixed order (by repr: answers of mixed types have no other)."""
    return sorted(set(values), key=repr)


def _reliability_matrix(
    annotators: list[str], units: Sequence[dict[str, Hashable]], categories: list[Hashable]
) -> np.ndarray:
    """Annotators by units, each cell the code of the annotator's answer, NaN where none."""
    code = {c: i for i, c in enumerate(categories)}
    matrix = np.full((len(annotators), len(units)), np.nan)
    for col, unit in enumerate(units):
        for row, annotator in enumerate(annotators):
            if annotator in unit:
                matrix[row, col] = code[unit[annotator]]
    return matrix


@dataclass(frozen=True, slots=True)
class Fleiss:
    kappa: float | None
    units: int
    raters_per_unit: int


def fleiss(ratings: Ratings) -> Fleiss:
    """Fleiss' kappa needs the same number of raters on every unit: it is computed on the units
    that have the most common number of answers (two or more, the larger count on a tie)."""
    counts = Counter(len(unit) for unit in ratings.values() if len(unit) >= 2)
    if not counts:
        return Fleiss(None, 0, 0)
    raters = max(counts, key=lambda n: (counts[n], n))
    units = [ratings[u] for u in sorted(ratings) if len(ratings[u]) == raters]
    categories = _categories(v for unit in units for v in unit.values())
    if len(categories) < 2:
        return Fleiss(None, len(units), raters)
    return Fleiss(_defined(fleiss_kappa(_category_counts(units, categories))), len(units), raters)


def fleiss_kappa(table: np.ndarray) -> float:
    """Fleiss' kappa of a units-by-categories count table with the same number of raters a unit."""
    raters = table.sum(1).max()
    share = table.sum(0) / table.sum()  # of each category among all answers
    agreement = ((table * table).sum(1) - raters) / (raters * (raters - 1.0))  # per unit
    expected = (share * share).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        return float((agreement.mean() - expected) / (1 - expected))


def _category_counts(units: Sequence[dict[str, Hashable]], categories: list[Hashable]) -> np.ndarray:
    """Units by categories, each cell how many annotators gave that answer on that unit."""
    code = {c: i for i, c in enumerate(categories)}
    table = np.zeros((len(units), len(categories)))
    for row, unit in enumerate(units):
        for value in unit.values():
            table[row, code[value]] += 1
    return table


def cohen(pairs: Sequence[tuple[Hashable, Hashable]]) -> float | None:
    """Cohen's kappa of two raters from their paired answers; ``None`` when undefined."""
    if not pairs:
        return None
    categories = _categories(v for pair in pairs for v in pair)
    if len(categories) < 2:
        return None
    code = {c: i for i, c in enumerate(categories)}
    table = np.zeros((len(categories), len(categories)))
    for left, right in pairs:
        table[code[left], code[right]] += 1
    return _defined(cohens_kappa(table))


def cohens_kappa(table: np.ndarray) -> float:
    """Cohen's (unweighted) kappa of a square table of two raters' paired answers."""
    total = table.sum()
    expected = np.diag((table.sum(0) / total) * (table.sum(1) / total)[:, None]).sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        return float((np.diag(table).sum() / total - expected) / (1 - expected))


def observed_agreement(pairs: Sequence[tuple[Hashable, Hashable]]) -> float | None:
    return sum(left == right for left, right in pairs) / len(pairs) if pairs else None


def paired(ratings: Ratings, left: str, right: str) -> list[tuple[Hashable, Hashable]]:
    return [(unit[left], unit[right]) for _, unit in sorted(ratings.items()) if left in unit and right in unit]


def against_rest(ratings: Ratings, annotator: str) -> list[tuple[Hashable, Hashable]]:
    """The annotator's answer paired with the others' plurality answer, on units where the others
    have a single most frequent answer (units where the others tie are left out)."""
    pairs = []
    for _, unit in sorted(ratings.items()):
        if annotator not in unit:
            continue
        others = Counter(v for a, v in unit.items() if a != annotator).most_common()
        if others and (len(others) == 1 or others[0][1] > others[1][1]):
            pairs.append((unit[annotator], others[0][0]))
    return pairs


def to_ratings(units: dict[str, dict[str, Answer]], category: Callable[[AnswerValue], Hashable]) -> Ratings:
    return {unit_id: {a: category(ans.value) for a, ans in unit.items()} for unit_id, unit in units.items()}


@dataclass(frozen=True, slots=True)
class SpanCounts:
    """Matched mentions between two annotators and how many each marked; F1 = 2m / (|A| + |B|),
    the same whichever side is taken as the reference."""

    exact: int = 0
    overlap: int = 0
    spans: int = 0

    def __add__(self, other: SpanCounts) -> SpanCounts:
        return SpanCounts(self.exact + other.exact, self.overlap + other.overlap, self.spans + other.spans)

    @property
    def exact_f1(self) -> float | None:
        return 2 * self.exact / self.spans if self.spans else None

    @property
    def overlap_f1(self) -> float | None:
        return 2 * self.overlap / self.spans if self.spans else None


def span_counts(left: Sequence[EntitySpan], right: Sequence[EntitySpan]) -> SpanCounts:
    """Exact matches (same trimmed offsets and label, as multisets) and overlap matches (same label
    and at least one shared character, each mention matched at most once, as many as possible)."""
    exact = sum((Counter(_exact_key(s) for s in left) & Counter(_exact_key(s) for s in right)).values())
    return SpanCounts(exact, _overlap_matches(left, right), len(left) + len(right))


def _exact_key(span: EntitySpan) -> tuple[int, int, str]:
    return (span.start, span.end, span.label)


def _overlap_matches(left: Sequence[EntitySpan], right: Sequence[EntitySpan]) -> int:
    if not left or not right:
        return 0
    from scipy.optimize import linear_sum_assignment

    overlaps = np.array(
        [[a.label == b.label and a.start < b.end and b.start < a.end for b in right] for a in left], dtype=float
    )
    rows, cols = linear_sum_assignment(overlaps, maximize=True)
    return int(overlaps[rows, cols].sum())


def _spans(answer: Answer) -> SpanValue:
    """An answer of a span family (its value holds mentions, never choice labels)."""
    return cast(SpanValue, answer.value)


def pairwise_span_counts(
    units: dict[str, dict[str, Answer]], label: str | None = None
) -> dict[tuple[str, str], SpanCounts]:
    """Counts per annotator pair, summed over the units both answered (optionally one label only)."""
    totals: dict[tuple[str, str], SpanCounts] = {}
    for _, unit in sorted(units.items()):
        for left, right in combinations(sorted(unit), 2):
            spans_left = [s for s in _spans(unit[left]) if label is None or s.label == label]
            spans_right = [s for s in _spans(unit[right]) if label is None or s.label == label]
            totals[(left, right)] = totals.get((left, right), SpanCounts()) + span_counts(spans_left, spans_right)
    return totals
