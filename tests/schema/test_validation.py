"""Validating annotations: each reason the validator gives is produced by a failing input, a
correct annotation on real seed text passes, and no input makes it raise."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curation.schema import Schema, load_schema
from curation.units import Annotation, EntitySpan

SEED = Path(__file__).resolve().parents[2] / "seeds" / "000_1276ca6894bdea22.txt"
SENTENCE = "وذكرت وكالة أسوشيتد برس ، السبت 8 نوفمبر 2025، أن الاتصال يأتي بعد أيام من دعوة واشنطن رعاياها لمغادرة مالي"


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema()


def span(text: str, needle: str, label: str) -> EntitySpan:
    start = text.index(needle)
    return EntitySpan(start, start + len(needle), label, needle)


def sentence_annotation(**changes: object) -> Annotation:
    fields: dict[str, object] = {
        "unit_id": "s1",
        "level": "sentence",
        "annotator": "amina",
        "annotation_id": "17",
        "choices": {"stance": ("neutral",)},
        "spans": (
            span(SENTENCE, "أسوشيتد برس", "ORG"),
            span(SENTENCE, "السبت 8 نوفمبر 2025", "DATE"),
            span(SENTENCE, "واشنطن", "GPE"),
            span(SENTENCE, "مالي", "GPE"),
        ),
        "schema_version": 2,
    }
    fields.update(changes)
    return Annotation(**fields)  # type: ignore[arg-type]


def test_the_sentence_comes_from_the_seed() -> None:
    assert SENTENCE in SEED.read_text(encoding="utf-8")


def test_correct_annotations_are_valid(schema: Schema) -> None:
    assert schema.validate(sentence_annotation(), SENTENCE) == []
    article = Annotation("a1", "article", "amina", "18", {"topic": ("security", "diplomacy"), "stance": ("favor",)})
    assert schema.validate(article, "نص المقال") == []


def test_unknown_choice_label(schema: Schema) -> None:
    reasons = schema.validate(sentence_annotation(choices={"stance": ("support",)}), SENTENCE)
    assert reasons == ["stance: unknown label 'support' (known: favor, against, neutral, unrelated)"]


def test_unknown_span_label(schema: Schema) -> None:
    bad = span(SENTENCE, "مالي", "COUNTRY")
    reasons = schema.validate(sentence_annotation(spans=(bad,)), SENTENCE)
    assert len(reasons) == 1
    assert reasons[0].startswith(f"entity span #0 [{bad.start}:{bad.end}] COUNTRY 'مالي': unknown label 'COUNTRY'")


@pytest.mark.parametrize(("start", "end"), [(-1, 3), (5, 5), (9, 4), (len(SENTENCE) - 2, len(SENTENCE) + 1)])
def test_span_outside_the_unit(schema: Schema, start: int, end: int) -> None:
    bad = EntitySpan(start, end, "GPE", "مالي")
    (reason,) = schema.validate(sentence_annotation(spans=(bad,)), SENTENCE)
    assert reason.endswith(f"outside the unit (valid offsets 0..{len(SENTENCE)}, start before end)")
    assert f"[{start}:{end}]" in reason


def test_span_text_not_matching_the_unit(schema: Schema) -> None:
    good = span(SENTENCE, "واشنطن", "GPE")
    shifted = EntitySpan(good.start + 1, good.end + 1, "GPE", "واشنطن")
    (reason,) = schema.validate(sentence_annotation(spans=(shifted,)), SENTENCE)
    assert reason.endswith(
        f"text does not match the unit, which has {SENTENCE[good.start + 1:good.end + 1]!r} at those offsets"
    )


def test_overlapping_spans_are_forbidden_by_this_schema(schema: Schema) -> None:
    outer = span(SENTENCE, "وكالة أسوشيتد برس", "ORG")
    inner = span(SENTENCE, "أسوشيتد", "PER")
    (reason,) = schema.validate(sentence_annotation(spans=(inner, outer)), SENTENCE)
    assert reason == (
        f"entity: spans [{outer.start}:{outer.end}] ORG and [{inner.start}:{inner.end}] PER overlap, which this schema forbids"
    )


def test_touching_spans_do_not_overlap(schema: Schema) -> None:
    first = span(SENTENCE, "وكالة", "ORG")
    second = EntitySpan(first.end, first.end + 1, "ORG", SENTENCE[first.end])
    assert schema.validate(sentence_annotation(spans=(first, second)), SENTENCE) == []


def test_single_choice_with_two_values(schema: Schema) -> None:
    reasons = schema.validate(sentence_annotation(choices={"stance": ("favor", "against")}), SENTENCE)
    assert reasons == ["stance: single choice but 2 values given (favor, against)"]


def test_same_value_twice(schema: Schema) -> None:
    article = Annotation("a1", "article", "amina", "18", {"topic": ("sport", "sport"), "stance": ("favor",)})
    assert schema.validate(article, "") == ["topic: label 'sport' chosen more than once"]


def test_missing_required_answer(schema: Schema) -> None:
    article = Annotation("a1", "article", "amina", "18", {"topic": ("sport",)})
    assert schema.validate(article, "") == ["stance: required answer missing"]
    empty = Annotation("a1", "article", "amina", "18", {"topic": (), "stance": ("favor",)})
    assert schema.validate(empty, "") == ["topic: required answer missing"]


def test_a_skipped_task_misses_nothing(schema: Schema) -> None:
    skipped = Annotation("a1", "article", "amina", "18", cancelled=True)
    assert schema.validate(skipped, "") == []


def test_family_not_asked_at_this_level_or_unknown(schema: Schema) -> None:
    reasons = schema.validate(
        sentence_annotation(choices={"stance": ("favor",), "topic": ("sport",), "mood": ("x",)}), SENTENCE
    )
    assert reasons == [
        "topic: not asked at sentence level (only at article)",
        "mood: no such label family in schema news v2",
    ]


def test_spans_where_no_span_family_is_asked(schema: Schema) -> None:
    article = Annotation(
        "a1",
        "article",
        "amina",
        "18",
        {"topic": ("sport",), "stance": ("favor",)},
        spans=(EntitySpan(0, 1, "PER", "ن"),),
    )
    assert schema.validate(article, "نص") == ["spans: no span family is asked at article level, yet 1 spans given"]


def test_level_the_schema_does_not_ask(schema: Schema) -> None:
    document = Annotation("d1", "document", "amina", "18")
    assert schema.validate(document, "") == ["level 'document': schema news v2 asks only at article, sentence"]


def test_older_version_must_be_migrated_first(schema: Schema) -> None:
    reasons = schema.validate(sentence_annotation(schema_version=1), SENTENCE)
    assert reasons == ["made under schema version 1, this is version 2: migrate it first"]


def test_every_problem_of_one_annotation_is_listed(schema: Schema) -> None:
    bad = sentence_annotation(
        choices={"stance": ("favor", "maybe")},
        spans=(EntitySpan(0, 4, "XX", "abcd"), EntitySpan(2, 999, "PER", "z")),
    )
    assert len(schema.validate(bad, SENTENCE)) == 5


def test_malformed_records_give_reasons_not_exceptions(schema: Schema) -> None:
    as_string = sentence_annotation(choices={"stance": "favor"})
    assert schema.validate(as_string, SENTENCE) == ["stance: choices must be a list of values, got 'favor'"]
    odd_span = sentence_annotation(spans=({"start": 0, "end": 2},))
    (reason,) = schema.validate(odd_span, SENTENCE)
    assert reason.startswith("entity span #0: not an entity span")
    wrong_types = sentence_annotation(spans=(EntitySpan("0", None, "PER", "x"),))  # type: ignore[arg-type]
    (reason,) = schema.validate(wrong_types, SENTENCE)
    assert reason.startswith("malformed annotation: TypeError")


labels = st.sampled_from(["PER", "ORG", "GPE", "XX", ""])
spans = st.builds(EntitySpan, st.integers(-5, 120), st.integers(-5, 120), labels, st.text(max_size=6))
choice_values = st.lists(st.sampled_from(["favor", "against", "neutral", "x", ""]), max_size=3).map(tuple)


@settings(max_examples=200, deadline=None)
@given(
    level=st.sampled_from(["article", "sentence", "document"]),
    choices=st.dictionaries(st.sampled_from(["topic", "stance", "entity", "zz"]), choice_values, max_size=3),
    spans=st.lists(spans, max_size=4).map(tuple),
    text=st.text(max_size=80),
)
def test_never_raises_on_arbitrary_annotations(
    schema: Schema, level: str, choices: dict, spans: tuple, text: str
) -> None:
    annotation = Annotation("u", level, "a", "1", choices=choices, spans=spans)  # type: ignore[arg-type]
    reasons = schema.validate(annotation, text)
    assert all(isinstance(reason, str) and reason for reason in reasons)
