"""Scraped news pages into articles: the main stories of a page and its related-article teasers.

Pages come from many outlets, so every rule keys on layout shapes that scrapers leave behind
rather than on one site's markup:

- articles are separated by runs of blank lines, by a related-block header (``مقالات ذات صلة``)
  or by the headline of a story whose page marker (``TT``) follows its photo captions: the line
  repeated after the marker names where that story begins;
- a caption is a line of a few words ending in a parenthesised credit, ``... (أ.ف.ب)``, with no
  sentence-final punctuation before it and no digits in the credit; repeated headlines and
  captions are scraper echoes, kept once or not at all;
- a heading is a short line without final punctuation between paragraphs, or a short nominal
  phrase glued to the start of a paragraph before a fronted adverbial (``في``, ``بحسب`` ...);
- a teaser is a few lines (caption, title, summary) closed by a byline ``«Outlet» (City)`` or
  ``Name (City)``.

A page without any of that (a plain body text, as in the ANT corpus) is one main article whose
paragraphs are its lines. Each line is looked at a bounded number of times, so the work is linear
in the page length.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, field, fields, replace
from functools import lru_cache
from itertools import islice
from typing import Any, Literal

from curation.normalize import normalize_text
from curation.segment.data import word_list
from curation.segment.metadata import MetadataRules, MetaKind
from curation.segment.sentences import INVISIBLES, TERMINATORS
from curation.units import Article, ArticleRole, Document, Span

# Characters that end a sentence; a heading, headline or caption text never ends with one.
_SENTENCE_FINAL = frozenset(".!?؟…")
# Characters after which a line is not a heading either: clause punctuation and colons.
_NOT_HEADING_FINAL = _SENTENCE_FINAL | frozenset(":،,;؛")
# Characters that never occur inside a glued heading phrase (it is plain words).
_PHRASE_BREAKERS = frozenset('.!?؟…:،,;؛«»"()[]-–—*•')
_COMMAS = ("،", ",")
_HEADER_KINDS = ("title", "byline", "dateline")
_TAIL_STARTS = re.compile(r"[.!?؟…]+[\"»”)]*\s+|\s+(?=//)")  # where glued boilerplate may begin
_CREDIT_PARTS = re.compile(r"\s[-–—/|]\s|[،,;؛/]")  # "أرشيفية - أ.ف.ب", "Reuters/Getty"
_ENDS_WITH_STOP = re.compile(r"(?<![.…])\.[\"»”)]*$")  # one full stop, not an ellipsis
_BIO_MARKS = "*-–—ـ• "  # what a bio line may open with
_MIN_CAPTION_WORDS = 3  # a caption describes a photo; "Name (Club)" list items are shorter
_KICKER_SEPARATORS = (":", "|", "-", "–", "—")
_WORD = re.compile(r"\S+")
_SHOWN = re.compile(rf"[^\s{INVISIBLES}]")  # a line of BOMs, RLMs or zero-width spaces is blank
_PRONOUN_THAT = re.compile(r"^[إأا]ن(?:ه|ها|هم|هما|هن|نا|ني|ك|كم)?$")
# Prepositions: a caption's description has them, a person's name in a byline does not.
_PARTICLES = frozenset(("في", "من", "على", "إلى", "عن", "مع", "بين", "خلال", "لدى", "عند", "بعد", "قبل"))


def _looks_like_verb(word: str) -> bool:
    """Verb shapes that no heading starts with: the imperfect ``يـ`` prefix, the feminine perfect
    ``ـت`` ending (not the plural ``ـات``) and the ``لقد`` particle before a verb."""
    if len(word) < 3:
        return False
    return word.startswith(("ي", "لقد")) or (word.endswith("ت") and not word.endswith("ات"))


def _is_plain_word(word: str) -> bool:
    """Letters and their diacritics only: no digits, punctuation or quotes."""
    return all(ch.isalpha() or unicodedata.category(ch) == "Mn" for ch in word)


def _is_quoted_outlet(name: str) -> bool:
    """``«Outlet»``: one name between one pair of guillemets."""
    inner = name[1:-1]
    return name.startswith("«") and name.endswith("»") and "«" not in inner and "»" not in inner


@dataclass(frozen=True, slots=True)
class ArticleSettings:
    """The knobs of article splitting; recorded in build manifests, so plain JSON values only.

    Phrase lists are matched after :func:`curation.normalize.normalize_text`, so ``اقرأ أيضاً``
    also matches ``اقرا ايضا``.
    """

    markers: tuple[str, ...] = field(default_factory=lambda: word_list("markers"))
    related_headers: tuple[str, ...] = field(default_factory=lambda: word_list("related_headers"))
    kickers: tuple[str, ...] = field(default_factory=lambda: word_list("kickers"))
    # Section names that related-article lists glue to the front of a teaser's photo caption.
    section_labels: tuple[str, ...] = field(default_factory=lambda: word_list("section_labels"))
    # Fronted adverbials/attributions that open a paragraph right after a glued heading.
    glued_heading_openers: tuple[str, ...] = field(default_factory=lambda: word_list("glued_heading_openers"))
    # Words that start a sentence, never a heading: a paragraph opening with one is not split.
    sentence_first_words: tuple[str, ...] = field(default_factory=lambda: word_list("sentence_first_words"))
    # Words a glued heading never contains, as they make a clause (relatives, negation, copula).
    sentence_inner_words: tuple[str, ...] = field(default_factory=lambda: word_list("sentence_inner_words"))
    # Vocabulary of the byline, dateline and boilerplate shapes (see curation.segment.metadata).
    agencies: tuple[str, ...] = field(default_factory=lambda: word_list("agencies"))
    # Words that make a bracketed credit a photo credit (a caption's), beside the agencies.
    credit_words: tuple[str, ...] = field(default_factory=lambda: word_list("credit_words"))
    # Words that open the writer's bio a column ends with ("* كاتب وصحفي مصري").
    writer_words: tuple[str, ...] = field(default_factory=lambda: word_list("writer_words"))
    sign_offs: tuple[str, ...] = field(default_factory=lambda: word_list("sign_offs"))
    date_words: tuple[str, ...] = field(default_factory=lambda: word_list("date_words"))
    time_words: tuple[str, ...] = field(default_factory=lambda: word_list("time_words"))
    byline_leads: tuple[str, ...] = field(default_factory=lambda: word_list("byline_leads"))
    tag_labels: tuple[str, ...] = field(default_factory=lambda: word_list("tag_labels"))
    share_words: tuple[str, ...] = field(default_factory=lambda: word_list("share_words"))
    link_phrases: tuple[str, ...] = field(default_factory=lambda: word_list("link_phrases"))
    # Bracketed format tags that end a headline, not a caption's photo credit: "(فيديو)".
    title_tags: tuple[str, ...] = field(default_factory=lambda: word_list("title_tags"))
    min_glued_headings: int = 2  # glued headings are believed only when an article shows this many
    article_gap_lines: int = 2  # this many blank lines in a row separate two articles
    max_heading_words: int = 8
    max_heading_chars: int = 80
    min_title_words: int = 1
    max_title_words: int = 20
    max_credit_words: int = 4  # words inside a caption's closing parentheses
    max_byline_name_words: int = 4
    max_credit_line_words: int = 6  # a line under the headline, set apart from the story: who or where it is from
    max_teaser_lines: int = 6  # distinct lines of one teaser before its byline
    marker_lookback_lines: int = 12  # how far before a marker its headline may stand
    max_glued_clause_words: int = 8  # words from a glued heading's opener to its comma

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, list):  # settings read back from JSON
                object.__setattr__(self, item.name, tuple(value))
                value = tuple(value)
            if isinstance(value, tuple) and not all(isinstance(v, str) and v.strip() for v in value):
                raise ValueError(f"ArticleSettings.{item.name} must hold non-empty strings, got {value!r}")
            if isinstance(value, int) and value < 1:
                raise ValueError(f"ArticleSettings.{item.name} must be at least 1, got {value}")
        if self.min_title_words > self.max_title_words:
            raise ValueError("ArticleSettings.min_title_words is larger than max_title_words")

    def to_dict(self) -> dict[str, Any]:
        return {key: list(value) if isinstance(value, tuple) else value for key, value in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> ArticleSettings:
        return cls(**(data or {}))


DEFAULT_SETTINGS = ArticleSettings()


@dataclass(frozen=True, slots=True)
class _Line:
    """A non-blank line, whitespace-trimmed, with the number of blank lines just before it."""

    start: int
    end: int
    text: str
    gap: int

    def span(self) -> Span:
        return Span(self.start, self.end, self.text)


class _Rules:
    """The line-shape tests, with the settings' phrase lists normalised once."""

    def __init__(self, settings: ArticleSettings) -> None:
        self.settings = settings
        self.markers = frozenset(settings.markers)
        self.related_headers = frozenset(normalize_text(h) for h in settings.related_headers)
        self.related_header_words = max((len(h.split()) for h in self.related_headers), default=0)
        # a cheap bound before splitting long lines; diacritics may make the page's form longer
        self.related_header_chars = 3 * max((len(h) for h in settings.related_headers), default=0)
        self.kickers = frozenset(normalize_text(k) for k in settings.kickers)
        self.section_labels = _Phrases(settings.section_labels)
        self.openers = _Phrases(settings.glued_heading_openers)
        self.first_words = frozenset(normalize_text(w) for w in settings.sentence_first_words)
        self.inner_words = frozenset(normalize_text(w) for w in settings.sentence_inner_words)
        self.title_tags = frozenset(normalize_text(t).casefold() for t in settings.title_tags)
        self.credit_words = frozenset(normalize_text(w).casefold() for w in settings.credit_words)
        self.writer_words = frozenset(normalize_text(w) for w in settings.writer_words)
        self.metadata = MetadataRules(
            agencies=settings.agencies,
            sign_offs=settings.sign_offs,
            date_words=settings.date_words,
            time_words=settings.time_words,
            byline_leads=settings.byline_leads,
            tag_labels=settings.tag_labels,
            share_words=settings.share_words,
            link_phrases=settings.link_phrases,
            sentence_first_words=settings.sentence_first_words,
        )

    def is_marker(self, text: str) -> bool:
        return text in self.markers

    def is_related_header(self, text: str) -> bool:
        stripped = text.rstrip(":：-– ")
        if len(stripped) > self.related_header_chars or len(stripped.split()) > self.related_header_words:
            return False
        return normalize_text(stripped) in self.related_headers

    def is_inline_related(self, text: str) -> bool:
        """``اقرأ أيضاً: <headline>``: a link to another story that a page sets between the
        paragraphs of this one; a headline follows the header, never a sentence with its stop (a
        headline may end in a question, an exclamation or an ellipsis: ``لماذا ...؟``, ``بعد القمة..``)."""
        label, colon, rest = text.partition(":")
        if not colon or not rest.strip() or not self.is_related_header(label):
            return False
        rest = rest.strip()
        return len(rest.split()) <= self.settings.max_title_words and not _ENDS_WITH_STOP.search(rest)

    def credit_open(self, text: str) -> int | None:
        """Where ``(credit)`` starts when the line ends with a short parenthesised part."""
        if not text.endswith(")"):
            return None
        open_at = text.rfind("(")
        credit = text[open_at + 1 : -1]
        if open_at <= 0 or ")" in credit or not any(ch.isalpha() for ch in credit):
            return None  # "(...)" ends a sentence with an omission; it credits nobody
        if len(credit.split()) > self.settings.max_credit_words or any(ch.isdigit() for ch in credit):
            return None  # a long aside, or a year, score or count in brackets
        if normalize_text(credit.strip()).casefold() in self.title_tags:
            return None  # "(فيديو)" tags a headline
        return open_at

    def has_title_tag(self, text: str) -> bool:
        """Whether the line ends in a bracketed format tag: ``... (فيديو)``."""
        if not text.endswith(")") or "(" not in text:
            return False
        tag = text[text.rfind("(") + 1 : -1]
        return normalize_text(tag.strip()).casefold() in self.title_tags

    def meta_kind(self, text: str) -> MetaKind | None:
        """Byline, dateline or boilerplate by the shape of the whole line."""
        return self.metadata.line_kind(text)

    def is_caption(self, text: str) -> bool:
        """A few words closed by a photo credit, in brackets (a bracket alone is not enough:
        ``(DVD)``) or after a spaced dash (``... خلال مؤتمر صحافي - رويترز``), or a line that only
        credits a photo."""
        if self.is_credit_line(text):
            return True
        open_at = self.credit_open(text)
        if open_at is not None:
            return self._describes(text[:open_at]) and self.is_photo_credit(text[open_at + 1 : -1])
        before, dash, credit = text.rpartition(" - ")
        return bool(dash) and self._is_short_credit(credit) and self._describes(before)

    @staticmethod
    def _describes(before: str) -> bool:
        """Whether the words before a credit can describe a photo: a few, not a closed sentence."""
        before = before.rstrip()
        return len(before.split()) >= _MIN_CAPTION_WORDS and before[-1] not in _SENTENCE_FINAL

    def is_credit_line(self, text: str) -> bool:
        """``(صورة أرشيفية)``, ``الصورة: رويترز``, ``(تصوير: أحمد علي)``: a photo's credit, or a
        picture label and its source or photographer, alone on a line (bracketed or not) between
        paragraphs where a page's photo stood."""
        if text.startswith("(") and text.endswith(")"):
            credit = text[1:-1]
            return "(" not in credit and ")" not in credit and (self._is_short_credit(credit) or self.is_credit_line(credit))
        label, colon, credit = text.partition(":")
        if not colon or len(credit) > self.settings.max_heading_chars or len(label.split()) > 2:
            return False  # a credit is a few words; "وأضاف: ..." opens a quotation
        if not self.is_photo_credit(label):
            return False
        if self._is_short_credit(credit):
            return True
        # a photographer's name after a label that credits both a person and a photo ("تصوير"), never
        # after "صور:" alone, which opens headlines ("صور: مصافحات غيرت وجه التاريخ")
        return self.metadata.opens_with_byline_word(label) and self._is_writer_name(credit.strip())

    def _is_short_credit(self, credit: str) -> bool:
        return len(credit.split()) <= self.settings.max_credit_words and self.is_photo_credit(credit)

    def is_writer_bio(self, text: str) -> bool:
        """``* كاتب ومحلل سياسي لبناني``: a writer word (after a star or dash), a few plain words and
        no sentence punctuation. Only a story's last lines are looked at: a line like it between
        paragraphs is a heading, and a headline (``صحفي إنجليزي: ...``) has a colon or quotes."""
        if len(text) > self.settings.max_heading_chars:
            return False
        words = text.lstrip(_BIO_MARKS).split()
        return (
            2 <= len(words) <= self.settings.max_heading_words
            and normalize_text(words[0]) in self.writer_words
            and all(map(_is_plain_word, words))
        )

    def is_photo_credit(self, credit: str) -> bool:
        """An agency (``أ.ف.ب``, ``رويترز``), or a part with a credit word (``أرشيفية``, ``غيتي``,
        ``إعلام محلي``, ``Getty Images``); parts are split at dashes, slashes and commas."""
        for part in _CREDIT_PARTS.split(credit):
            if part.strip() and (part in self.metadata.agencies or
                                 not self.credit_words.isdisjoint(normalize_text(part).casefold().split())):
                return True
        return False

    def is_byline(self, text: str) -> bool:
        """``«Outlet» (City)`` or ``Name (City)``: a short name and a one- or two-word place."""
        open_at = self.credit_open(text)
        if open_at is None:
            return False
        name, place = text[:open_at].strip(), text[open_at + 1 : -1].split()
        if not name or len(place) > 2 or not all(_is_plain_word(word) for word in place):
            return False
        return _is_quoted_outlet(name) or self._is_writer_name(name)

    def _is_writer_name(self, name: str) -> bool:
        """A few plain words and no preposition: a caption's description has them, a name not."""
        words = name.split()
        return len(words) <= self.settings.max_byline_name_words and all(
            _is_plain_word(word) and word not in _PARTICLES for word in words
        )

    def is_name_line(self, text: str) -> bool:
        """A person's name alone: two to four plain words, no preposition, the first neither a
        definite noun (``الحرب السورية`` is a heading) nor a word that opens sentences."""
        words = text.split()
        return (
            len(words) >= 2
            and self._is_writer_name(text)
            and not words[0].startswith("ال")
            and not self.starts_like_sentence(normalize_text(words[0]))
        )

    def is_credit_under_headline(self, text: str, headline: str) -> bool:
        """A short line that is no sentence (no stop at its end, a few words, fewer than the
        ``headline``'s): set between a headline and the blank line that opens its story, it says who
        or where the story is from, in whatever convention the outlet has (``دبي: Name``,
        ``لندن: «الشرق الأوسط»``, ``عربي21- Name``). A line as long as the one above it is more
        likely the headline under a label or a stray line."""
        words = len(text.split())
        return 0 < words <= self.settings.max_credit_line_words and words < len(headline.split()) \
            and text.rstrip()[-1] not in TERMINATORS and any(char.isalpha() for char in text)

    def is_heading_shaped(self, text: str) -> bool:
        settings = self.settings
        if len(text) > settings.max_heading_chars or text[-1] in _NOT_HEADING_FINAL:
            return False
        if not any(ch.isalpha() for ch in text):
            return False  # a rule of dashes or a bare number
        words = text.split()
        if len(words) > settings.max_heading_words or self.starts_like_sentence(normalize_text(words[0])):
            return False
        return not self.is_caption(text)

    def starts_like_sentence(self, first_word: str) -> bool:
        """Whether a (normalised) first word opens a sentence: a listed word or a verb shape,
        alone or after the conjunction ``و``."""
        if first_word in self.first_words or _looks_like_verb(first_word):
            return True
        rest = first_word[1:]
        return first_word.startswith("و") and (rest in self.first_words or _looks_like_verb(rest))

    def is_headline_shaped(self, text: str, plain: bool) -> bool:
        """A first line that can be a title; in ``plain`` text (no blank line after it) a comma or
        a final ``?``/``!`` marks a body sentence rather than a headline."""
        words = len(text.split())
        if not self.settings.min_title_words <= words <= self.settings.max_title_words:
            return False
        if text[-1] in ".…:،,;؛" or self.is_caption(text) or self.is_byline(text) or self.meta_kind(text):
            return False
        return not (plain and (text[-1] in _SENTENCE_FINAL or "،" in text or "," in text))

    def kicker_end(self, text: str) -> tuple[int, int] | None:
        """(end of the kicker, start of the rest) for ``عاجل: ...`` style labels."""
        for separator in _KICKER_SEPARATORS:
            at = text.find(separator, 0, 40)
            if at <= 0:
                continue
            label = text[:at].rstrip()
            if normalize_text(label) in self.kickers:
                rest = at + len(separator)
                while rest < len(text) and text[rest].isspace():
                    rest += 1
                return (len(label), rest) if rest < len(text) else None
        return None

    def section_label_end(self, text: str) -> int | None:
        """Where the caption proper starts after a section label glued to its front."""
        words = list(islice(_WORD.finditer(text), self.section_labels.max_words + 1))
        count = self.section_labels.match_at(_normalised_words(text, words), 0)
        if count is None or count >= len(words):
            return None
        return words[count].start()

    def glued_heading(self, text: str) -> tuple[int, int] | None:
        """(end of the heading, start of the paragraph) when a short nominal phrase is glued in
        front of a fronted adverbial clause that closes with a comma before the main verb."""
        opening = self._paragraph_opening(text)
        if opening is None:
            return None
        words, normalised = opening
        found = self._heading_before_opener(words, normalised)
        if found is None:
            return None
        heading_words, opener_words = found
        if not self._clause_closes_with_comma(words, heading_words + opener_words):
            return None
        return words[heading_words - 1].end(), words[heading_words].start()

    def _paragraph_opening(self, text: str) -> tuple[list[re.Match[str]], list[str]] | None:
        """The first words of a paragraph that may open with a glued heading, as found and
        normalised; None when it opens like a sentence (a conjunction, a verb, an opener)."""
        settings = self.settings
        if text.startswith("و"):
            return None  # a conjunction continues the previous sentence
        limit = settings.max_heading_words + self.openers.max_words + settings.max_glued_clause_words + 1
        words = list(islice(_WORD.finditer(text), limit))
        if len(words) < 4:
            return None
        normalised = _normalised_words(text, words)
        if self.starts_like_sentence(normalised[0]) or self.openers.match_at(normalised, 0) is not None:
            return None
        return words, normalised

    def _heading_before_opener(self, words: list[re.Match[str]], normalised: list[str]) -> tuple[int, int] | None:
        """(words of the heading, words of the opener) at the first fronted adverbial, when two
        or more plain phrase words stand before it; only the first opener counts: later ones sit
        inside a sentence."""
        for count in range(1, min(self.settings.max_heading_words, len(words) - 1) + 1):
            if normalised[count - 1] in self.inner_words or not _PHRASE_BREAKERS.isdisjoint(words[count - 1].group()):
                return None
            opener_words = self.openers.match_at(normalised, count)
            if opener_words is None:
                continue
            if count < 2:
                return None  # one word before the adverbial is a sentence's subject or verb
            return count, opener_words
        return None

    def _clause_closes_with_comma(self, words: list[re.Match[str]], opener_end: int) -> bool:
        """Whether the adverbial clause whose opener ends at word ``opener_end`` closes with a
        comma within a few words, and the main clause after it opens with neither a conjunction
        nor ``أنه``."""
        clause_end = min(len(words), opener_end + self.settings.max_glued_clause_words)
        for index in range(opener_end - 1, clause_end):
            if words[index].group().endswith(_COMMAS):
                following = words[index + 1].group() if index + 1 < len(words) else ""
                return bool(following) and not following.startswith("و") and not _PRONOUN_THAT.match(following)
        return False


class _Phrases:
    """Normalised phrases grouped by word count, for matching at a position in a word list."""

    def __init__(self, phrases: tuple[str, ...]) -> None:
        grouped: dict[int, set[str]] = {}
        for phrase in phrases:
            normalised = normalize_text(phrase)
            grouped.setdefault(len(normalised.split()), set()).add(normalised)
        self.by_length = {count: frozenset(group) for count, group in grouped.items()}
        self.lengths = sorted(self.by_length, reverse=True)  # longest match first
        self.max_words = self.lengths[0] if self.lengths else 0

    def match_at(self, words: list[str], index: int) -> int | None:
        """How many of the normalised ``words`` from ``index`` on form a phrase, or None."""
        for count in self.lengths:
            if index + count <= len(words) and " ".join(words[index : index + count]) in self.by_length[count]:
                return count
        return None


def _normalised_words(text: str, words: list[re.Match[str]]) -> list[str]:
    """The normalised form of each word; one pass over the prefix unless normalising merged or
    dropped a word (a token of bare diacritics), then word by word."""
    if not words:
        return []
    folded = normalize_text(text[: words[-1].end()]).split(" ")
    if len(folded) == len(words):
        return folded
    return [normalize_text(word.group()) for word in words]


def _lines(text: str) -> list[_Line]:
    """Non-blank lines, trimmed, in order; only ``\\n`` breaks lines (ingest normalised them)."""
    lines: list[_Line] = []
    gap = 0
    position = 0
    length = len(text)
    while position <= length:
        newline = text.find("\n", position)
        end = length if newline < 0 else newline
        raw = text[position:end]
        stripped = raw.strip()
        if stripped and _SHOWN.search(stripped):
            start = position + (len(raw) - len(raw.lstrip()))
            lines.append(_Line(start, start + len(stripped), stripped, gap))
            gap = 0
        else:
            gap += 1
        position = end + 1
    return lines


def _trimmed(document_text: str, start: int, end: int) -> Span | None:
    """The span ``[start, end)`` without surrounding whitespace, or None when nothing is left."""
    while start < end and document_text[start].isspace():
        start += 1
    while end > start and document_text[end - 1].isspace():
        end -= 1
    return Span.of(document_text, start, end) if start < end else None


def _headline_before_marker(lines: list[_Line], marker: int, rules: _Rules) -> int | None:
    """The line a story starts at, found from its marker: the first line after the marker that
    is not a caption repeats the headline, which stands a few lines before the marker."""
    echo = next(
        (
            line.text
            for line in lines[marker + 1 : marker + 1 + rules.settings.marker_lookback_lines]
            if not rules.is_caption(line.text) and not rules.is_marker(line.text)
        ),
        None,
    )
    if echo is None:
        return None
    lowest = max(0, marker - rules.settings.marker_lookback_lines)
    for index in range(marker - 1, lowest - 1, -1):
        line = lines[index]
        if rules.is_related_header(line.text):
            return None
        if line.text == echo:
            return index
        if line.gap >= rules.settings.article_gap_lines:
            return None
    return None


def _opens_story(lines: list[_Line], index: int, rules: _Rules) -> bool:
    """Whether a line after a run of blank lines opens another story rather than the next part of
    this one: a headline followed by what only opens a story (a photo caption, a page marker, a
    byline or dateline, or a first paragraph with its dateline glued on). Blank runs alone are
    spacing: scrapers and editors put them anywhere."""
    line = lines[index]
    headline = rules.kicker_end(line.text) is not None or rules.has_title_tag(line.text)
    if not headline and not rules.is_headline_shaped(line.text, plain=False):
        return False
    for following in lines[index + 1 : index + 3]:
        text = following.text
        if rules.is_caption(text) or rules.is_marker(text) or rules.is_byline(text):
            return True
        if rules.meta_kind(text) in ("byline", "dateline"):
            return True
        if rules.metadata.glued_prefix(text) is not None:
            return True
    return False


def _sections(lines: list[_Line], rules: _Rules) -> list[tuple[bool, list[_Line]]]:
    """Runs of lines that hold one story (``False``) or a related-articles block whose first line
    is its header (``True``)."""
    starts: dict[int, bool] = {0: False}
    for index, line in enumerate(lines):
        if index and line.gap >= rules.settings.article_gap_lines and _opens_story(lines, index, rules):
            starts.setdefault(index, False)
        if rules.is_related_header(line.text):
            starts[index] = True
        elif rules.is_marker(line.text):
            headline = _headline_before_marker(lines, index, rules)
            if headline is not None:
                starts[headline] = False
    ordered = sorted(starts)
    ends = ordered[1:] + [len(lines)]
    return [(starts[start], lines[start:end]) for start, end in zip(ordered, ends) if start < end]


class _Metadata:
    """The byline, dateline and boilerplate lines of one article: the first byline and dateline
    are the article's; every other metadata line, scraper echo or page marker is boilerplate, so
    no line of the page is dropped without a span that says where it went."""

    def __init__(self) -> None:
        self.byline: Span | None = None
        self.dateline: Span | None = None
        self.boilerplate: list[Span] = []

    def add(self, kind: MetaKind, span: Span) -> None:
        if kind == "byline" and self.byline is None:
            self.byline = span
        elif kind == "dateline" and self.dateline is None:
            self.dateline = span
        else:
            self.boilerplate.append(span)


@dataclass(slots=True)
class _Story:
    """The lines of one main story sorted so far (its title aside)."""

    meta: _Metadata = field(default_factory=_Metadata)
    captions: list[Span] = field(default_factory=list)
    caption_texts: set[str] = field(default_factory=set)
    body: list[_Line] = field(default_factory=list)
    foot: list[tuple[MetaKind, _Line]] = field(default_factory=list)
    """Byline-shaped and link lines after the body began: metadata if the story ends there, else body."""

    def add_metadata(self, kind: MetaKind, line: _Line) -> None:
        if self.body and kind != "boilerplate":
            self.foot.append((kind, line))  # a byline stands at a story's head or foot only
        else:
            self.meta.add(kind, line.span())

    def add_caption(self, line: _Line) -> None:
        self.caption_texts.add(line.text)
        self.captions.append(line.span())

    def add_body(self, line: _Line) -> None:
        self.body.extend(held for _, held in self.foot)  # body went on: those lines were body
        self.foot.clear()
        self.body.append(line)

    def close_foot(self) -> None:
        """The story ended: the byline-shaped lines after its body are its metadata."""
        for kind, line in self.foot:
            self.meta.add(kind, line.span())
        self.foot.clear()

    def is_bare(self) -> bool:
        """Nothing but page markers and boilerplate (its title aside)."""
        return not self.body and not self.captions and self.meta.byline is None and self.meta.dateline is None


_TeaserRole = Literal["echo", "byline", "end", "next caption", "caption", "title", "summary"]


@dataclass(slots=True)
class _Teaser:
    """The parts of one related-article teaser read so far."""

    meta: _Metadata = field(default_factory=_Metadata)
    title: _Line | None = None
    captions: list[Span] = field(default_factory=list)
    summary: list[Span] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    """The distinct lines read: a line seen again is a scraper's echo."""
    closed_by_caption: bool = False

    def has_teaser_layout(self) -> bool:
        """A title closed by a byline, or captions, title and summary closed by the next caption."""
        if self.title is None:
            return False
        return self.meta.byline is not None or bool(self.captions and self.summary and self.closed_by_caption)


def _header_lines(document: Document) -> dict[int, str]:
    """``{line start: kind}`` of the title, byline and dateline lines that ingest wrote from the
    page's metadata (``meta["header"]``, see :mod:`curation.ingest.page`); a span that is not a
    whole line of this text is ignored rather than trusted."""
    spans = document.meta.get("header")
    if not isinstance(spans, dict):
        return {}
    text = document.text
    return {span[0]: kind for kind, span in spans.items() if kind in _HEADER_KINDS and _is_whole_line(text, span)}


def _is_whole_line(text: str, span: object) -> bool:
    """Whether ``span`` is ``[start, end]`` of one whole, trimmed line of ``text``."""
    bounds = _bounds(span, len(text))
    if bounds is None:
        return False
    start, end = bounds
    line = text[start:end]
    whole = (start == 0 or text[start - 1] == "\n") and (end == len(text) or text[end] == "\n")
    return whole and line == line.strip() and "\n" not in line


def _bounds(span: object, length: int) -> tuple[int, int] | None:
    """``(start, end)`` when ``span`` is ``[start, end]``, two integers with ``0 <= start < end <= length``."""
    if not isinstance(span, list) or len(span) != 2:
        return None
    start, end = span
    if isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= length:
        return start, end
    return None


class _Builder:
    """Turns sections of lines into Article units of one document."""

    def __init__(self, document: Document, rules: _Rules) -> None:
        self.document = document
        self.text = document.text
        self.rules = rules
        self.header = _header_lines(document)

    def article(
        self,
        lines: list[_Line],
        role: ArticleRole,
        title: _Line | None,
        paragraphs: list[Span],
        headings: list[Span],
        captions: list[Span],
        meta: _Metadata,
    ) -> Article:
        start, end = lines[0].start, lines[-1].end
        title_span, kicker = None, None
        if title is not None:
            title_span = title.span()
            cut = self.rules.kicker_end(title.text)
            if cut is not None:
                kicker = Span.of(self.text, title.start, title.start + cut[0])
                title_span = Span.of(self.text, title.start + cut[1], title.end)
        return Article(
            id=Article.make_id(self.document.id, start, end),
            doc_id=self.document.id,
            start=start,
            end=end,
            text=self.text[start:end],
            title=title_span,
            role=role,
            paragraphs=tuple(paragraphs),
            headings=tuple(headings),
            captions=tuple(captions),
            byline=meta.byline,
            kicker=kicker,
            dateline=meta.dateline,
            boilerplate=tuple(sorted(meta.boilerplate, key=lambda span: span.start)),
        )

    def main(self, lines: list[_Line]) -> Article | None:
        """One story: title, captions kept once, byline, dateline and boilerplate, then headings
        and paragraphs; a dateline or byline glued before the first sentence is cut off it."""
        title = self._main_title(lines)
        writer = self._writer_under(title, lines)
        story = _Story()
        for line in lines:
            if line is writer:
                story.meta.add("byline", line.span())
            elif line is not title:
                self._sort_story_line(line, title, story)
        if story.body:
            story.body[0] = self._without_glued_metadata(story.body[0], story.meta)
            story.body[-1] = self._without_glued_boilerplate(story.body[-1], story.meta)
        story.close_foot()
        if title is None and story.is_bare():
            return None  # only page markers and boilerplate
        paragraphs, headings = self._body(story.body)
        return self.article(lines, "main", title, paragraphs, headings, story.captions, story.meta)

    def _sort_story_line(self, line: _Line, title: _Line | None, story: _Story) -> None:
        """File one line of a story (not its title) as metadata, caption or body."""
        given = self.header.get(line.start)
        if given in ("byline", "dateline"):
            story.meta.add(given, line.span())  # type: ignore[arg-type]
            return
        if self._is_story_echo(line.text, title, story):
            story.meta.add("boilerplate", line.span())  # page markers and scraper echoes
            return
        if self.rules.is_credit_line(line.text):
            story.add_caption(line)  # "تصوير: أ ف ب" credits the photo beside it, not the story
            return
        kind = self._story_meta_kind(line.text, body_began=bool(story.body))
        if kind == "boilerplate" and story.body and self.rules.metadata.is_link(line.text):
            story.foot.append((kind, line))  # a link between paragraphs is the story's (a list of links)
        elif kind is not None:
            story.add_metadata(kind, line)
        elif self.rules.is_caption(line.text):
            story.add_caption(line)
        else:
            story.add_body(line)

    def _is_story_echo(self, text: str, title: _Line | None, story: _Story) -> bool:
        """A page marker, or a scraper's repeat of the title or of a caption already kept."""
        return self.rules.is_marker(text) or (title is not None and text == title.text) or text in story.caption_texts

    def _story_meta_kind(self, text: str, body_began: bool) -> MetaKind | None:
        """Byline, dateline or boilerplate by shape; an inline "read also" link is boilerplate, a
        ``Name (City)`` line a byline only above the body and a writer's bio only below it."""
        kind = self.rules.meta_kind(text)
        if kind is not None:
            return kind
        if self.rules.is_inline_related(text):
            return "boilerplate"
        if not body_began and self.rules.is_byline(text):
            return "byline"
        if body_began and self.rules.is_writer_bio(text):
            return "byline"  # held as the story's foot: metadata only if the story ends there
        return None

    def _without_glued_metadata(self, line: _Line, meta: _Metadata) -> _Line:
        """The first paragraph without the dateline or byline glued before its first sentence."""
        cut = self.rules.metadata.glued_prefix(line.text)
        if cut is None:
            return line
        prefix_end, rest, kind = cut
        meta.add(kind, Span.of(self.text, line.start, line.start + prefix_end))
        return _Line(line.start + rest, line.end, line.text[rest:], line.gap)

    def _without_glued_boilerplate(self, line: _Line, meta: _Metadata) -> _Line:
        """The last paragraph without the boilerplate or credit a scraper glued after its last
        sentence (a tag line ``سمات: ...``, a story link, a sign-off ``// يتبع //``, a source
        ``المصدر: وكالات``): the longest such tail after a sentence end or a ``//``, not itself
        ending like a sentence, becomes a span of its kind; the paragraph keeps the rest."""
        for cut in _TAIL_STARTS.finditer(line.text):
            tail = line.text[cut.end():].strip()
            if not tail or tail[-1] in _SENTENCE_FINAL or (
                    self.rules.metadata.is_link(tail) and not self.rules.metadata.names_a_link(tail)):
                continue  # a sentence, or one that holds an address ("please visit www..."): the story's
            kind = self._story_meta_kind(tail, body_began=True)
            if kind in ("boilerplate", "byline"):
                head = line.text[: cut.end()].rstrip()
                if not head:
                    return line
                start = line.start + line.text.index(tail, cut.end())
                meta.add(kind, Span.of(self.text, start, line.end))
                return _Line(line.start, line.start + len(head), head, line.gap)
        return line

    def _main_title(self, lines: list[_Line]) -> _Line | None:
        """The headline: the line a marker's echo repeats, else a headline-shaped first line
        (bylines and datelines above it skipped, never taken for it)."""
        given = next((line for line in lines if self.header.get(line.start) == "title"), None)
        if given is not None:
            return given  # the page's metadata named its title: never guessed from the body
        first = next((i for i, line in enumerate(lines) if self._is_text_line(line)), len(lines))
        if first >= len(lines) - 1 or not self._is_headline(lines, first):
            return None
        return lines[first]

    def _is_text_line(self, line: _Line) -> bool:
        """Neither a header line nor a byline, dateline or boilerplate."""
        return line.start not in self.header and self.rules.meta_kind(line.text) is None

    def _is_headline(self, lines: list[_Line], index: int) -> bool:
        """Whether a story's first line of text (not its last line) is its headline: a marker's
        echo repeats it, a kicker or a format tag marks it, or it has a headline's shape."""
        rules = self.rules
        text = lines[index].text
        if rules.is_marker(text) or rules.is_caption(text):
            return False
        if self._echoed_after_marker(lines, index) or rules.kicker_end(text) is not None:
            return True
        if rules.has_title_tag(text) and len(text.split()) <= rules.settings.max_title_words:
            return True
        return rules.is_headline_shaped(text, plain=self._runs_on(lines, index + 1))

    def _echoed_after_marker(self, lines: list[_Line], index: int) -> bool:
        """Whether a page marker near the top names ``lines[index]`` as its story's headline."""
        rules = self.rules
        return any(
            rules.is_marker(line.text) and _headline_before_marker(lines, marker, rules) == index
            for marker, line in enumerate(islice(lines, rules.settings.marker_lookback_lines + 1))
        )

    def _runs_on(self, lines: list[_Line], at: int) -> bool:
        """Whether the line ``lines[at]`` under a first line makes it plain text: a blank line sets a
        headline apart, and so does a header line, a byline, a dateline, a writer's name or a short
        credit line set apart from the story by a blank line under it."""
        after = lines[at]
        if after.gap != 0 or after.start in self.header:
            return False
        if self.rules.meta_kind(after.text) in ("byline", "dateline") or self.rules.is_name_line(after.text):
            return False
        return not self._credit_under(lines, at)

    def _credit_under(self, lines: list[_Line], at: int) -> bool:
        """Whether ``lines[at]`` is a short credit line under the line above it, set apart from the
        story by the blank line after it."""
        return at + 1 < len(lines) and lines[at + 1].gap > 0 and \
            self.rules.is_credit_under_headline(lines[at].text, lines[at - 1].text)

    def _writer_under(self, title: _Line | None, lines: list[_Line]) -> _Line | None:
        """The line right under the headline when it is a writer's name alone (``أحمد الريدي``), as
        columns print it, set apart from the story by a blank line or followed by its dateline, or
        any short line that is no sentence set apart by a blank line (an outlet's credit in its own
        convention); a name run on into the text is a heading (a list of nominees: ``سام كير``)."""
        if title is None or title.start in self.header:
            return None
        at = next((index for index, line in enumerate(lines) if line.start > title.start), len(lines))
        if at + 1 >= len(lines):
            return None
        under, after = lines[at], lines[at + 1]
        if under.gap != 0 or under.start in self.header:
            return None
        if not self.rules.is_name_line(under.text):
            return under if self._credit_under(lines, at) else None
        opens_story = after.gap > 0 or self.rules.meta_kind(after.text) == "dateline"
        return under if opens_story or self.rules.metadata.glued_prefix(after.text) is not None else None

    def _body(self, body: list[_Line]) -> tuple[list[Span], list[Span]]:
        """Paragraph spans in order with the headings among them, glued headings cut free."""
        standalone = self._standalone_headings(body)
        paragraphs: list[Span] = []
        headings: list[Span] = []
        for line, is_heading, cut in zip(body, standalone, self._glued_headings(body, standalone)):
            if cut is None:
                paragraphs.append(line.span())
                if is_heading:
                    headings.append(line.span())
                continue
            heading = _trimmed(self.text, line.start, line.start + cut[0])
            rest = _trimmed(self.text, line.start + cut[1], line.end)
            paragraphs.extend(span for span in (heading, rest) if span is not None)
            if heading is not None:
                headings.append(heading)
        return paragraphs, headings

    def _standalone_headings(self, body: list[_Line]) -> list[bool]:
        """For each body line, whether it is a heading of its own: heading-shaped, between two
        paragraphs, and followed by a line that is not heading-shaped."""
        shaped = [self.rules.is_heading_shaped(line.text) for line in body]
        return [0 < index < len(body) - 1 and shaped[index] and not shaped[index + 1] for index in range(len(body))]

    def _glued_headings(self, body: list[_Line], standalone: list[bool]) -> list[tuple[int, int] | None]:
        """For each body line, where a heading glued to its front ends and its paragraph starts;
        believed only when the story shows at least ``min_glued_headings`` of them."""
        glued = [
            None if index == 0 or standalone[index] else self.rules.glued_heading(line.text)
            for index, line in enumerate(body)
        ]
        if sum(cut is not None for cut in glued) < self.rules.settings.min_glued_headings:
            return [None] * len(body)
        return glued

    def teasers(self, header: _Line, lines: list[_Line]) -> tuple[list[Article], int]:
        """The teasers at the start of a related block's lines, and where they stop; the block's
        header is boilerplate of the first teaser."""
        articles: list[Article] = []
        index = 0
        while index < len(lines):
            teaser = self._teaser(lines, index, header if index == 0 else None)
            if teaser is None:
                break
            article, index = teaser
            articles.append(article)
        return articles, index

    def _teaser(self, lines: list[_Line], first: int, header: _Line | None) -> tuple[Article, int] | None:
        """One teaser from ``lines[first]``: captions and a title (each possibly repeated), a
        summary, closed by a byline or by the next teaser's caption."""
        read = self._read_teaser(lines, first)
        if read is None:
            return None
        teaser, end = read
        if not teaser.has_teaser_layout():
            return None  # bare links, or a story after the block: no teaser layout
        teaser_lines = lines[first:end]
        if header is not None:
            teaser.meta.add("boilerplate", header.span())
            teaser_lines = [header, *teaser_lines]
        article = self.article(teaser_lines, "teaser", teaser.title, teaser.summary, [], teaser.captions, teaser.meta)
        return article, end

    def _read_teaser(self, lines: list[_Line], first: int) -> tuple[_Teaser, int] | None:
        """The teaser's parts from ``lines[first]`` and where it ends; None when it runs past
        ``max_teaser_lines`` distinct lines (a story, not a teaser)."""
        teaser = _Teaser()
        for index in range(first, len(lines)):
            line = lines[index]
            role = self._teaser_role(line.text, teaser)
            if role == "end" or role == "next caption":
                teaser.closed_by_caption = role == "next caption"
                return teaser, index
            if role == "echo":
                teaser.meta.add("boilerplate", line.span())  # a repeated caption or title
            elif role == "byline":
                teaser.meta.add("byline", line.span())
                return teaser, index + 1
            else:
                self._add_to_teaser(role, line, teaser)
                if len(teaser.seen) > self.rules.settings.max_teaser_lines:
                    return None
        return teaser, len(lines)

    def _teaser_role(self, text: str, teaser: _Teaser) -> _TeaserRole:
        """What the next line is to the teaser read so far."""
        rules = self.rules
        if text in teaser.seen:
            return "echo"
        if teaser.summary and rules.is_byline(text):
            return "byline"
        if rules.is_marker(text) or rules.is_related_header(text):
            return "end"
        if rules.is_caption(text):
            return "next caption" if teaser.summary else "caption"  # after a summary: the next teaser's photo
        return "title" if teaser.title is None else "summary"

    def _add_to_teaser(self, role: _TeaserRole, line: _Line, teaser: _Teaser) -> None:
        if role == "caption":
            teaser.captions.append(self._teaser_caption(line, teaser.meta))
        elif role == "title":
            teaser.title = line
        else:
            teaser.summary.append(line.span())
        teaser.seen.add(line.text)

    def _teaser_caption(self, line: _Line, meta: _Metadata) -> Span:
        """The caption without the section label glued to its front (kept as boilerplate)."""
        cut = self.rules.section_label_end(line.text)
        if cut is None:
            return line.span()
        label = _trimmed(self.text, line.start, line.start + cut)
        if label is not None:
            meta.add("boilerplate", label)
        return Span.of(self.text, line.start + cut, line.end)


@lru_cache(maxsize=8)
def _rules(settings: ArticleSettings) -> _Rules:
    """The rules of one settings value, built once: phrase lists are normalised up front."""
    return _Rules(settings)


def split_articles(document: Document | str, settings: ArticleSettings | None = None) -> list[Article]:
    """The articles of a page (a Document, or its text as a string) in page order: main stories
    and related-article teasers.

    Every span satisfies ``document.text[span.start:span.end] == span.text``; ids follow
    :meth:`curation.units.Article.make_id`, so the same page and settings give the same ids.
    """
    if isinstance(document, str):
        from curation.ingest import text_document  # only a page given as a string needs it

        document = text_document(document)
    rules = _rules(settings or DEFAULT_SETTINGS)
    builder = _Builder(document, rules)
    articles: list[Article] = []
    orphans: list[_Line] = []  # lines of a "story" that held only markers and boilerplate
    story: list[_Line] = []  # the main story being collected

    def finish_story() -> None:
        article = builder.main(story) if story else None
        if article is not None:
            articles.append(article)
        else:
            orphans.extend(story)

    for is_related, lines in _sections(_lines(document.text), rules):
        teasers, used = builder.teasers(lines[0], lines[1:]) if is_related else ([], 0)
        if teasers:
            finish_story()
            articles.extend(teasers)
            story = lines[1 + used :]
        elif is_related and story and lines[0].gap < rules.settings.article_gap_lines:
            story = story + lines  # a "read also" list of bare links inside a story stays in it
        else:
            finish_story()
            story = lines
    finish_story()
    return _absorb(document.text, articles, orphans)


def _absorb(text: str, articles: list[Article], orphans: list[_Line]) -> list[Article]:
    """Each orphan line (a page marker or sign-off with no story of its own) recorded as
    boilerplate of the article before it, or of the first article when none precedes: no line of
    the page is dropped without a span. The article's region grows to cover it."""
    if not articles or not orphans:
        return articles
    extra: dict[int, list[_Line]] = {}
    for line in orphans:
        before = [i for i, article in enumerate(articles) if article.start <= line.start]
        extra.setdefault(before[-1] if before else 0, []).append(line)
    result = list(articles)
    for index, lines in extra.items():
        article = result[index]
        start = min(article.start, lines[0].start)
        end = max(article.end, lines[-1].end)
        boilerplate = sorted([*article.boilerplate, *(line.span() for line in lines)], key=lambda span: span.start)
        result[index] = replace(
            article,
            id=Article.make_id(article.doc_id, start, end),
            start=start,
            end=end,
            text=text[start:end],
            boilerplate=tuple(boilerplate),
        )
    return result
