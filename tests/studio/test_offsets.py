"""Region checks against the text Label Studio stores with each region (offsets in code points)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from curation.studio.offsets import place_region, utf16_to_codepoint

# Arabic with diacritics, bidi marks, emoji (astral), CJK extension B (astral), ASCII.
alphabet = st.sampled_from(list("بسمالله ") + ["\u064e", "\u0651", "\u200f", "\u202b", "\u202c", "😀", "👍", "\U0001F3FD", "\U00020000", "a", "\n"])
texts = st.text(alphabet=alphabet, min_size=1, max_size=60)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@given(texts, st.data())
def test_every_code_point_slice_is_accepted_as_is(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    assert place_region(text, start, end, text[start:end]) == place_region(text, start, end, None)
    assert place_region(text, start, end, text[start:end]).problem is None


@given(texts, st.data())
def test_utf16_index_maps_back_to_the_same_prefix(text: str, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(text)))
    assert utf16_to_codepoint(text, utf16_len(text[:index])) == index


def test_utf16_offsets_are_refused_with_the_reason() -> None:
    text = "قال 😀 محمد اليوم"
    name = text.index("محمد")
    place = place_region(text, name + 1, name + 5, "محمد")  # what a UTF-16 client would send
    assert place.problem is not None
    assert "UTF-16" in place.problem and f"[{name}:{name + 4}]" in place.problem


def test_index_inside_a_surrogate_pair_has_no_code_point() -> None:
    assert utf16_to_codepoint("a😀b", 2) is None
    assert utf16_to_codepoint("a😀b", 3) == 2


def test_bad_offsets_say_why() -> None:
    assert "not integers" in str(place_region("abc", "0", 2, "ab").problem)
    assert "outside the text" in str(place_region("abc", 2, 9, None).problem)
    assert "outside the text" in str(place_region("abc", 2, 2, "").problem)
    moved = place_region("abc abc xyz", 0, 3, "xyz").problem
    assert moved is not None and "occurs at [8:11]" in moved
    assert "does not occur" in str(place_region("abc", 0, 3, "zzz").problem)
