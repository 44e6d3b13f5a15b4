"""Gazetteers: lists of names with their labels, matched in Arabic text the way Arabic writes them.

Files (UTF-8, BOM and CRLF accepted, ``#`` comments):

* ``.tsv`` / ``.txt``: ``name<TAB>LABEL`` a line, e.g. ``القاهرة	GPE``;
* ``.jsonl``: Prodigy / spaCy EntityRuler phrase patterns, ``{"label": "GPE", "pattern": "القاهرة"}``.

Text is cut into words by pyarabic's word pattern (diacritics stay inside words; see ``WORD``
for why not :func:`pyarabic.araby.tokenize_with_location` itself); words and names are compared in the
normalised view of :mod:`curation.preannotate.clitics`, the first word of a name through its
proclitic readings. Matches are whole words (a name never matches inside a longer word), the
longest match wins, and the span starts after the clitics, so وبالقاهرة gives القاهرة.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from curation.imports.model import ImportProblem
from curation.normalize import normalize, normalize_text
from curation.preannotate.clitics import MATCH_OPTIONS, stems
from curation.units import EntitySpan

MAX_CACHED_WORDS = 200_000  # what each frequent word can start; cleared when full (memory stays bounded)
# pyarabic's word pattern (araby.TOKEN_PATTERN_SPLIT: word characters and harakat) with every Arabic
# combining mark (Quranic marks too) and without the apostrophe it keeps inside words ('القاهرة' is quoted).
WORD = re.compile(r"[\w\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]+")


@dataclass(frozen=True, slots=True)
class _Entry:
    """A name after its first word: the remaining (separator, word) pairs, all normalised."""

    rest: tuple[tuple[str, str], ...]
    label: str
    name: str


def _words(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in WORD.finditer(text)]


def _norm(text: str) -> str:
    return normalize_text(text, MATCH_OPTIONS)


def _pieces(name: str) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """The first word of ``name`` and its (separator, word) pairs after it, normalised."""
    bounds = _words(name)
    if not bounds or any(not _norm(name[s:e]) for s, e in bounds):
        return None
    first = _norm(name[bounds[0][0]:bounds[0][1]])
    rest = tuple((_norm(name[bounds[i - 1][1]:bounds[i][0]]), _norm(name[s:e])) for i, (s, e) in enumerate(bounds) if i)
    return first, rest


@dataclass
class Gazetteer:
    """Names by the normalised form of their first word; build with :func:`load_gazetteer` or :meth:`add`."""

    index: dict[str, list[_Entry]] = field(default_factory=dict)
    labels: dict[tuple[str, tuple[tuple[str, str], ...]], str] = field(default_factory=dict)
    _cache: dict[str, tuple[tuple[int, list[_Entry]], ...]] = field(default_factory=dict, repr=False)

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def digest(self) -> str:
        """sha256 of the (normalised) names and their labels: the same list in any order or file gives the same."""
        return hashlib.sha256(json.dumps(sorted(self.labels.items()), ensure_ascii=False).encode()).hexdigest()

    def add(self, name: str, label: str) -> str | None:
        """Add ``name`` as ``label``; the reason it was not added, if it was not."""
        pieces = _pieces(name)
        if pieces is None:
            return f"name {name!r} has no letters to match"
        known = self.labels.get(pieces)
        if known is not None:
            return None if known == label else f"name {name!r} is already listed as {known}: kept as {known}"
        self.labels[pieces] = label
        self._cache.clear()
        entries = self.index.setdefault(pieces[0], [])
        entries.append(_Entry(pieces[1], label, name))
        entries.sort(key=lambda entry: -len(entry.rest))
        return None

    def _starts(self, word: str) -> tuple[tuple[int, list[_Entry]], ...]:
        """(clitic letters skipped, names) for every reading of ``word`` that starts a name; cached."""
        found = self._cache.get(word)
        if found is None:
            if len(self._cache) >= MAX_CACHED_WORDS:
                self._cache.clear()
            found = self._cache[word] = tuple((skipped, self.index[form]) for form, skipped in stems(_norm(word))
                                              if form in self.index)
        return found

    def _longest(self, text: str, words: list[tuple[int, int]], at: int,
                 starts: tuple[tuple[int, list[_Entry]], ...]) -> tuple[int, int, str] | None:
        """(words used, clitic letters skipped, label) of the longest name starting at word ``at``."""
        best: tuple[int, int, str] | None = None
        for skipped, entries in starts:
            for entry in entries:
                used = 1 + len(entry.rest)
                if at + used > len(words) or (best is not None and used <= best[0]):
                    continue
                if all(_norm(text[words[at + i][1]:words[at + i + 1][0]]) == separator
                       and _norm(text[words[at + i + 1][0]:words[at + i + 1][1]]) == word
                       for i, (separator, word) in enumerate(entry.rest)):
                    best = (used, skipped, entry.label)
                    break  # entries are longest first
        return best

    def match(self, text: str) -> list[EntitySpan]:
        """Every name in ``text``, left to right without overlaps, offsets in code points of ``text``."""
        words = _words(text)
        spans: list[EntitySpan] = []
        cached, free_from = self._cache.get, 0  # the hot loop: one slice and one dict look-up a word
        for at, (word_start, word_end) in enumerate(words):
            if at < free_from:
                continue
            word = text[word_start:word_end]
            starts = cached(word)
            if starts is None:
                starts = self._starts(word)
            found = self._longest(text, words, at, starts) if starts else None
            if found is None:
                continue
            used, skipped, label = found
            start, end = word_start, words[at + used - 1][1]
            if skipped:
                start += normalize(word, MATCH_OPTIONS).sources[skipped]
            spans.append(EntitySpan(start, end, label, text[start:end]))
            free_from = at + used
        return spans


def _lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8-sig").splitlines()


def _read_tsv(path: Path) -> Iterable[tuple[int, str, str] | ImportProblem]:
    for number, line in enumerate(_lines(path), 1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 2 or not fields[0].strip() or not fields[1].strip():
            yield ImportProblem(str(path), number, "expected 'name<TAB>LABEL'")
            continue
        yield number, fields[0].strip(), fields[1].strip()


def _read_patterns(path: Path) -> Iterable[tuple[int, str, str] | ImportProblem]:
    for number, line in enumerate(_lines(path), 1):
        if not line.strip():
            continue
        try:
            pattern = json.loads(line)
        except json.JSONDecodeError as exc:
            yield ImportProblem(str(path), number, f"invalid JSON: {exc.msg}")
            continue
        label, phrase = (pattern.get("label"), pattern.get("pattern")) if isinstance(pattern, dict) else (None, None)
        if not isinstance(label, str):
            yield ImportProblem(str(path), number, 'expected {"label": ..., "pattern": ...}')
        elif not isinstance(phrase, str):
            yield ImportProblem(str(path), number, "token patterns are not supported: give the phrase as a string")
        else:
            yield number, phrase, label


def _read(path: Path) -> list[tuple[int, str, str] | ImportProblem]:
    """``(line, name, label)`` entries of one gazetteer file, and its problems, in line order."""
    try:
        return list((_read_patterns if path.suffix.lower() == ".jsonl" else _read_tsv)(path))
    except (OSError, UnicodeDecodeError) as exc:
        return [ImportProblem(str(path), None, f"cannot read gazetteer: {getattr(exc, 'strerror', None) or exc}")]


def load_gazetteer(
    paths: Iterable[str | Path],
    labels: Iterable[str],
    problems: list[ImportProblem],
    label_map: Mapping[str, str] | None = None,
) -> Gazetteer:
    """A gazetteer of every file in ``paths``. Labels pass through ``label_map`` (a target ``O``
    drops the name); an entry whose label is not in ``labels``, a malformed line or a name listed
    twice with different labels is one problem with file and line, and the rest is still read."""
    known, label_map = frozenset(labels), label_map or {}
    gazetteer = Gazetteer()
    for path in map(Path, paths):
        for entry in _read(path):
            if isinstance(entry, ImportProblem):
                problems.append(entry)
                continue
            number, name, label = entry
            label = label_map.get(label, label)
            reason = None if label == "O" else (
                f"label {label!r} is not a value of the schema's entity family" if label not in known else gazetteer.add(name, label)
            )
            if reason:
                problems.append(ImportProblem(str(path), number, reason))
    return gazetteer
