"""Annotators are pseudonymous in every export: no e-mail address in any file a build writes."""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path

from datasets import load_dataset

from curation.export.building import build
from curation.export.recipe import load_recipe
from curation.ingest import read_documents
from curation.segment.pipeline import segment_document
from curation.units import Annotation

from .conftest import SEEDS, write_jsonl, write_recipe

EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def article_ids() -> list[str]:
    documents = read_documents([SEEDS], [])
    return [a.id for d in documents for a in segment_document(d).articles if a.role == "main"][:3]


def records(annotators: list[str], unit_ids: list[str]) -> list[dict]:
    topics = ("politics", "economy", "security")
    return [
        Annotation(uid, "article", who, f"{uid}-{n}", {"topic": (topics[(i + n) % 3],), "stance": ("neutral",)},
                   schema_version=2).to_record()
        for i, uid in enumerate(unit_ids) for n, who in enumerate(annotators)
    ]  # fmt: skip


def exported_text(folder: Path) -> str:
    """Every file of the export, Parquet included, as text (bytes decoded leniently)."""
    return "".join(p.read_bytes().decode("utf-8", "replace") for p in sorted(folder.rglob("*")) if p.is_file())


def test_no_email_anywhere_in_an_export_and_ids_stay_stable(tmp_path: Path) -> None:
    units = article_ids()
    stores = tmp_path / "stores"
    stores.mkdir()
    people = ["mona.k@lab.example", "ali@lab.example"]
    store = write_jsonl(stores / "news-article.jsonl", records(people, units))
    recipe = write_recipe(tmp_path, annotations=str(store), formats=["huggingface", "jsonl"],
                          adjudication=["reviewer", "majority"], reviewer="mona.k@lab.example")  # fmt: skip
    report = build(load_recipe(recipe), allow_problems=True)
    assert EMAIL.findall(exported_text(report.out_dir)) == []
    articles = load_dataset(str(report.out_dir), "articles", cache_dir=str(tmp_path / "cache"))
    columns = set(articles["train"].column_names) | set(articles["test"].column_names)
    assert {"topic__annotator_1", "topic__annotator_2"} <= columns
    card = (report.out_dir / "README.md").read_text(encoding="utf-8")
    assert "computed on the annotators' own independent answers only" in card
    mapping = stores / "pseudonyms.json"
    assert stat.S_IMODE(mapping.stat().st_mode) == 0o600
    assert json.loads(mapping.read_text()) == {"ali@lab.example": "annotator_1", "mona.k@lab.example": "annotator_2"}
    # the reviewer named in the recipe is translated too: mona's answer (annotator_2) is the gold
    rows = [r for split in articles.values() for r in split if r["id"] in units]
    assert rows and all(r["topic"] == r["topic__annotator_2"] for r in rows)

    # a newcomer gets the next id; the others keep theirs
    write_jsonl(store, records(["zaid@lab.example", *people], units))
    again = build(load_recipe(recipe), allow_problems=True)
    assert EMAIL.findall(exported_text(again.out_dir)) == []
    assert json.loads(mapping.read_text())["zaid@lab.example"] == "annotator_3"

    named = build(load_recipe(recipe), tmp_path / "named", allow_problems=True, annotator_names=True)
    assert "topic__ali@lab.example" in exported_text(named.out_dir)  # names only when asked for


def test_review_decisions_set_gold_but_never_an_annotators_column(tmp_path: Path) -> None:
    units = article_ids()
    stores = tmp_path / "stores"
    stores.mkdir()
    store = write_jsonl(stores / "news-article.jsonl", records(["lead@lab.example", "ali@lab.example"], units))
    # the lead, who also annotated, reviews: "security" on every unit (their own answer differed on some)
    decisions = [
        Annotation(uid, "article", "lead@lab.example", f"r{uid}", {"topic": ("security",), "stance": ("neutral",)},
                   schema_version=2).to_record()
        for uid in units
    ]  # fmt: skip
    review = write_jsonl(tmp_path / "review.jsonl", decisions)
    recipe = write_recipe(tmp_path, annotations=str(store), reviews=str(review), formats=["huggingface"],
                          adjudication=["majority", "reviewer"])  # fmt: skip
    report = build(load_recipe(recipe), allow_problems=True)
    assert EMAIL.findall(exported_text(report.out_dir)) == []
    articles = load_dataset(str(report.out_dir), "articles", cache_dir=str(tmp_path / "cache"))
    topics = articles["train"].features["topic"].feature.names
    rows = {r["id"]: r for split in articles.values() for r in split if r["id"] in units}
    answers = {r["unit_id"]: r["choices"]["topic"] for r in records(["lead@lab.example", "ali@lab.example"], units)
               if r["annotator"] == "lead@lab.example"}  # fmt: skip
    lead = json.loads((stores / "pseudonyms.json").read_text())["lead@lab.example"]
    for uid, row in rows.items():
        assert [topics[t] for t in row[f"topic__{lead}"]] == answers[uid]  # the lead's own answer, unchanged
        assert [topics[t] for t in row["topic"]] == ["security"]  # the review decided the tie
        assert row["annotators"] == ["annotator_1", "annotator_2"]  # the review is not an annotator
    card = (report.out_dir / "README.md").read_text(encoding="utf-8")
    assert "| annotations used (valid) | 6 |" in card
