"""Arabic proclitics in front of a name, and the normalised view gazetteer matching compares.

A name in running text often carries a conjunction (و ف), a preposition (ب ك ل) and the article
(ال), in that order: وبالقاهرة is و + ب + القاهرة. :func:`stems` lists every way to read a word
as clitics + stem, the plain word first, so a gazetteer lookup tries the whole word before any
reading that takes letters off it. ل before the article drops the article's alef (للقاهرة =
ل + القاهرة): that reading restores the alef for the lookup and starts the stem at the article's
lam, so the span still covers the name's own letters and never the clitic.

Comparison is on :func:`curation.normalize.normalize_text` with the options below (alef forms,
alef maksura, ta marbuta and hamza carriers folded; diacritics, tatweel and bidi marks removed;
Latin case folded): the pyarabic character tables are behind it.
"""

from __future__ import annotations

from collections.abc import Iterator

from pyarabic import araby

from curation.normalize import NormalizeOptions

# What a gazetteer match ignores; digits and punctuation are left as written.
MATCH_OPTIONS = NormalizeOptions(fold_digits=False, fold_punctuation=False)
CONJUNCTIONS = ("", araby.WAW, araby.FEH)
PREPOSITIONS = ("", araby.BEH, araby.KAF, araby.LAM)
ARTICLE = araby.ALEF + araby.LAM
MIN_STEM = 3  # letters of a name read from behind clitics: باب is not ب + «أب», nor الأب ال + «أب»


def _readings(prefix: str, preposition: str, rest: str) -> list[tuple[str, int]]:
    """The clitic readings of a word that starts with ``prefix`` (``preposition`` its last
    clitic), ``rest`` after it: ``(lookup form, letters of clitic before the span)``."""
    found = []
    if preposition == araby.LAM and rest.startswith(araby.LAM):
        found.append((araby.ALEF + rest, len(prefix)))  # ل + ال with the alef dropped
        found.append((rest[1:], len(prefix) + 1))  # ... and the article stripped too
    if rest.startswith(ARTICLE):
        found.append((rest[len(ARTICLE):], len(prefix) + len(ARTICLE)))
    if prefix:
        found.append((rest, len(prefix)))
    return found


def stems(word: str) -> Iterator[tuple[str, int]]:
    """``(lookup form, letters of clitic before the span)`` readings of a normalised ``word``:
    the word itself first, then fewer clitic letters before more; a reading that takes letters
    off leaves at least ``MIN_STEM`` (two-letter names match as whole words only)."""
    readings = [(word, 0)]
    for conjunction in CONJUNCTIONS:
        for preposition in PREPOSITIONS:
            prefix = conjunction + preposition
            if word.startswith(prefix):
                readings += _readings(prefix, preposition, word[len(prefix):])
    seen: set[tuple[str, int]] = set()
    for form, skipped in sorted(readings, key=lambda reading: reading[1]):
        if (not skipped or len(form) >= MIN_STEM) and (form, skipped) not in seen:
            seen.add((form, skipped))
            yield form, skipped
