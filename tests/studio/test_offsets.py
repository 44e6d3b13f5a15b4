"""UTF-16 <-> code point conversion, proven against Python's own UTF-16 encoder."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from curation.studio.offsets import OffsetMap, codepoint_to_utf16, utf16_to_codepoint

# Arabic with diacritics, bidi marks, emoji (astral), CJK extension B (astral), ASCII.
alphabet = st.sampled_from(list("بسمالله ") + ["\u064e", "\u0651", "\u200f", "\u202b", "\u202c", "😀", "👍", "\U0001F3FD", "\U00020000", "a", "\n"])
texts = st.text(alphabet=alphabet, max_size=60) | st.text(max_size=60)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@given(texts, st.data())
def test_codepoint_to_utf16_matches_javascript_length(text: str, data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(text)))
    assert codepoint_to_utf16(text, index) == utf16_len(text[:index])


@given(texts)
def test_round_trip_every_boundary(text: str) -> None:
    offsets = OffsetMap(text)
    for index in range(len(text) + 1):
        assert offsets.to_codepoint(offsets.to_utf16(index)) == index


@given(texts)
def test_index_inside_surrogate_pair_is_refused(text: str) -> None:
    offsets = OffsetMap(text)
    boundaries = {utf16_len(text[:i]) for i in range(len(text) + 1)}
    for unit in range(utf16_len(text) + 1):
        if unit in boundaries:
            assert text[: offsets.to_codepoint(unit)].encode("utf-16-le") == text.encode("utf-16-le")[: 2 * unit]
        else:
            with pytest.raises(ValueError, match="surrogate pair"):
                offsets.to_codepoint(unit)


def test_span_after_emoji() -> None:
    text = "قال 😀 محمد"
    # One emoji before the name: JavaScript counts it as two units, Python as one.
    assert utf16_to_codepoint(text, text.index("محمد") + 1) == text.index("محمد")


def test_out_of_range_is_refused() -> None:
    with pytest.raises(ValueError, match="outside"):
        utf16_to_codepoint("😀", 3)
    with pytest.raises(ValueError, match="outside"):
        codepoint_to_utf16("abc", 4)
