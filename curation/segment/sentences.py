"""Arabic news text into sentences, as code-point spans into the text it was given.

The rules are the ones a copy editor would state, not weights fitted to a corpus:

* a sentence ends at every line break, and after a run of ``. ! ? ؟ …`` (``?!``, ``...``)
  together with the closing quotes, brackets and bidi marks glued to it;
* the run must be followed by white space or the end of the text, or glued straight to the
  next Arabic word when it cannot be an abbreviation or site-name dot (``أفضل؟ويتابع``,
  ``نخفقه".وستكون``, ``سيارته.وتمكنت``, but not ``أ.ف.ب``, ``إف.بي.آي``, ``العربية.نت``);
  so decimals, dates, URLs and e-mails never split;
* a single full stop does not end a sentence after a one-letter word, with or without a space
  before the stop (initials ``ع.`` ``J.``, agency names ``أ.ف.ب``, ``د.`` and ``د .`` before a
  name, ``ق . م .``, ``U.S.``, ``e.g.``), after a known Latin abbreviation (``Dr.``, ``Mr.``),
  after a list number opening the line (``2.``), or when the next word starts with a lowercase
  letter; a letter glued to a digit is a unit or a model, not an initial (``MD90s.``,
  ``360º.``);
* an era mark after a year (``2015م.``, ``1350 هـ.``, ``300 ق.م.``) is an abbreviation whose
  stop may also end the sentence, exactly like a pause (next rule);
* ``..``, ``...`` and ``…`` may be pauses: the sentence ends unless what follows continues it. In
  Latin script a lowercase word or a number continues. Arabic has no capitals; measured on ANT's
  news (bench/pause_words.py), 87% of ellipses end a sentence, and the sentence goes on only
  before a word that news puts inside sentences far more often than at their start (``التي``
  ``أن`` ``أو`` ``المتحدة``: ``data/pause_continuations.txt``, with the figures). No word class
  is assumed: ``في``, ``بعد``, ``لأن``, ``حتى`` or a lone ``و`` open sentences in news too;
* initials signing a story (``م د .``: two or more single letters, then a spaced stop) end it
  like an era mark, while one dotted initial before a name (``د . محمد``) does not;
* nothing ends before the sentence has a letter or digit (marks left alone after a sentence on
  its line close it: ``طويلة؟" .``); the next sentence may not begin with
  a closing mark or another terminator, but may with a stray ``:`` ``.`` ``,`` left by a
  transcript's speaker label or a scraper; an ellipsis that opens a quotation or sits in
  brackets (``"... لقد``, ``(...)``) marks an omission, not an end, though a terminator after
  its closing bracket may (``(..). إذا``, ``(...)". وأضافت``);
* quotes close in either direction: ``«...»`` and the reversed ``»...«`` used by several Arabic
  papers, and a ``"`` after a space closes when it is the second of its pair (``نعم ".``), also
  after the terminator (``تونس! ".``, ``متنوعة. "``): the sentence then ends after it and the marks
  glued to it, judged by the word that follows the quote;
* Latin letters spelled in Arabic (``بي. بي. سي``) form one acronym, but a letter name that is
  also an everyday word (``في`` "in", ``أو`` "or") joins it only when a full stop follows it;
* ``،`` ``؛`` ``:`` never end a sentence, and a line holding only invisible characters (BOM,
  RLM, zero-width space) is no sentence.

Everything is one compiled regular expression scanning the text once; Python only looks at
the few characters around each candidate terminator, so long texts stay fast.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Literal

from curation.segment.data import word_list

TERMINATORS = ".!?؟…۔‼⁇⁈⁉"
"""Characters that can end a sentence (``۔`` is the Arabic full stop used in Urdu script)."""

CLOSERS = "\"'»”’)]}›﴾﴿"
"""Closing quotes and brackets that stay with the sentence they close (both ornate
parentheses, since Quranic citations use them in either order)."""

BIDI_MARKS = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
"""LRM, RLM, ALM and the embedding/isolate controls: invisible, so they travel with the
punctuation they surround."""

INVISIBLES = BIDI_MARKS + "\u200b\u200c\u200d\u2060\ufeff"
"""Characters that show nothing on their own: a stretch holding only these is no sentence."""

REVERSED_CLOSERS = "«“"
"""Marks that close a quotation in the reversed (``»...«``) or German (``„...“``) style: glued
after a terminator and followed by white space they close the sentence with it."""

LINE_BREAKS = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
"""Every character ``str.splitlines`` breaks at."""

OPENERS = "([{«“‹﴾﴿"
"""Unambiguous opening marks: an ellipsis right after one is an omission marker."""

CLOSER_OF = {"(": ")", "[": "]", "{": "}", "«": "»", "“": "”", "‹": "›", "﴾": "﴿", "﴿": "﴾", '"': '"', "'": "'"}
"""The mark that closes what each opening mark (or straight quote) opens."""

NON_STARTERS = TERMINATORS + "»”’)]}›،,;؛:"
"""No sentence begins with these: a terminator followed by one of them continues the sentence,
except for the two cases below."""

STRAY_STARTERS = ":.,،"
"""Punctuation standing alone after a sentence end, left by a transcript's removed speaker
label or a scraper (``نعم. : ثم``): it opens the next sentence unless another terminator follows
it (a spaced ellipsis ``. . .``)."""

QUOTE_OPENING_WHEN_GLUED = "»”’›"
"""Closing marks in one style, opening marks in another: glued to the word after them they open."""

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

LETTER_NAMES_THAT_ARE_WORDS = frozenset("في أو او إن ان أن أم ام أي اي إي ال أل كي زي دي".split())
"""Latin letter names that are also everyday Arabic words (``في`` "in", ``أو`` "or"): one joins an
acronym only when a full stop follows it (``بي. في. سي``), so ``بي. في عام`` ends at ``بي.``."""

ERA_MARKS = frozenset(("م", "ه"))
"""``م`` (AD) and ``هـ`` (Hijri, compared without tatweel) after a year, alone or as ``ق.م``."""

PAUSE_CONTINUATIONS = frozenset(word_list("pause_continuations"))
"""Words before which an ellipsis is more likely inside a sentence, measured on ANT; stored as data."""

ABBREVIATION_CONTINUATIONS = frozenset(word_list("abbreviation_continuations"))
"""Words that continue a sentence after an era mark's or initials' stop; stored as data."""

WEB_SUFFIXES = frozenset("نت كوم أورغ اورغ أورج اورج إنفو انفو".split())
"""Site names written in Arabic script: ``العربية.نت``, ``بيت.كوم``."""

QUOTE_LOOKBACK = 1000
"""How far before the open sentence quotes are counted to tell an opening ``"`` from a closing one."""

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
_PLAIN_FOLLOWERS = "\\d«“(*•\\-"
_CANDIDATE = re.compile(
    rf"[{_char_class(LINE_BREAKS + TERMINATORS)}]"
    rf"(?:(?<=[{_char_class(LINE_BREAKS)}])(?P<line>)\s*+"
    rf"|(?:(?<=[{ARABIC_LETTERS}][{ARABIC_LETTERS}{_PLAIN_CLOSERS}]\.){_NOT_AFTER_LETTER_NAME}"
    rf"|(?<=\d\d\d\d\.)|(?<=[{ARABIC_LETTERS}][?!؟]))[{_PLAIN_CLOSERS}]*+"
    rf"(?=\s++(?:[{ARABIC_LETTERS}{_PLAIN_FOLLOWERS}]|\"(?=\w)|\Z)|\Z)(?P<plain>)\s*+"
    rf"|[{_char_class(TERMINATORS + CLOSERS + BIDI_MARKS + REVERSED_CLOSERS)}]*+(?:(?=\s|\Z|[{ARABIC_LETTERS}])(?P<run>)|(?P<inside>)))"
)
"""Where a sentence may end:

* a line break (group ``line``);
* a lone full stop after an Arabic word of two letters or more (or its closing quote) or after a
  number of four digits or more (a year: never a list number), or a lone ``?`` ``!`` ``؟`` after an
  Arabic letter, then white space and an Arabic word, a number, an opening mark (a straight quote
  only glued to a word: one standing alone may close), a bullet or a dash, or the end: no rule can
  veto it (group ``plain``, the bulk of news text: 65,000 of 78,000
  candidates in bench/segment.py's 20 MB, each then costs a tuple and no call);
* any other terminator run, closers (reversed ones too) and bidi marks included, followed by white space, the end
  or an Arabic letter, left to ``_ends_sentence`` (group ``run``);
* a run followed by anything else (inside a number, URL or Latin word), consumed whole so the
  scan never restarts in the middle of a long run (group ``inside``).

``line`` and ``plain`` take the white space after them along, blank lines included, so it costs
no further matches (trimming drops it). One leading character class keeps the scan fast."""
_TERMINATOR = re.compile(f"[{_char_class(TERMINATORS)}]")
_SPACED_QUOTE = re.compile(rf'[^\S{_char_class(LINE_BREAKS)}]+"')
_QUESTION_RUN = re.compile(rf"[{_char_class(TERMINATORS.replace('.', '').replace('…', ''))}]")
_ELLIPSIS_RUN = re.compile(rf"…|\.[{_char_class(CLOSERS + BIDI_MARKS)}]*\.")
_SHOWN = re.compile(rf"[^\s{_char_class(INVISIBLES)}]")
_ERA_BEFORE = re.compile(r"\d\s*(?:ق\s*\.\s*)?\Z")
_INITIAL_BEFORE = re.compile(rf"(?:\A|\s)[{ARABIC_LETTERS}]\s+\Z")  # "م " before "د .": initials signing
_WORD_CHAR = re.compile(r"[^\W_]")
_VISIBLE = re.compile(rf"[^\s{_char_class(BIDI_MARKS)}]")
_TRAILING_WORD = re.compile(rf"(?:[^\W\d_]|[{ARABIC_MARKS}])+\Z")
_LEADING_WORD = re.compile(rf"(?:[^\W\d_]|[{ARABIC_MARKS}])+")
_GLUED_DOT = re.compile(rf"\.[{ARABIC_LETTERS}]")
_ARABIC_MARK = re.compile(f"[{ARABIC_MARKS}]")
_ABBREVIATION_WINDOW = 32
_SPACES = re.compile(r"\s+")
_LINE_BREAK = re.compile(f"[{_char_class(LINE_BREAKS)}]")
_SPACED_DOTS_WINDOW = 4
_RUN_MARKS = frozenset(TERMINATORS + CLOSERS + BIDI_MARKS)


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
        character of ``text`` exactly once except white space and stretches holding only
        invisible characters."""
        spans: list[tuple[int, int]] = []
        start = 0  # the open sentence's start
        clean = not text[:1].isspace()  # whether that is no white space: a plain stop then needs no trimming
        has_word = False  # whether the open sentence holds a letter or digit yet ...
        scanned = 0  # ... as far as text[:scanned] tells (looked up lazily, each character once)
        trust_plain = not self.abbreviations  # an extra abbreviation may be any Arabic word
        for match in _CANDIDATE.finditer(text):
            kind = match.lastgroup
            if kind == "plain" and trust_plain:
                if clean:  # the bulk of news text: a sentence from no white space to its stop
                    spans.append((start, match.end("plain")))
                    start = scanned = match.end()
                    has_word = False
                    continue
                cut, resume = match.end("plain"), match.end()
            elif kind == "line":
                cut, resume = match.start(), match.end()  # past the white space taken along
            elif kind == "inside":
                continue
            else:  # a "run", or a "plain" stop that an extra abbreviation may veto
                if not has_word:  # a leading "..." or "?!" joins what follows
                    has_word = _WORD_CHAR.search(text, scanned, match.start()) is not None
                    scanned = match.start()
                    if not has_word:
                        continue
                run_end = self._sentence_end(text, match, start)
                if run_end is None:
                    continue
                cut, resume = run_end, run_end if kind == "run" else match.end()
            _append_trimmed(text, start, cut, spans)
            start = scanned = resume
            clean, has_word = kind != "run", False  # a run's cut leaves the white space after it
        _append_trimmed(text, start, len(text), spans)
        return spans

    def split(self, text: str) -> list[str]:
        """The sentences themselves, for callers that do not need offsets."""
        return [text[start:end] for start, end in self.spans(text)]

    def _sentence_end(self, text: str, match: re.Match[str], sentence_start: int) -> int | None:
        """Where the sentence ends at a terminator run that is not a line break or a plain full
        stop: the run's end, or None when it does not end the sentence."""
        run_start = match.start()
        if match.lastgroup == "run":
            run_end = _without_glued_openers(text, run_start, match.end("run"))
        else:
            run_end = match.end("plain")  # without the white space taken along
        run_end = _past_closing_quote(text, run_start, run_end, sentence_start)
        if not self._ends_sentence(text, text[run_start:run_end], run_start, run_end, sentence_start):
            return None
        return run_end

    def _ends_sentence(self, text: str, run: str, run_start: int, run_end: int, sentence_start: int) -> bool:
        """Whether a terminator run ends a sentence that already holds a letter or digit."""
        if _is_opening_mark(text, run_start - 1, sentence_start):
            stop = _stop_after_omission(text, run_start, run_end)
            if stop is None:
                return False  # "(...)", "(؟)" or an opening quote with "...": inside the sentence
            run_start, run = stop, text[stop:run_end]  # "(..). إذا": the stop after the bracket may end it
        strength = _run_strength(run)
        if strength == "pause" and not self.split_at_ellipsis:
            return False
        if run_end == len(text):
            return True
        if _comma_after_closer(text, run_end):
            return False
        if not text[run_end].isspace():  # glued to an Arabic letter, or to a quote opening one
            return self._ends_glued(text, run, run_start, run_end, strength)
        return self._ends_before_space(text, run_start, run_end, sentence_start, strength)

    def _ends_glued(self, text: str, run: str, run_start: int, run_end: int, strength: _Strength) -> bool:
        """Whether a run glued to the next word ends the sentence: a question, exclamation or
        pause does (a glued pause is as often a headline's as a sentence's: the words that continue
        after a spaced one tell nothing there, 8 right and 8 wrong on ANT), and so does a run closing a
        quotation; a lone full stop only when it is a missing space."""
        if strength != "full stop" or text[run_start - 1] in CLOSERS or text[run_end] in REVERSED_CLOSERS:
            return True
        return run == "." and self._is_missing_space(text, run_start)

    def _ends_before_space(
        self, text: str, run_start: int, run_end: int, sentence_start: int, strength: _Strength
    ) -> bool:
        """Whether a run followed by white space ends the sentence, judged by what follows it."""
        following = _VISIBLE.search(text, run_end)
        if following is None:
            return True
        next_start = following.start()
        if _cannot_start(text, next_start) or following.group().islower():
            return False
        if strength == "pause":
            return _opens_sentence_after_pause(text, next_start)
        if strength == "strong":
            return True
        return not self._is_abbreviation(text, run_start, sentence_start, next_start)

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
        """Whether the word before a single full stop (glued, or after a space: ``د .``) makes the
        stop part of that word."""
        window = text[max(sentence_start, dot - _ABBREVIATION_WINDOW) : dot]
        token = window.rsplit(None, 1)[-1] if window.strip() else ""
        word = _TRAILING_WORD.search(token)
        if word is None:
            return _is_list_number(text, token, dot, sentence_start)
        bare = _bare_word(word.group())
        before_word = window[: len(window.rstrip()) - len(word.group())]
        if (bare in ERA_MARKS and _ERA_BEFORE.search(before_word)) or (
                len(bare) == 1 and _INITIAL_BEFORE.search(before_word)):
            return not _opens_sentence_after_pause(text, next_start, ABBREVIATION_CONTINUATIONS)  # "2015م.", "م د ."
        if len(bare) == 1:
            return not (word.start() > 0 and token[word.start() - 1].isdigit())  # "MD90s.", "360º."
        return self._is_known_abbreviation(text, bare, before_word, next_start)

    def _is_known_abbreviation(self, text: str, bare: str, before_word: str, next_start: int) -> bool:
        """Whether a word of two letters or more takes the full stop after it: a listed
        abbreviation, ``No.`` before a number, or a letter name inside an acronym."""
        if bare in LATIN_ABBREVIATIONS or bare in self.abbreviations:
            return True
        if bare in NUMBER_ABBREVIATIONS:
            return text[next_start].isdigit()
        if bare in LATIN_LETTER_NAMES:
            return _continues_acronym(text, before_word, next_start)
        return False

    def to_dict(self) -> dict[str, Any]:
        """The settings as plain JSON values, for build manifests."""
        data = asdict(self)
        data["abbreviations"] = sorted(self.abbreviations)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> SentenceSplitter:
        data = dict(data or {})
        if "abbreviations" in data:
            data["abbreviations"] = frozenset(data["abbreviations"])
        return cls(**data)


_Strength = Literal["full stop", "pause", "strong"]


def _run_strength(run: str) -> _Strength:
    """How a terminator run ends a sentence: ``?`` ``!`` (dots and all) end it outright, ``..``
    ``...`` ``…`` are a pause that only may, and anything else (a full stop with the closers and
    bidi marks around it) is a full stop, which an abbreviation can take."""
    if run == ".":
        return "full stop"
    if _QUESTION_RUN.search(run) is not None:
        return "strong"
    if _ELLIPSIS_RUN.search(run) is not None:
        return "pause"
    return "full stop"


def _bare_word(word: str) -> str:
    """The word as abbreviations are compared: casefolded, without tatweel or diacritics."""
    return _ARABIC_MARK.sub("", word).casefold()


def _continues_acronym(text: str, before_word: str, next_start: int) -> bool:
    """Whether a neighbour of a Latin letter name is another one: the next word, or the word
    before it when a full stop separates them (``سي. إن. إن``, ``إتش.آر.``)."""
    following = _LEADING_WORD.match(text, next_start)
    if following:
        name = _bare_word(following.group())
        dotted = text.startswith(".", following.end())
        if name in LATIN_LETTER_NAMES and (dotted or name not in LETTER_NAMES_THAT_ARE_WORDS):
            return True
    before = before_word.rstrip()
    if not before.endswith("."):
        return False
    previous = _TRAILING_WORD.search(before[:-1])
    return previous is not None and _bare_word(previous.group()) in LATIN_LETTER_NAMES


def _is_opening_mark(text: str, at: int, sentence_start: int) -> bool:
    """Whether the mark at ``at`` opens rather than closes: an opening bracket or guillemet after
    white space (``«`` glued to a word closes the reversed ``»...«`` style), or a straight quote
    after white space that is the first of its pair on its line (``نعم ".`` closes, also when the
    quotation opened a sentence or more before)."""
    mark = text[at]
    if mark not in OPENERS and mark not in "\"'":
        return False
    if at > 0 and not text[at - 1].isspace() and text[at - 1] not in OPENERS:
        return False
    return mark in OPENERS or text.count(mark, _pairing_start(text, sentence_start), at) % 2 == 0


def _pairing_start(text: str, sentence_start: int) -> int:
    """Where the quotes before a mark are counted from to pair them: the start of the line (a quotation
    may run over several sentences), but no further back than QUOTE_LOOKBACK characters before the
    open sentence, so that long texts stay linear. Every line break ends a sentence, so the line's
    start is at the open sentence's start or before."""
    low = max(0, sentence_start - QUOTE_LOOKBACK)
    return max(low, *(text.rfind(mark, low, sentence_start) + 1 for mark in LINE_BREAKS))


def _comma_after_closer(text: str, run_end: int) -> bool:
    """Whether a comma or semicolon follows a run that ends in a closing quote or bracket, glued or
    after a space (``زينات؟ "، أجابت``): the quotation was part of a sentence that goes on."""
    following = _VISIBLE.search(text, run_end)
    return following is not None and following.group() in ",،;؛" and text[run_end - 1] in CLOSERS


def _stop_after_omission(text: str, run_start: int, run_end: int) -> int | None:
    """The first terminator of a run after the mark closing the omission marker it opens with
    (``(..).``, ``(...)".``): that one may end the sentence; None when there is none."""
    closer = text.find(CLOSER_OF[text[run_start - 1]], run_start, run_end)
    stop = None if closer < 0 else _TERMINATOR.search(text, closer + 1, run_end)
    return None if stop is None else stop.start()


def _past_closing_quote(text: str, run_start: int, run_end: int, sentence_start: int) -> int:
    """Where a sentence ending with the run ``text[run_start:run_end]`` ends when a straight quote
    stands after it, past a space, closing a quotation (``تونس! ".``, ``متنوعة. "``): after the quote
    and the terminators and closers glued to it. The quote closes when it is not glued to a word (it
    would open one), no quote closes just before or in the run (``مختلفة". " كنت``: a quotation opened on an
    earlier line) and the line holds an odd number of quotes before it."""
    quote = _SPACED_QUOTE.match(text, run_end)
    if quote is None or '"' in text[run_start - 1:run_end]:
        return run_end
    end = quote.end()
    if end < len(text) and _WORD_CHAR.match(text, end):
        return run_end
    if text.count('"', _pairing_start(text, sentence_start), run_end) % 2 == 0:
        return run_end
    while end < len(text) and text[end] in _RUN_MARKS:
        end += 1
    return end


def _cannot_start(text: str, at: int) -> bool:
    """Whether the visible character at ``at`` cannot open a sentence: a closing mark or a
    terminator, except a stray ``:`` ``.`` ``,`` standing alone and a closing-style quote glued to
    the word it opens (``»نص``)."""
    mark = text[at]
    if mark not in NON_STARTERS:
        return False
    if mark in STRAY_STARTERS:
        after = _VISIBLE.search(text, at + 1)
        if after is not None and after.group() in TERMINATORS.replace(".", ""):
            return True  # ": ؟" is not a sentence
        return mark == "." and _in_spaced_ellipsis(text, at)
    if mark in QUOTE_OPENING_WHEN_GLUED:
        return not (at + 1 < len(text) and _WORD_CHAR.match(text, at + 1))
    return True


def _in_spaced_ellipsis(text: str, at: int) -> bool:
    """Whether the full stop at ``at`` is one of three or more spaced dots (``. . .``); a look at
    a few characters on either side is enough, so long runs of dots stay linear."""
    left = _SPACES.sub("", text[max(0, at - 2 * _SPACED_DOTS_WINDOW) : at])[-2:]
    right = _SPACES.sub("", text[at + 1 : at + 1 + 2 * _SPACED_DOTS_WINDOW])[:2]
    dots = len(left) - len(left.rstrip(".")) + 1 + len(right) - len(right.lstrip("."))
    return dots >= 3


def _opens_sentence_after_pause(text: str, at: int, continuations: frozenset[str] = PAUSE_CONTINUATIONS) -> bool:
    """Whether the word at ``at`` starts a new sentence after a pause or a shared stop: a capital
    or an opening mark in Latin script, in Arabic any word but one of ``continuations``; a number
    or a lowercase word continues."""
    first = text[at]
    if first.isdigit() or first.islower():
        return False
    word = _LEADING_WORD.match(text, at)
    if word is None:
        return True  # an opening quote, bracket or dash
    return _bare_word(word.group()) not in continuations


def _without_glued_openers(text: str, run_start: int, run_end: int) -> int:
    """A run glued to the next word gives back the reversed-style marks it ends with: there they
    open the next quotation (``.«وقال``)."""
    if run_end == len(text) or text[run_end].isspace():
        return run_end
    while run_end > run_start + 1 and text[run_end - 1] in REVERSED_CLOSERS:
        run_end -= 1
    return run_end


def _is_list_number(text: str, token: str, dot: int, sentence_start: int) -> bool:
    """``2.`` with nothing before it on its line: the number of a list item."""
    return (
        token.isdigit()
        and len(token) <= MAX_LIST_NUMBER_DIGITS
        and _VISIBLE.search(text, sentence_start, dot - len(token)) is None
    )


def _append_trimmed(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    """Add ``text[start:end]`` without its surrounding white space, unless nothing is left. Marks with
    no letter or digit after a sentence on the same line (``طويلة؟" .``, a lone ``"``) close that
    sentence rather than stand as one."""
    left_trimmed = text[start:end].lstrip()
    if left_trimmed and _SHOWN.search(left_trimmed):
        trimmed_start = end - len(left_trimmed)
        trimmed_end = trimmed_start + len(left_trimmed.rstrip())
        if spans and _WORD_CHAR.search(left_trimmed) is None and _LINE_BREAK.search(text, spans[-1][1], trimmed_start) is None:
            spans[-1] = (spans[-1][0], trimmed_end)
        else:
            spans.append((trimmed_start, trimmed_end))


_DEFAULT_SPLITTER = SentenceSplitter()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` code-point offsets of the sentences of ``text`` with the default rules."""
    return _DEFAULT_SPLITTER.spans(text)


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text`` with the default rules."""
    return _DEFAULT_SPLITTER.split(text)
