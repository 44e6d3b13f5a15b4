"""Any model as a pre-annotator: a Python callable from text to spans.

The callable takes one unit text and returns its entities, each one of

* a mapping with ``start``, ``end`` and ``label`` (or ``entity_group`` / ``entity``, as a Hugging
  Face token-classification pipeline returns them) and optionally ``score``;
* a tuple ``(start, end, label)`` or ``(start, end, label, score)``;
* an :class:`~curation.units.EntitySpan`.

Offsets are code points of the text (what Python strings and Hugging Face pipelines give).
A pipeline without aggregation gives one item per token tagged ``B-X`` / ``I-X``: an ``I-X``
right after an ``X`` span (only spaces between) extends it. Spaces at span edges are trimmed.
A bad item (offsets outside the text, unknown label, overlap) is one problem naming the unit
and is left out; the other spans of the unit are kept.

    >>> from transformers import pipeline
    >>> ner = pipeline("token-classification", model="my-arabic-ner", aggregation_strategy="simple")
    >>> preannotate("units.jsonl", schema, "sentence", model=ner, model_version="my-arabic-ner@v3")
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curation.units import EntitySpan

Model = Callable[[str], Iterable[Any]]
_BIO = re.compile(r"^([BIES])[-_](.+)$")


@dataclass(frozen=True, slots=True)
class ModelSpan:
    """One entity a model gave, before it is checked against the text and the schema."""

    start: int
    end: int
    label: str
    score: float | None
    inside: bool  # an I- tag: continues the span before it when they touch


def _fields(item: Any) -> tuple[Any, Any, Any, Any]:
    """``(start, end, label, score)`` of any of the shapes a model's answer may take."""
    if isinstance(item, EntitySpan):
        return item.start, item.end, item.label, None
    if isinstance(item, Mapping):
        return item["start"], item["end"], item.get("label", item.get("entity_group", item.get("entity"))), item.get("score")
    start, end, label, *more = item
    return start, end, label, more[0] if more else None


def _as_model_span(item: Any) -> ModelSpan:
    """One item of a model's answer in our terms; raises ValueError/TypeError/KeyError when it is none of the shapes."""
    start, end, label, score = _fields(item)
    if not isinstance(label, str) or isinstance(start, bool) or isinstance(end, bool):
        raise TypeError(f"label must be a string and offsets integers, got {item!r}")
    if score is not None and not math.isfinite(float(score)):
        raise ValueError(f"score {score!r} is not a finite number")
    tagged = _BIO.match(label)
    inside = tagged is not None and tagged.group(1) == "I"
    return ModelSpan(int(start), int(end), tagged.group(2) if tagged else label, None if score is None else float(score), inside)


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
    covered = text[span.start : span.end]
    start, end = span.start + len(covered) - len(covered.lstrip()), span.end - len(covered) + len(covered.rstrip())
    if start >= end:
        return None
    return EntitySpan(start, end, label, text[start:end]), [span.score] if span.score is not None else []


def _continues(previous: EntitySpan, span: EntitySpan, text: str) -> bool:
    """Whether an ``I-`` span extends ``previous``: the same label, only spaces between them."""
    return previous.label == span.label and previous.end <= span.start and not text[previous.end : span.start].strip()


def _without_overlaps(
    kept: list[tuple[EntitySpan, list[float]]], problems: list[str]
) -> tuple[tuple[EntitySpan, ...], float | None]:
    """The spans left to right, each overlapping an earlier one left out (a problem), and their mean score."""
    spans: list[EntitySpan] = []
    scores: list[float] = []
    for span, span_scores in sorted(kept, key=lambda pair: pair[0].start):  # stable: the model's first wins
        if spans and span.start < spans[-1].end:
            problems.append(f"{span.label} {span.text!r} [{span.start}:{span.end}] overlaps "
                            f"{spans[-1].label} {spans[-1].text!r}: left out")
            continue
        spans.append(span)
        scores.extend(span_scores)
    return tuple(spans), (sum(scores) / len(scores) if scores else None)


def model_spans(
    answer: Iterable[Any], text: str, labels: frozenset[str], label_map: Mapping[str, str], problems: list[str]
) -> tuple[tuple[EntitySpan, ...], float | None]:
    """The valid, non-overlapping spans of a model's ``answer`` on ``text`` and their mean score."""
    kept: list[tuple[EntitySpan, list[float]]] = []
    for item in answer:
        try:
            given = _as_model_span(item)
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"not a span: {item!r} ({exc})")
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
