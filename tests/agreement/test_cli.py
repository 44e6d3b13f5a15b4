"""`curation agree` on real annotation store files."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from click.testing import CliRunner

from curation.agreement import adjudicate, agreement_report
from curation.cli import main
from curation.ingest import expand_inputs, read_documents
from curation.schema import default_schema_path, load_schema
from curation.segment.pipeline import segment_document
from curation.studio.results import to_results
from curation.unitfile import write_unit_records
from curation.units import Annotation, EntitySpan

REPO = Path(__file__).resolve().parents[2]
SENTENCE = "التقى وزير الخارجية أحمد عطاف نظيره في الجزائر"


def _store(tmp_path: Path) -> tuple[Path, list[Annotation]]:
    person = SENTENCE.index("أحمد عطاف")
    city = SENTENCE.index("الجزائر")
    annotations = [
        Annotation("a1", "article", "ali", "1", choices={"topic": ("politics",), "stance": ("favor",)}),
        Annotation("a1", "article", "huda", "2", choices={"topic": ("politics",), "stance": ("against",)}),
        Annotation("a1", "article", "rev", "3", choices={"topic": ("diplomacy",), "stance": ("against",)}),
        Annotation("a2", "article", "ali", "4", choices={"topic": ("economy",), "stance": ("neutral",)}),
        Annotation("a2", "article", "huda", "5", choices={"topic": ("economy",), "stance": ("neutral",)}),
        Annotation("a2", "article", "rev", "6", choices={"topic": ("economy",)}, cancelled=True),
        Annotation("s1", "sentence", "ali", "7", spans=(EntitySpan(person, person + 9, "PER", "أحمد عطاف"),)),
        Annotation(
            "s1",
            "sentence",
            "huda",
            "8",
            spans=(EntitySpan(person, person + 9, "PER", "أحمد عطاف"), EntitySpan(city, city + 7, "GPE", "الجزائر")),
        ),
    ]
    path = tmp_path / "annotations.jsonl"
    lines = [json.dumps(a.to_record(), ensure_ascii=False) for a in annotations]
    lines.insert(3, '{"unit_id": "a9", "level": "article"')  # a truncated line, in the middle
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, annotations


def test_agree_writes_the_library_figures_as_json_and_prints_tables(tmp_path):
    store, annotations = _store(tmp_path)
    output, gold = tmp_path / "out" / "agreement.json", tmp_path / "gold.jsonl"
    result = CliRunner().invoke(main, ["agree", str(store), "-o", str(output), "--gold", str(gold)])
    assert result.exit_code == 1, result.output  # the truncated line: reported, the rest still done
    written = json.loads(output.read_text(encoding="utf-8"))
    schema = load_schema(default_schema_path())
    pseudonyms = json.loads((tmp_path / "pseudonyms.json").read_text(encoding="utf-8"))  # beside the store, 0600
    assert pseudonyms == {"ali": "annotator_1", "huda": "annotator_2", "rev": "annotator_3"}
    annotations = [replace(a, annotator=pseudonyms[a.annotator]) for a in annotations]  # nobody is named in the file
    assert written["agreement"] == {
        "computed_on": "independent annotations only, before review",
        **json.loads(json.dumps(agreement_report(annotations, schema).to_dict())),
    }
    assert written["agreement"]["annotations"]["not_counted"] == {"cancelled": 1}
    expected_gold = adjudicate(annotations, schema=schema).gold_records()
    assert [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines()] == expected_gold
    assert written["adjudication"]["policy"] == ["ground-truth", "majority"]
    for shown in ("topic (article", "entity (sentence", "α Krippendorff", "annotator_1 × annotator_2", "F1 overlap"):
        assert shown in result.output
    assert "\"ali\"" not in output.read_text(encoding="utf-8")


def test_agree_names_the_bad_line_and_counts_the_rest(tmp_path):
    store, _ = _store(tmp_path)
    result = CliRunner().invoke(main, ["agree", str(store), "-o", str(tmp_path / "a.json")])
    assert result.exit_code == 1, result.output
    assert f"{store}:4: invalid JSON" in result.output.replace("\n", "")
    written = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert len(written["unreadable"]) == 1 and written["unreadable"][0].startswith(f"{store}:4: invalid JSON")
    assert written["agreement"]["annotations"]["total"] == 8


def test_agree_chains_policies_in_the_order_given(tmp_path):
    store, _ = _store(tmp_path)
    result = CliRunner().invoke(
        main,
        ["agree", str(store), "--policy", "reviewer", "--policy", "majority", "--reviewer", "rev", "-o", "-"],
    )
    assert result.exit_code == 1, result.output
    written = json.loads(result.stdout)
    adjudication = written["adjudication"]
    assert adjudication["policy"] == ["reviewer", "majority"] and adjudication["reviewer"] == "annotator_3"  # rev
    a1_topic = next(c for c in adjudication["conflict_list"] if c["unit_id"] == "a1" and c["family"] == "topic")
    assert a1_topic["gold"] == ["diplomacy"] and a1_topic["resolved_by"] == "reviewer"
    assert sorted(a1_topic["answers"]) == ["annotator_1", "annotator_2", "annotator_3"]


def test_agree_refuses_the_reviewer_policy_without_a_reviewer(tmp_path):
    store, _ = _store(tmp_path)
    result = CliRunner().invoke(main, ["agree", str(store), "--policy", "reviewer", "-o", str(tmp_path / "a.json")])
    assert result.exit_code == 2
    assert "needs review decisions" in result.output
    assert not (tmp_path / "a.json").exists()


def test_review_push_and_pull_resolve_a_tie_through_label_studio(studio_server, tmp_path, monkeypatch):
    errors: list = []
    records = [
        record
        for document in read_documents(expand_inputs([REPO / "seeds"], errors), errors)
        for record in segment_document(document).records()
    ]
    units = tmp_path / "units.jsonl"
    write_unit_records(units, records)
    article = next(r for r in records if r["level"] == "article" and r["role"] == "main")
    store = tmp_path / "annotations.jsonl"
    tie = [
        Annotation(article["id"], "article", who, aid, choices={"topic": (topic,), "stance": ("neutral",)})
        for who, aid, topic in (("ali", "1", "sport"), ("huda", "2", "economy"))
    ]
    store.write_text("".join(json.dumps(a.to_record()) + "\n" for a in tie), encoding="utf-8")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", studio_server.api_key)
    server = ["--url", studio_server.url, "--data-dir", str(tmp_path / "state")]
    runner = CliRunner()

    pushed = runner.invoke(main, ["review", "push", str(store), "--units", str(units), "--level", "article", *server])
    assert pushed.exit_code == 0, pushed.output
    assert "1 new task(s) in curation · news-review · article" in pushed.output.replace("\n", " ")
    client = studio_server.client()
    project = next(p for p in client.projects.list() if p.title == "curation · news-review · article")
    [task] = list(client.tasks.list(project=project.id))
    assert task.data["unit_id"] == article["id"]
    shown = {p.model_version: p.result for p in client.predictions.list(task=task.id)}
    assert sorted(shown) == ["agreed by all", "annotator_1", "annotator_2"]  # both answers, under pseudonyms
    assert [r["from_name"] for r in shown["agreed by all"]] == ["stance"]  # the reviewer starts from what both gave
    assert json.loads((tmp_path / "pseudonyms.json").read_text()) == {"ali": "annotator_1", "huda": "annotator_2"}
    result = to_results(article["body"], {"topic": ("security",), "stance": ("neutral",)}, (), "entity")
    client.annotations.create(id=task.id, result=result)

    review_store = tmp_path / "review.jsonl"
    pulled = runner.invoke(main, ["review", "pull", "--level", "article", "-o", str(review_store), *server])
    assert pulled.exit_code == 0, pulled.output
    agreed = runner.invoke(
        main,
        ["agree", str(store), "--reviews", str(review_store), "--policy", "majority", "--policy", "reviewer", "-o", "-"],
    )  # fmt: skip
    assert agreed.exit_code == 0, agreed.output
    conflict = next(c for c in json.loads(agreed.stdout)["adjudication"]["conflict_list"] if c["family"] == "topic")
    assert conflict["gold"] == ["security"] and conflict["resolved_by"] == "reviewer"
    assert sorted(conflict["answers"]) == ["annotator_1", "annotator_2"]  # ali and huda; the review decision is not an answer


def _flagged_store(tmp_path: Path) -> tuple[Path, Path, str]:
    """omar marked the person; his region on the city had a label the schema lacks and was set aside
    at pull. ali marked the person, the city and the ministry, which omar left unmarked."""
    from curation.studio.results import SetAside
    from curation.studio.store import AnnotationStore, Flagged
    from curation.units import Document, Provenance, Sentence, sha256_hex

    doc = Document(Document.make_id(SENTENCE, "flagged.txt"), SENTENCE, Provenance("flagged.txt", None, sha256_hex(SENTENCE)))
    unit = Sentence(Sentence.make_id(doc.id, 0, len(SENTENCE)), doc.id, "a-none", 0, len(SENTENCE), SENTENCE, "body", 0)
    units = tmp_path / "units.jsonl"
    write_unit_records(units, [doc.to_record(), unit.to_record()])

    def at(text: str, label: str) -> EntitySpan:
        start = SENTENCE.index(text)
        return EntitySpan(start, start + len(text), label, text)

    ali = Annotation(unit.id, "sentence", "ali", "11", spans=(at("أحمد عطاف", "PER"), at("الجزائر", "GPE"), at("وزير الخارجية", "ORG")))
    omar = Annotation(unit.id, "sentence", "omar", "12", spans=(at("أحمد عطاف", "PER"),))
    city = at("الجزائر", "GPE")
    region = {"id": "r2", "from_name": "entity", "to_name": "text", "type": "labels",
              "value": {"start": city.start, "end": city.end, "text": city.text, "labels": ["CITY"]}}  # fmt: skip
    set_aside = Flagged(omar, (SetAside(region, "label 'CITY' is not a value"),), 1)
    store = AnnotationStore(tmp_path / "news-sentence.jsonl")
    store.write({ali.key: ali, omar.key: omar}, {}, {omar.key: set_aside})
    return store.path, units, unit.id


def _entity_outcomes(written: dict) -> tuple[list[str], list[str]]:
    """(gold span texts, disputed span texts) of the sentence."""
    adjudication = written["adjudication"]
    conflict = next(c for c in adjudication["conflict_list"] if c["family"] == "entity")
    return sorted(s["text"] for s in conflict["gold"] or []), sorted(s["text"] for s in conflict["disputed"])


def test_a_region_set_aside_is_not_its_annotators_no_entity(tmp_path, monkeypatch):
    """Before: omar's silence on the city (his region there was set aside) counted as 'no entity',
    a 1-1 tie that left the city disputed; in the build it abstains. Agree now does as the build."""
    monkeypatch.chdir(tmp_path)  # no workspace
    store, units, unit_id = _flagged_store(tmp_path)
    placed = CliRunner().invoke(main, ["agree", str(store), "--units", str(units), "-o", "-"])
    assert placed.exit_code == 0, placed.output
    written = json.loads(placed.stdout)
    # the city: only ali speaks there -> kept; the ministry: omar's silence there is a real 'no' -> 1-1 tie
    assert _entity_outcomes(written) == ([], ["وزير الخارجية"])
    kept = {d["span"]["text"] for d in written["adjudication"]["disputed_spans"]}
    assert kept == {"وزير الخارجية"}
    (entity,) = [f for f in written["agreement"]["families"] if f["family"] == "entity"]
    assert entity["annotators"] == ["annotator_1"] and entity["overall"]["spans"] == 0  # ali; omar's incomplete answer is not scored

    unplaced = CliRunner().invoke(main, ["agree", str(store), "-o", "-"])  # no units: omar abstains on the whole unit
    assert unplaced.exit_code == 0, unplaced.output
    gold = json.loads(unplaced.stdout)["adjudication"]
    assert "abstain on their whole unit" in unplaced.stderr
    (decided,) = [c for c in gold["conflict_list"] if c["family"] == "entity"]
    assert sorted(s["text"] for s in decided["gold"]) == ["أحمد عطاف", "الجزائر", "وزير الخارجية"] and decided["disputed"] == []
