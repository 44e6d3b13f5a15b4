"""Schema evolution: annotations made under news v1 are migrated on read to v2, and none is lost."""

from __future__ import annotations

import itertools
import textwrap
from pathlib import Path

import pytest

from curation.schema import MigrationProblem, Schema, load_schema
from curation.units import Annotation, EntitySpan

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
SENTENCE = (
    "قال لانداو لوكالة رويترز في باماكو يوم 6 نوفمبر 2025 عند الساعة الثامنة مساءً إن تغريدته على منصة إكس كانت واضحة."
)
MENTIONS = {
    "PERSON": "لانداو",
    "ORG": "رويترز",
    "LOC": "باماكو",
    "DATE": "6 نوفمبر 2025",
    "TIME": "الساعة الثامنة مساءً",
    "MISC": "إكس",
}


@pytest.fixture(scope="module")
def v1() -> Schema:
    return load_schema(SCHEMAS / "news-v1.yaml")


@pytest.fixture(scope="module")
def v2() -> Schema:
    return load_schema(SCHEMAS / "news.yaml")


def mention(label: str) -> EntitySpan:
    start = SENTENCE.index(MENTIONS[label])
    return EntitySpan(start, start + len(MENTIONS[label]), label, MENTIONS[label])


def v1_annotations(v1: Schema) -> list[Annotation]:
    """Every v1 topic with every v1 stance, and sentences with each v1 entity label and all together."""
    made: list[Annotation] = []
    topics, stances = v1.family("topic").values, v1.family("stance").values
    for number, (topic, stance) in enumerate(itertools.product(topics, stances)):
        made.append(
            Annotation(
                "a1", "article", "amina", str(number), {"topic": (topic,), "stance": (stance,)}, schema_version=1
            )
        )
    labels = v1.family("entity").values
    for number, label in enumerate(labels):
        made.append(Annotation("s1", "sentence", "omar", f"s{number}", spans=(mention(label),), schema_version=1))
    made.append(
        Annotation("s1", "sentence", "omar", "all", spans=tuple(mention(label) for label in labels), schema_version=1)
    )
    return made


def test_v1_to_v2_keeps_every_annotation(v1: Schema, v2: Schema) -> None:
    annotations = v1_annotations(v1)
    assert all(v1.validate(a, SENTENCE if a.level == "sentence" else "") == [] for a in annotations)
    results = [v2.migrate(a) for a in annotations]
    assert len(results) == len(annotations) == 11 * 4 + 6 + 1

    problems = [r for r in results if isinstance(r, MigrationProblem)]
    migrated = [r for r in results if isinstance(r, Annotation)]
    # Only what used a retired label (topic "world", entity "MISC") is a problem, kept whole.
    assert {p.annotation.annotation_id for p in problems} == {str(n) for n in range(9 * 4, 10 * 4)} | {"s5", "all"}
    for original, result in zip(annotations, results):
        if isinstance(result, MigrationProblem):
            assert result.annotation is original
            assert (result.from_version, result.to_version) == (1, 2)
        else:
            assert result.key == original.key and result.schema_version == 2
    for result in migrated:
        reasons = v2.validate(result, SENTENCE if result.level == "sentence" else "")
        if result.level == "article":
            assert reasons == []
        else:  # v2 added a stance question per sentence that v1 annotators were never asked
            assert reasons == ["stance: required answer missing"]


def test_renames_and_merges_rewrite_labels(v2: Schema) -> None:
    old = Annotation(
        "a1",
        "article",
        "amina",
        "1",
        {"topic": ("military", "terrorism", "science"), "stance": ("none",)},
        schema_version=1,
    )
    new = v2.migrate(old)
    assert isinstance(new, Annotation)
    assert new.choices == {"topic": ("security", "technology"), "stance": ("unrelated",)}
    time = mention("TIME")
    sentence = Annotation("s1", "sentence", "omar", "2", spans=(mention("PERSON"), time), schema_version=1)
    migrated = v2.migrate(sentence)
    assert isinstance(migrated, Annotation)
    assert [s.label for s in migrated.spans] == ["PER", "DATE"]
    assert [(s.start, s.end, s.text) for s in migrated.spans] == [(m.start, m.end, m.text) for m in sentence.spans]


def test_retired_label_is_reported_with_its_reason(v2: Schema) -> None:
    old = Annotation("s1", "sentence", "omar", "9", spans=(mention("ORG"), mention("MISC")), schema_version=1)
    problem = v2.migrate(old)
    assert isinstance(problem, MigrationProblem)
    assert problem.reasons == ("entity: label 'MISC' was retired in version 2 without a successor",)
    assert (
        str(problem)
        == "unit s1, annotator omar, annotation 9: entity: label 'MISC' was retired in version 2 without a successor"
    )


def test_label_unknown_to_the_new_version_is_reported_not_passed_on(v2: Schema) -> None:
    old = Annotation("a1", "article", "amina", "3", {"topic": ("astrology",), "stance": ("neutral",)}, schema_version=1)
    problem = v2.migrate(old)
    assert isinstance(problem, MigrationProblem)
    assert problem.reasons == ("topic: label 'astrology' of version 1 has no migration to version 2",)


def test_current_unversioned_and_future_annotations(v2: Schema) -> None:
    current = Annotation("a1", "article", "amina", "4", {"topic": ("sport",)}, schema_version=2)
    assert v2.migrate(current) is current
    unversioned = v2.migrate(Annotation("a1", "article", "amina", "5", {"topic": ("sport",)}))
    assert isinstance(unversioned, Annotation) and unversioned.schema_version == 2
    future = v2.migrate(Annotation("a1", "article", "amina", "6", {"topic": ("sport",)}, schema_version=3))
    assert isinstance(future, MigrationProblem)
    assert future.reasons == ("made under version 3, which schema news v2 cannot migrate from",)


def test_chained_steps_and_a_missing_step(tmp_path: Path) -> None:
    path = tmp_path / "v4.yaml"
    path.write_text(
        textwrap.dedent("""
            name: tiny
            version: 4
            labels:
              topic:
                kind: choice
                levels: [article]
                values:
                  - {value: security, ar: أمن, description: d, example: مثال, hotkey: "1", color: "#000000"}
            migrations:
              - from: 2
                topic: {rename: {war: conflict}}
              - from: 3
                topic: {merge: {security: [conflict, terror]}}
            """),
        encoding="utf-8",
    )
    schema = load_schema(path)
    migrated = schema.migrate(Annotation("a", "article", "x", "1", {"topic": ("war",)}, schema_version=2))
    assert isinstance(migrated, Annotation) and migrated.choices == {"topic": ("security",)}
    assert migrated.schema_version == 4
    gap = schema.migrate(Annotation("a", "article", "x", "2", {"topic": ("war",)}, schema_version=1))
    assert isinstance(gap, MigrationProblem)
    assert gap.reasons == ("no migration declared from version 1 to 2",)
