"""Hostile pre-annotation models: answers in the wrong unit (UTF-16 offsets after an emoji, float
offsets), answers of any shape (hypothesis), a model that never returns, a run past its time
limit. Each is one problem naming the unit, never a shifted span, a traceback or a hang; each
span keeps its own score (issue 24 item 2, the model half)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from curation.preannotate import model_spans
from curation.studio.tasks import Prediction
from curation.units import EntitySpan

from .conftest import assert_clean_failure, run_cli, tried

LABELS = frozenset({"PER", "ORG", "GPE"})
EMOJI_TEXT = "👍🏽 زار الرئيس القاهرة أمس."  # two astral code points: UTF-16 offsets run 2 ahead after them


def _utf16(text: str, code_points: int) -> int:
    return len(text[:code_points].encode("utf-16-le")) // 2


def test_utf16_offsets_after_an_emoji_are_caught_not_shifted() -> None:
    """Before: the span became 'قاهرة أ' (two letters late) and was sent as an entity."""
    tried("model: UTF-16 offsets after an emoji")
    start = EMOJI_TEXT.index("القاهرة")
    item = {"entity_group": "GPE", "score": 0.9, "word": "القاهرة",
            "start": _utf16(EMOJI_TEXT, start), "end": _utf16(EMOJI_TEXT, start + len("القاهرة"))}  # fmt: skip
    problems: list[str] = []
    answer = model_spans([item], EMOJI_TEXT, LABELS, {}, problems)
    assert answer.spans == ()
    assert len(problems) == 1 and "the offsets look like UTF-16 code units, not code points" in problems[0]
    assert "القاهرة" in problems[0] and "\n" not in problems[0]


def test_code_point_offsets_with_a_tokenizers_word_are_kept() -> None:
    start = EMOJI_TEXT.index("القاهرة")
    item = {"entity_group": "GPE", "score": 0.9, "word": "ال ##قاهرة", "start": start, "end": start + 7}
    problems: list[str] = []
    assert model_spans([item], EMOJI_TEXT, LABELS, {}, problems).spans == (EntitySpan(start, start + 7, "GPE", "القاهرة"),)
    assert problems == []


def test_float_offsets_are_refused_not_truncated() -> None:
    """Before: int(3.7) made 3, and the span silently moved."""
    tried("model: float offsets")
    problems: list[str] = []
    answer = model_spans([(4.0, 9.7, "PER", 0.5), {"start": 4, "end": 9.0, "label": "PER"}], EMOJI_TEXT, LABELS, {}, problems)
    assert answer.spans == ()
    assert "start offset must be a whole number (code points), got 4.0" in problems[0]
    assert "end offset must be a whole number (code points), got 9.0" in problems[1]


def test_each_span_keeps_its_score_in_the_file_and_in_the_task() -> None:
    tried("model: per-span scores")
    text = "قال محمد في الرياض"
    answer = model_spans([(4, 8, "PER", 0.9), (12, 18, "GPE", 0.3)], text, LABELS, {}, [])
    prediction = Prediction("u1", {}, answer.spans, "m@1", answer.score, answer.span_scores)
    assert [span["score"] for span in prediction.to_record()["spans"]] == [0.9, 0.3]
    assert Prediction.from_record(json.loads(json.dumps(prediction.to_record()))) == prediction
    regions = prediction.to_task_prediction(text, "entity")["result"]
    assert [region["score"] for region in regions] == [0.9, 0.3] and prediction.score == 0.6


offsets = st.one_of(st.integers(-5, 60), st.floats(allow_nan=True), st.text(max_size=3), st.none(), st.booleans())
items = st.one_of(
    st.fixed_dictionaries(
        {"start": offsets, "end": offsets},
        optional={"entity_group": st.sampled_from(["PER", "B-ORG", "I-GPE", "O", "CITY", ""]) | st.integers(),
                  "score": st.floats(allow_nan=True) | st.text(max_size=2) | st.none(),
                  "word": st.text(max_size=12) | st.integers()},
    ),
    st.tuples(offsets, offsets, st.sampled_from(["PER", "GPE", "I-PER"])),
    st.tuples(offsets, offsets, st.sampled_from(["PER", "ORG"]), st.floats(allow_nan=True)),
    st.text(max_size=5), st.integers(), st.none(), st.lists(st.integers(), max_size=6),
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(st.lists(items, max_size=12), st.sampled_from([EMOJI_TEXT, "قال محمد بن سلمان في الرياض", ""]))
def test_any_model_answer_gives_valid_spans_or_one_line_problems(answer: list[object], text: str) -> None:
    tried("fuzz: model answers")
    problems: list[str] = []
    checked = model_spans(answer, text, LABELS, {}, problems)
    assert len(checked.span_scores) == len(checked.spans)
    for span in checked.spans:
        assert span.label in LABELS and text[span.start : span.end] == span.text and span.text.strip() == span.text
    assert all(isinstance(p, str) and "\n" not in p for p in problems)
    assert [s.start for s in checked.spans] == sorted(s.start for s in checked.spans)


def numbered_sentences(count: int) -> list[str]:
    return [f"قال محمد في الرياض {i}" for i in range(count)]


def test_a_model_that_never_returns_is_one_line_and_the_run_ends(
    tmp_path: Path, sentence_units: Callable[[Path, list[str]], Path]
) -> None:
    """Before: `curation preannotate` waited for ever on the first unit."""
    tried("model that never returns")
    sentence_units(tmp_path / "units.jsonl", numbered_sentences(3))
    (tmp_path / "stuck.py").write_text("import threading\n\ndef ner(text):\n    threading.Event().wait()\n", encoding="utf-8")
    ran = run_cli(["preannotate", "units.jsonl", "--model", "stuck.py:ner", "--call-timeout", "1", "-o", "pre.jsonl"], tmp_path)
    assert_clean_failure(ran, 1, "unit s0 (model stuck.py:ner): no answer within 1 s (the call time limit): "
                                 "the model is not called again in this run")  # fmt: skip
    assert (tmp_path / "pre.jsonl").read_text(encoding="utf-8") == ""


def test_the_whole_run_stops_at_its_time_limit_and_keeps_what_it_made(
    tmp_path: Path, sentence_units: Callable[[Path, list[str]], Path]
) -> None:
    tried("pre-annotation past its time limit")
    sentence_units(tmp_path / "units.jsonl", numbered_sentences(40))
    (tmp_path / "slow.py").write_text("import time\n\ndef ner(text):\n    time.sleep(0.5)\n    return [(4, 8, 'PER', 0.5)]\n",
                                      encoding="utf-8")  # fmt: skip
    ran = run_cli(["preannotate", "units.jsonl", "--model", "slow.py:ner", "--time-limit", "2", "-o", "pre.jsonl"], tmp_path)
    assert_clean_failure(ran, 1, "the time limit of 2 s was reached after", "the rest were not pre-annotated")
    made = (tmp_path / "pre.jsonl").read_text(encoding="utf-8").splitlines()
    assert 1 <= len(made) < 40 and all(json.loads(line)["spans"][0]["text"] == "محمد" for line in made)


def test_bad_time_limits_are_usage_errors(
    tmp_path: Path, sentence_units: Callable[[Path, list[str]], Path]
) -> None:
    tried("preannotate --call-timeout 0")
    sentence_units(tmp_path / "units.jsonl", numbered_sentences(1))
    (tmp_path / "m.py").write_text("def ner(text):\n    return []\n", encoding="utf-8")
    ran = run_cli(["preannotate", "units.jsonl", "--model", "m.py:ner", "--call-timeout", "-1", "-o", "pre.jsonl"], tmp_path)
    assert_clean_failure(ran, 2, "call time limit must be a number of seconds > 0, got -1.0")
