"""Units and their labels -> dataset rows (with label names), and the Features that describe them.

A row carries its provenance (document, source file and line, code-point offsets into the page)
so every example can be traced to the text an annotator saw, the adjudicated (gold) label
columns the schema declares, and every annotator's own answer in a ``<family>__<annotator>``
column, so adjudication never hides what an annotator said.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from datasets import ClassLabel, Features, LargeList, List, Sequence, Value

from curation.export.tokenize import bio_tagging, token_texts
from curation.schema.model import NER_TAGS_FEATURE
from curation.units import Article, Document, EntitySpan, Level, Sentence

BIO_COLUMN = NER_TAGS_FEATURE
TOKENS_COLUMN = "tokens"
DISPUTED_COLUMN = "disputed_entities"  # mentions left undecided, beside the gold mentions of the same unit
ANSWER_SEPARATOR = "__"

_PROVENANCE = {
    "doc_id": Value("string"),
    "source": Value("string"),
    "line": Value("int32"),
    "start": Value("int32"),
    "end": Value("int32"),
}
ARTICLE_BASE = Features(
    {
        "id": Value("string"),
        **_PROVENANCE,
        "doc_sha256": Value("string"),
        "role": Value("string"),
        "cluster": Value("string"),
        "title": Value("string"),
        "text": Value("string"),
        "meta": Value("string"),
        "annotators": List(Value("string")),
    }
)
SENTENCE_BASE = Features(
    {
        "id": Value("string"),
        "article_id": Value("string"),
        **_PROVENANCE,
        "role": Value("string"),
        "index": Value("int32"),
        "text": Value("string"),
        "annotators": List(Value("string")),
    }
)


def is_span_feature(feature: Any) -> bool:
    """An entity-span list: a list of structs with start, end and label."""
    inner = getattr(feature, "feature", None) if isinstance(feature, List | LargeList | Sequence) else None
    return isinstance(inner, dict) and {"start", "end", "label"} <= set(inner)


def is_multi_choice(feature: Any) -> bool:
    return isinstance(feature, List | LargeList | Sequence) and isinstance(feature.feature, ClassLabel)


@dataclass(frozen=True, slots=True)
class LevelLayout:
    """The columns of one config (``articles`` or ``sentences``): provenance, the schema's label
    features for the level, and one answer column per (family, annotator)."""

    level: Level
    labels: Mapping[str, Any]
    annotators: tuple[str, ...] = ()

    @property
    def answer_families(self) -> tuple[str, ...]:
        """Families an annotator answers directly (choices and spans; BIO tags are derived)."""
        return tuple(name for name in self.labels if name != BIO_COLUMN)

    @property
    def span_family(self) -> str | None:
        return next((name for name, f in self.labels.items() if is_span_feature(f)), None)

    @property
    def bio_feature(self) -> Any | None:
        return self.labels.get(BIO_COLUMN)

    def features(self) -> Features:
        base = ARTICLE_BASE if self.level == "article" else SENTENCE_BASE
        columns: dict[str, Any] = dict(base)
        if self.bio_feature is not None:
            columns[TOKENS_COLUMN] = List(Value("string"))
        columns.update(self.labels)
        if self.span_family is not None:
            columns[DISPUTED_COLUMN] = self.labels[self.span_family]
        for family in self.answer_families:
            for annotator in self.annotators:
                columns[answer_column(family, annotator)] = self.labels[family]
        return Features(columns)


def answer_column(family: str, annotator: str) -> str:
    return f"{family}{ANSWER_SEPARATOR}{annotator}"


@dataclass(slots=True)
class UnitLabels:
    """What is known about one unit, per label column: the gold value and each annotator's
    counted answer (tuples of label names, or of entity spans for the span column); for the
    span column, the mentions still disputed (gold then holds the decided ones only)."""

    gold: dict[str, Any] = field(default_factory=dict)
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    disputed: dict[str, Any] = field(default_factory=dict)

    def annotators(self) -> list[str]:
        return sorted({annotator for by_annotator in self.answers.values() for annotator in by_annotator})


@dataclass(slots=True)
class TokenTally:
    """Token-level facts the dataset card reports."""

    boundary_splits: int = 0
    overlapping: list[tuple[str, EntitySpan]] = field(default_factory=list)


def _column_value(feature: Any, value: Any) -> Any:
    """A gold or answer value (label name(s) or spans) in the shape the column's feature wants."""
    if value is None:
        return None
    if is_span_feature(feature):
        return [s.to_dict() if isinstance(s, EntitySpan) else dict(s) for s in value]
    chosen = (value,) if isinstance(value, str) else tuple(value)
    if is_multi_choice(feature):
        order = {name: index for index, name in enumerate(feature.feature.names)}
        return sorted(chosen, key=lambda name: (order.get(name, len(order)), name))
    return chosen[0] if chosen else None


def _label_columns(layout: LevelLayout, labels: UnitLabels) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for family in layout.answer_families:
        feature = layout.labels[family]
        row[family] = _column_value(feature, labels.gold.get(family))
        if family == layout.span_family:
            row[DISPUTED_COLUMN] = _column_value(feature, labels.disputed.get(family, () if family in labels.gold else None))
        answers = labels.answers.get(family, {})
        for annotator in layout.annotators:
            row[answer_column(family, annotator)] = _column_value(feature, answers.get(annotator))
    return row


def article_row(
    document: Document, article: Article, source: str, cluster: str | None, labels: UnitLabels, layout: LevelLayout
) -> dict[str, Any]:
    row = {
        "id": article.id,
        "doc_id": document.id,
        "source": source,
        "line": document.provenance.line,
        "start": article.start,
        "end": article.end,
        "doc_sha256": document.provenance.sha256,
        "role": article.role,
        "cluster": cluster,
        "title": article.title.text if article.title else document.shown_fields().get("title"),  # an imported pair's headline
        "text": article.body,
        "meta": json.dumps(document.meta, ensure_ascii=False, sort_keys=True) if document.meta else None,
        "annotators": labels.annotators(),
    }
    row.update(_label_columns(layout, labels))
    return row


def sentence_row(
    document: Document, sentence: Sentence, source: str, labels: UnitLabels, layout: LevelLayout, tally: TokenTally
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "id": sentence.id,
        "article_id": sentence.article_id,
        "doc_id": document.id,
        "source": source,
        "line": document.provenance.line,
        "start": sentence.start,
        "end": sentence.end,
        "role": sentence.role,
        "index": sentence.index,
        "text": sentence.text,
        "annotators": labels.annotators(),
    }
    row.update(_label_columns(layout, labels))
    if layout.bio_feature is not None:
        # Without gold entities the tags stay null: "not annotated" is not "no entity here"; nor can
        # BIO say "undecided" where a mention is disputed, so such a unit has no tags either.
        # An imported unit keeps its corpus's own tokens, exactly as given.
        family = layout.span_family
        gold = row.get(family) if family else None
        given = document.given_tokens(sentence.start, sentence.end)
        if gold is None or row.get(DISPUTED_COLUMN):
            row[TOKENS_COLUMN] = [t for _, _, t in given] if given is not None else token_texts(sentence.text)
            row[BIO_COLUMN] = None
            return row
        tagging = bio_tagging(sentence.text, [EntitySpan.from_dict(s) for s in gold], given)
        tally.boundary_splits += tagging.boundary_splits
        tally.overlapping.extend((sentence.id, span) for span in tagging.overlapping)
        row[TOKENS_COLUMN] = [token.text for token in tagging.tokens]
        row[BIO_COLUMN] = list(tagging.tags)
    return row
