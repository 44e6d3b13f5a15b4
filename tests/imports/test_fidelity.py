"""An imported sentence is one unit with the corpus's own text, boundaries and tokens: no news-page
rule (dateline, byline, caption, abbreviation) cuts it, the export's ``tokens`` are the corpus's
exactly (leading U+200E included), and nothing is left out without a line saying where and why."""

from __future__ import annotations

import json
from pathlib import Path

from curation.export import build
from curation.export.recipe import load_recipe
from curation.imports import import_corpus
from curation.unitfile import iter_unit_records

from ..export.conftest import write_recipe
from .conftest import entity_schema

LRM = "\u200e"
# Sentences the news-page segmenter would cut or shorten: a dateline-like opening, an abbreviation
# with spaced full stops inside an entity, a line ending in brackets like a caption.
HOSTILE = [
    [("القاهرة", "B-GPE"), ("-", "O"), ("أحمد", "B-PER"), ("الريدي", "I-PER"), (":", "O"), ("قال", "O"),
     ("الوزير", "O"), ("إن", "O"), ("الخطة", "O"), ("نجحت", "O"), (".", "O")],
    [("قال", "O"), ("مكتب", "B-ORG"), ("اف", "I-ORG"), (".", "I-ORG"), ("بي", "I-ORG"), (".", "I-ORG"),
     ("اي", "I-ORG"), ("إن", "O"), ("التحقيق", "O"), ("مستمر", "O"), (".", "O")],
    [("صورة", "O"), ("الرئيس", "O"), ("في", "O"), ("باريس", "B-GPE"), ("(", "O"), ("رويترز", "B-ORG"), (")", "O")],
]


def _write(path: Path, sentences: list[list[tuple[str, str]]], *, prefix: str = "") -> dict[tuple[int, int], int]:
    """A CoNLL file (tab-separated, CRLF); returns (sentence, token) -> line."""
    lines: list[str] = []
    where = {}
    for s, sentence in enumerate(sentences):
        for t, (token, tag) in enumerate(sentence):
            lines.append(f"{prefix}{token}\t{tag}")
            where[(s, t)] = len(lines)
        lines.append("")
    path.write_bytes("\r\n".join(lines).encode("utf-8"))
    return where


def _rows(tmp_path: Path, docs: Path, store: Path) -> list[dict]:
    schema = entity_schema(tmp_path)
    recipe = write_recipe(tmp_path / "build", name="fidelity", inputs=[str(docs)], schema=str(schema.path),
                          annotations=str(store), formats=["jsonl"], dedup=False, split={"seed": 1, "ratios": {"train": 1.0}})
    report = build(load_recipe(recipe))
    assert report.problems == []
    files = sorted((report.out_dir / "jsonl" / "sentences").glob("*.jsonl"))
    return [json.loads(line) for f in files for line in f.open(encoding="utf-8")]


def test_each_sentence_is_one_unit_with_its_own_text_tokens_and_entities(tmp_path: Path) -> None:
    corpus = tmp_path / "hostile.conll"
    _write(corpus, HOSTILE, prefix=LRM)
    report = import_corpus([corpus], entity_schema(tmp_path), tmp_path / "out", source="corpus")
    assert report.problems == [] and report.items == report.annotations == len(HOSTILE)
    assert report.units == 2 * len(HOSTILE)  # one article and one sentence each, nothing more
    rows = _rows(tmp_path, report.outputs["docs"], report.outputs["annotations"])
    by_text = {row["text"]: row for row in rows}
    for sentence in HOSTILE:
        text = " ".join(token for token, _ in sentence)
        row = by_text[text]  # the whole sentence, as the corpus cut it
        assert row["tokens"] == [LRM + token for token, _ in sentence]  # exactly as given
        assert row["ner_tags"] == [tag for _, tag in sentence]
        for entity in row["entities"]:
            assert row["text"][entity["start"] : entity["end"]] == entity["text"]


def test_segment_asks_for_the_news_page_rules_and_each_loss_is_reported_at_the_entity_line(tmp_path: Path) -> None:
    corpus = tmp_path / "hostile.conll"
    line_of = _write(corpus, HOSTILE)
    report = import_corpus([corpus], entity_schema(tmp_path), tmp_path / "out", source="corpus", segment=True)
    losses = [p for p in report.problems if "span left out" in p.message]
    assert losses, "the news-page segmenter is expected to cut at least one of these sentences"
    entity_lines = {line_of[(s, t)] for s, sentence in enumerate(HOSTILE) for t, (_, tag) in enumerate(sentence)
                    if tag.startswith("B-")}
    for loss in losses:
        assert loss.line in entity_lines and "news-page segmenter" in loss.message
        assert "crosses a sentence boundary the segmenter drew" not in loss.message


def test_a_hash_token_is_a_token_and_a_comment_is_a_comment(tmp_path: Path) -> None:
    corpus = tmp_path / "hash.conll"
    corpus.write_text("# sent_id = 1\n#\tO\nالوسم\tO\n#\tB-ORG\nمصر\tI-ORG\n", encoding="utf-8")
    report = import_corpus([corpus], entity_schema(tmp_path), tmp_path / "out", source="corpus")
    assert report.problems == []
    [sentence] = list(iter_unit_records(report.outputs["units"], "sentence"))
    assert sentence["text"] == "# الوسم # مصر"
    rows = _rows(tmp_path, report.outputs["docs"], report.outputs["annotations"])
    assert rows[0]["tokens"] == ["#", "الوسم", "#", "مصر"]
    assert [(e["label"], e["text"]) for e in rows[0]["entities"]] == [("ORG", "# مصر")]


def test_an_empty_token_is_reported_not_read_as_the_word_o(tmp_path: Path) -> None:
    corpus = tmp_path / "empty.conll"
    corpus.write_text("قال\tO\n\tO\nالوزير\tO\nتونس\n", encoding="utf-8")
    report = import_corpus([corpus], entity_schema(tmp_path), tmp_path / "out", source="corpus")
    [sentence] = list(iter_unit_records(report.outputs["units"], "sentence"))
    assert sentence["text"] == "قال الوزير"  # no literal "O", no tag taken for a token
    assert [(p.line, p.message) for p in report.problems] == [
        (2, "empty token (tag 'O'): token left out"),
        (4, "no tag after token 'تونس': token left out"),
    ]


def test_malformed_and_lone_inside_tags_are_reported_at_their_line(tmp_path: Path) -> None:
    corpus = tmp_path / "tags.conll"
    line_of = _write(corpus, [[("زار", "O"), ("محمد", "I-PER"), ("بن", "I-PER"), ("سلمان", "I-PER"), ("جدة", "B-GPE`"),
                               ("و", "O"), ("دبي", "B-CITY"), (".", "O")]])
    report = import_corpus([corpus], entity_schema(tmp_path), tmp_path / "out", source="corpus")
    assert {(p.line, p.message.split(":")[0]) for p in report.problems} == {
        (line_of[(0, 1)], "'I-PER' without a B-PER before it"),
        (line_of[(0, 4)], "malformed tag 'B-GPE`' (expected O or B-/I-LABEL), read as O"),
        (line_of[(0, 6)], "unknown label CITY in 'B-CITY'"),
    }


def test_public_layouts_come_out_of_the_build_token_for_token_and_entity_for_entity(tmp_path: Path) -> None:
    """ANERcorp's flat file (no blank line, an entity across full stops, an empty last line), a
    CoNLL-U-like file and a space-separated file with trailing tabs: each sentence's tokens and
    entities are the build's, exactly."""
    flat = tmp_path / "ANERCorp.txt"
    flat.write_text("التقى O\nمدير O\nإيه B-ORG\n. I-ORG\nبي I-ORG\n. I-ORG\nسي I-ORG\n. O\nقال O\nبوش B-PER\n. O\n\n",
                    encoding="utf-8")
    conllu = tmp_path / "ner.conllu"
    conllu.write_text("# text = زار عباس غزة\n1\tزار\t_\t_\tO\n2\tعباس\t_\t_\tB-PER\n3\tغزة\t_\t_\tB-GPE\n", encoding="utf-8")
    tabs = tmp_path / "tabs.txt"
    tabs.write_bytes("ذهب O\t\r\nعبد\u00a0الله B-PER \r\nإلى O\r\nبيروت B-GPE\t\r\n".encode())
    expected = {
        "التقى مدير إيه . بي . سي .": ["ORG إيه . بي . سي"], "قال بوش .": ["PER بوش"],
        "زار عباس غزة": ["PER عباس", "GPE غزة"], "ذهب عبد\u00a0الله إلى بيروت": ["PER عبد\u00a0الله", "GPE بيروت"],
    }
    report = import_corpus([flat, conllu, tabs], entity_schema(tmp_path), tmp_path / "out", source="corpus")
    assert report.problems == []
    rows = _rows(tmp_path, report.outputs["docs"], report.outputs["annotations"])
    assert {row["text"]: [f"{e['label']} {e['text']}" for e in row["entities"]] for row in rows} == expected
    assert {row["text"]: row["tokens"] for row in rows} == {text: text.split(" ") for text in expected}
