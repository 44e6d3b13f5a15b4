"""A text classifier for one choice family: character n-grams of the normalised text into a
linear model, as fastText and most Arabic topic work do, CPU-only and deterministic.

Character n-grams (inside word boundaries) over :func:`curation.normalize.normalize_text` see
through Arabic's clitics and letter variants without a stemmer: وبالقاهرة and القاهرة share most
of their n-grams. A multi-choice family (``topic`` with ``multiple: true``) is one binary model
per label; a single-choice family is one multinomial model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, TransformerMixin, clone
from sklearn.feature_extraction.text import HashingVectorizer, TfidfTransformer
from sklearn.linear_model import SGDClassifier
from sklearn.model_selection import KFold, StratifiedKFold, cross_val_predict
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MultiLabelBinarizer

from curation.normalize import normalize_text

MIN_PER_CLASS = 2  # out-of-sample probabilities need every class in two folds at least


@dataclass(frozen=True)
class ClassifierSettings:
    """What a classifier is fitted with: part of the model's version."""

    ngram_min: int = 2
    ngram_max: int = 5
    hashed_features: int = 2**20
    c: float = 10.0  # the inverse L2 penalty of a logistic regression over the whole gold ...
    min_alpha: float = 1e-5  # ... but per example at least this (less only slows the descent on a large gold)
    tol: float = 1e-2  # SGD stops when an epoch's mean loss improved less than this ...
    patience: int = 2  # ... this many epochs running: 5 epochs on ANT, not 14, same macro-F1 (bench/learn.py)
    folds: int = 5
    seed: int = 0
    max_chars: int = 3000  # an article's title and lede say its topic; the rest costs time (bench/learn.py)


def normalized(text: str, max_chars: int | None = None) -> str:
    """The form the classifier reads: the first ``max_chars`` characters, Arabic letter variants,
    diacritics and case folded."""
    return normalize_text(text[:max_chars] if max_chars else text)


class CharNgrams(TransformerMixin, BaseEstimator):
    """TF-IDF (sublinear tf) of hashed character n-grams inside word boundaries of the normalised
    text: the features of scikit-learn's ``HashingVectorizer(analyzer="char_wb")``, counted a
    word at a time.

    A char_wb n-gram never crosses a space, so a text's n-gram counts are the sum of its words'.
    Each distinct word of a batch is cut into n-grams once and a sparse product adds them up:
    news repeats its words, so all of ANT costs a fifth of the CPU of cutting every text.
    """

    def __init__(self, ngram_range: tuple[int, int] = (2, 5), n_features: int = 2**20, max_chars: int | None = None) -> None:
        self.ngram_range = ngram_range
        self.n_features = n_features
        self.max_chars = max_chars

    def counts(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Raw n-gram counts, one row per text."""
        words: dict[str, int] = {}
        columns: list[int] = []
        rows = [0]
        for text in texts:
            columns.extend(words.setdefault(word, len(words)) for word in normalized(text, self.max_chars).split())
            rows.append(len(columns))
        shape = (len(rows) - 1, len(words))
        text_words = sp.csr_matrix((np.ones(len(columns), np.float32), columns, rows), shape=shape)
        hashing = HashingVectorizer(analyzer="char_wb", ngram_range=self.ngram_range, n_features=self.n_features,
                                    alternate_sign=False, norm=None, lowercase=False, dtype=np.float32)  # fmt: skip
        return sp.csr_matrix(text_words @ hashing.transform(list(words)))

    def fit(self, texts: Sequence[str], y: Any = None) -> CharNgrams:
        self.fit_transform(texts)
        return self

    def fit_transform(self, texts: Sequence[str], y: Any = None, **_: Any) -> sp.csr_matrix:
        self.tfidf_ = TfidfTransformer(sublinear_tf=True)
        return self.tfidf_.fit_transform(self.counts(texts)).astype(np.float32, copy=False)

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.tfidf_.transform(self.counts(texts)).astype(np.float32, copy=False)


def make_pipeline_for(settings: ClassifierSettings, multiple: bool, examples: int = 1) -> Pipeline:
    """The vectorizer and linear model for ``examples`` training examples (the penalty per example depends on them)."""
    vectorizer = CharNgrams((settings.ngram_min, settings.ngram_max), settings.hashed_features, settings.max_chars)
    # Logistic loss by stochastic gradient: the macro-F1 of lbfgs's logistic regression at a thirtieth of its CPU on ANT
    # (bench/learn.py); one binary model per class, two at a time in threads.
    alpha = max(settings.min_alpha, 1 / (settings.c * max(examples, 1)))
    linear = SGDClassifier(loss="log_loss", alpha=alpha, tol=settings.tol, n_iter_no_change=settings.patience,
                           random_state=settings.seed, n_jobs=2)  # fmt: skip
    return make_pipeline(vectorizer, OneVsRestClassifier(linear) if multiple else linear)


@dataclass
class TextClassifier:
    """A fitted classifier of one family: ``classes`` in the order of the probability columns."""

    family: str
    multiple: bool
    classes: list[str]
    pipeline: Pipeline
    out_of_sample: np.ndarray | None  # rows of the training examples, probabilities from a model that did not see them

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """One row per text, one column per class (each column on its own for a multi-choice family)."""
        return np.asarray(self.pipeline.predict_proba(list(texts)), dtype=np.float64)


def label_matrix(labels: Sequence[Sequence[str]], multiple: bool) -> tuple[list[str], Any]:
    """The classes and the fitting target: class indices, or a 0/1 matrix for a multi-choice family."""
    if multiple:
        binarizer = MultiLabelBinarizer()
        matrix = binarizer.fit_transform([tuple(values) for values in labels])
        return [str(c) for c in binarizer.classes_], matrix
    classes = sorted({values[0] for values in labels})
    return classes, np.array([classes.index(values[0]) for values in labels])


def _folds(target: Any, multiple: bool, settings: ClassifierSettings) -> KFold | StratifiedKFold | None:
    """Cross-validation folds, or None when the gold is too small to hold any class out."""
    if multiple:
        counts = np.asarray(target).sum(axis=0)
        smallest = int(min(counts.min(), len(target) - counts.max()))
        return KFold(min(settings.folds, len(target)), shuffle=True, random_state=settings.seed) if smallest >= MIN_PER_CLASS else None
    smallest = int(np.bincount(target).min())
    if smallest < MIN_PER_CLASS:
        return None
    return StratifiedKFold(min(settings.folds, smallest), shuffle=True, random_state=settings.seed)


def fit_classifier(
    family: str, texts: Sequence[str], labels: Sequence[Sequence[str]], multiple: bool, settings: ClassifierSettings
) -> TextClassifier:
    """The classifier fitted on every example, with out-of-sample probabilities from cross-validation."""
    classes, target = label_matrix(labels, multiple)
    if len(classes) < 2:
        raise ValueError(f"{family}: the gold has a single label ({classes[0] if classes else 'none'}); nothing to learn")
    folds = _folds(target, multiple, settings)
    pipeline = make_pipeline_for(settings, multiple, len(texts))
    vectorizer, linear = pipeline.steps[0][1], pipeline.steps[1][1]
    features = vectorizer.fit_transform(list(texts))  # once: vocabulary and idf use no label, so the folds may share them
    out_of_sample = None
    if folds is not None:
        out_of_sample = cross_val_predict(clone(linear), features, target, cv=folds, method="predict_proba")
    linear.fit(features, target)
    return TextClassifier(family, multiple, classes, pipeline, out_of_sample)
