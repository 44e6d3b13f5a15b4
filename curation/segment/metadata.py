"""Bylines, datelines, sign-offs and scraper boilerplate, recognised by the shape of a line.

Outlets differ in their words but not in their shapes, so each rule names a shape and takes its
vocabulary from a word list in ``curation/segment/data`` (agencies, months, share words ...):

- **byline**: a writer and a place or outlet joined by dashes, ``ـ`` or slashes
  (``أحمد الريدي - القاهرة``, ``القاهرة ـ أحمد الريدي``, ``Name- Outlet- City:``); a line opened by
  a byline word (``بقلم:``, ``كتب -``); a news agency alone, bracketed or not (``واس``,
  ``(أ.ف.ب)``), or signing with names after slashes (``وام/Name/Name``) or after a place and an
  unspaced dash (``دمشق-سانا``); a contact line (an e-mail address or an ``@handle``);
- **dateline**: a date (Gregorian or Hijri month names, weekdays, ``6/11/2025``, ``1447 هـ``) or an
  agency in brackets or between slashes (``/أ ش أ/``), with at most a place besides (``باماكو، 6 نوفمبر 2025``,
  ``القاهرة (رويترز)``, ``الرياض 15 جمادى الأولى 1447 هـ الموافق 6 نوفمبر 2025 م واس``);
- **boilerplate**: a sign-off (``// انتهى //``), editors' initials (``ع ا ش``), a bare time
  (``18:07 ت م``), a tag line (``سمات: ...``) or a line of hashtags, a share prompt or a row of
  share buttons, a link to the story (a URL with a few words, or a link phrase), a copyright line.

Every shape is short and carries no sentence-final punctuation, so body sentences never match.
A dateline or byline glued before a story's first sentence (``القاهرة (رويترز) - قال ...``) is
found as the longest such prefix ending at a dash or colon.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Literal

from curation.normalize import normalize_text

MetaKind = Literal["byline", "dateline", "boilerplate"]

MAX_META_CHARS = 160
"""Longer lines are prose: no byline, dateline or boilerplate line runs this long."""
MAX_META_WORDS = 16
MAX_PLACE_WORDS = 2
"""Words besides the date and the agency in a dateline: a place (``دار السلام``)."""
MAX_GLUED_PLACE_WORDS = 4
"""The same, for a dateline glued before a first sentence (``واشنطن، الولايات المتحدة الأمريكية
(CNN) -- ...``): there no photo caption (``جنود يعبرون النهر (رويترز)``) can stand."""
MAX_PART_WORDS = 4
"""Words in each dash-joined part of a byline (a name, an outlet, a city)."""
MAX_GLUED_PREFIX_WORDS = 24
MAX_LISTED_NAMES = 3
"""Writers or places listed with commas in one byline part or dateline."""
MAX_SHARE_WORDS = 10
MAX_INITIALS = 6

_SENTENCE_FINAL = ".!?؟…،,;؛"
_DECORATION = "/\\-–—ـ()[]{}<>*•·.:|«»\"'“” \t"
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_HANDLE = re.compile(r"(?<![\w@])@\w{2,}")
_TIME = re.compile(r"(?<![\d.:])\d{1,2}:\d{2}(?::\d{2})?(?![\d:])")
_NUMERIC_DATE = re.compile(r"(?<!\d)\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}(?!\d)")
_NUMBER = re.compile(r"\d+(?:هـ|ه|م)?")
_BRACKETED = re.compile(r"[(\[]([^()\[\]]{1,40})[)\]]|/([^/()\[\]]{1,40})/")
"""``(رويترز)``, ``[واس]``, and ``/أ ش أ/`` ``/ وام /``: MENA, WAM and QNA set their name between slashes."""
_TOKEN = re.compile(r"[^\s,،:;؛/|()\[\]«»\"“”\-–—]+")
_PART_SEPARATOR = re.compile(r"\s*[-–—]+\s+|\s+[-–—]+\s*|\s+ـ+\s+|\s*[/|]\s+|\s+[/|]\s*")
_PREFIX_END = re.compile(r"\s*[-–—]+\s+|\s+[-–—]+\s*|\s+ـ+\s+|\s*:\s+|\)\s*|/\s+")
_LIST_SEPARATOR = re.compile(r"\s*[،,]\s*")
_QUALIFIER = re.compile(r"\(\s*[^\W\d_]+(?:\s+[^\W\d_]+){0,2}\s*\)")
_SENTENCE_END = re.compile(r"[.!?؟…][\"'»”)]*\s")
_INITIALS_SEPARATOR = re.compile(r"\s*[/.]\s*|\s+")
_HASHTAGS = re.compile(r"#[^\s#]+(?:\s+#[^\s#]+)+")
_COPYRIGHT = re.compile(r"©|\(c\)|جميع الحقوق محفوظة|all rights reserved", re.IGNORECASE)
_PARTICLES = frozenset("في من على إلى الى عن مع بين خلال لدى عند بعد قبل الذي التي الذين أن إن لا لم لن قد ما".split())
"""Compared as written: folding ``على`` to ``علي`` would make every Ali a preposition."""


def _letters_only(word: str) -> bool:
    return all(ch.isalpha() or unicodedata.category(ch) == "Mn" or ch in ".'’" for ch in word)


def _is_plain_word(word: str) -> bool:
    """Letters (dotted initials too), and no particle: a word of a name or a place."""
    return _letters_only(word) and word not in _PARTICLES


def _could_be_metadata(text: str) -> bool:
    """Short enough for a byline, dateline or boilerplate line, and with a letter or digit."""
    return len(text) <= MAX_META_CHARS and any(ch.isalnum() for ch in text)


def _ends_like_sentence(text: str) -> bool:
    """Whether a line ends with sentence or clause punctuation (closing quotes looked through);
    a closing bracket ends a credit (``(رويترز)``), not a sentence."""
    return text.rstrip("\"'»”)")[-1:] in _SENTENCE_FINAL and not text.endswith(")")


def _is_initials(text: str) -> bool:
    """``ع ا ش``, ``م د/ ر ت``, ``ح.ص``: the initials of the editors who handled a wire story, a line
    of two to six single Arabic letters (slashes and dots between them aside)."""
    if len(text) > 4 * MAX_INITIALS:
        return False  # six letters with their separators: a short line
    letters = _INITIALS_SEPARATOR.split(text.strip(" /."))
    return 2 <= len(letters) <= MAX_INITIALS and all(len(letter) == 1 and "ء" <= letter <= "ي" for letter in letters)


def _is_joined_names(text: str) -> bool:
    """Two to four parts joined by dashes, ``ـ`` or slashes (``أحمد الريدي - القاهرة``), each a
    few short names listed with commas."""
    parts = [p.strip() for p in _PART_SEPARATOR.split(text.rstrip(":： -–—"))]
    if not 2 <= len(parts) <= 4 or not all(parts):
        return False
    return all(_is_name_list(part) for part in parts)


def _is_name_list(part: str) -> bool:
    """``عماد الحكمي، مريم الجابر``: two writers; ``نيويورك، سان فرانسيسكو``: two places."""
    names = [name.strip() for name in _LIST_SEPARATOR.split(part)]
    return len(names) <= MAX_LISTED_NAMES and all(_is_short_name(name) for name in names)


def _is_short_name(name: str) -> bool:
    """One to four plain words, quotes and brackets aside, none of them a particle."""
    words = name.strip("«»\"“”()").split()
    if not 1 <= len(words) <= MAX_PART_WORDS:
        return False
    return all(_letters_only(w.strip("«»\"“”()")) and w not in _PARTICLES for w in words)


def _prefix_ends(text: str) -> Iterator[re.Match[str]]:
    """Each dash, colon or closing bracket that may end a prefix glued before a first sentence,
    as long as fewer than :data:`MAX_GLUED_PREFIX_WORDS` words stand before it."""
    words = 0
    position = 0
    for match in _PREFIX_END.finditer(text):
        words += len(text[position : match.start()].split())
        position = match.start()
        if words > MAX_GLUED_PREFIX_WORDS:
            return
        yield match


def _prefix_before(text: str, end: re.Match[str]) -> str:
    """The prefix that ``end`` closes: a closing bracket or slash stays with it (``(رويترز)``,
    ``/أ ش أ/``), a dash or colon does not."""
    return text[: end.end() if end.group().startswith((")", "/")) else end.start()].rstrip()


def _sentence_starts_at(text: str, at: int) -> bool:
    """Whether the first shown character from ``at`` (bidi marks and zero-width characters
    skipped) can open a sentence: a letter, a digit, an opening quote or bracket. A lowercase
    letter cannot: in a cased script it goes on the sentence (``Two hostages — an American ...``
    is one sentence with a dash in it, not a dateline); Arabic has no case, so it is not affected."""
    while at < len(text) and unicodedata.category(text[at]) == "Cf":
        at += 1
    return at < len(text) and ((text[at].isalnum() and not text[at].islower()) or text[at] in "«\"“(")


class _Vocabulary:
    """Normalised phrases, matched whole against a normalised text with dots and spaces dropped,
    so ``أ.ف.ب`` ``أ ف ب`` and ``(ا ف ب)`` are one agency."""

    def __init__(self, phrases: Iterable[str]) -> None:
        phrases = tuple(phrases)
        self.squeezed = frozenset(self.squeeze(p) for p in phrases)
        # a bound before normalising: each word may be spaced out with its dots ("أ . ف . ب")
        # and the phrase wrapped in a few decoration tokens ("// انتهى //")
        self.max_tokens = 2 * max((len(p.split()) for p in phrases), default=0) + 3

    @staticmethod
    def squeeze(text: str) -> str:
        return "".join(ch for ch in normalize_text(text).casefold() if ch not in _DECORATION)

    def __contains__(self, text: str) -> bool:
        if len(text.split()) > self.max_tokens:
            return False
        squeezed = self.squeeze(text)
        return bool(squeezed) and squeezed in self.squeezed


class MetadataRules:
    """The shape tests, with the word lists of one :class:`ArticleSettings` normalised once."""

    def __init__(
        self,
        *,
        agencies: Iterable[str],
        sign_offs: Iterable[str],
        date_words: Iterable[str],
        time_words: Iterable[str],
        byline_leads: Iterable[str],
        tag_labels: Iterable[str],
        share_words: Iterable[str],
        link_phrases: Iterable[str],
        sentence_first_words: Iterable[str],
    ) -> None:
        self.agencies = _Vocabulary(agencies)
        self.sign_offs = _Vocabulary(sign_offs)
        self.date_words = frozenset(normalize_text(w).casefold() for w in date_words)
        self.date_and_time_words = self.date_words | frozenset(normalize_text(w).casefold() for w in time_words)
        self.byline_leads = frozenset(normalize_text(w).casefold() for w in byline_leads)
        self.tag_labels = tuple(sorted((normalize_text(t).casefold() for t in tag_labels), key=len, reverse=True))
        self.share_words = frozenset(normalize_text(w).casefold() for w in share_words)
        self.link_phrases = tuple(normalize_text(p).casefold() for p in link_phrases)
        self.sentence_first_words = frozenset(normalize_text(w) for w in sentence_first_words)

    def line_kind(self, text: str, glued: bool = False) -> MetaKind | None:
        """What a whole (trimmed) line is, by shape; None for anything else (title, body, caption)."""
        if not _could_be_metadata(text):
            return None
        folded = normalize_text(text).casefold()
        listed = self._listed_kind(text, folded)
        if listed is not None:
            return listed
        if _EMAIL.search(text) or _HANDLE.search(text):
            return "byline" if len(text.split()) <= MAX_META_WORDS // 2 else None
        if _ends_like_sentence(text):
            return None
        date_kind = self._date_kind(text, MAX_GLUED_PLACE_WORDS if glued else MAX_PLACE_WORDS)
        if date_kind is not None:
            return date_kind
        return "byline" if self._is_byline(text, folded) else None

    def glued_prefix(self, text: str) -> tuple[int, int, MetaKind] | None:
        """``(end of prefix, start of the rest, kind)`` for a dateline or byline glued before the
        first sentence of a paragraph (``القاهرة (رويترز) - قال``, ``Name- Outlet- City: ...``);
        the longest such prefix wins. A lone place before a spaced dash counts as a dateline."""
        best: tuple[int, int, MetaKind] | None = None
        for end in _prefix_ends(text):
            prefix = _prefix_before(text, end)
            if not prefix or not _sentence_starts_at(text, end.end()):
                continue
            if end.group().startswith("/") and not self._ends_with_slashed_agency(prefix):
                continue  # "في 5 تموز/ يوليو قال": a slash closes a prefix only after "/أ ش أ/"
            kind = self.line_kind(prefix, glued=True) or self._lone_place(prefix, end.group())
            if kind in ("byline", "dateline"):
                best = (len(prefix), end.end(), kind)
        return best

    def _ends_with_slashed_agency(self, prefix: str) -> bool:
        """Whether ``prefix`` ends with an agency between slashes (``/أ ش أ/``, ``/ وام /``)."""
        opening = prefix.rfind("/", 0, len(prefix) - 1)
        return prefix.endswith("/") and opening >= 0 and prefix[opening + 1 : -1] in self.agencies

    @staticmethod
    def is_link(text: str) -> bool:
        """A line holding a URL (a story link, or one item of a list of links)."""
        return _URL.search(text) is not None

    def names_a_link(self, text: str) -> bool:
        """A line opening with a link phrase (``رابط الخبر``, ``اقرأ أيضا``): a link to the story, not a
        sentence that happens to hold an address (``please visit www...``)."""
        folded = normalize_text(text).casefold()
        return any(folded.startswith(phrase) for phrase in self.link_phrases)

    # --- the shapes -------------------------------------------------------------------------

    def _listed_kind(self, text: str, folded: str) -> MetaKind | None:
        """What a line is by the words it holds: a sign-off, an agency alone, or boilerplate."""
        if text in self.sign_offs:
            return "boilerplate"
        if text in self.agencies or self._is_agency_signature(text) or self._is_place_dash_agency(text):
            return "byline"
        return "boilerplate" if self._is_boilerplate(text, folded) else None

    def _is_boilerplate(self, text: str, folded: str) -> bool:
        copyright_mark = _COPYRIGHT.search(text)
        if copyright_mark:  # a sentence before the mark is a story's ("... يونيو". © جميع الحقوق ...)
            return len(text.split()) <= MAX_META_WORDS and not _SENTENCE_END.search(text, 0, copyright_mark.start())
        if any(folded.startswith(phrase) for phrase in self.link_phrases):
            return True
        if _URL.search(text) is not None:
            return len(_URL.sub(" ", text).split()) <= MAX_SHARE_WORDS // 2 + 2
        return (
            self._is_tag_line(folded)
            or self._only_share_words(folded)
            or self._is_bare_time(text)
            or _is_initials(text)
            or _HASHTAGS.fullmatch(text) is not None  # "#ترامب #الصين": a page's tags as hashtags
        )

    def _is_tag_line(self, folded: str) -> bool:
        """``سمات: ...``: a tag label followed by a colon, a space or nothing."""
        for label in self.tag_labels:
            if folded.startswith(label) and folded[len(label) : len(label) + 1] in (":", " ", "：", ""):
                return True
        return False

    def _is_bare_time(self, text: str) -> bool:
        """``18:07 ت م``: a time with only time words around it, and no date."""
        return _TIME.search(text) is not None and not self._non_date_tokens(text) and not self._has_named_date(text)

    def _only_share_words(self, folded: str) -> bool:
        """A few words, all of share prompts and buttons; stops at the first other word."""
        count = 0
        for match in _TOKEN.finditer(folded):
            word = match.group()
            if not any(ch.isalnum() for ch in word):
                continue
            count += 1
            word = word.strip(".")
            if word not in self.share_words and not (word.startswith("و") and word[1:] in self.share_words):
                return False  # "وتويتر": the conjunction is written on the word
            if count > MAX_SHARE_WORDS:
                return False
        return count > 0

    def _date_kind(self, text: str, max_place_words: int) -> MetaKind | None:
        """``dateline`` for a date or a bracketed agency with at most a place besides, ``byline``
        for a bracketed agency alone, None otherwise (a bare time is boilerplate, told before)."""
        rest, agency = self._without_agency(text)
        has_date = self._has_named_date(rest) or _NUMERIC_DATE.search(rest) is not None
        if not has_date and agency != "bracketed":
            return None  # "نمضي معا" ends in an agency's name (Ma'an) but is a headline
        rest, qualifiers = _QUALIFIER.subn(" ", rest, count=1)  # "كان (جنوب فرنسا)": a place and its region
        places = [words for words in map(self._non_date_tokens, _LIST_SEPARATOR.split(rest)) if words]
        if not self._are_places(places, max_place_words, qualified=qualifiers > 0):
            return None
        return "dateline" if has_date or places else "byline"

    def _are_places(self, places: list[list[str]], max_place_words: int, qualified: bool) -> bool:
        """Whether the words of a dateline besides its date and agency name a few places (each
        listed with commas): plain words, no particle, no clause."""
        if len(places) > MAX_LISTED_NAMES or any(len(words) > max_place_words for words in places):
            return False
        if not all(_is_plain_word(word) for place in places for word in place):
            return False
        # "قالت هيئة الإذاعة (بي.بي.سي)": a clause; "كان (جنوب فرنسا)" is Cannes
        return qualified or not any(normalize_text(place[0]) in self.sentence_first_words for place in places)

    def _without_agency(self, text: str) -> tuple[str, Literal["bracketed", "trailing"] | None]:
        """The text with its agency taken out (bracketed anywhere, or the last one to three words),
        and how the agency stood: several agencies' names are also common words (``معا``, ``قنا``),
        so an unbracketed one counts only beside a date."""
        for match in _BRACKETED.finditer(text):
            if (match.group(1) or match.group(2)) in self.agencies:
                return (text[: match.start()] + " " + text[match.end() :]).strip(), "bracketed"
        words = text.split()
        for count in (3, 2, 1):
            if len(words) > count and " ".join(words[-count:]) in self.agencies:
                return " ".join(words[:-count]), "trailing"
        return text, None

    def _non_date_tokens(self, text: str) -> list[str]:
        """The words that are not part of a date or time (``في`` before a day number is: ``بيروت في 3 ...``)."""
        tokens = _TOKEN.findall(_NUMERIC_DATE.sub(" 0 ", _TIME.sub(" 0 ", text)))
        return [
            token
            for index, token in enumerate(tokens)
            if any(ch.isalnum() for ch in token)
            and not _NUMBER.fullmatch(token)
            and normalize_text(token.strip(".")).casefold() not in self.date_and_time_words
            and not (token == "في" and index + 1 < len(tokens) and tokens[index + 1][:1].isdigit())
        ]

    def _has_named_date(self, text: str) -> bool:
        """A month or weekday name, or a year with its era mark (``1447 هـ``, ``2025م``)."""
        folded = [normalize_text(t.strip(".")).casefold() for t in _TOKEN.findall(text)]
        era = {"ه", "هـ", "م"}
        for index, token in enumerate(folded):
            if token in self.date_words and token not in era and len(token) > 2:
                return True
            if re.fullmatch(r"\d{3,4}(?:ه|م)", token) or (
                token.isdigit() and index + 1 < len(folded) and folded[index + 1] in era
            ):
                return True
        return False

    def _is_byline(self, text: str, folded: str) -> bool:
        """A byline word first, or two to four short parts joined by dashes, ``ـ`` or slashes."""
        words = text.split()
        if len(words) > MAX_META_WORDS or any(ch.isdigit() for ch in text):
            return False
        if self._opens_with_byline_word(folded, len(words)):
            return not any(w in _PARTICLES for w in words[1:])  # "مراسلة: ما هي مشكلتهم" asks
        return _is_joined_names(text) and not self._has_clause_part(text)

    def _is_place_dash_agency(self, text: str) -> bool:
        """``دمشق-سانا``: a place and an agency joined by a dash written without spaces (SANA)."""
        place, dash, agency = text.partition("-")
        if not dash or place != place.rstrip() or agency != agency.lstrip() or place.count(" ") >= MAX_PLACE_WORDS:
            return False  # "باريس - (أ ف ب)", spaced, is a dateline of a place and its agency
        words = place.split()
        return 1 <= len(words) <= MAX_PLACE_WORDS and all(map(_is_plain_word, words)) and agency in self.agencies

    def _is_agency_signature(self, text: str) -> bool:
        """``وام/رضا عبدالنور/أحمد البوتلي``, ``فرانس24/ أ ف ب``: an outlet or agency, then its
        writer and editor (names or initials) or the agencies it drew on, after slashes."""
        if "/" not in text:
            return False
        agency, *names = (part.strip() for part in text.split("/"))
        return 1 <= len(names) <= MAX_LISTED_NAMES and agency in self.agencies and all(map(_is_name_list, names))

    def _has_clause_part(self, text: str) -> bool:
        """A dash-joined part opening with a word that opens sentences (``كما يبدو``, ``قال``): a
        parenthetical clause of a column's first sentence (``فجرت كوريا الشمالية - كما يبدو -
        أنفاقا ...``), not a name; ``كان (فرنسا)`` is Cannes, named by its bracket."""
        for part in _PART_SEPARATOR.split(text.rstrip(":： -–—")):
            words = part.split()
            if words and normalize_text(words[0]) in self.sentence_first_words and not (
                len(words) > 1 and words[1].startswith("(")
            ):
                return True
        return False

    def opens_with_byline_word(self, text: str) -> bool:
        """Whether a line's first word is a byline word (``بقلم``, ``كتب``, ``تصوير``)."""
        return self._first_is_byline_word(normalize_text(text).casefold())

    def _first_is_byline_word(self, folded: str) -> bool:
        first = _TOKEN.match(folded)
        return first is not None and first.group() in self.byline_leads

    def _opens_with_byline_word(self, folded: str, word_count: int) -> bool:
        """``بقلم: ...``, ``كتب - ...``: a byline word, then a few words."""
        return self._first_is_byline_word(folded) and 2 <= word_count <= MAX_PART_WORDS * 2

    def _lone_place(self, prefix: str, separator: str) -> MetaKind | None:
        """``القاهرة -`` before a first sentence: one or two plain words before a spaced dash."""
        words = prefix.split()
        if not 1 <= len(words) <= MAX_PLACE_WORDS or ":" in separator or ")" in separator:
            return None
        if not all(_is_plain_word(word) for word in words):
            return None
        if normalize_text(words[0]) in self.sentence_first_words:
            return None
        return "dateline"
