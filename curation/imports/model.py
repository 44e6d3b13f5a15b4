"""What every importer yields: a text with its labels, located in its source file.

Readers (CoNLL, Label Studio, Hugging Face) differ only in how they find the text and the labels;
:mod:`curation.imports.materialize` turns these items into units, annotations and predictions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from curation.units import EntitySpan

AnswerKind = Literal["annotation", "prediction"]


@dataclass(frozen=True, slots=True)
class ImportProblem:
    """One defect of the input, named by file and line (or record) and what is wrong."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class Answer:
    """One set of labels on an item; ``source`` names who gave it (the corpus, an annotator, a
    model). Span offsets are code points into the item's text."""

    source: str
    spans: tuple[EntitySpan, ...] = ()
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    kind: AnswerKind | None = None  # None: as the user asks (annotation or prediction)
    model_version: str | None = None
    score: float | None = None
    ground_truth: bool = False
    spans_checked: bool = True  # False when the source never labels spans: no "no entity here" claim
    lines: tuple[int, ...] = ()  # the source line of each span (CoNLL: its first token's), to report a loss there
    annotation_id: str | None = None  # the source's own id of this answer (Label Studio's annotation id)
    created_at: str | None = None
    updated_at: str | None = None
    lead_time: float | None = None
    cancelled: bool = False  # skipped by the annotator: kept and counted, never an answer


@dataclass(frozen=True, slots=True)
class ImportedItem:
    """A text from a corpus: ``key`` is unique and stable within the import (it feeds the ids)."""

    key: str
    text: str
    path: str
    line: int | None
    answers: tuple[Answer, ...] = ()
    tokens: tuple[str, ...] = ()  # the corpus's own tokens, exactly as given (CoNLL, HF token rows)
    token_offsets: tuple[tuple[int, int], ...] = ()  # where each token stands in ``text``
    fields: dict[str, str] = field(default_factory=dict)  # shown beside the text: a pair's title, its stance target
