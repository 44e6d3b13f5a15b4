"""Checking one annotation against the schema and the text of its unit.

The result is a list of reasons a person can act on (which family, which label, which span and
what the unit actually says there); an empty list means valid. Nothing here raises, so a batch
of thousands of pulled annotations is never stopped by one odd record: the caller keeps the
annotation aside with its reasons.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from curation.units import Annotation, EntitySpan

if TYPE_CHECKING:
    from curation.schema.model import LabelFamily, Schema

SHOWN_CHARS = 40


def _quote(text: str) -> str:
    return repr(text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…")


def _choice_reasons(schema: Schema, annotation: Annotation) -> Iterable[str]:
    asked = {family.name: family for family in schema.families(annotation.level) if family.kind == "choice"}
    for name, values in annotation.choices.items():
        family = asked.get(name)
        if family is None:
            yield _unasked(schema, annotation.level, name)
        else:
            yield from _chosen_reasons(family, values)
    if annotation.cancelled:
        return  # a skipped task answers nothing, so nothing is missing
    for family in asked.values():
        if family.required and not annotation.choices.get(family.name):
            yield f"{family.name}: required answer missing"


def _chosen_reasons(family: LabelFamily, values: object) -> Iterable[str]:
    """What is wrong with the values chosen in one family: not a list, unknown, repeated, too many."""
    name = family.name
    if isinstance(values, str) or not isinstance(values, (tuple, list)):
        yield f"{name}: choices must be a list of values, got {values!r}"
        return
    for value in values:
        if value not in family.values:
            yield f"{name}: unknown label {value!r} (known: {', '.join(family.values)})"
    for value in _repeated(values):
        yield f"{name}: label {value!r} chosen more than once"
    if not family.multiple and len(values) > 1:
        yield f"{name}: single choice but {len(values)} values given ({', '.join(map(str, values))})"


def _repeated(values: list[object] | tuple[object, ...]) -> list[str]:
    """The labels chosen more than once, sorted."""
    return sorted({v for v in values if isinstance(v, str) and values.count(v) > 1})


def _unasked(schema: Schema, level: str, name: str) -> str:
    try:
        family = schema.family(name)
    except KeyError:
        return f"{name}: no such label family in schema {schema.name} v{schema.version}"
    return f"{name}: not asked at {level} level (only at {', '.join(family.levels)})"


def _span_reasons(schema: Schema, annotation: Annotation, unit_text: str) -> Iterable[str]:
    if not annotation.spans:
        return
    family = schema.span_family(annotation.level)
    if family is None:
        yield f"spans: no span family is asked at {annotation.level} level, yet {len(annotation.spans)} spans given"
        return
    placed: list[EntitySpan] = []
    for index, span in enumerate(annotation.spans):
        if not isinstance(span, EntitySpan):
            yield f"{family.name} span #{index}: not an entity span: {span!r}"
            continue
        where = f"{family.name} span #{index} [{span.start}:{span.end}] {span.label} {_quote(span.text)}"
        if span.label not in family.values:
            yield f"{where}: unknown label {span.label!r} (known: {', '.join(family.values)})"
        if not 0 <= span.start < span.end <= len(unit_text):
            yield f"{where}: outside the unit (valid offsets 0..{len(unit_text)}, start before end)"
            continue
        actual = unit_text[span.start : span.end]
        if actual != span.text:
            yield f"{where}: text does not match the unit, which has {_quote(actual)} at those offsets"
        placed.append(span)
    if not family.overlap:
        yield from _overlap_reasons(family, placed)


def _overlap_reasons(family: LabelFamily, spans: list[EntitySpan]) -> Iterable[str]:
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    for previous, current in zip(ordered, ordered[1:]):
        if current.start < previous.end:
            yield (
                f"{family.name}: spans [{previous.start}:{previous.end}] {previous.label} and "
                f"[{current.start}:{current.end}] {current.label} overlap, which this schema forbids"
            )


def validate_annotation(schema: Schema, annotation: Annotation, unit_text: str) -> list[str]:
    """Every reason ``annotation`` breaks ``schema`` on a unit whose text is ``unit_text``."""
    try:
        if annotation.level not in schema.levels:
            return [
                f"level {annotation.level!r}: schema {schema.name} v{schema.version} asks only at {', '.join(schema.levels)}"
            ]
        reasons: list[str] = []
        if annotation.schema_version not in (None, schema.version):
            reasons.append(
                f"made under schema version {annotation.schema_version}, this is version {schema.version}: migrate it first"
            )
        reasons.extend(_choice_reasons(schema, annotation))
        reasons.extend(_span_reasons(schema, annotation, unit_text))
        return reasons
    except (AttributeError, TypeError, ValueError) as exc:
        # A malformed record (wrong types from a hand-edited file): report it, do not stop the batch.
        return [f"malformed annotation: {type(exc).__name__}: {exc}"]
