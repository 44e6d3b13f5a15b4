"""A trained model: one classifier per choice family and one tagger per span family, under a
version that is the hash of its training data and settings.

The same gold, settings, gazetteer and library versions give the same version and the same
predictions; a different gold gives a new version, so Label Studio keeps each version's
predictions apart and a build's manifest can name the model that pre-annotated its units.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from importlib.metadata import version as package_version
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from curation.errors import CurationError
from curation.learn.classify import ClassifierSettings, TextClassifier, fit_classifier
from curation.learn.gold import FamilyGold, gold_digest, level_texts, model_input
from curation.learn.tagger import EntityTagger, TaggerSettings, fit_tagger, word_clusters

if TYPE_CHECKING:
    from curation.preannotate.gazetteer import Gazetteer
    from curation.schema import Schema
    from curation.studio.tasks import Prediction

VERSION_PREFIX = "curation-learn-"
MULTI_LABEL_THRESHOLD = 0.5
BATCH = 2048


@dataclass(frozen=True)
class LearnSettings:
    classifier: ClassifierSettings = field(default_factory=ClassifierSettings)
    tagger: TaggerSettings = field(default_factory=TaggerSettings)


def _libraries() -> dict[str, str]:
    return {name: package_version(name) for name in ("scikit-learn", "sklearn-crfsuite", "python-crfsuite")}


def model_version(
    families: Sequence[FamilyGold], settings: LearnSettings, schema_fingerprint: str, gazetteer: Gazetteer | None,
    clusters: dict[str, str] | None = None,
) -> str:
    """``curation-learn-`` and 12 hex digits of the hash of the gold, settings, schema, gazetteer, libraries
    and the taggers' word clusters (``family key -> digest``: they stand for the unlabelled text)."""
    described = {
        "gold": gold_digest(families), "settings": asdict(settings), "schema": schema_fingerprint,
        "gazetteer": gazetteer.digest if gazetteer is not None else None, "libraries": _libraries(),
        **({"clusters": clusters} if clusters else {}),
    }  # fmt: skip
    return VERSION_PREFIX + hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()[:12]


@dataclass
class TrainedModel:
    version: str
    schema_name: str
    schema_fingerprint: str
    settings: LearnSettings
    gold: list[FamilyGold]
    classifiers: dict[str, TextClassifier]  # family key -> classifier
    taggers: dict[str, EntityTagger]
    targets: dict[str, str | None]  # family key -> the stance target it reads
    gazetteer: Gazetteer | None = None

    def families(self, level: str) -> list[str]:
        return [key for key in (*self.classifiers, *self.taggers) if key.endswith(f"@{level}")]

    def save(self, path: Path) -> None:
        from curation.fileio import atomic_writer

        with atomic_writer(path, binary=True) as handle:
            pickle.dump(self, handle, protocol=pickle.HIGHEST_PROTOCOL)

    @staticmethod
    def load(path: Path) -> TrainedModel:
        """A model ``curation train`` saved (a pickle: load only models you trained yourself)."""
        try:
            with path.open("rb") as handle:
                model = pickle.load(handle)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as error:
            raise CurationError(f"{path}: not a model `curation train` wrote ({error})") from None
        if not isinstance(model, TrainedModel):
            raise CurationError(f"{path}: not a model `curation train` wrote")
        trained_with = vars(model.settings.tagger).get("features", 1)  # a model saved before the field had set 1
        if model.taggers and trained_with != TaggerSettings().features:
            raise CurationError(f"{path}: its entity tagger was trained on feature set {trained_with}, this version "
                                f"computes set {TaggerSettings().features}: run `curation train` again")  # fmt: skip
        return model

    def predict(self, unit_ids: Sequence[str], texts: Sequence[str], level: str) -> list[Prediction]:
        """One prediction per unit with every family of ``level``, its score the confidence of the
        least sure family (so the lowest score is the most useful task to label next)."""
        from curation.studio.tasks import Prediction

        choices: list[dict[str, tuple[str, ...]]] = [{} for _ in texts]
        sure = np.ones(len(texts))
        spans: list[tuple[Any, ...]] = [() for _ in texts]
        for key, classifier in self.classifiers.items():
            if key.endswith(f"@{level}"):
                probabilities = classifier.probabilities([model_input(text, self.targets[key]) for text in texts])
                for row, (chosen, confidence) in enumerate(decide(probabilities, classifier)):
                    choices[row][classifier.family] = chosen
                    sure[row] = min(sure[row], confidence)
        for key, tagger in self.taggers.items():
            if key.endswith(f"@{level}"):
                for row, (found, confidence) in enumerate(tagger.tag(texts, self.gazetteer)):
                    spans[row] = tuple(span for span, _ in found)
                    sure[row] = min(sure[row], confidence)
        return [
            Prediction(unit_id, choices[row], spans[row], self.version, round(float(sure[row]), 6))
            for row, unit_id in enumerate(unit_ids)
        ]


def decide(probabilities: np.ndarray, classifier: TextClassifier) -> Iterator[tuple[tuple[str, ...], float]]:
    """Per row: the chosen labels and how sure the model is of that choice (:func:`certainty`).

    A single choice takes the likeliest label; a multiple choice takes every label at 0.5 or above
    (at least the likeliest)."""
    for row in probabilities:
        best = int(np.argmax(row))
        if not classifier.multiple:
            yield (classifier.classes[best],), certainty(row, False)
            continue
        chosen = [i for i, p in enumerate(row) if p >= MULTI_LABEL_THRESHOLD] or [best]
        yield tuple(classifier.classes[i] for i in chosen), certainty(row, True)


def certainty(row: np.ndarray, multiple: bool) -> float:
    """How sure the model is of its choice, from 0 (a toss-up) to 1 (certain): the score the queue serves lowest first.

    The margin: a single choice's likeliest probability minus the runner-up's (on ANT topics margin order reaches
    the whole gold's macro-F1 with fewer labels than the top probability or the entropy: bench/learn.py); a multiple
    choice's least sure yes-or-no, ``|p - (1 - p)|``, the margin of one label."""
    if multiple:
        return float(np.min(np.abs(2 * row - 1)))
    if len(row) < 2:
        return 1.0
    runner_up, best = np.partition(row, len(row) - 2)[-2:]
    return float(best - runner_up)


def train_model(
    families: Sequence[FamilyGold], schema: Schema, settings: LearnSettings, gazetteer: Gazetteer | None = None,
    units: Path | None = None,
) -> tuple[TrainedModel, list[str]]:
    """A model of every family with enough gold, and one line per family left out (and why). A tagger's
    word clusters learn from the gold's text and every unit of its level in ``units`` (labelled or not)."""
    classifiers: dict[str, TextClassifier] = {}
    taggers: dict[str, EntityTagger] = {}
    skipped = []
    for family in families:
        texts = [example.text for example in family.examples]
        try:
            if family.kind == "span":
                values = [example.value for example in family.examples]
                unlabelled = level_texts(units, family.level) if units is not None else ()
                clusters = word_clusters(chain(texts, unlabelled), settings.tagger)
                taggers[family.key] = fit_tagger(family.family, texts, values, settings.tagger, gazetteer, clusters)  # type: ignore[arg-type]
            else:
                labels = [example.value for example in family.examples]
                classifiers[family.key] = fit_classifier(family.family, texts, labels, family.multiple, settings.classifier)  # type: ignore[arg-type]
        except ValueError as error:
            skipped.append(f"{family.key}: not trained: {error}")
    learned = {key: tagger.maker.clusters.digest() for key, tagger in taggers.items() if tagger.maker.clusters is not None}
    version = model_version(families, settings, schema.fingerprint, gazetteer, learned)
    targets = {family.key: family.target for family in families}
    return TrainedModel(version, schema.name, schema.fingerprint, settings, list(families), classifiers, taggers, targets, gazetteer), skipped
