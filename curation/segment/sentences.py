"""Arabic news text into sentences, as code-point spans into the text it was given.

The rules are the ones a copy editor would state, not weights fitted to a corpus:

* a sentence ends at every line break, and after a run of ``. ! ? ؟ …`` (``?!``, ``...``)
  together with the closing quotes, brackets and bidi marks glued to it;
* the run must be followed by white space or the end of the text, or glued straight to the
  next Arabic word when it cannot be an abbreviation or site-name dot (``أفضل؟ويتابع``,
  ``نخفقه".وستكون``, ``سيارته.وتمكنت``, but not ``أ.ف.ب``, ``إف.بي.آي``, ``العربية.نت``);
  so decimals, dates, URLs and e-mails never split;
* a single full stop does not end a sentence after a one-letter word (initials ``ع.`` ``J.``,
  agency names ``أ.ف.ب``, ``د.`` before a name, ``م.`` ``ق.م`` ``هـ.`` in dates, ``U.S.``,
  ``e.g.``), after a known Latin abbreviation (``Dr.``, ``Mr.``), after a list number opening
  the line (``2.``), or when the next word starts with a lowercase letter;
* nothing ends before the sentence has a letter or digit, the next sentence may not begin
  with a comma, colon, closing mark or another terminator, and an ellipsis that opens a
  quotation or sits in brackets (``"... لقد``, ``(...)``) marks an omission, not an end;
* ``،`` ``؛`` ``:`` never end a sentence.

Everything is one compiled regular expression scanning the text once; Python only looks at
the few characters around each candidate terminator, so long texts stay fast.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TERMINATORS = ".!?؟…۔‼⁇⁈⁉"
"""Characters that can end a sentence (``۔`` is the Arabic full stop used in Urdu script)."""

CLOSERS = "\"'»”’)]}›﴾﴿"
"""Closing quotes and brackets that stay with the sentence they close (both ornate
parentheses, since Quranic citations use them in either order)."""

BIDI_MARKS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""LRM, RLM, ALM and the embedding/isolate controls: invisible, so they travel with the
punctuation they surround."""

LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
"""Every character ``str.splitlines`` breaks at."""

OPENERS = "([{«“‹﴾﴿"
"""Unambiguous opening marks: an ellipsis right after one is an omission marker."""

NON_STARTERS = TERMINATORS + "»”’)]}›،,;؛:"
"""No sentence begins with these: a terminator followed by one of them continues the sentence."""

ARABIC_LETTERS = "\u0621-\u063a\u0641-\u064a\u066e-\u066f\u0671-\u06d3\u06d5\u06fa-\u06fc"
ARABIC_MARKS = "\u0640\u064b-\u065f\u0670\u06d6-\u06ed"
"""Tatweel and the diacritics (harakat, shadda, Quranic marks): not letters of their own."""

LATIN_ABBREVIATIONS = frozenset(
    "mr mrs ms mme mlle dr prof sr jr st gen col capt cmdr lt sgt maj adm brig gov sen rep rev hon "
    "pres supt mt ft vs approx cf al viz incl esp ph".split()
)
"""Abbreviations (compared casefolded) that are followed by more of the same sentence; ones
that often end a sentence (``etc.``, ``Inc.``) are left to the lowercase-next-word rule."""

NUMBER_ABBREVIATIONS = frozenset("no nos vol fig pp art ch sec nr".split())
"""Abbreviations that only continue the sentence when a number follows (``No. 5``)."""

LATIN_LETTER_NAMES = frozenset(
    "إيه أيه ايه بي سي دي إي اي إف اف أف جي إتش اتش أتش آي أي جاي جيه كيه كاي كي إل ال أل إم ام أم "
    "إن ان أو او كيو آر ار أر إس اس أس تي يو في دبليو إكس اكس أكس واي زد زي".split()
)
"""How Arabic news spells Latin letters in acronyms (``بي. إف. إم``, ``إتش. آر. ماكماستر``):
a full stop after one continues the acronym when a neighbouring word is another such letter."""

WEB_SUFFIXES = frozenset("نت كوم أورغ اورغ أورج اورج إنفو انفو".split())
"""Site names written in Arabic script: ``العربية.نت``, ``بيت.كوم``."""

MAX_LIST_NUMBER_DIGITS = 3
"""``12.`` opening a line is a list number; ``2025.`` is a year ending a sentence."""


def _char_class(chars: str) -> str:
    return "".join(re.escape(c) for c in chars)


def _not_after_one_of(words: frozenset[str]) -> str:
    """Negative lookbehinds for "whole word + full stop", one per word length (lookbehinds
    must have a fixed width)."""
    by_length: dict[int, list[str]] = {}
    for word in sorted(words):
        by_length.setdefault(len(word), []).append(re.escape(word))
    return "".join(
        rf"(?<!(?<![{ARABIC_LETTERS}])(?:{'|'.join(group)})\.)" for _, group in sorted(by_length.items())
    )


_NOT_AFTER_LETTER_NAME = _not_after_one_of(LATIN_LETTER_NAMES)
_PLAIN_CLOSERS = "\"»”)"
_PLAIN_FOLLOWERS = "\\d«\"“("
_CANDIDATE = re.compile(
    rf"[{_char_class(LINE_BREAKS + TERMINATORS)}]"
    rf"(?:(?<=[{_char_class(LINE_BREAKS)}])(?P<line>)\s*+"
    rf"|(?<=[{ARABIC_LETTERS}][{ARABIC_LETTERS}{_PLAIN_CLOSERS}]\.){_NOT_AFTER_LETTER_NAME}[{_PLAIN_CLOSERS}]*+"
    rf"(?=\s++(?:[{ARABIC_LETTERS}{_PLAIN_FOLLOWERS}]|\Z)|\Z)(?P<plain>)\s*+"
    rf"|[{_char_class(TERMINATORS + CLOSERS + BIDI_MARKS)}]*+(?:(?=\s|\Z|[{ARABIC_LETTERS}])(?P<run>)|(?P<inside>)))"
)
"""Where a sentence may end:

* a line break (group ``line``);
* a lone full stop after an Arabic word of two letters or more (or its closing quote), then
  white space and an Arabic word, a number or an opening mark, or the end: no rule can veto
  it (group ``plain``, the bulk of news text);
* any other terminator run, closers and bidi marks included, followed by white space, the end
  or an Arabic letter, left to ``_ends_sentence`` (group ``run``);
* a run followed by anything else (inside a number, URL or Latin word), consumed whole so the
  scan never restarts in the middle of a long run (group ``inside``).

``line`` and ``plain`` take the white space after them along, blank lines included, so it costs
no further matches (trimming drops it). One leading character class keeps the scan fast."""
_STRONG_RUN = re.compile(rf"[{_char_class(TERMINATORS.replace('.', ''))}]|\.[{_char_class(CLOSERS + BIDI_MARKS)}]*\.")
_ELLIPSIS_RUN = re.compile(rf"…|\.[{_char_class(CLOSERS + BIDI_MARKS)}]*\.")
_WORD_CHAR = re.compile(r"[^\W_]")
_VISIBLE = re.compile(rf"[^\s{_char_class(BIDI_MARKS)}]")
_TRAILING_WORD = re.compile(rf"(?:[^\W\d_]|[{ARABIC_MARKS}])+\Z")
_LEADING_WORD = re.compile(rf"(?:[^\W\d_]|[{ARABIC_MARKS}])+")
_GLUED_DOT = re.compile(rf"\.[{ARABIC_LETTERS}]")
_ARABIC_MARK = re.compile(f"[{ARABIC_MARKS}]")
_ABBREVIATION_WINDOW = 32


@dataclass(frozen=True, slots=True)
class SentenceSplitter:
    """Sentence splitting with the few choices a corpus may need.

    ``abbreviations``: extra abbreviations after which a full stop never ends a sentence, e.g.
    ``{"إلخ", "Corp"}`` (compared casefolded, without the dot, tatweel or diacritics).
    ``split_at_ellipsis``: whether ``...`` / ``…`` inside a line ends a sentence (news style
    mostly says yes; literary or commentary text often uses it as a pause).
    """

    abbreviations: frozenset[str] = frozenset()
    split_at_ellipsis: bool = True

    def __post_init__(self) -> None:
        normalised = frozenset(_bare_word(a.strip().rstrip(".")) for a in self.abbreviations)
        object.__setattr__(self, "abbreviations", normalised)

    def spans(self, text: str) -> list[tuple[int, int]]:
        """``[start, end)`` code-point offsets of each sentence, trimmed, ordered, covering every
        non-white-space character of ``text`` exactly once."""
        spans: list[tuple[int, int]] = []
        sentence_start = 0
        has_word = False  # whether the sentence so far holds a letter or digit ...
        scanned = 0  # ... as far as text[:scanned] tells: each character is looked at once
        trust_plain = not self.abbreviations  # an extra abbreviation may be any Arabic word
        for match in _CANDIDATE.finditer(text):
            kind = match.lastgroup
            if kind == "inside":
                continue
            run_start = match.start()
            run_end = match.end(kind)  # white space taken along by "line" and "plain" excluded
            if kind == "line":
                cut = run_start
            elif kind == "plain" and trust_plain:
                cut = run_end
            else:
                if not has_word:
                    has_word = _WORD_CHAR.search(text, scanned, run_start) is not None
                    scanned = run_start
                if not has_word:
                    continue  # nothing to end yet: a leading "..." or "?!" joins what follows
                if not self._ends_sentence(text, text[run_start:run_end], run_start, run_end, sentence_start):
                    continue
                cut = run_end
            _append_trimmed(text, sentence_start, cut, spans)
            sentence_start = scanned = cut
            has_word = False
        _append_trimmed(text, sentence_start, len(text), spans)
        return spans

    def split(self, text: str) -> list[str]:
        """The sentences themselves, for callers that do not need offsets."""
        return [text[start:end] for start, end in self.spans(text)]

    def _ends_sentence(self, text: str, run: str, run_start: int, run_end: int, sentence_start: int) -> bool:
        """Whether a terminator run ends a sentence that already holds a letter or digit."""
        before = text[run_start - 1]
        if before in OPENERS or (before in "\"'" and (run_start < 2 or text[run_start - 2].isspace())):
            return False  # "(...)" or an opening quote with "...": an omission inside the sentence
        if not self.split_at_ellipsis and run != "." and _ELLIPSIS_RUN.search(run):
            return False
        strong = run != "." and _STRONG_RUN.search(run) is not None
        if run_end == len(text):
            return True
        if not text[run_end].isspace():  # glued to an Arabic letter
            return strong or before in CLOSERS or (run == "." and self._is_missing_space(text, run_start))
        following = _VISIBLE.search(text, run_end)
        if following is None:
            return True
        first = following.group()
        if first in NON_STARTERS or first.islower():
            return False
        if strong or before.isspace():
            return True
        return not self._is_abbreviation(text, run_start, sentence_start, following.start())

    def _is_missing_space(self, text: str, dot: int) -> bool:
        """Whether a full stop glued between two Arabic words is a sentence end typed without its
        space (``سيارته.وتمكنت``): true unless either word is a single letter, a Latin letter
        name or an abbreviation, the dot is one of a chain, or the second word is a web suffix
        (``أ.ف.ب``, ``إف.بي.آي``, ``باتون.بارتون.دورستين``, ``العربية.نت``)."""
        window = text[max(0, dot - _ABBREVIATION_WINDOW) : dot]
        previous = _TRAILING_WORD.search(window)
        following = _LEADING_WORD.match(text, dot + 1)
        if previous is None or following is None:
            return False
        if window[: previous.start()].endswith(".") or _GLUED_DOT.match(text, following.end()):
            return False  # a chain of three or more dotted words is a name, not two sentences
        before, after = _bare_word(previous.group()), _bare_word(following.group())
        return (
            len(before) > 1
            and len(after) > 1
            and before not in LATIN_LETTER_NAMES
            and after not in LATIN_LETTER_NAMES
            and before not in self.abbreviations
            and after not in WEB_SUFFIXES
        )

    def _is_abbreviation(self, text: str, dot: int, sentence_start: int, next_start: int) -> bool:
        """Whether the word before a single full stop makes the stop part of that word."""
        window = text[max(sentence_start, dot - _ABBREVIATION_WINDOW) : dot]
        token = window.rsplit(None, 1)[-1]
        word = _TRAILING_WORD.search(token)
        if word is None:
            return _is_list_number(text, token, dot, sentence_start)
        bare = _bare_word(word.group())
        if len(bare) == 1:
            return True
        if bare in LATIN_ABBREVIATIONS or bare in self.abbreviations:
            return True
        if bare in NUMBER_ABBREVIATIONS:
            return text[next_start].isdigit()
        if bare in LATIN_LETTER_NAMES:
            return _continues_acronym(text, window[: len(window) - len(word.group())], next_start)
        return False


def _bare_word(word: str) -> str:
    """The word as abbreviations are compared: casefolded, without tatweel or diacritics."""
    return _ARABIC_MARK.sub("", word).casefold()


def _continues_acronym(text: str, before_word: str, next_start: int) -> bool:
    """Whether a neighbour of a Latin letter name is another one: the next word, or the word
    before it when a full stop separates them (``سي. إن. إن``, ``إتش.آر.``)."""
    following = _LEADING_WORD.match(text, next_start)
    if following and _bare_word(following.group()) in LATIN_LETTER_NAMES:
        return True
    before = before_word.rstrip()
    if not before.endswith("."):
        return False
    previous = _TRAILING_WORD.search(before[:-1])
    return previous is not None and _bare_word(previous.group()) in LATIN_LETTER_NAMES


def _is_list_number(text: str, token: str, dot: int, sentence_start: int) -> bool:
    """``2.`` with nothing before it on its line: the number of a list item."""
    return (
        token.isdigit()
        and len(token) <= MAX_LIST_NUMBER_DIGITS
        and _VISIBLE.search(text, sentence_start, dot - len(token)) is None
    )


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    """Add ``text[start:end]`` without its surrounding white space, unless nothing is left."""
    left_trimmed = text[start:end].lstrip()
    if left_trimmed:
        trimmed_start = end - len(left_trimmed)
        spans.append((trimmed_start, trimmed_start + len(left_trimmed.rstrip())))


_DEFAULT_SPLITTER = SentenceSplitter()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` code-point offsets of the sentences of ``text`` with the default rules."""
    return _DEFAULT_SPLITTER.spans(text)


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` with the default rules."""
    return _DEFAULT_SPLITTER.split(text)
