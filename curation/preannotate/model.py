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


def _as_model_span(item: Any) -> ModelSpan:
    """One item of a model's answer in our terms; raises ValueError/TypeError/KeyError when it is none of the shapes."""
    if isinstance(item, EntitySpan):
        start, end, label, score = item.start, item.end, item.label, None
    elif isinstance(item, Mapping):
        label = item.get("label", item.get("entity_group", item.get("entity")))
        start, end, score = item["start"], item["end"], item.get("score")
    else:
        start, end, label, *more = item
        score = more[0] if more else None
    if not isinstance(label, str) or isinstance(start, bool) or isinstance(end, bool):
        raise TypeError(f"label must be a string and offsets integers, got {item!r}")
    if score is not None and not math.isfinite(float(score)):
        raise ValueError(f"score {score!r} is not a finite number")
    tagged = _BIO.match(label)
    inside = bool(tagged) and tagged.group(1) == "I"  # type: ignore[union-attr]
    return ModelSpan(int(start), int(end), tagged.group(2) if tagged else label, None if score is None else float(score), inside)


def model_spans(
    answer: Iterable[Any], text: str, labels: frozenset[str], label_map: Mapping[str, str], problems: list[str]
) -> tuple[tuple[EntitySpan, ...], float | None]:
    """The valid, non-overlapping spans of a model's ``answer`` on ``text`` and their mean score."""
    kept: list[tuple[EntitySpan, list[float]]] = []
    for item in answer:
        try:
            span = _as_model_span(item)
        except (KeyError, TypeError, ValueError) as exc:
            problems.append(f"not a span: {item!r} ({exc})")
            continue
        label = label_map.get(span.label, span.label)
        if label == "O":
            continue
        if not 0 <= span.start < span.end <= len(text):
            problems.append(f"{label} [{span.start}:{span.end}] is outside the text (length {len(text)})")
            continue
        if label not in labels:
            problems.append(f"label {span.label!r} is not a value of the schema's entity family")
            continue
        start = span.start + len(text[span.start:span.end]) - len(text[span.start:span.end].lstrip())
        end = span.end - len(text[span.start:span.end]) + len(text[span.start:span.end].rstrip())
        if start >= end:
            continue
        scores = [span.score] if span.score is not None else []
        if kept and span.inside and kept[-1][0].label == label and 0 <= start - kept[-1][0].end and not text[kept[-1][0].end:start].strip():
            previous, previous_scores = kept.pop()
            start, scores = previous.start, previous_scores + scores
        kept.append((EntitySpan(start, end, label, text[start:end]), scores))
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
