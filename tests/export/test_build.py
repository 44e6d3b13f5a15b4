"""End to end: recipe -> build -> datasets.load_dataset reads back exact features and values."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from datasets import Features, load_dataset

from curation.dedup import check_leakage
from curation.export.building import build
from curation.export.recipe import RecipeError, load_recipe
from curation.export.rows import ARTICLE_BASE, SENTENCE_BASE
from curation.ingest import read_documents
from curation.pipeline.options import ExecutorOptions
from curation.schema import load_schema
from curation.segment.pipeline import segment_document
from curation.units import Annotation, EntitySpan

from .conftest import NEWS_SCHEMA, SEEDS, duplicated_pages, write_jsonl, write_recipe


def seed_units():
    documents = {d.id: d for d in read_documents([SEEDS], [])}
    return documents, [segment_document(d) for d in documents.values()]


def test_seed_build_loads_with_the_schema_features(tmp_path: Path) -> None:
    report = build(load_recipe(write_recipe(tmp_path)))
    assert report.problems == []
    schema = load_schema(NEWS_SCHEMA)
    documents, segmented = seed_units()
    expected_ids = {a.id for s in segmented for a in s.articles}
    articles = load_dataset(str(report.out_dir), "articles", cache_dir=str(tmp_path / "hf-cache"))
    assert set(articles) == {"train", "test"}
    features = articles["train"].features
    assert features == Features({**ARTICLE_BASE, **schema.label_features("article")})
    assert {row["id"] for split in articles.values() for row in split} == expected_ids

    sentences = load_dataset(str(report.out_dir), "sentences", cache_dir=str(tmp_path / "hf-cache"))
    spans = schema.label_features("sentence")["entities"]
    assert sentences["test"].features == Features(
        {**SENTENCE_BASE, "tokens": features["annotators"], **schema.label_features("sentence"), "disputed_entities": spans}
    )
    for split in sentences.values():
        for row in split:
            page = documents[row["doc_id"]].text
            assert page[row["start"] : row["end"]] == row["text"]
            assert row["entities"] is None and row["ner_tags"] is None  # no annotations: unknown, not "O"
            assert "".join(row["tokens"]) == "".join(row["text"].split())


def annotation(unit_id: str, level: str, annotator: str, number: int, spans=(), topic=None) -> dict:
    """A record as the Label Studio store writes it; stance is required by the schema at both levels."""
    choices = {"stance": ("neutral",), **({"topic": topic} if topic else {})}
    return Annotation(unit_id, level, annotator, str(number), choices, spans, schema_version=2).to_record()  # type: ignore[arg-type]


def test_annotations_become_gold_columns_answer_columns_and_bio(tmp_path: Path) -> None:
    _, segmented = seed_units()
    sentence = min((s for doc in segmented for s in doc.sentences if "وواشنطن" in s.text), key=lambda s: len(s.text))
    article_id = sentence.article_id
    text = sentence.text
    bamako = EntitySpan(text.index("باماكو"), text.index("باماكو") + 6, "GPE", "باماكو")
    washington = EntitySpan(text.index("واشنطن", text.index("وواشنطن") + 1), 0, "GPE", "واشنطن")
    washington = EntitySpan(washington.start, washington.start + 6, "GPE", "واشنطن")
    store = write_jsonl(
        tmp_path / "annotations.jsonl",
        [
            annotation(sentence.id, "sentence", "ali", 1, spans=(bamako, washington)),
            annotation(sentence.id, "sentence", "mona", 2, spans=(washington, bamako)),
            annotation(sentence.id, "sentence", "sara", 3, spans=(washington,)),
            annotation(
                sentence.id, "sentence", "omar", 4, spans=(EntitySpan(bamako.start, bamako.end, "CITY", "باماكو"),)
            ),
            annotation(article_id, "article", "ali", 5, topic=("diplomacy", "security")),
            annotation(article_id, "article", "mona", 6, topic=("diplomacy",)),
            annotation(article_id, "article", "sara", 7, topic=("security", "diplomacy")),
            annotation("s0000000000000000", "sentence", "ali", 8, spans=()),
        ],
    )
    # names kept (annotator_names) so the columns read as the store; pseudonyms: tests/export/test_pseudonyms.py
    report = build(load_recipe(write_recipe(tmp_path, annotations=str(store))), allow_problems=True, annotator_names=True)

    assert any("omar" in p and "CITY" in p for p in report.problems), report.problems
    assert any("s0000000000000000" in p for p in report.problems), report.problems
    sentences = load_dataset(str(report.out_dir), "sentences", cache_dir=str(tmp_path / "hf-cache"))
    split = next(s for s in sentences.values() if sentence.id in s["id"])
    row = split[split["id"].index(sentence.id)]
    names = split.features["ner_tags"].feature.names
    labels = split.features["entities"].feature["label"].names
    assert [(e["text"], labels[e["label"]], e["start"]) for e in row["entities"]] == [
        ("باماكو", "GPE", bamako.start),
        ("واشنطن", "GPE", washington.start),
    ]
    tagged = [(token, names[tag]) for token, tag in zip(row["tokens"], row["ner_tags"], strict=True)]
    assert tagged[-3:] == [("باماكو", "B-GPE"), ("و", "O"), ("واشنطن", "B-GPE")]
    assert [e["text"] for e in row["entities__sara"]] == ["واشنطن"]
    assert len(row["entities__ali"]) == 2 and row["annotators"] == ["ali", "mona", "omar", "sara"]
    # omar's CITY region is set aside (reported above): his entity answer is incomplete, so it has no
    # column value and no vote on mentions it overlaps (باماكو is 2 of 3, not a 2-of-4 tie); his stance counts.
    assert row["entities__omar"] is None
    stances = split.features["stance__omar"].names
    assert stances[row["stance__omar"]] == "neutral"

    articles = load_dataset(str(report.out_dir), "articles", cache_dir=str(tmp_path / "hf-cache"))
    split = next(s for s in articles.values() if article_id in s["id"])
    row = split[split["id"].index(article_id)]
    topics = split.features["topic"].feature.names
    assert [topics[t] for t in row["topic"]] == ["security", "diplomacy"]  # label order of the schema
    assert [topics[t] for t in row["topic__mona"]] == ["diplomacy"]

    card = (report.out_dir / "README.md").read_text(encoding="utf-8")
    assert "split that token 1 time(s)" in card and "| annotators | 4 |" in card
    assert "| entity | sentence | 1 | 3 |" in card  # omar's incomplete entity answer is not measured either
    assert "krippendorff_alpha" in card
    conll = "".join(f.read_text(encoding="utf-8") for f in sorted((report.out_dir / "conll").glob("*.conll")))
    assert f"# id = {sentence.id}\n" in conll and "باماكو\tB-GPE\nو\tO\nواشنطن\tB-GPE\n" in conll
    manifest = json.loads((report.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["annotations"]["records"] == 8 and len(manifest["annotations"]["fingerprint"]) == 64
    jsonl_rows = [
        json.loads(line) for f in (report.out_dir / "jsonl" / "articles").glob("*.jsonl") for line in f.open()
    ]
    assert next(r for r in jsonl_rows if r["id"] == article_id)["topic"] == ["security", "diplomacy"]

    # made on 2 ranks (each seed page on one); in one process: the same gold, answers, problems and card
    alone = build(
        load_recipe(write_recipe(tmp_path, annotations=str(store))), tmp_path / "alone", allow_problems=True,
        annotator_names=True, executor=ExecutorOptions(workers=1),
    )
    assert alone.problems == report.problems
    assert {p.relative_to(alone.out_dir): p.read_bytes() for p in alone.files} == {
        p.relative_to(report.out_dir): p.read_bytes() for p in report.files
    }


def test_near_duplicates_and_articles_never_straddle_splits(tmp_path: Path) -> None:
    pages, records, filed_twice = duplicated_pages(tmp_path)
    recipe = write_recipe(
        tmp_path,
        inputs=[str(pages)],
        labels_from_meta={"topic": "topic"},
        split={"seed": 5, "ratios": {"train": 0.6, "validation": 0.2, "test": 0.2}, "stratify": "topic"},
    )
    report = build(load_recipe(recipe), allow_problems=True)
    assert report.clusters and report.clusters >= filed_twice
    unknown = [p for p in report.problems if "middleEast" in p]
    assert len(unknown) == len([r for r in records if r["topic"] == "middleEast"])  # each reported with its line
    assert all("pages.jsonl:" in p for p in unknown)

    split_of: dict[str, str] = {}
    clusters: dict[str, set[str]] = {}
    for path in (report.out_dir / "data" / "articles").glob("*.parquet"):
        split = path.name.split("-")[0]
        for row in pq.read_table(path).to_pylist():
            assert row["id"] not in split_of
            split_of[row["id"]] = split
            if row["cluster"]:
                clusters.setdefault(row["cluster"], set()).add(split)
    assert set(split_of.values()) == {"train", "validation", "test"}
    assert clusters and all(len(splits) == 1 for splits in clusters.values())
    for path in (report.out_dir / "data" / "sentences").glob("*.parquet"):
        for row in pq.read_table(path, columns=["article_id"]).to_pylist():
            assert split_of[row["article_id"]] == path.name.split("-")[0]
    # An independent look: curation.dedup clusters the exported texts afresh and finds no leak.
    exported = [
        {**row, "split": path.name.split("-")[0]}
        for path in (report.out_dir / "data" / "articles").glob("*.parquet")
        for row in pq.read_table(path, columns=["id", "text"]).to_pylist()
    ]
    assert check_leakage(exported) == []
    assert "with differing gold `topic`" in (report.out_dir / "README.md").read_text(encoding="utf-8")


def test_recipe_errors_name_the_file_and_the_key(tmp_path: Path) -> None:
    with pytest.raises(RecipeError, match=r"seed-test\.yaml:\d+: splits: unknown key"):
        load_recipe(write_recipe(tmp_path, splits={}))
    with pytest.raises(RecipeError, match="unknown adjudication policy vote"):
        load_recipe(write_recipe(tmp_path, adjudication="vote"))
    with pytest.raises(RecipeError, match="group_by"):
        load_recipe(write_recipe(tmp_path, split={"group_by": "page"}))


def test_bad_inputs_are_reported_and_the_rest_is_built(tmp_path: Path) -> None:
    bad = tmp_path / "broken.jsonl"
    bad.write_text('{"text": "نص قصير عن مالي."}\n{not json\n', encoding="utf-8")
    recipe = load_recipe(write_recipe(tmp_path, inputs=[str(SEEDS), str(bad), str(tmp_path / "missing.txt")]))
    report = build(recipe, allow_problems=True)
    assert any(
        p.endswith("broken.jsonl:2: invalid JSON: Expecting property name enclosed in double quotes at column 2")
        for p in report.problems
    )
    assert any("missing.txt: no such file or folder" in p for p in report.problems)
    assert report.documents == 3


def test_agreed_mentions_are_gold_beside_a_disputed_one(tmp_path: Path) -> None:
    """Gold is decided mention by mention: the mention both annotators marked is exported even though
    they disagree on another mention of the sentence, which is listed as disputed; the build reports
    its span-gold yield beside the share of mentions `curation agree` calls decided."""
    _, segmented = seed_units()
    sentence = min((s for doc in segmented for s in doc.sentences if "وواشنطن" in s.text), key=lambda s: len(s.text))
    text = sentence.text
    bamako = EntitySpan(text.index("باماكو"), text.index("باماكو") + 6, "GPE", "باماكو")
    start = text.index("واشنطن", text.index("وواشنطن") + 1)
    washington_gpe, washington_loc = (EntitySpan(start, start + 6, label, "واشنطن") for label in ("GPE", "LOC"))
    store = write_jsonl(tmp_path / "annotations.jsonl", [
        annotation(sentence.id, "sentence", "ali", 1, spans=(bamako, washington_gpe)),
        annotation(sentence.id, "sentence", "mona", 2, spans=(bamako, washington_loc)),
    ])  # fmt: skip
    report = build(load_recipe(write_recipe(tmp_path, annotations=str(store))), allow_problems=True)

    sentences = load_dataset(str(report.out_dir), "sentences", cache_dir=str(tmp_path / "hf-cache"))
    split = next(s for s in sentences.values() if sentence.id in s["id"])
    row = split[split["id"].index(sentence.id)]
    labels = split.features["entities"].feature["label"].names
    assert [(e["text"], labels[e["label"]]) for e in row["entities"]] == [("باماكو", "GPE")]
    assert sorted((e["text"], labels[e["label"]]) for e in row["disputed_entities"]) == [("واشنطن", "GPE"), ("واشنطن", "LOC")]
    assert row["ner_tags"] is None  # BIO cannot say "undecided" over واشنطن
    others = [r for s in sentences.values() for r in s if r["id"] != sentence.id]
    assert all(r["entities"] is None and r["disputed_entities"] is None for r in others)  # not annotated

    card = (report.out_dir / "README.md").read_text(encoding="utf-8")
    assert "| mentions decided before review (as `agree` reports) | 33.3% (1 of 3) |" in card
    assert "| span-gold yield (mentions decided in the export) | 33.3% (1 of 3) |" in card
    assert "decided mention by mention" in card


def test_annotated_only_exports_the_units_someone_annotated(tmp_path: Path) -> None:
    _, segmented = seed_units()
    sentences = [s for doc in segmented for s in doc.sentences if s.role == "body"][:3]
    article = segmented[0].articles[0]
    store = write_jsonl(
        tmp_path / "annotations.jsonl",
        [annotation(s.id, "sentence", "ali", n) for n, s in enumerate(sentences)]
        + [annotation(article.id, "article", "mona", 9, topic=("politics",))],
    )
    report = build(load_recipe(write_recipe(tmp_path, annotations=str(store), annotated_only=True)))
    assert report.problems == [] and (report.articles, report.sentences) == (1, 3)
    exported = load_dataset(str(report.out_dir), "sentences", cache_dir=str(tmp_path / "hf-cache"))
    assert sorted(i for split in exported.values() for i in split["id"]) == sorted(s.id for s in sentences)
    manifest = json.loads((report.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["recipe"]["annotated_only"] is True
    every = build(load_recipe(write_recipe(tmp_path / "all", annotations=str(store))))
    assert every.sentences == sum(len(doc.sentences) for doc in segmented)  # the default: every unit
    assert "annotated_only" not in json.loads((every.out_dir / "manifest.json").read_text(encoding="utf-8"))["recipe"]
    with pytest.raises(RecipeError, match="annotated_only: is true or false"):
        load_recipe(write_recipe(tmp_path / "bad", annotated_only="yes"))


def test_the_manifest_and_card_name_the_models_whose_predictions_the_gold_started_from(tmp_path: Path) -> None:
    from dataclasses import replace as changed

    from curation.export.verification import verify

    _, segmented = seed_units()
    sentences = [s for doc in segmented for s in doc.sentences if s.role == "body"][:6]
    made = [Annotation.from_record(annotation(s.id, "sentence", who, n)) for n, s in enumerate(sentences) for who in ("ali", "mona")]
    versions = ["curation-learn-aaaa"] * 5 + ["curation-learn-bbbb"] * 3 + [None] * 4  # two models, and by hand
    cancelled = changed(made[0], annotation_id="99", cancelled=True, choices={}, model_version="curation-learn-bbbb")
    records = [changed(a, model_version=v).to_record() for a, v in zip(made, versions, strict=True)] + [cancelled.to_record()]
    store = write_jsonl(tmp_path / "annotations.jsonl", records)
    report = build(load_recipe(write_recipe(tmp_path, annotations=str(store))))
    manifest = json.loads((report.out_dir / "manifest.json").read_text(encoding="utf-8"))
    # what a later `curation train` writes changes nothing here: the counts come from the stores alone
    assert manifest["annotations"]["pre_annotated_by"] == {"curation-learn-aaaa": 5, "curation-learn-bbbb": 3}
    card = (report.out_dir / "README.md").read_text(encoding="utf-8")
    assert "| pre-annotated by model (annotations) | curation-learn-aaaa (5), curation-learn-bbbb (3) |" in card
    assert verify(report.out_dir).identical
    assert '"model_version"' not in json.dumps(made[-1].to_record())  # made by hand: the record as before
