"""Likely label errors in the gold and how far each annotator can be trusted, with cleanlab.

* :func:`label_issues`: confident learning (``cleanlab.filter.find_label_issues``) on the
  out-of-sample probabilities ``curation train`` kept: a gold label the model, never having seen
  it, finds implausible for its unit given the noise it estimates per class. Ranked by cleanlab's
  self-confidence (the probability the model gives the gold label), the worst first.
* :func:`annotator_quality`: cleanlab's multi-annotator CROWDLAB
  (``cleanlab.multiannotator.get_label_quality_multiannotator``) weighs each annotator's answers
  against the model and the others: a consensus per unit and a quality score per annotator. A
  multiple-choice family is one yes/no question per label; its annotator quality is the mean over
  its labels.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from curation.learn.classify import label_matrix
from curation.learn.model import TrainedModel, decide

if TYPE_CHECKING:
    from curation.agreement import AnswerTable
    from curation.learn.classify import TextClassifier
    from curation.learn.gold import FamilyGold
    from curation.schema import Schema
    from curation.units import Annotation


@dataclass(frozen=True)
class LabelIssue:
    """A gold label that is likely wrong: what the gold says, what the model suggests, how sure."""

    unit_id: str
    family: str
    level: str
    gold: tuple[str, ...]
    suggested: tuple[str, ...]
    label_quality: float  # cleanlab's self-confidence: the out-of-sample probability of the gold label(s)


@dataclass(frozen=True)
class AnnotatorQuality:
    annotator: str
    family: str
    level: str
    units: int
    quality: float  # CROWDLAB's annotator quality, 0-1
    agreement_with_consensus: float


def _gold(model: TrainedModel, key: str) -> FamilyGold:
    return next(family for family in model.gold if family.key == key)


def _trained(model: TrainedModel) -> list[tuple[str, TextClassifier, FamilyGold]]:
    """The classifiers that have out-of-sample probabilities, with their gold."""
    return [(key, c, _gold(model, key)) for key, c in model.classifiers.items() if c.out_of_sample is not None]


LABEL_ISSUE_CEILING = 0.05  # flag no label the model, never having seen it, still gives 5% or more (bench/learn.py)


def issue_indices(labels: Sequence[Sequence[str]], classifier: TextClassifier, probabilities: np.ndarray,
                  ceiling: float = LABEL_ISSUE_CEILING) -> list[int]:  # fmt: skip
    """Rows whose label cleanlab's confident learning flags, the worst first: the lowest
    self-confidence, as many as cleanlab estimates the gold holds errors, and of those only the
    ones whose label the model gives less than ``ceiling``.

    Cleanlab's estimate counts every label the model doubts, also the honest ones of classes that
    overlap (ANT's middleEast and internationalNews); the ceiling keeps the ones it rules out. On
    all of ANT with 5% of topics flipped it lifts precision from 0.53 to 0.86 at recall 0.81."""
    from cleanlab.filter import find_label_issues

    _, target = label_matrix(labels, classifier.multiple)
    given = [list(np.flatnonzero(row)) for row in target] if classifier.multiple else target
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # cleanlab warns about small classes; the figures still hold
        found = find_label_issues(given, probabilities, multi_label=classifier.multiple, filter_by="low_self_confidence",
                                  return_indices_ranked_by="self_confidence", n_jobs=1)  # fmt: skip
    return [int(i) for i in found if _self_confidence(probabilities[i], labels[i], classifier) < ceiling]


def _self_confidence(row: np.ndarray, gold: Sequence[str], classifier: TextClassifier) -> float:
    """The probability the model gives the gold label; of a multiple choice, its least plausible yes-or-no."""
    if classifier.multiple:
        chosen = np.array([c in gold for c in classifier.classes])
        return float(np.min(np.where(chosen, row, 1 - row)))
    return float(row[classifier.classes.index(gold[0])])


def label_issues(model: TrainedModel) -> list[LabelIssue]:
    """Every family's flagged gold labels, the least plausible first."""
    issues = []
    for _, classifier, gold in _trained(model):
        probabilities = classifier.out_of_sample
        assert probabilities is not None
        labels = [example.value for example in gold.examples]
        suggestions = list(decide(probabilities, classifier))
        for row in issue_indices(labels, classifier, probabilities):  # type: ignore[arg-type]
            example = gold.examples[row]
            issues.append(LabelIssue(example.unit_id, gold.family, gold.level, example.value, suggestions[row][0],  # type: ignore[arg-type]
                                     round(_self_confidence(probabilities[row], example.value, classifier), 6)))  # type: ignore[arg-type]
    return sorted(issues, key=lambda issue: issue.label_quality)


@dataclass(frozen=True)
class Crowdlab:
    """CROWDLAB's consensus class per unit and (quality, agreement with consensus) per annotator."""

    consensus: np.ndarray
    annotators: dict[str, tuple[float, float]]


def crowdlab(answers: list[dict[str, int]], annotators: list[str], probabilities: np.ndarray) -> Crowdlab:
    """CROWDLAB from each unit's answers by annotator (class indices) and the model's
    out-of-sample probabilities of the same units."""
    import pandas as pd
    from cleanlab.multiannotator import get_label_quality_multiannotator

    frame = pd.DataFrame([[row.get(a, np.nan) for a in annotators] for row in answers], columns=annotators)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = get_label_quality_multiannotator(frame, probabilities, verbose=False)
    stats = found["annotator_stats"]
    quality = {str(name): (float(row["annotator_quality"]), float(row["agreement_with_consensus"])) for name, row in stats.iterrows()}
    return Crowdlab(found["label_quality"]["consensus_label"].to_numpy(), quality)


def _family_answers(table: AnswerTable, key: str, units: list[str]) -> dict[str, dict[str, tuple[str, ...]]]:
    found = table.answers.get(key, {})
    return {unit: {who: answer.value for who, answer in found.get(unit, {}).items()} for unit in units}  # type: ignore[misc]


def annotator_quality(model: TrainedModel, table: AnswerTable) -> tuple[list[AnnotatorQuality], list[str]]:
    """CROWDLAB's quality of every annotator per family (the units of the model's gold that they
    answered), and a note per family it cannot weigh (one annotator only, no unit answered twice)."""
    qualities, notes = [], []
    for key, classifier, gold in _trained(model):
        units = [example.unit_id for example in gold.examples]
        given = _family_answers(table, key, units)
        keep = [i for i, unit in enumerate(units) if given[unit]]
        annotators = sorted({who for unit in units for who in given[unit]})
        if len(annotators) < 2 or not any(len(given[units[i]]) > 1 for i in keep):
            notes.append(f"{key}: annotator quality needs two annotators on a unit at least")
            continue
        probabilities = classifier.out_of_sample[keep]  # type: ignore[index]
        columns = range(len(classifier.classes)) if classifier.multiple else [None]
        per: dict[str, list[tuple[float, float]]] = {}
        for column in columns:
            rows = [_as_classes(given[units[i]], classifier, column) for i in keep]
            chance = probabilities if column is None else np.column_stack([1 - probabilities[:, column], probabilities[:, column]])
            try:
                for who, figures in crowdlab(rows, annotators, chance).annotators.items():
                    per.setdefault(who, []).append(figures)
            except ValueError as error:  # cleanlab refuses a label nobody ever gave, a unit no one answered
                notes.append(f"{key}: {error}")
        for who, per_label in sorted(per.items()):
            answered = sum(1 for i in keep if who in given[units[i]])
            quality, agreement = np.mean(per_label, axis=0)
            qualities.append(AnnotatorQuality(who, gold.family, gold.level, answered, round(float(quality), 4), round(float(agreement), 4)))
    return qualities, notes


@dataclass(frozen=True)
class AnnotatorWeights:
    """Every annotator's quality by one model, and the families it could not weigh: what the
    report shows beside the agreement figures."""

    model_version: str
    qualities: tuple[AnnotatorQuality, ...]
    notes: tuple[str, ...] = ()


def weigh_annotators(model: TrainedModel, schema: Schema | None, annotations: Iterable[Annotation]) -> AnnotatorWeights:
    """:func:`annotator_quality` on the answers of ``annotations`` (the report's, already read)."""
    from curation.agreement import collect_answers

    qualities, notes = annotator_quality(model, collect_answers(annotations, schema))
    return AnnotatorWeights(model.version, tuple(qualities), tuple(notes))


def _as_classes(answers: dict[str, tuple[str, ...]], classifier: TextClassifier, column: int | None) -> dict[str, int]:
    """Each annotator's answer as a class index (for one label of a multiple choice: 1 = chose it)."""
    if column is not None:
        return {who: int(classifier.classes[column] in value) for who, value in answers.items()}
    return {who: classifier.classes.index(value[0]) for who, value in answers.items() if value and value[0] in classifier.classes}
