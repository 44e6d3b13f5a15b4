"""Any model: a callable from text to spans, in the shapes users have (a Hugging Face
token-classification pipeline with or without aggregation, tuples, EntitySpans). A bad item is
one problem naming the unit and is left out; the unit's other spans are kept."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from curation.cli import main
from curation.preannotate import PreannotateReport, load_model, model_spans, predict
from curation.schema import load_schema
from curation.units import EntitySpan

LABELS = frozenset({"PER", "ORG", "GPE"})
TEXT = "قال محمد بن سلمان في الرياض إن أرامكو ستنمو."


def at(name: str) -> tuple[int, int]:
    start = TEXT.index(name)
    return start, start + len(name)


def test_a_hugging_face_pipeline_answer_aggregated_or_per_token() -> None:
    aggregated = [{"entity_group": "PERS", "score": 0.9, "word": "محمد بن سلمان", "start": at("محمد بن سلمان")[0] - 1,
                   "end": at("محمد بن سلمان")[1]},  # a leading space, as some tokenizers give
                  {"entity_group": "LOC", "score": 0.7, "word": "الرياض", "start": at("الرياض")[0], "end": at("الرياض")[1]}]
    problems: list[str] = []
    answer = model_spans(aggregated, TEXT, LABELS, {"PERS": "PER", "LOC": "GPE"}, problems)
    spans, score = answer.spans, answer.score
    assert spans == (EntitySpan(*at("محمد بن سلمان"), "PER", "محمد بن سلمان"), EntitySpan(*at("الرياض"), "GPE", "الرياض"))
    assert score == pytest.approx(0.8) and problems == []

    s = at("أرامكو")[0]
    per_token = [{"entity": "B-PER", "score": 0.9, "start": at("محمد")[0], "end": at("محمد")[1]},
                 {"entity": "I-PER", "score": 0.8, "start": at("بن")[0], "end": at("بن")[1]},
                 {"entity": "I-PER", "score": 0.7, "start": at("سلمان")[0], "end": at("سلمان")[1]},
                 {"entity": "B-ORG", "score": 0.6, "start": s, "end": s + 3},  # word pieces of one word
                 {"entity": "I-ORG", "score": 0.4, "start": s + 3, "end": s + 6}]
    answer = model_spans(per_token, TEXT, LABELS, {}, problems)
    spans, score = answer.spans, answer.score
    assert [(x.text, x.label) for x in spans] == [("محمد بن سلمان", "PER"), ("أرامكو", "ORG")]
    assert score == pytest.approx(0.68) and problems == []
    assert answer.span_scores == pytest.approx((0.8, 0.5))  # each span its own: the mean of its pieces


def test_bad_items_are_reported_and_the_good_spans_kept() -> None:
    answer = [(*at("محمد"), "PER"), (*at("الرياض"), "CITY", 0.5), (40, 400, "ORG"), ("a", 3, "PER"),
              {"start": 1}, (*at("محمد بن"), "PER"), EntitySpan(*at("أرامكو"), "ORG", "أرامكو"),
              (*at("الرياض"), "GPE", float("nan"))]
    problems: list[str] = []
    answer = model_spans(answer, TEXT, LABELS, {}, problems)
    spans, score = answer.spans, answer.score
    assert [(x.text, x.label) for x in spans] == [("محمد", "PER"), ("أرامكو", "ORG")] and score is None
    assert len(problems) == 6
    assert "'CITY' is not a value" in problems[0] and "outside the text" in problems[1]
    assert any("overlaps PER 'محمد'" in p for p in problems) and any("not a finite number" in p for p in problems)


def test_predict_goes_on_past_a_model_that_raises(
    tmp_path: Path, sentence_units: Callable[[Path, list[str]], Path]
) -> None:
    units = sentence_units(tmp_path / "units.jsonl", [TEXT, "boom", "لا شيء هنا"])

    def model(text: str) -> list[tuple[int, int, str, float]]:
        if text == "boom":
            raise RuntimeError("CUDA out of memory")
        return [(*at("الرياض"), "GPE", 0.9)] if text == TEXT else []

    report = PreannotateReport()
    (prediction,) = predict(units, load_schema(), "sentence", model=model, model_version="m@1", report=report)
    assert (prediction.unit_id, prediction.model_version, prediction.score) == ("s0", "m@1", 0.9)
    assert report.units == 3 and report.problems == ["unit s1 (model m@1): the model raised RuntimeError: CUDA out of memory"]


def test_models_load_from_a_file_or_a_module(tmp_path: Path) -> None:
    (tmp_path / "my_ner.py").write_text("def ner(text):\n    return [{'start': 0, 'end': 3, 'label': 'PER'}]\nNOT = 3\n")
    assert load_model(f"{tmp_path / 'my_ner.py'}:ner")("abc") == [{"start": 0, "end": 3, "label": "PER"}]
    assert load_model("json:dumps") is json.dumps
    for spec, message in [("nocolon", "expected MODULE:CALLABLE"), (f"{tmp_path / 'my_ner.py'}:NOT", "no callable 'NOT'"),
                          ("no_such_module_here:f", "cannot import"), (f"{tmp_path / 'x.py'}:f", "no file")]:
        with pytest.raises(ValueError, match=message):
            load_model(spec)


def test_cli_model_and_gazetteer_write_one_prediction_per_source(
    tmp_path: Path, sentence_units: Callable[[Path, list[str]], Path]
) -> None:
    units = sentence_units(tmp_path / "units.jsonl", ["وصل الوفد والرياض أمس"])
    (tmp_path / "m.py").write_text("def ner(text):\n    return [(0, 3, 'PER', 0.5), (4, 9, 'BOGUS')]\n")
    (tmp_path / "g.tsv").write_text("الرياض\tGPE\n", encoding="utf-8")
    out = tmp_path / "pre.jsonl"
    result = CliRunner().invoke(main, ["preannotate", str(units), "--gazetteer", str(tmp_path / "g.tsv"), "--model",
                                       f"{tmp_path / 'm.py'}:ner", "--model-version", "m1", "-o", str(out)])
    assert result.exit_code == 1, result.output  # a problem reported: exit 1, the valid predictions still written
    assert "unit s0 (model m1): label 'BOGUS' is not a value" in result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [(r["model_version"][:10], [s["text"] for s in r["spans"]], r["score"]) for r in rows] == [
        ("gazetteer-", ["الرياض"], None), ("m1", ["وصل"], 0.5)]
    (tmp_path / "m.py").write_text("def ner(text):\n    return [(0, 3, 'PER', 0.5)]\n")
    clean = CliRunner().invoke(main, ["preannotate", str(units), "--model", f"{tmp_path / 'm.py'}:ner", "-o", str(out)])
    assert clean.exit_code == 0 and "problem" not in clean.output, clean.output
    result = CliRunner().invoke(main, ["preannotate", str(units), "--model", "nowhere_at_all:f", "-o", str(out)])
    assert result.exit_code == 1 and "cannot import" in result.output and "Traceback" not in result.output
    before = units.read_bytes()
    result = CliRunner().invoke(main, ["preannotate", str(units), "--gazetteer", str(tmp_path / "g.tsv"), "-o", str(units)])
    assert result.exit_code != 0 and units.read_bytes() == before


def test_a_damaged_units_file_is_reported_by_line_and_the_rest_predicted(
    tmp_path: Path, sentence_units: Callable[[Path, list[str]], Path]
) -> None:
    units = sentence_units(tmp_path / "units.jsonl", [TEXT])
    document, sentence = units.read_text(encoding="utf-8").splitlines()
    malformed = json.dumps({"id": "s2", "level": "sentence", "text": TEXT}, ensure_ascii=False)  # no offsets, no document
    units.write_text(f'{{"id": "s0", "level": "sent\n{document}\n{sentence}\n[1, 2]\n{malformed}\n', encoding="utf-8")
    report = PreannotateReport()
    found = list(predict(units, load_schema(), "sentence", model=lambda text: [(*at("أرامكو"), "ORG")], report=report))
    assert [p.unit_id for p in found] == ["s0"] and report.units == 1
    assert len(report.problems) == 3 and all(f"{units}:" in p for p in report.problems), report.problems
    assert "unit s2: malformed" in report.problems[-1]
