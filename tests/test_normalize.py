"""Arabic normalisation: each folding on real-looking text, and the offset map as a property."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curation.normalize import NormalizeOptions, fold_char, normalize, normalize_text

SEEDS = Path(__file__).resolve().parents[1] / "seeds"

# Arabic letters, harakat, tatweel, digits, bidi marks, presentation forms, Latin, punctuation,
# assorted whitespace and a character outside the BMP: what scraped Arabic pages mix.
_ALPHABET = (
    "ابتةثجحخدذرزسشصضطظعغفقكلمنهويىءأإآٱؤئ"
    "\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0670\u0640"
    "٠١٢٣٤٥٦٧٨٩۰۴0123456789"
    "\u200e\u200f\u061c\u202b\u202c\u2067\u2069\u200c\u200d\u00ad\ufeff"
    "ﻟﻻﷺﺍ…ﬁ"
    "abcXYZÉßİ"
    "«»“”،؛؟.,!-–—()\"'"
    " \t\n\u00a0\u2003\r"
    "😀"
)
arabic_texts = st.text(alphabet=_ALPHABET, max_size=80)


def test_folds_each_variant_to_its_plain_form() -> None:
    assert normalize_text("مُحَمَّدٌ") == "محمد"
    assert normalize_text("جـــميل") == "جميل"
    assert normalize_text("أحمد إبراهيم آمن ٱلله") == "احمد ابراهيم امن الله"
    assert normalize_text("مؤتمر رئيس") == "موتمر رييس"
    assert normalize_text("مدرسة") == "مدرسه"
    assert normalize_text("مستشفى") == "مستشفي"
    assert normalize_text("عام ٢٠٢٥ و۱۴") == "عام 2025 و14"
    assert normalize_text("\u200fقال\u200e «نعم»، لماذا؟") == 'قال "نعم", لماذا?'
    assert normalize_text("  سطر\n\n\tثان\u00a0 ") == "سطر ثان"
    assert normalize_text("أهداف ﻟ«داعش»") == 'اهداف ل"داعش"'
    assert normalize_text("ﻻ Reuters") == "لا reuters"


def test_options_switch_foldings_off() -> None:
    keep_letters = NormalizeOptions(fold_alef=False, fold_teh_marbuta=False)
    assert normalize_text("أسامة", keep_letters) == "أسامة"
    assert normalize_text("أسامة") == "اسامه"
    assert normalize_text("a  b", NormalizeOptions(fold_whitespace=False)) == "a  b"


def test_fold_char_drops_marks_and_expands_ligatures() -> None:
    assert fold_char("\u064e") == ""
    assert fold_char("\u200f") == ""
    assert fold_char("ﻻ") == "لا"
    assert fold_char("…") == "..."


def test_a_match_in_the_normalised_seed_points_into_the_original() -> None:
    original = (SEEDS / "002_e430cd588a883c09.txt").read_text(encoding="utf-8")
    view = normalize(original)
    needle = normalize_text("تُشيد بالقوات المسلحة")
    start = view.text.index(needle)
    assert view.original_slice(start, start + len(needle)) == "تُشيد بالقوات المسلحة"


def test_span_outside_the_text_is_refused() -> None:
    with pytest.raises(ValueError, match="outside the normalised text"):
        normalize("abc").to_original(2, 9)


@settings(max_examples=300, deadline=None)
@given(arabic_texts)
def test_mapped_and_fast_paths_agree(text: str) -> None:
    assert normalize(text).text == normalize_text(text)


# Mostly what takes the all-in-C path (letters, their variants, marks, tatweel, ASCII capitals, the
# NUL the gazetteer joins words with), now and then a character only the per-character path folds:
# a Cherokee capital and İ (str.lower changes them, folding does not or differently), ﻻ, ٱ, a bidi mark.
_WORD_ALPHABET = "ابةىيأإآؤئلمن\u064b\u0651\u0650\u0640abcXYZ\0"
word_texts = st.text(alphabet=st.sampled_from(tuple(_WORD_ALPHABET) * 10 + tuple("\u13a0İﻻٱ\u200f ")), max_size=60)


@settings(max_examples=300, deadline=None)
@given(word_texts, st.sampled_from([NormalizeOptions(), NormalizeOptions(casefold=False, fold_alef_maksura=False),
                                    NormalizeOptions(strip_tashkeel=False, fold_alef=False, compatibility=False),
                                    NormalizeOptions(fold_digits=False, fold_punctuation=False, fold_alef_maksura=False)]))
def test_the_all_in_c_path_folds_as_the_per_character_path_does(text: str, options: NormalizeOptions) -> None:
    assert normalize_text(text, options) == normalize(text, options).text


@settings(max_examples=300, deadline=None)
@given(arabic_texts)
def test_every_normalised_character_comes_from_its_source(text: str) -> None:
    view = normalize(text)
    assert len(view.sources) == len(view.text)
    assert list(view.sources) == sorted(view.sources)
    for char, source in zip(view.text, view.sources):
        folded = fold_char(text[source])
        assert char in folded


@settings(max_examples=300, deadline=None)
@given(arabic_texts, st.data())
def test_any_normalised_span_maps_to_original_text_that_normalises_to_it(text: str, data: st.DataObject) -> None:
    view = normalize(text)
    start = data.draw(st.integers(0, len(view.text)))
    end = data.draw(st.integers(start, len(view.text)))
    original_start, original_end = view.to_original(start, end)
    assert 0 <= original_start <= original_end <= len(text)
    # A span may cut through a ligature that expands to several characters, so the original
    # behind it normalises to the span or to a text that contains it.
    assert view.text[start:end].strip(" ") in normalize_text(text[original_start:original_end])


@settings(max_examples=200, deadline=None)
@given(arabic_texts)
def test_whole_tokens_round_trip_exactly(text: str) -> None:
    view = normalize(text)
    for token in re.finditer(r"[^ ]+", view.text):
        original = view.original_slice(token.start(), token.end())
        folded_sources = "".join(fold_char(text[i]) for i in range(*view.to_original(token.start(), token.end())))
        if " " not in folded_sources:  # tokens not carved out of a multi-word ligature like ﷺ
            assert normalize_text(original) == token.group()
