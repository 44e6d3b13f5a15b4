"""Arabic proclitics in front of a name, and the rules that say which readings a gazetteer match may take.

A name in running text often carries a conjunction (و ف) and a preposition (ب ك ل), in that order:
وبالقاهرة is و + ب + القاهرة. :func:`stems` lists every way to read a word as clitics + stem, the plain
word first, so a lookup tries the whole word before any reading that takes letters off it. ل before the
article drops the article's alef (للقاهرة = ل + القاهرة): that reading restores the alef for the lookup
and starts the stem at the article's lam, so the span still covers the name's own letters.

The article itself is not read off by default: a name written without it does not take it (الرئيس is
"the president", not ال + a name رئيس), and on WikiFANE reading it off only added wrong spans
(bench/gazetteer.py). Each rule of :class:`MatchRules` is on by default only where that bench (names of
WikiFANE's training sentences on its held-out ones, exact spans) does not show it lowering F1: reading
prepositions off and folding ى into ي lower it there (61.4 and 61.3 without them, 61.2 with), so they are
off unless asked for; the conjunctions and the alef, hamza and ta marbuta foldings stay on, as WikiFANE
writes و apart and without hamza (the bench cannot judge them) and news needs them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from pyarabic import araby

from curation.normalize import NormalizeOptions

CONJUNCTIONS = (araby.WAW, araby.FEH)
PREPOSITIONS = (araby.BEH, araby.KAF, araby.LAM)
LAM = araby.LAM
ARTICLE = araby.ALEF + LAM
MIN_STEM = 3  # letters of a name read from behind clitics: باب is not ب + «أب»


@dataclass(frozen=True, slots=True)
class MatchRules:
    """Which spellings and clitic readings a gazetteer match may take (the figures: docs/benchmarks.md)."""

    fold_alef: bool = True  # أ إ آ ٱ -> ا
    fold_alef_maksura: bool = False  # ى -> ي (never on a function word): off, F1 61.3 off vs 61.2 on
    fold_teh_marbuta: bool = True  # ة -> ه
    fold_hamza_carriers: bool = True  # ؤ -> و, ئ -> ي
    conjunctions: bool = True  # و ف read off the first word (WikiFANE writes و apart: not judged there)
    prepositions: bool = False  # ب ك ل before the article: بالقاهرة, للقاهرة (alef restored); off, 61.4 vs 61.2
    bare_prepositions: bool = False  # ب ك ل on a name without the article: بمصر, but بديل is not ب + ديل; off
    article: bool = False  # ال read off to reach a name written without it: ال|رئيس, off
    function_words: bool = True  # a one-word name never matches an Arabic function word (على, كان)

    def options(self) -> NormalizeOptions:
        """What a match compares: diacritics, tatweel, bidi marks and Latin case always ignored,
        digits and punctuation as written, letter variants as the rules say."""
        return NormalizeOptions(fold_digits=False, fold_punctuation=False, fold_alef=self.fold_alef,
                                fold_alef_maksura=self.fold_alef_maksura, fold_teh_marbuta=self.fold_teh_marbuta,
                                fold_hamza_carriers=self.fold_hamza_carriers)

    def guard_options(self) -> NormalizeOptions:
        """The view function words are compared in: the match's, with ى kept apart from ي."""
        return NormalizeOptions(fold_digits=False, fold_punctuation=False, fold_alef_maksura=False)


DEFAULT_RULES = MatchRules()


@cache
def prefixes(rules: MatchRules) -> dict[str, tuple[tuple[str, str], ...]]:
    """(clitic letters, last clitic) combinations the rules allow, conjunction before preposition,
    by their first letter (a word is tried only against the prefixes its first letter opens)."""
    conjunctions = ("", *CONJUNCTIONS) if rules.conjunctions else ("",)
    prepositions = ("", *PREPOSITIONS) if rules.prepositions else ("",)
    found: dict[str, tuple[tuple[str, str], ...]] = {}
    for prefix, last in ((c + p, p or c) for c in conjunctions for p in prepositions if c + p):
        found[prefix[0]] = (*found.get(prefix[0], ()), (prefix, last))
    if rules.article:
        found[ARTICLE[0]] = (*found.get(ARTICLE[0], ()), ("", ""))  # the bare article, read in _readings
    return found


def _readings(prefix: str, last: str, rest: str, rules: MatchRules) -> list[tuple[str, int]]:
    """The readings of a word that starts with ``prefix`` (``last`` its last clitic), ``rest`` after
    it: ``(lookup form, letters of clitic before the span)``."""
    bare = last in PREPOSITIONS and not rest.startswith(ARTICLE)  # ب ك ل on a name without the article
    found = [(rest, len(prefix))] if prefix and (rules.bare_prepositions or not bare) else []
    if last == araby.LAM and rest.startswith(araby.LAM):
        found.append((araby.ALEF + rest, len(prefix)))  # ل + ال with the alef dropped: للقاهرة
    if rules.article and rest.startswith(ARTICLE):
        found.append((rest[len(ARTICLE):], len(prefix) + len(ARTICLE)))
    return found


def stems(word: str, rules: MatchRules = DEFAULT_RULES) -> Iterator[tuple[str, int]]:
    """``(lookup form, letters of clitic before the span)`` readings of a normalised ``word``:
    the word itself first, then fewer clitic letters before more; a reading that takes letters
    off leaves at least ``MIN_STEM`` (two-letter names match as whole words only)."""
    yield word, 0
    readings = []
    for prefix, last in prefixes(rules).get(word[:1], ()):
        if word.startswith(prefix):
            readings += _readings(prefix, last, word[len(prefix):], rules)
    seen = {(word, 0)}
    for form, skipped in sorted(readings, key=lambda reading: reading[1]):
        if len(form) >= MIN_STEM and (form, skipped) not in seen:
            seen.add((form, skipped))
            yield form, skipped
