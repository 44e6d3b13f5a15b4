"""Arabic normalisation for matching, with an offset map back to the original text.

Normalised text is a derived view used for dedup and matching; it never replaces the text
annotators see. Every normalised character remembers which original character produced it, so
whatever is found in the normalised view (a duplicate passage, a matched phrase) points back into
the original with :meth:`NormalizedText.to_original`.

Normalisation is strictly per character (each original character becomes zero, one or several
characters) followed by whitespace folding. That keeps the offset map exact and lets
:func:`normalize_text` rewrite only the characters that change, in one regex pass, for bulk work
(the whole ANT corpus), while :func:`normalize` walks characters to record offsets; both give the
same text.
"""

from __future__ import annotations

import re
import string
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from pyarabic import araby

if TYPE_CHECKING:
    import numpy as np

# Alef variants (hamza above/below, madda, wasla) fold to bare alef; pyarabic's ALEFAT also lists
# alef maksura and the dagger alef, which get their own rules below.
_ALEF_VARIANTS = (araby.ALEF_HAMZA_ABOVE, araby.ALEF_HAMZA_BELOW, araby.ALEF_MADDA, araby.ALEF_WASLA)
_ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
_EXTENDED_ARABIC_INDIC_DIGITS = "۰۱۲۳۴۵۶۷۸۹"
_DIGIT_VALUES = {
    digit: str(value)
    for digits in (_ARABIC_INDIC_DIGITS, _EXTENDED_ARABIC_INDIC_DIGITS)
    for value, digit in enumerate(digits)
}
# Punctuation folded to one ASCII form so that «quotes» and "quotes", ، and , match.
_PUNCTUATION = {
    "،": ",",
    "؛": ";",
    "؟": "?",
    "٪": "%",
    "٫": ".",
    "٬": ",",
    "۔": ".",
    "«": '"',
    "»": '"',
    "“": '"',
    "”": '"',
    "„": '"',
    "‟": '"',
    "″": '"',
    "‘": "'",
    "’": "'",
    "‚": "'",
    "‛": "'",
    "′": "'",
    "‐": "-",
    "‑": "-",
    "‒": "-",
    "–": "-",
    "—": "-",
    "―": "-",
    "−": "-",
}
_SPACE_RUN = re.compile(" {2,}")


@dataclass(frozen=True, slots=True)
class NormalizeOptions:
    """Which foldings to apply; the defaults are the ones dedup uses."""

    compatibility: bool = True  # NFKC per character: presentation forms (ﻟ, ﻻ), full-width, "…"
    strip_tashkeel: bool = True  # harakat, shadda, Quranic marks and any other non-spacing mark
    strip_tatweel: bool = True
    strip_format: bool = True  # bidi marks (LRM, RLM, ALM, embeddings, isolates), ZWJ/ZWNJ, soft hyphen
    fold_alef: bool = True  # أ إ آ ٱ -> ا
    fold_hamza_carriers: bool = True  # ؤ -> و, ئ -> ي
    fold_teh_marbuta: bool = True  # ة -> ه
    fold_alef_maksura: bool = True  # ى -> ي
    fold_digits: bool = True  # Arabic-Indic and extended (Persian) digits -> 0-9
    fold_punctuation: bool = True  # Arabic punctuation, quotes and dashes -> ASCII
    casefold: bool = True  # Latin words inside Arabic text
    fold_whitespace: bool = True  # any whitespace run -> one space, none at the ends

    def to_dict(self) -> dict[str, bool]:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> NormalizeOptions:
        """Options from a recipe or manifest; an unknown key is an error naming it."""
        data = dict(data or {})
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise ValueError(f"unknown normalisation option(s) {', '.join(unknown)}")
        return cls(**{name: bool(value) for name, value in data.items()})


DEFAULT_OPTIONS = NormalizeOptions()


# Per-character rewrites, each under the option that turns it on; a character is in one table at most.
_CHARACTER_FOLDS: tuple[tuple[str, dict[str, str]], ...] = (
    ("fold_alef", dict.fromkeys(_ALEF_VARIANTS, araby.ALEF)),
    ("fold_hamza_carriers", {araby.WAW_HAMZA: araby.WAW, araby.YEH_HAMZA: araby.YEH}),
    ("fold_teh_marbuta", {araby.TEH_MARBUTA: araby.HEH}),
    ("fold_alef_maksura", {araby.ALEF_MAKSURA: araby.YEH}),
    ("fold_digits", _DIGIT_VALUES),
    ("fold_punctuation", _PUNCTUATION),
)


_DIACRITICS = frozenset(araby.DIACRITICS)


def _is_dropped(ch: str, options: NormalizeOptions) -> bool:
    """Whether the character vanishes from the normalised view: a format control (bidi mark,
    ZWJ), a diacritic or other non-spacing mark, or tatweel."""
    category = unicodedata.category(ch)
    if options.strip_format and category == "Cf":
        return True
    if options.strip_tashkeel and (ch in _DIACRITICS or category == "Mn"):
        return True
    return options.strip_tatweel and ch == araby.TATWEEL


@lru_cache(maxsize=16)
def _character_folds(options: NormalizeOptions) -> dict[str, str]:
    """The per-character rewrites the options turn on, in one table."""
    return {ch: folded for option, table in _CHARACTER_FOLDS if getattr(options, option) for ch, folded in table.items()}


def _fold_simple(ch: str, options: NormalizeOptions, folds: dict[str, str]) -> str:
    """The per-character rules after compatibility decomposition."""
    if _is_dropped(ch, options):
        return ""
    if options.fold_whitespace and ch.isspace():
        return " "
    if ch in folds:
        return folds[ch]
    return ch.casefold() if options.casefold else ch


def fold_char(ch: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """What one original character becomes in the normalised view (possibly nothing)."""
    expanded = unicodedata.normalize("NFKC", ch) if options.compatibility else ch
    folds = _character_folds(options)
    if len(expanded) == 1:
        return _fold_simple(expanded, options, folds)
    return "".join(_fold_simple(part, options, folds) for part in expanded)


class _Folding:
    """The foldings of one option set, precomputed for the Basic Multilingual Plane.

    Bulk normalisation rewrites only the characters that change, found with one regex pass: in
    Arabic news under a tenth of the characters, which makes it about twice as fast as
    ``str.translate`` over every character. A text whose changing characters are all common ones
    (Arabic letter variants, marks and tatweel, ASCII capitals) skips the per-character callback:
    one regex deletes what vanishes, ``str.replace`` folds each letter variant and ``str.lower``
    the capitals, all in C (all words of bench/gazetteer.py's texts: 0.11 s instead of 0.15 s).
    """

    def __init__(self, options: NormalizeOptions) -> None:
        self.options = options
        self.changed: dict[str, str] = {}
        for codepoint in range(0x10000):
            if 0xD800 <= codepoint < 0xE000:  # surrogates are not characters
                continue
            ch = chr(codepoint)
            folded = fold_char(ch, options)
            if folded != ch:
                self.changed[ch] = folded
        self.pattern = re.compile(f"[{_ranges(self.changed)}\U00010000-\U0010FFFF]")
        dropped = _ranges(ch for ch, folded in self.changed.items() if not folded)
        self.dropped = re.compile(f"[{dropped}]") if dropped else None
        self.letters = tuple((ch, folded) for ch, folded in self.changed.items()
                             if "\u0600" <= ch <= "\u06ff" and len(folded) == 1 and folded not in self.changed
                             and unicodedata.category(ch)[0] == "L")
        self.lower = options.casefold
        common = {ch for ch, _ in self.letters} | {ch for ch, folded in self.changed.items() if not folded}
        if self.lower:  # str.lower may be used only where it does what folding does: on ASCII capitals
            common |= set(string.ascii_uppercase)
            uncommon = {chr(c) for c in range(0x10000) if not 0xD800 <= c < 0xE000 and chr(c).lower() != chr(c)}
        else:
            uncommon = set()
        self.uncommon = re.compile(f"[{_ranges((set(self.changed) | uncommon) - common)}\U00010000-\U0010FFFF]")

    def fold(self, ch: str) -> str:
        folded = self.changed.get(ch)
        if folded is None:
            if ch < "\U00010000":
                return ch
            folded = self.changed[ch] = fold_char(ch, self.options)  # astral: computed on first sight
        return folded

    def _replace(self, match: re.Match[str]) -> str:
        return self.fold(match.group())

    def apply(self, text: str) -> str:
        if self.uncommon.search(text) is not None:
            return self.pattern.sub(self._replace, text)
        if self.dropped is not None:
            text = self.dropped.sub("", text)
        for ch, folded in self.letters:
            text = text.replace(ch, folded)
        return text.lower() if self.lower else text


def _ranges(characters: Iterable[str]) -> str:
    """``characters`` escaped for a regex character class."""
    return "".join(re.escape(ch) for ch in sorted(characters))


@lru_cache(maxsize=16)
def _folding(options: NormalizeOptions) -> _Folding:
    return _Folding(options)


DROPPED = 0xFFFFFFFF


@lru_cache(maxsize=16)
def codepoint_folds(options: NormalizeOptions = DEFAULT_OPTIONS) -> tuple[np.ndarray, np.ndarray]:
    """The per-character folds of the Basic Multilingual Plane as arrays, for whole corpora folded
    with numpy: ``folds[c]`` is the code point ``c`` becomes (:data:`DROPPED` when it vanishes)
    and ``expands[c]`` says it becomes several characters (those texts take :func:`normalize_text`).
    Whitespace folding is left out: it never joins or splits a word."""
    import numpy as np  # here, not at the top: every command imports this module, and `--help` must not pay for numpy

    folds = np.arange(0x10000, dtype=np.uint32)
    expands = np.zeros(0x10000, dtype=bool)
    for ch, folded in _folding(options).changed.items():
        if ch >= "\U00010000":
            continue
        if len(folded) > 1:
            expands[ord(ch)] = True
        else:
            folds[ord(ch)] = ord(folded) if folded else DROPPED
    return folds, expands


def normalize_text(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> str:
    """The normalised text alone: the fast path for hashing and shingling whole corpora."""
    return text_normalizer(options)(text)


@lru_cache(maxsize=16)
def text_normalizer(options: NormalizeOptions = DEFAULT_OPTIONS) -> Callable[[str], str]:
    """:func:`normalize_text` with its ``options`` looked up once, for a caller normalising many short texts
    (hashing the options costs more than folding a word)."""
    fold = _folding(options).apply
    return fold if not options.fold_whitespace else _SpaceFolding(options, fold)


class _SpaceFolding:
    """Folding, then white space runs to one space: a class, not a closure, so that what holds one (a
    gazetteer inside a saved model, a pipeline step sent to a worker) pickles, as its options."""

    __slots__ = ("options", "fold")

    def __init__(self, options: NormalizeOptions, fold: Callable[[str], str]) -> None:
        self.options = options
        self.fold = fold

    def __call__(self, text: str) -> str:
        return _SPACE_RUN.sub(" ", self.fold(text)).strip(" ")

    def __reduce__(self) -> tuple[Callable[[NormalizeOptions], Callable[[str], str]], tuple[NormalizeOptions]]:
        return text_normalizer, (self.options,)


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """A normalised view of ``original``: ``sources[i]`` is the index in ``original`` of the
    character that produced ``text[i]``."""

    original: str
    text: str
    sources: tuple[int, ...]

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """The original ``[start, end)`` covering the normalised ``text[start:end]``: from the
        character behind its first character to the one behind its last, inclusive."""
        if not 0 <= start <= end <= len(self.text):
            raise ValueError(f"span [{start}, {end}) is outside the normalised text of length {len(self.text)}")
        if start == end:
            anchor = self.sources[start] if start < len(self.sources) else len(self.original)
            return anchor, anchor
        return self.sources[start], self.sources[end - 1] + 1

    def original_slice(self, start: int, end: int) -> str:
        """The original text behind a normalised span."""
        original_start, original_end = self.to_original(start, end)
        return self.original[original_start:original_end]


def normalize(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> NormalizedText:
    """Normalise and keep, for each output character, the index of its original character."""
    folding = _folding(options)
    out: list[str] = []
    sources: list[int] = []
    for index, ch in enumerate(text):
        for part in folding.fold(ch):
            if options.fold_whitespace and part == " " and (not out or out[-1] == " "):
                continue  # leading space, or the rest of a whitespace run
            out.append(part)
            sources.append(index)
    if options.fold_whitespace and out and out[-1] == " ":
        out.pop()
        sources.pop()
    return NormalizedText(original=text, text="".join(out), sources=tuple(sources))
