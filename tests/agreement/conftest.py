"""Builders for annotation records shared by the agreement tests, handed out as fixtures (tests
run with ``--import-mode=importlib`` and cannot import this module by name)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from curation.units import Annotation, EntitySpan


def topic_annotations(
    rows: dict[str, Sequence[str | None]], annotators: Sequence[str], family: str = "topic"
) -> list[Annotation]:
    """One single-choice annotation per (unit, annotator); ``None`` means that annotator gave no answer."""
    annotations = []
    for unit_id, values in rows.items():
        for annotator, value in zip(annotators, values, strict=True):
            if value is not None:
                annotations.append(
                    Annotation(unit_id, "article", annotator, f"{unit_id}-{annotator}", choices={family: (value,)})
                )
    return annotations


def span(text: str, sentence: str, label: str, occurrence: int = 0) -> EntitySpan:
    """The entity span of ``text`` inside ``sentence`` (its n-th occurrence), offsets computed, not typed."""
    start = -1
    for _ in range(occurrence + 1):
        start = sentence.index(text, start + 1)
    return EntitySpan(start, start + len(text), label, text)


def entity_annotation(unit_id: str, annotator: str, spans: Sequence[EntitySpan], **flags: bool) -> Annotation:
    return Annotation(unit_id, "sentence", annotator, f"{unit_id}-{annotator}", spans=tuple(spans), **flags)


@pytest.fixture
def make_topics() -> Callable[..., list[Annotation]]:
    return topic_annotations


@pytest.fixture
def make_span() -> Callable[..., EntitySpan]:
    return span


@pytest.fixture
def make_entities() -> Callable[..., Annotation]:
    return entity_annotation
