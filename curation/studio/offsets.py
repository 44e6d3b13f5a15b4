"""Label Studio speaks JavaScript string indices (UTF-16 code units); Python and the data model
speak code points. They differ after every character outside the Basic Multilingual Plane
(emoji, some symbols), which counts 2 in UTF-16 and 1 in Python."""

from __future__ import annotations

from bisect import bisect_left

BMP_LIMIT = 0xFFFF


class OffsetMap:
    """Both directions for one text in O(log n) per offset, built once per unit.

    Only the positions of astral characters are stored, so BMP-only text (most Arabic news)
    costs nothing and every conversion is the identity.
    """

    __slots__ = ("text", "_astral", "_utf16_len")

    def __init__(self, text: str) -> None:
        self.text = text
        self._astral = [i for i, ch in enumerate(text) if ord(ch) > BMP_LIMIT] if not text.isascii() else []
        self._utf16_len = len(text) + len(self._astral)

    def to_utf16(self, codepoint_index: int) -> int:
        if not 0 <= codepoint_index <= len(self.text):
            raise ValueError(f"code point offset {codepoint_index} outside text of length {len(self.text)}")
        return codepoint_index + bisect_left(self._astral, codepoint_index)

    def to_codepoint(self, utf16_index: int) -> int:
        """The code point offset; raises ValueError for an index inside a surrogate pair."""
        if not 0 <= utf16_index <= self._utf16_len:
            raise ValueError(f"UTF-16 offset {utf16_index} outside text of {self._utf16_len} UTF-16 units")
        # Every astral char before the answer adds one extra unit: find the largest cp with
        # cp + astral_before(cp) <= utf16_index.
        lo, hi = 0, len(self._astral)
        while lo < hi:  # number of astral chars whose UTF-16 start lies before utf16_index
            mid = (lo + hi) // 2
            if self._astral[mid] + mid < utf16_index:
                lo = mid + 1
            else:
                hi = mid
        astral_before = lo
        if astral_before and self._astral[astral_before - 1] + astral_before == utf16_index:
            raise ValueError(f"UTF-16 offset {utf16_index} splits a surrogate pair")
        return utf16_index - astral_before


def utf16_to_codepoint(text: str, utf16_index: int) -> int:
    return OffsetMap(text).to_codepoint(utf16_index)


def codepoint_to_utf16(text: str, codepoint_index: int) -> int:
    return OffsetMap(text).to_utf16(codepoint_index)
