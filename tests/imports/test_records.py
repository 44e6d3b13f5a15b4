"""CSV, TSV and JSONL files of labelled pairs (a stance corpus: a text, its target, a headline, the
label) import as texts with the fields Label Studio shows, every problem at the file's own line."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from curation.cli import main
from curation.imports import import_corpus
from curation.schema import load_schema
from curation.studio.store import read_annotations
from curation.unitfile import iter_unit_records

SCHEMA = """name: stance
version: 1
description: Stance of a text towards a target.
labels:
  stance:
    kind: choice
    levels: [article]
    title: الموقف
    target: الهدف الافتراضي
    values:
      - {value: Favor, ar: مع, description: مع الهدف., example: نعم., hotkey: z, color: "#2ca02c"}
      - {value: Against, ar: ضد, description: ضد الهدف., example: لا., hotkey: x, color: "#d62728"}
      - {value: None, ar: لا موقف, description: لا موقف., example: ربما., hotkey: c, color: "#7f7f7f"}
"""
# Mawqif's layout: ID,text,target,stance. Record 3 spans lines 4-5; the one on line 8 has an unquoted comma.
CSV = ('ID,text,target,stance\n1,"اللقاح آمن، خذوه",Covid Vaccine,Favor\n2,لن أسمح بتطعيم أطفالي,Covid Vaccine,Against\n'
       '3,"المرأة تقود السيارة\n وهذا إنجاز",Women empowerment,None\n4,نص بلا موقف,Covid Vaccine,\n'
       '5,موقف غريب,Covid Vaccine,Neutral\n6,نص, فيه فاصلة,Covid Vaccine,Favor\n')


def _schema(folder: Path):
    (folder / "stance.yaml").write_text(SCHEMA, encoding="utf-8")
    return load_schema(folder / "stance.yaml")


def _imported(prefix: Path) -> list[tuple[int, str, dict, tuple[str, ...]]]:
    """(line, text, fields, stance) of each imported page."""
    lines = Path(f"{prefix}.docs.jsonl").read_text(encoding="utf-8").split("\n")  # a text may hold U+2028
    pages = [json.loads(line) for line in lines if line]
    by_text = {a.unit_id: a.choices.get("stance", ()) for a in read_annotations(f"{prefix}.annotations.jsonl")}
    articles = list(iter_unit_records(Path(f"{prefix}.units.jsonl"), "article"))
    return [(page["line"], article["text"], page.get("fields", {}), by_text.get(article["id"], ()))
            for page, article in zip(pages, articles, strict=True)]


def test_a_csv_stance_corpus_imports_each_record_with_its_target_and_problems_at_file_lines(tmp_path: Path) -> None:
    corpus = tmp_path / "mawqif.csv"
    corpus.write_text(CSV, encoding="utf-8-sig")
    report = import_corpus([corpus], _schema(tmp_path), tmp_path / "out", label_field="stance", fields={"target": "target"})
    assert [(p.line, p.message) for p in report.problems] == [
        (6, "no label in stance: imported without a stance label"),
        (7, "unknown stance label 'Neutral': left out"),
        (8, "5 fields under a header of 4 (an unquoted comma or quote?): row left out"),
    ]
    assert _imported(tmp_path / "out") == [
        (2, "اللقاح آمن، خذوه", {"target": "Covid Vaccine"}, ("Favor",)),
        (3, "لن أسمح بتطعيم أطفالي", {"target": "Covid Vaccine"}, ("Against",)),
        (4, "المرأة تقود السيارة\n وهذا إنجاز", {"target": "Women empowerment"}, ("None",)),
        (6, "نص بلا موقف", {"target": "Covid Vaccine"}, ()),
        (7, "موقف غريب", {"target": "Covid Vaccine"}, ()),
    ]


def test_a_jsonl_claim_headline_corpus_reports_bad_lines_and_never_reads_null_as_none(tmp_path: Path) -> None:
    corpus = tmp_path / "arastance.jsonl"
    records = [{"claim": "ارتفعت الأسعار", "article_title": "الوزارة تنفي", "article": "نفت الوزارة\u2028ذلك.", "stance": "Against"},
               {"claim": "فاز الفريق", "article_title": "طقس", "article": "الجو حار.", "stance": None}]
    lines = [json.dumps(records[0], ensure_ascii=False), "", "{not json", "[1, 2]", json.dumps(records[1], ensure_ascii=False),
             json.dumps({"claim": "x", "article_title": "y", "article": "", "stance": "Favor"})]
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = import_corpus([corpus], _schema(tmp_path), tmp_path / "out", text_field="article", label_field="stance",
                           fields={"title": "article_title", "target": "claim"})
    assert [(p.line, p.message.split(" (")[0].split(":")[0]) for p in report.problems] == [
        (3, "not JSON"), (4, "a JSON list, not an object"), (5, "no label in stance"), (6, "empty text")]
    assert [(line, fields, stance) for line, _, fields, stance in _imported(tmp_path / "out")] == [
        (1, {"title": "الوزارة تنفي", "target": "ارتفعت الأسعار"}, ("Against",)),
        (5, {"title": "طقس", "target": "فاز الفريق"}, ()),
    ]


def test_the_cli_reads_a_csv_as_labelled_texts_without_being_told(tmp_path: Path) -> None:
    corpus = tmp_path / "mawqif.csv"
    corpus.write_text(CSV, encoding="utf-8")
    _schema(tmp_path)
    result = CliRunner().invoke(main, ["import", str(corpus), "-o", str(tmp_path / "out"), "--schema",
                                       str(tmp_path / "stance.yaml"), "--label-field", "stance", "--target-field", "target"])
    assert result.exit_code == 1  # three problems, the rest imported
    assert f"{corpus}:8: 5 fields under a header of 4" in " ".join(result.output.split())
    assert len(_imported(tmp_path / "out")) == 5


def test_a_tsv_quotes_nothing_so_a_text_opening_with_a_quote_mark_keeps_its_line(tmp_path: Path) -> None:
    corpus = tmp_path / "semeval.tsv"
    corpus.write_text('ID\tTarget\tTweet\tStance\n1\tالإلحاد\t"الله أكبر" قالها\tAgainst\n2\tالإلحاد\tلا تعليق\tNone\n',
                      encoding="utf-8")
    report = import_corpus([corpus], _schema(tmp_path), tmp_path / "out", text_field="Tweet", label_field="Stance",
                           fields={"target": "Target"})
    assert report.problems == []
    assert [(line, text, stance) for line, text, _, stance in _imported(tmp_path / "out")] == [
        (2, '"الله أكبر" قالها', ("Against",)), (3, "لا تعليق", ("None",))]


def test_a_jsonl_file_of_token_rows_imports_its_entities_with_problems_at_their_lines(tmp_path: Path) -> None:
    from .conftest import entity_schema

    corpus = tmp_path / "ner.jsonl"
    rows = [{"tokens": ["زار", "بوش", "لندن"], "ner_tags": ["O", "B-PER", "B-GPE"]},
            {"tokens": ["قال", "الأمم", "المتحدة"], "ner_tags": ["O", "I-ORG", "I-ORG"]},
            {"tokens": "نص", "ner_tags": "O"}]
    corpus.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(corpus), "-o", str(tmp_path / "out"), "--schema",
                                       str(entity_schema(tmp_path).path)])
    output = " ".join(result.output.split())
    assert f"{corpus}:2: token 1: 'I-ORG' without a B-ORG before it: read as B-ORG" in output
    assert f"{corpus}:3: tokens and ner_tags are not both lists: row left out" in output
    spans = sorted((s.label, s.text) for a in read_annotations(tmp_path / "out.annotations.jsonl") for s in a.spans)
    assert spans == [("GPE", "لندن"), ("ORG", "الأمم المتحدة"), ("PER", "بوش")]


def test_a_label_column_named_after_a_family_fills_that_family_not_the_first(tmp_path: Path) -> None:
    topic_first = SCHEMA.replace("labels:\n", "labels:\n  topic:\n    kind: choice\n    levels: [article]\n    title: الموضوع\n"
                                 "    values:\n      - {value: health, ar: صحة, description: صحة., example: لقاح., hotkey: '1', "
                                 "color: '#1f77b4'}\n", 1)
    (tmp_path / "two.yaml").write_text(topic_first, encoding="utf-8")
    corpus = tmp_path / "mawqif.csv"
    corpus.write_text("text,target,stance\nاللقاح آمن,Covid Vaccine,Favor\n", encoding="utf-8")
    report = import_corpus([corpus], load_schema(tmp_path / "two.yaml"), tmp_path / "out", label_field="stance")
    assert report.problems == []
    assert [a.choices for a in read_annotations(tmp_path / "out.annotations.jsonl")] == [{"stance": ("Favor",)}]


def test_a_label_that_differs_from_a_value_only_in_case_is_reported_with_that_value(tmp_path: Path) -> None:
    corpus = tmp_path / "mawqif.csv"
    corpus.write_text("text,stance\nاللقاح آمن,favor\n", encoding="utf-8")
    report = import_corpus([corpus], _schema(tmp_path), tmp_path / "out", label_field="stance")
    assert [str(p) for p in report.problems] == [
        f"{corpus}:2: unknown stance label 'favor' (the schema has 'Favor': a label map can rename it): left out"]
