"""``curation train``: the gold of the annotation stores into a versioned model file, recorded in
the models folder's ``models.jsonl`` (what ``preannotate --trained`` and the build read)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from curation.errors import CurationError
from curation.learn import MODELS_FILE
from curation.learn.gold import FamilyGold, gold_examples
from curation.learn.model import LearnSettings, TrainedModel, train_model

if TYPE_CHECKING:
    from curation.agreement import Adjudication
    from curation.learn.classify import TextClassifier
    from curation.preannotate.gazetteer import Gazetteer
    from curation.schema import Schema

_POLICY_WORDS = {
    "ground-truth": "a ground-truth annotation",
    "reviewer": "the reviewer's decision",
    "majority": "the majority of annotators",
    "unanimous-only": "a unanimous answer",
}


def gold_rule(policy: Sequence[str]) -> str:
    """The adjudication chain in words, printed with every training run."""
    return "gold = " + ", else ".join(_POLICY_WORDS.get(name, name) for name in policy) + "; a unit none decides is left out"


@dataclass
class FamilyFit:
    """One family's training figures: examples, labels seen, and the cross-validated scores."""

    family: str
    level: str
    kind: str
    examples: int
    labels: dict[str, int]
    cross_validated: dict[str, float] | None  # None: a class with fewer than two examples, or a tagger


@dataclass
class TrainReport:
    version: str
    model_file: Path
    rule: str
    families: list[FamilyFit] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def _scores(classifier: TextClassifier, gold: FamilyGold) -> dict[str, float] | None:
    """Accuracy (exact set for a multiple choice) and macro F1 of the out-of-sample probabilities."""
    from sklearn.metrics import f1_score

    from curation.learn.classify import label_matrix
    from curation.learn.model import decide

    if classifier.out_of_sample is None:
        return None
    _, truth = label_matrix([example.value for example in gold.examples], classifier.multiple)  # type: ignore[misc]
    chosen = [labels for labels, _ in decide(classifier.out_of_sample, classifier)]
    if classifier.multiple:
        predicted = np.array([[int(c in labels) for c in classifier.classes] for labels in chosen])
        exact = float(np.mean(np.all(predicted == truth, axis=1)))
    else:
        predicted = np.array([classifier.classes.index(labels[0]) for labels in chosen])
        exact = float(np.mean(predicted == truth))
    return {"accuracy": round(exact, 4), "macro_f1": round(float(f1_score(truth, predicted, average="macro", zero_division=0)), 4)}


def _fit(gold: FamilyGold, model: TrainedModel) -> FamilyFit:
    counts: dict[str, int] = {}
    for example in gold.examples:
        for value in example.value:
            name = value if isinstance(value, str) else value.label
            counts[name] = counts.get(name, 0) + 1
    classifier = model.classifiers.get(gold.key)
    scores = _scores(classifier, gold) if classifier is not None else None
    return FamilyFit(gold.family, gold.level, gold.kind, len(gold.examples), dict(sorted(counts.items())), scores)


def record_model(folder: Path, model: TrainedModel, report: TrainReport) -> None:
    """Add the model to ``models.jsonl`` (once per version: retraining on the same gold adds nothing)."""
    from curation.fileio import dumps, iter_jsonl

    index = folder / MODELS_FILE
    known = [record for _, record in iter_jsonl(index)] if index.is_file() else []
    if known and known[-1].get("version") == model.version:
        return
    entry: dict[str, Any] = {"version": model.version, "file": report.model_file.name, "schema": model.schema_name,
                             "rule": report.rule, "gold": {f"{f.family}@{f.level}": f.examples for f in report.families}}  # fmt: skip
    with index.open("a", encoding="utf-8") as handle:
        handle.write(dumps(entry) + "\n")


def latest_model(folder: Path) -> Path:
    """The model file ``curation train`` recorded last in ``folder``."""
    from curation.fileio import iter_jsonl

    index = folder / MODELS_FILE
    if not index.is_file():
        raise CurationError(f"{index}: no model trained yet; run `curation train`")
    records = [record for _, record in iter_jsonl(index)]
    if not records:
        raise CurationError(f"{index}: no model trained yet; run `curation train`")
    return folder / str(records[-1]["file"])


def train_from_gold(
    adjudication: Adjudication,
    schema: Schema,
    units: Path,
    folder: Path,
    *,
    gazetteer: Gazetteer | None = None,
    settings: LearnSettings | None = None,
) -> tuple[TrainedModel, TrainReport]:
    """Fit every family with gold, save the model as ``folder/VERSION.pkl`` and record it."""
    families, missing = gold_examples(adjudication, schema, units)
    if not families:
        raise CurationError("no gold to learn from: `curation agree` shows which units have gold (none yet)")
    model, skipped = train_model(families, schema, settings or LearnSettings(), gazetteer, units)
    report = TrainReport(model.version, folder / f"{model.version}.pkl", gold_rule(adjudication.policy), skipped=skipped, problems=missing)
    report.families = [_fit(gold, model) for gold in families]
    if not report.model_file.is_file():  # the same version is the same model: never rewritten
        model.save(report.model_file)
    record_model(folder, model, report)
    return model, report
