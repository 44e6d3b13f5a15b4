"""What a Label Studio task holds for one article or sentence of ``curation segment`` output.

Task data keys (named in :mod:`curation.studio.contract`) are the contract with the schema's
labelling config: ``text`` (what annotators read: an article's body, a sentence's text),
``title`` (articles; for sentences their article's, shown with the sentences before and after
them), ``target`` (stance), ``unit_id`` and ``doc_id``; provenance (level, parent, offsets,
role) rides along so a task can be traced back without the units file.
"""

from __future__ import annotations

import re
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
            self.see_title(unit.id, unit.title_text or "")
        elif isinstance(unit, Sentence):
            self.sentences.append(unit)

    def see_title(self, article_id: str, title: str) -> None:
        """An article's title, from its unit or read from its line's bytes: the first one seen holds."""
        self.titles.setdefault(article_id, title)

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


@dataclass
class _Reading:
    """What :func:`read_units_to_push` keeps of the units it reads, one at a time."""

    wanted: type[TaskUnit]
    only: Collection[str] | None
    found: UnitsToPush = field(default_factory=UnitsToPush)
    surroundings: _Surroundings = field(default_factory=_Surroundings)

    def add(self, unit: Unit) -> None:
        if isinstance(unit, Document) and (shown := unit.shown_fields()):
            self.found.fields[unit.id] = shown
        self.surroundings.see(unit)
        if isinstance(unit, self.wanted) and (self.only is None or unit.id in self.only):
            self.found.units.setdefault(unit.id, unit)


# the head of a line as `curation segment` writes it, with an id of printable ASCII (no quote, no backslash)
_HEAD = re.compile(rb'\{"id": "([\x20\x21\x23-\x5b\x5d-\x7e]*)", "level": "(document|article|sentence)", ')
_TITLE = b'", "title": '  # a quote in a JSON string is escaped: the first of these ends the text, before the title
_TITLE_END = b'", "title_span": '


class _SentenceLines:
    """How a sentence push reads a full units file's lines from their bytes, for half the
    CPU: a sentence parsed by pydantic_core (which the Label Studio SDK requires; twice as fast as
    the json module on these short lines, and the line is not decoded first); of an article, only
    its title; a document whose metadata shows nothing beside its units (no ``fields``), passed
    over. Any other line (an imported page's document, a line not as `curation segment` writes it,
    a damaged one) is left to the reader, which reads it and names what is wrong as before. What
    is passed over is not checked: an article damaged after its title, or a damaged document, is
    not reported by a sentence push (it makes no task of them); `push --level article` reads them."""

    def __init__(self, reading: _Reading) -> None:
        from pydantic_core import from_json  # 12 ms to import: only for a sentence push

        self.reading, self.parse = reading, from_json

    def take(self, raw: bytes) -> bool:
        head = _HEAD.match(raw)
        if head is None:
            return False
        level = head.group(2)
        if level == b"sentence":
            try:  # NaN, a lone surrogate, anything odd: an error here, left to the reader
                sentence = Sentence.from_record(self.parse(raw, allow_inf_nan=False, cache_strings="keys"))
            except (ValueError, KeyError, TypeError):
                return False
            self.reading.add(sentence)
            return True
        if level == b"article":
            title = self._title(raw)
            if title is not None:
                self.reading.surroundings.see_title(head.group(1).decode("ascii"), title)
            return title is not None
        return b'"fields"' not in raw and b"\\u" not in raw  # not even an escaped key "fields"

    def _title(self, raw: bytes) -> str | None:
        """The title of an article's line (its ``title_text``; "" for none), or None when it is
        not where `curation segment` writes it."""
        at = raw.find(_TITLE)
        if at < 0:
            return None
        at += len(_TITLE)
        if raw.startswith(b"null" + _TITLE_END[1:], at):
            return ""
        end = raw.find(_TITLE_END, at)
        if end < 0 or not raw.startswith(b'"', at):
            return None
        try:
            title = self.parse(raw[at : end + 1], cache_strings="keys")
        except ValueError:
            return None
        return title if isinstance(title, str) else None


def read_units_to_push(units_path: str | Path, level: str, only: Collection[str] | None = None) -> UnitsToPush:
    """The ``level`` units of ``units_path`` (or those of them whose id is in ``only``) in one
    pass, sentences with their context; a line or unit that cannot be read is a problem naming
    file, line or unit, and the rest is read (for sentences, see :class:`_SentenceLines`)."""
    from curation.unitfile import PageSelector, is_compact, iter_units  # not for `push --help`

    reading = _Reading(check_level(level), only)
    errors: list[object] = []
    pages = None if level == "sentence" else PageSelector(levels=("document", level))  # documents: their fields
    # a compact file's sentences and articles are rebuilt from their document's text: every line is read
    taker = _SentenceLines(reading) if level == "sentence" and not is_compact(units_path) else None
    for unit in iter_units(units_path, None, errors, keep=pages, taken=taker.take if taker else None):
        reading.add(unit)
    found = reading.found
    found.contexts = reading.surroundings.contexts() if level == "sentence" else {}
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
