"""End to end on a real Label Studio: the seeds annotated by three users, pulled, adjudicated, the
remaining tie decided by a reviewer in a review project, and exported as a dataset whose card shows
the agreement figures."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from datasets import load_dataset
from ruamel.yaml import YAML
from sklearn.metrics import cohen_kappa_score

from curation.agreement import adjudicate, agreement_report
from curation.export.building import build
from curation.export.recipe import load_recipe
from curation.ingest import expand_inputs, read_documents
from curation.schema import default_schema_path, load_schema
from curation.segment.pipeline import segment_document
from curation.studio.accounts import add_annotator
from curation.studio.client import connect
from curation.studio.pull import pull_annotations
from curation.studio.push import TaskMap, push_units
from curation.studio.results import to_results
from curation.studio.review import pull_review, push_review
from curation.studio.store import read_annotations
from curation.unitfile import write_unit_records
from curation.units import EntitySpan, sha256_hex

REPO = Path(__file__).resolve().parents[2]
ANNOTATORS = ("amal@example.org", "badr@example.org", "camelia@example.org")
REVIEWER = "rania.review@example.org"
CITY = "باماكو"

# Per main article (in page order): each annotator's (topics, stance); None = skipped the task.
ARTICLE_ANSWERS = [
    [(("security",), "favor"), (("security",), "favor"), (("security",), "against")],
    [(("politics",), "neutral"), (("politics", "diplomacy"), "neutral"), (("diplomacy",), "neutral")],
    [(("economy",), "against"), (("society",), "against"), None],
]
# The first sentence naming the city: each annotator's entity label for it and stance (required by the schema).
CITY_LABELS = ("GPE", "GPE", "LOC")
SENTENCE_STANCES = ("neutral", "neutral", "unrelated")


def _segment_seeds(path: Path) -> list[dict]:
    errors: list = []
    records = [
        record
        for document in read_documents(expand_inputs([REPO / "seeds"], errors), errors)
        for record in segment_document(document).records()
    ]
    assert not errors
    write_unit_records(path, records)
    return records


def _annotate(url: str, token: str, task_id: int, text: str, choices: dict, spans: tuple = ()) -> None:
    client = connect(url, token)
    if choices is None:
        client.annotations.create(id=task_id, result=[], was_cancelled=True, lead_time=3.0)
        return
    client.annotations.create(id=task_id, result=to_results(text, choices, spans, "entity"), lead_time=12.5)


def test_three_annotators_in_label_studio_to_gold_and_a_dataset_card(studio_server, tmp_path):
    # the news schema under a name of this test's own: its Label Studio projects are not shared with other
    # tests pushing the seeds to the same session server
    schema = replace(load_schema(default_schema_path()), name=f"agree-e2e-{sha256_hex(str(tmp_path))[:8]}")
    units = tmp_path / "units.jsonl"
    records = _segment_seeds(units)
    client, url, state = studio_server.client(), studio_server.url, tmp_path / "studio"
    pushed = {
        level: push_units(client, url, units, level, schema, state_dir=state) for level in ("article", "sentence")
    }
    task_of = {level: TaskMap(report.project.folder).ids for level, report in pushed.items()}
    tokens = [add_annotator(client, url, email, "Agree-e2e-pass-1") for email in ANNOTATORS]

    articles = [r for r in records if r["level"] == "article" and r["role"] == "main"][: len(ARTICLE_ANSWERS)]
    for article, answers in zip(articles, ARTICLE_ANSWERS, strict=True):
        for token, answer in zip(tokens, answers, strict=True):
            choices = None if answer is None else {"topic": answer[0], "stance": (answer[1],)}
            _annotate(url, token, task_of["article"][article["id"]], article["body"], choices)
    sentence = next(r for r in records if r["level"] == "sentence" and CITY in r["text"])
    start = sentence["text"].index(CITY)
    for token, label, stance in zip(tokens, CITY_LABELS, SENTENCE_STANCES, strict=True):
        span = _entity(start, label)
        _annotate(url, token, task_of["sentence"][sentence["id"]], sentence["text"], {"stance": (stance,)}, (span,))

    stores = {level: tmp_path / f"{level}.jsonl" for level in ("article", "sentence")}
    for level, store in stores.items():
        pull_annotations(client, url, schema, level, store_path=store, state_dir=state)
    annotations = read_annotations(stores["article"]) + read_annotations(stores["sentence"])
    assert {a.annotator for a in annotations} == set(ANNOTATORS)

    # agreement, checked against an independent computation on the answers as given above
    report = agreement_report(annotations, schema)
    stance = report.family("stance", "article")
    amal_badr = [(answers[0][1], answers[1][1]) for answers in ARTICLE_ANSWERS]
    pair = next(p for p in stance.pairs if p["annotators"] == list(ANNOTATORS[:2]))
    assert pair["units"] == 3
    assert pair["cohen_kappa"] == round(cohen_kappa_score(*zip(*amal_badr, strict=True)), 6)
    entity = report.family("entity", "sentence")
    assert entity.overall["exact_matches"] == 1 and entity.overall["overlap_matches"] == 1
    assert entity.overall["spans"] == 6
    skipped = [a for a in annotations if a.cancelled]
    assert [a.annotator for a in skipped] == [ANNOTATORS[2]]
    assert report.to_dict()["annotations"]["not_counted"] == {"cancelled": 1}

    # adjudication into gold
    result = adjudicate(annotations, policy=("ground-truth", "majority"), schema=schema)
    first, second, third = (a["id"] for a in articles)
    assert result.gold_value(first, "stance") == ("favor",)
    assert result.gold_value(second, "topic") == ("diplomacy", "politics")
    assert result.gold_value(third, "topic") is None
    tie = next(c for c in result.unresolved if c.unit_id == third and c.family == "topic")
    assert sorted(tie.to_dict()["answers"]) == list(ANNOTATORS[:2])
    [city] = result.gold_value(sentence["id"], "entity")
    assert (city.text, city.label) == (CITY, "GPE")

    # the tie goes to a review project; the reviewer's decision wins under the reviewer policy
    review = push_review(client, url, result, units, schema, "article", state_dir=state)
    assert review.created == 1 and not review.problems
    [(unit_id, task_id)] = TaskMap(review.project.folder).ids.items()
    assert unit_id == third
    reviewer_token = add_annotator(client, url, REVIEWER, "Agree-e2e-pass-1")
    _annotate(url, reviewer_token, task_id, articles[2]["body"], {"topic": ("economy",), "stance": ("against",)})
    review_store = pull_review(client, url, schema, "article", store_path=tmp_path / "review.jsonl", state_dir=state)
    assert review_store.new == 1
    reviewed = adjudicate(
        annotations + read_annotations(review_store.store), ("ground-truth", "reviewer", "majority"), REVIEWER, schema
    )
    assert reviewed.gold_value(third, "topic") == ("economy",) and reviewed.gold[third]["topic"].source == "reviewer"
    assert reviewed.gold_value(first, "stance") == ("favor",) and reviewed.unresolved == []

    # export: the gold reaches the dataset and the figures reach its card
    combined = tmp_path / "annotations.jsonl"
    combined.write_text("".join(p.read_text("utf-8") for p in (*stores.values(), review_store.store)), "utf-8")
    recipe = tmp_path / "recipe.yaml"
    with recipe.open("w", encoding="utf-8") as handle:
        YAML().dump(
            {
                "name": "agree-e2e",
                "inputs": [str(REPO / "seeds")],
                "schema": str(default_schema_path()),
                "annotations": str(combined),
                "adjudication": ["ground-truth", "reviewer", "majority"],
                "reviewer": REVIEWER,
                "split": {"seed": 13, "ratios": {"train": 0.5, "test": 0.5}},
                "formats": ["huggingface"],
                "output": str(tmp_path / "dataset"),
            },
            handle,
        )
    built = build(load_recipe(recipe))
    card = (built.out_dir / "README.md").read_text(encoding="utf-8")
    assert "Inter-annotator agreement" in card
    everyone = agreement_report(annotations + read_annotations(review_store.store), schema)
    for family in everyone.families:  # the card's figures are this report's, reviewer included
        alpha = family.overall.get("krippendorff_alpha")
        shown = f"| {family.family.name} | {family.family.level} | {family.units} | {len(family.annotators)} |"
        assert shown in card and (alpha is None or f"krippendorff_alpha={alpha}" in card)
    dataset = load_dataset(str(built.out_dir), "articles", cache_dir=str(tmp_path / "hf-cache"))
    rows = {row["id"]: row for split in dataset.values() for row in split}
    features = next(iter(dataset.values())).features
    assert features["stance"].names[rows[first]["stance"]] == "favor"
    assert sorted(features["topic"].feature.names[t] for t in rows[second]["topic"]) == ["diplomacy", "politics"]
    assert [features["topic"].feature.names[t] for t in rows[third]["topic"]] == ["economy"]  # the reviewer's


def _entity(start: int, label: str) -> EntitySpan:
    return EntitySpan(start, start + len(CITY), label, CITY)
