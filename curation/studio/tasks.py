"""What a Label Studio task holds for one article or sentence of ``curation segment`` output.

Task data keys (named in :mod:`curation.studio.contract`) are the contract with the schema's
labelling config: ``text`` (what annotators read: an article's body, a sentence's text),
``title`` (articles; for sentences their article's, shown with the sentences before and after
them), ``target`` (stance), ``unit_id`` and ``doc_id``; provenance (level, parent, offsets,
role) rides along so a task can be traced back without the units file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curation.fileio import iter_jsonl
from curation.studio.contract import AFTER_KEY, BEFORE_KEY, DOC_KEY, TARGET_KEY, TEXT_KEY, TITLE_KEY, UNIT_KEY
from curation.studio.results import to_results
from curation.units import Article, Document, EntitySpan, Sentence, Unit

if TYPE_CHECKING:
    from curation.studio.selection import Selection

PUSHABLE_LEVELS = ("article", "sentence")
TaskUnit = Article | Sentence
UNIT_CLASSES: dict[str, type[TaskUnit]] = {"article": Article, "sentence": Sentence}


class UnitRecordError(ValueError):
    """A predictions line that cannot be read, naming file and line."""


def check_level(level: str) -> type[TaskUnit]:
    """The unit class a ``level`` of tasks is made of; ValueError for a level that makes no tasks."""
    if level not in UNIT_CLASSES:
        raise ValueError(f"level must be one of {', '.join(PUSHABLE_LEVELS)}, not {level!r}")
    return UNIT_CLASSES[level]


def unit_text(unit: TaskUnit) -> str:
    """The text annotators read, which span offsets count in: an article's body, a sentence's text."""
    return unit.body if isinstance(unit, Article) else unit.text


@dataclass(frozen=True, slots=True)
class SentenceContext:
    """What a sentence task shows around the sentence, read-only: its article's title and the
    sentences just before and after it in that article ("" at either end)."""

    title: str
    before: str
    after: str


def task_data(
    unit: TaskUnit, default_target: str | None, context: SentenceContext | None = None, fields: dict[str, str] | None = None
) -> dict[str, Any]:
    """Task ``data`` for one unit (see the module docstring for the keys); ``fields`` are its page's
    (:meth:`~curation.units.Document.shown_fields`): an imported pair's headline fills an empty
    title and its claim is the stance target, in place of the schema's default one."""
    fields = fields or {}
    data: dict[str, Any] = {
        TEXT_KEY: unit_text(unit),
        UNIT_KEY: unit.id,
        DOC_KEY: unit.doc_id,
        "level": "article" if isinstance(unit, Article) else "sentence",
        "parent": unit.doc_id if isinstance(unit, Article) else unit.article_id,
        "start": unit.start,
        "end": unit.end,
        "role": unit.role,
    }
    if isinstance(unit, Article):
        data[TITLE_KEY] = unit.title_text or ""
    if context is not None:
        data.update({TITLE_KEY: context.title, BEFORE_KEY: context.before, AFTER_KEY: context.after})
    if TITLE_KEY in data and not data[TITLE_KEY] and "title" in fields:
        data[TITLE_KEY] = fields["title"]
    target = fields.get("target", default_target)
    if target is not None:
        data[TARGET_KEY] = target
    return data


@dataclass
class UnitsToPush:
    """The units of one level of a units file (the first of each id), the context each sentence
    is shown with, and why any line could not be read."""

    units: dict[str, TaskUnit] = field(default_factory=dict)
    contexts: dict[str, SentenceContext] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    fields: dict[str, dict[str, str]] = field(default_factory=dict)  # by document id: what its units show
    left_out: set[str] = field(default_factory=set)  # units of the level a selection left out: no task made

    def select(self, selection: Selection, level: str, units_path: str | Path) -> None:
        """Keep the units ``selection`` keeps; the others are :attr:`left_out`."""
        kept = selection.apply(level, self.units, Path(units_path))
        self.left_out = set(self.units) - set(kept)
        self.units = kept

    def fields_of(self, unit: TaskUnit) -> dict[str, str]:
        return self.fields.get(unit.doc_id, {})


@dataclass
class _Surroundings:
    """What sentence contexts are made of, gathered while a units file is read."""

    titles: dict[str, str] = field(default_factory=dict)
    sentences: list[Sentence] = field(default_factory=list)

    def see(self, unit: Unit) -> None:
        if isinstance(unit, Article):
            self.titles.setdefault(unit.id, unit.title_text or "")
        elif isinstance(unit, Sentence):
            self.sentences.append(unit)

    def contexts(self) -> dict[str, SentenceContext]:
        by_article: dict[str, list[Sentence]] = defaultdict(list)
        for sentence in self.sentences:
            by_article[sentence.article_id].append(sentence)
        contexts: dict[str, SentenceContext] = {}
        for article_id, around in by_article.items():
            title, texts = self.titles.get(article_id, ""), ["", *(sentence.text for sentence in around), ""]
            for index, sentence in enumerate(around, start=1):
                contexts.setdefault(sentence.id, SentenceContext(title, texts[index - 1], texts[index + 1]))
        return contexts


def read_units_to_push(units_path: str | Path, level: str, only: Collection[str] | None = None) -> UnitsToPush:
    """The ``level`` units of ``units_path`` (or those of them whose id is in ``only``) in one
    pass, sentences with their context; a line or unit that cannot be read is a problem naming
    file, line or unit, and the rest is read."""
    from curation.unitfile import PageSelector, iter_units  # numpy, through the settings: not for `push --help`

    wanted = check_level(level)
    found, surroundings = UnitsToPush(), _Surroundings()
    errors: list[object] = []
    pages = None if level == "sentence" else PageSelector(levels=("document", level))  # documents: their fields
    for unit in iter_units(units_path, None, errors, keep=pages):
        if isinstance(unit, Document) and unit.shown_fields():
            found.fields[unit.id] = unit.shown_fields()
        surroundings.see(unit)
        if isinstance(unit, wanted) and (only is None or unit.id in only):
            found.units.setdefault(unit.id, unit)
    found.contexts = surroundings.contexts() if level == "sentence" else {}
    found.problems = [f"{error}: not read" for error in errors]
    return found


@dataclass(frozen=True, slots=True)
class Prediction:
    """A model's answer for one unit, offsets in code points of the unit text; ``score`` is the
    unit's, ``span_scores`` each span's (in ``spans`` order; None where the model gave none)."""

    unit_id: str
    choices: dict[str, tuple[str, ...]]
    spans: tuple[EntitySpan, ...]
    model_version: str | None = None
    score: float | None = None
    span_scores: tuple[float | None, ...] = ()
    cluster: int | None = None  # near-duplicates share one: Label Studio's uncertainty queue serves them apart

    def to_task_prediction(self, text: str, span_family: str | None) -> dict[str, Any]:
        results = to_results(text, self.choices, self.spans, span_family)
        # the span regions come last, in spans order: each carries its own score, as Label Studio shows it
        for region, score in zip(results[len(results) - len(self.spans) :], self.span_scores, strict=False):
            if score is not None:
                region["score"] = score
        prediction: dict[str, Any] = {"result": results}
        if self.model_version is not None:
            prediction["model_version"] = self.model_version
        if self.score is not None:
            prediction["score"] = self.score
        if self.cluster is not None:
            prediction["cluster"] = self.cluster
        return prediction

    def to_record(self) -> dict[str, Any]:
        """A line of a predictions file (what :func:`read_predictions` reads back)."""
        spans = [s.to_dict() for s in self.spans]
        for span, score in zip(spans, self.span_scores, strict=False):
            if score is not None:
                span["score"] = score
        return {"unit_id": self.unit_id, "choices": {k: list(v) for k, v in self.choices.items()},
                "spans": spans, "model_version": self.model_version, "score": self.score,
                **({"cluster": self.cluster} if self.cluster is not None else {})}

    @classmethod
    def from_record(cls, item: dict[str, Any]) -> Prediction:
        spans = item.get("spans") or ()
        scores = tuple(None if s.get("score") is None else float(s["score"]) for s in spans)
        return cls(
            unit_id=str(item["unit_id"]),
            choices={k: tuple(map(str, v)) for k, v in (item.get("choices") or {}).items()},
            spans=tuple(EntitySpan(int(s["start"]), int(s["end"]), str(s["label"]), str(s.get("text", ""))) for s in spans),
            model_version=item.get("model_version"),
            score=item.get("score"),
            span_scores=scores if any(score is not None for score in scores) else (),
            cluster=item.get("cluster"),
        )


def read_predictions(path: str | Path) -> Iterator[Prediction]:
    """Predictions JSONL: ``{"unit_id", "choices": {family: [..]}, "spans": [{start, end, label,
    text}], "model_version", "score"}`` one a line; a bad line raises naming file and line."""
    for number, item in iter_jsonl(path):
        try:
            yield Prediction.from_record(item)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise UnitRecordError(f"{path}:{number}: not a prediction record ({exc!r})") from None
