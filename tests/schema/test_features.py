"""Dataset features: a real ``datasets.Dataset`` built with them survives a Parquet round trip."""

from __future__ import annotations

from pathlib import Path

import pytest
from datasets import ClassLabel, Dataset, Features, List, Value

from curation.schema import Schema, load_schema


@pytest.fixture(scope="module")
def schema() -> Schema:
    return load_schema()


def test_article_features(schema: Schema) -> None:
    features = schema.label_features("article")
    assert list(features) == ["topic", "stance"]
    assert isinstance(features["topic"], List)  # the schema allows several topics
    assert features["topic"].feature.names == schema.family("topic").values
    assert isinstance(features["stance"], ClassLabel)
    assert features["stance"].names == ["favor", "against", "neutral", "unrelated"]


def test_sentence_features(schema: Schema) -> None:
    features = schema.label_features("sentence")
    assert list(features) == ["entities", "ner_tags", "stance"]
    entity = features["entities"].feature
    assert set(entity) == {"start", "end", "label", "text"}
    assert entity["label"].names == schema.family("entity").values
    assert features["ner_tags"].feature.names == schema.bio_names()


def test_no_features_at_a_level_without_questions(schema: Schema) -> None:
    assert schema.label_features("document") == {}


def test_article_dataset_round_trips_through_parquet(schema: Schema, tmp_path: Path) -> None:
    features = Features({"unit_id": Value("string"), "text": Value("string"), **schema.label_features("article")})
    topic, stance = features["topic"].feature, features["stance"]
    rows = {
        "unit_id": ["a1", "a2"],
        "text": ["اتصال أمريكي مالي يثير تساؤلات", "تأهل المنتخب المغربي"],
        "topic": [[topic.str2int("diplomacy"), topic.str2int("security")], [topic.str2int("sport")]],
        "stance": [stance.str2int("neutral"), stance.str2int("unrelated")],
    }
    dataset = Dataset.from_dict(rows, features=features)
    dataset.to_parquet(str(tmp_path / "articles.parquet"))
    back = Dataset.from_parquet(str(tmp_path / "articles.parquet"))  # features from the file itself
    assert back.features == features
    assert back.to_dict() == rows
    assert [topic.int2str(v) for v in back[0]["topic"]] == ["diplomacy", "security"]


def test_sentence_dataset_round_trips_through_parquet(schema: Schema, tmp_path: Path) -> None:
    features = Features(
        {"unit_id": Value("string"), "tokens": List(Value("string")), **schema.label_features("sentence")}
    )
    tags = features["ner_tags"].feature
    label = features["entities"].feature["label"]
    text = "دعت واشنطن رعاياها لمغادرة مالي"
    rows = {
        "unit_id": ["s1"],
        "tokens": [text.split()],
        "entities": [
            [
                {"start": 4, "end": 10, "label": label.str2int("GPE"), "text": "واشنطن"},
                {"start": 27, "end": 31, "label": label.str2int("GPE"), "text": "مالي"},
            ]
        ],
        "ner_tags": [[tags.str2int(t) for t in ("O", "B-GPE", "O", "O", "B-GPE")]],
        "stance": [features["stance"].str2int("neutral")],
    }
    assert all(text[e["start"] : e["end"]] == e["text"] for e in rows["entities"][0])
    dataset = Dataset.from_dict(rows, features=features)
    dataset.to_parquet(str(tmp_path / "sentences.parquet"))
    back = Dataset.from_parquet(str(tmp_path / "sentences.parquet"))  # features from the file itself
    assert back.features == features
    assert back.to_dict() == rows


def test_a_label_outside_the_schema_cannot_be_encoded(schema: Schema) -> None:
    stance = schema.label_features("article")["stance"]
    with pytest.raises(ValueError):
        stance.str2int("support")
