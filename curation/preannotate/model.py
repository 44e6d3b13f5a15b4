"""Any model as a pre-annotator: a Python callable from text to spans.

The callable takes one unit text and returns its entities, each one of

* a mapping with ``start``, ``end`` and ``label`` (or ``entity_group`` / ``entity``, as a Hugging
  Face token-classification pipeline returns them) and optionally ``score``;
* a tuple ``(start, end, label)`` or ``(start, end, label, score)``;
* an :class:`~curation.units.EntitySpan`.

Offsets are code points of the text (what Python strings and Hugging Face pipelines give),
whole numbers: a float offset is refused, never truncated. When an item says what it covers
(``word`` or ``text``, as pipelines do), that is checked against the text at its offsets, so
offsets in another unit (UTF-16 code units, which shift by one after each emoji) are caught
instead of silently marking the wrong letters. A pipeline without aggregation gives one item
per token tagged ``B-X`` / ``I-X``: an ``I-X`` right after an ``X`` span (only spaces between)
extends it. Spaces at span edges are trimmed. A bad item (offsets outside the text, unknown
label, overlap) is one problem naming the unit and is left out; the other spans are kept. Each
span keeps its own score (the mean of its pieces'), and the unit gets the mean of them all.

Every call runs under a time limit (:func:`call_with_limit`): a model that never returns is one
problem, not a hang.

    >>> from transformers import pipeline
    >>> ner = pipeline("token-classification", model="my-arabic-ner", aggregation_strategy="simple")
    >>> preannotate("units.jsonl", schema, "sentence", model=ner, model_version="my-arabic-ner@v3")
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import numbers
import re
import sys
import threading
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

from curation.errors import shown
from curation.units import EntitySpan

Model = Callable[[str], Iterable[Any]]
_BIO = re.compile(r"^([BIES])[-_](.+)$")
DEFAULT_CALL_TIMEOUT_S = 60.0  # one unit's text: seconds even for a large model on a CPU
MAX_ITEMS = 10_000  # items of one answer: more than any text of a unit holds entities
# what tokenizers drop or add in the ``word`` they give back: subword marks, spaces, Arabic
# diacritics and tatweel, [UNK] (a word holding one is not compared)
_WORD_NOISE = re.compile(r"##|\u2581|\s|[\u064b-\u065f\u0670\u0640]")


class ModelTimeout(Exception):
    """A model call that gave no answer within its time limit."""


def call_with_limit(model: Model, text: str, seconds: float) -> list[Any]:
    """The model's answer on ``text`` (at most :data:`MAX_ITEMS` items), or :class:`ModelTimeout`
    after ``seconds``. The call runs in a daemon thread: a model stuck for ever cannot be stopped
    from Python, but it no longer holds the run, and it ends with the process."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["answer"] = list(islice(model(text), MAX_ITEMS + 1))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller, who reports it
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="curation-model-call", daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        raise ModelTimeout(f"no answer within {seconds:g} s")
    if "error" in outcome:
        raise outcome["error"]
    answer: list[Any] = outcome["answer"]
    if len(answer) > MAX_ITEMS:
        raise ValueError(f"more than {MAX_ITEMS:,} items in one answer")
    return answer


@dataclass(frozen=True, slots=True)
class ModelSpan:
    """One entity a model gave, before it is checked against the text and the schema."""

    start: int
    end: int
    label: str
    score: float | None
    inside: bool  # an I- tag: continues the span before it when they touch
    word: str | None = None  # what the model says the span covers (a pipeline's ``word``)


def _fields(item: Any) -> tuple[Any, Any, Any, Any, Any]:
    """``(start, end, label, score, word)`` of any of the shapes a model's answer may take."""
    if isinstance(item, EntitySpan):
        return item.start, item.end, item.label, None, item.text or None
    if isinstance(item, Mapping):
        label = item.get("label", item.get("entity_group", item.get("entity")))
        return item["start"], item["end"], label, item.get("score"), item.get("word", item.get("text"))
    start, end, label, *more = item
    return start, end, label, more[0] if more else None, None


def _offset(value: Any, name: str) -> int:
    """An offset as an int: whole numbers only (numpy's too); a float, even 3.0, is refused."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} offset must be a whole number (code points), got {value!r}")
    return int(value)


def _as_model_span(item: Any) -> ModelSpan:
    """One item of a model's answer in our terms; raises ValueError/TypeError/KeyError when it is none of the shapes."""
    start, end, label, score, word = _fields(item)
    if not isinstance(label, str):
        raise TypeError(f"label must be a string, got {label!r}")
    if score is not None and (isinstance(score, bool) or not isinstance(score, numbers.Real) or not math.isfinite(score)):
        raise ValueError(f"score {score!r} is not a finite number")
    if word is not None and not isinstance(word, str):
        raise TypeError(f"word must be a string, got {word!r}")
    tagged = _BIO.match(label)
    inside = tagged is not None and tagged.group(1) == "I"
    return ModelSpan(_offset(start, "start"), _offset(end, "end"), tagged.group(2) if tagged else label,
                     None if score is None else float(score), inside, word)


def _comparable(text: str) -> str:
    return _WORD_NOISE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def _word_problem(span: ModelSpan, text: str) -> str | None:
    """Why the model's ``word`` is not the text at its offsets (tokenizer noise aside), or None."""
    if span.word is None or "[UNK]" in span.word or _comparable(span.word) == _comparable(text[span.start : span.end]):
        return None
    utf16 = text.encode("utf-16-le")
    as_utf16 = utf16[2 * span.start : 2 * span.end].decode("utf-16-le", errors="replace")
    hint = "; the offsets look like UTF-16 code units, not code points" if _comparable(as_utf16) == _comparable(span.word) else ""
    return (f"{span.label} [{span.start}:{span.end}] covers {text[span.start:span.end]!r} but the model says "
            f"{span.word!r}{hint}: left out")


def _checked(
    span: ModelSpan, text: str, labels: frozenset[str], label_map: Mapping[str, str], problems: list[str]
) -> tuple[EntitySpan, list[float]] | None:
    """The span under its mapped label, trimmed of surrounding spaces, with its score; None for an
    ``O``, a span of spaces only, or a problem (said in ``problems``)."""
    label = label_map.get(span.label, span.label)
    if label == "O":
        return None
    if not 0 <= span.start < span.end <= len(text):
        problems.append(f"{label} [{span.start}:{span.end}] is outside the text (length {len(text)})")
        return None
    if label not in labels:
        problems.append(f"label {span.label!r} is not a value of the schema's entity family")
        return None
    wrong_word = _word_problem(span, text)
    if wrong_word is not None:
        problems.append(wrong_word)
        return None
    covered = text[span.start : span.end]
    start, end = span.start + len(covered) - len(covered.lstrip()), span.end - len(covered) + len(covered.rstrip())
    if start >= end:
        return None
    return EntitySpan(start, end, label, text[start:end]), [span.score] if span.score is not None else []


def _continues(previous: EntitySpan, span: EntitySpan, text: str) -> bool:
    """Whether an ``I-`` span extends ``previous``: the same label, only spaces between them."""
    return previous.label == span.label and previous.end <= span.start and not text[previous.end : span.start].strip()


@dataclass(frozen=True, slots=True)
class ModelAnswer:
    """A model's checked answer on one unit: the spans, each span's score (None when the model
    gave none), and the mean over every scored piece (the unit's score)."""

    spans: tuple[EntitySpan, ...] = ()
    span_scores: tuple[float | None, ...] = ()
    score: float | None = None


def _mean(scores: list[float]) -> float | None:
    return sum(scores) / len(scores) if scores else None


def _without_overlaps(kept: list[tuple[EntitySpan, list[float]]], problems: list[str]) -> ModelAnswer:
    """The spans left to right, each overlapping an earlier one left out (a problem), with their scores."""
    spans: list[EntitySpan] = []
    span_scores: list[float | None] = []
    scores: list[float] = []
    for span, pieces in sorted(kept, key=lambda pair: pair[0].start):  # stable: the model's first wins
        if spans and span.start < spans[-1].end:
            problems.append(f"{span.label} {span.text!r} [{span.start}:{span.end}] overlaps "
                            f"{spans[-1].label} {spans[-1].text!r}: left out")
            continue
        spans.append(span)
        span_scores.append(_mean(pieces))
        scores.extend(pieces)
    return ModelAnswer(tuple(spans), tuple(span_scores), _mean(scores))


def model_spans(
    answer: Iterable[Any], text: str, labels: frozenset[str], label_map: Mapping[str, str], problems: list[str]
) -> ModelAnswer:
    """The valid, non-overlapping spans of a model's ``answer`` on ``text``, with their scores."""
    kept: list[tuple[EntitySpan, list[float]]] = []
    for item in answer:
        try:
            given = _as_model_span(item)
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"not a span: {shown(item, 200)} ({exc})")
            continue
        checked = _checked(given, text, labels, label_map, problems)
        if checked is None:
            continue
        span, scores = checked
        if kept and given.inside and _continues(kept[-1][0], span, text):
            previous, previous_scores = kept.pop()
            span, scores = EntitySpan(previous.start, span.end, span.label, text[previous.start : span.end]), previous_scores + scores
        kept.append((span, scores))
    return _without_overlaps(kept, problems)


def load_model(spec: str) -> Model:
    """The callable ``spec`` names: ``package.module:function`` or ``path/to/file.py:function``
    (an attribute that is a class or factory is not called: name the callable itself)."""
    where, _, attribute = spec.rpartition(":")
    if not where or not attribute:
        raise ValueError(f"model {spec!r}: expected MODULE:CALLABLE or FILE.py:CALLABLE")
    if where.endswith(".py"):
        path = Path(where)
        if not path.is_file():
            raise ValueError(f"model {spec!r}: no file {where}")
        module_spec = importlib.util.spec_from_file_location(f"curation_user_model_{path.stem}", path)
        if module_spec is None or module_spec.loader is None:
            raise ValueError(f"model {spec!r}: cannot load {where}")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[module_spec.name] = module
        module_spec.loader.exec_module(module)
    else:
        try:
            module = importlib.import_module(where)
        except ImportError as exc:
            raise ValueError(f"model {spec!r}: cannot import {where}: {exc}") from None
    found = getattr(module, attribute, None)
    if not callable(found):
        raise ValueError(f"model {spec!r}: {where} has no callable {attribute!r}")
    return found
