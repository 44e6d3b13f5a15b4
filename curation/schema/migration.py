"""Bringing annotations made under an older schema version to the current one.

Steps declared in the schema's ``migrations`` are applied one version at a time. Renamed and
merged labels are rewritten; a retired label, a label the current schema does not know, or a
missing step makes the whole annotation a :class:`MigrationProblem` that keeps the original
untouched, so a reviewer can relabel it: nothing is dropped and nothing is guessed.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from curation.schema.model import MigrationProblem, MigrationStep
from curation.units import Annotation, EntitySpan

if TYPE_CHECKING:
    from curation.schema.model import Schema


def _migrate_value(step: MigrationStep, family: str, value: str, reasons: list[str]) -> str | None:
    """The value in the next version, or None (with a reason) if it was retired."""
    if value in step.retired.get(family, frozenset()):
        reasons.append(f"{family}: label {value!r} was retired in version {step.from_version + 1} without a successor")
        return None
    return step.mapping.get(family, {}).get(value, value)


def _apply(step: MigrationStep, annotation: Annotation, span_family: str | None, reasons: list[str]) -> Annotation:
    """One step; retired values are left out of the result, which then only serves to find
    further problems (the caller reports the original)."""
    choices: dict[str, tuple[str, ...]] = {}
    for family, values in annotation.choices.items():
        migrated = (_migrate_value(step, family, value, reasons) for value in values)
        # dict.fromkeys: a merge may turn two chosen values into one
        choices[family] = tuple(dict.fromkeys(value for value in migrated if value is not None))
    spans = annotation.spans
    if span_family is not None:
        spans = tuple(
            EntitySpan(s.start, s.end, label, s.text)
            for s in spans
            if (label := _migrate_value(step, span_family, s.label, reasons)) is not None
        )
    return dataclasses.replace(annotation, choices=choices, spans=spans, schema_version=step.from_version + 1)


def _unknown_after(schema: Schema, annotation: Annotation, from_version: int) -> list[str]:
    """Labels that survived every step yet mean nothing in the current schema."""
    reasons: list[str] = []
    for family_name, values in annotation.choices.items():
        try:
            known = schema.family(family_name).values
        except KeyError:
            reasons.append(
                f"{family_name}: family of version {from_version} does not exist in version {schema.version}"
            )
            continue
        for value in values:
            if value not in known:
                reasons.append(
                    f"{family_name}: label {value!r} of version {from_version} has no migration to version {schema.version}"
                )
    span_family = schema.span_family()
    known_spans = span_family.values if span_family else []
    for span in annotation.spans:
        if span.label not in known_spans:
            reasons.append(
                f"entity label {span.label!r} of version {from_version} has no migration to version {schema.version}"
            )
    return reasons


def migrate_annotation(schema: Schema, annotation: Annotation) -> Annotation | MigrationProblem:
    """``annotation`` at ``schema.version``; an annotation without a version is taken as current
    (``validate`` still checks it). Never raises."""
    source = annotation.schema_version
    if source is None:
        return dataclasses.replace(annotation, schema_version=schema.version)
    if source == schema.version:
        return annotation
    if not isinstance(source, int) or not 1 <= source <= schema.version:
        reason = f"made under version {source!r}, which schema {schema.name} v{schema.version} cannot migrate from"
        return MigrationProblem(annotation, (reason,), source, schema.version)
    try:
        current, reasons = _through_steps(schema, annotation, source)
    except (AttributeError, TypeError, ValueError) as exc:
        current, reasons = annotation, [f"malformed annotation: {type(exc).__name__}: {exc}"]
    return MigrationProblem(annotation, tuple(reasons), source, schema.version) if reasons else current


def _through_steps(schema: Schema, annotation: Annotation, source: int) -> tuple[Annotation, list[str]]:
    """``annotation`` taken one declared step at a time from version ``source`` to the schema's,
    and the reasons it does not fit the schema then; a missing step is the only reason given."""
    steps = {step.from_version: step for step in schema.migrations}
    span_family = schema.span_family()
    reasons: list[str] = []
    current = annotation
    for version in range(source, schema.version):
        step = steps.get(version)
        if step is None:
            return current, [f"no migration declared from version {version} to {version + 1}"]
        current = _apply(step, current, span_family.name if span_family else None, reasons)
    reasons.extend(_unknown_after(schema, current, source))
    return current, reasons
