"""Gazetteers: lists of names with their labels, matched in Arabic text the way Arabic writes them.

Files (UTF-8, BOM and CRLF accepted, ``#`` comments):

* ``.tsv`` / ``.txt``: ``name<TAB>LABEL`` a line, e.g. ``القاهرة	GPE``;
* ``.jsonl``: Prodigy / spaCy EntityRuler phrase patterns, ``{"label": "GPE", "pattern": "القاهرة"}``.

Text is cut into words by pyarabic's word pattern (diacritics stay inside words; see ``WORD``
for why not :func:`pyarabic.araby.tokenize_with_location` itself); words and names are compared in the
normalised view of :class:`curation.preannotate.clitics.MatchRules`, the first word of a name through
its proclitic readings. Names sit in a trie of normalised words (flashtext's idea, a word a step), so a
word costs one cached look-up whatever the number of names. Matches are whole words (a name never
matches inside a longer word), the longest match wins; at ``symbol`` granularity the span starts after
the clitics (وبالقاهرة gives القاهرة), at ``word`` granularity it is the whole word. A one-word name
never matches an Arabic function word (على is not علي with ى folded).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import cache
from itertools import compress, repeat
from operator import eq, methodcaller
from pathlib import Path

from curation.imports.model import ImportProblem
from curation.normalize import NormalizeOptions, normalize, normalize_text
from curation.preannotate.clitics import ARTICLE, DEFAULT_RULES, LAM, MatchRules, prefixes, stems
from curation.segment.data import word_list
from curation.units import EntitySpan

MAX_CACHED_WORDS = 200_000  # normalised forms and starts of the words seen; cleared when full (memory stays bounded)
# What a word as written can be, a bit each, written as one character a word ("0" to "7", UNSEEN until
# learned: it may be anything) so that one regular expression over a text's characters picks the words
# worth walking in the trie, in C:
OPENS = 1  # a reading of it opens a longer name
ENDS = 2  # a reading of it may be a whole name
LATER = 4  # it may be a later word of a name
UNSEEN = "?"
VISIT = re.compile(r"[2367?]|[15](?=[4567?])")  # may end a name, or opens one before a word that may go on it
GRANULARITIES = ("symbol", "word")  # the schema's span granularity: where a span may start
# pyarabic's word pattern (araby.TOKEN_PATTERN_SPLIT: word characters and harakat) with every Arabic
# combining mark (Quranic marks too) and without the apostrophe it keeps inside words ('القاهرة' is quoted).
WORD = re.compile(r"[\w\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]+")
WORD_SPLIT = re.compile(f"({WORD.pattern})")  # split: separator, word, separator, word, ..., separator


class _Keys(dict[str, str]):
    """The normalised form of each word or separator as written, computed on first sight (a hit is a
    plain dict look-up); cleared when full, so memory stays bounded."""

    def __init__(self, options: NormalizeOptions) -> None:
        super().__init__()
        self.options = options

    def __missing__(self, raw: str) -> str:
        if len(self) >= MAX_CACHED_WORDS:
            self.clear()
        key = self[raw] = normalize_text(raw, self.options)
        return key


@dataclass(slots=True)
class _Node:
    """A word of a name in the trie: the label if a name ends here, and the (separator, word) steps on."""

    label: str | None = None
    next: dict[tuple[str, str], _Node] = field(default_factory=dict)


@cache
def function_words(rules: MatchRules, folded: bool = False) -> frozenset[str]:
    """curation/segment/data/function_words.txt in the view function words are compared in (``folded``:
    in the match's view, a quick first test)."""
    options = rules.options() if folded else rules.guard_options()
    return frozenset(normalize_text(word, options) for word in word_list("function_words"))


_start = methodcaller("start")


def _words(text: str) -> list[tuple[int, int]]:
    return [match.span() for match in WORD.finditer(text)]


@dataclass
class Gazetteer:
    """Names in a trie of their normalised words; build with :func:`load_gazetteer` or :meth:`add`."""

    granularity: str = "symbol"
    rules: MatchRules = DEFAULT_RULES
    labels: dict[tuple[str, tuple[tuple[str, str], ...]], str] = field(default_factory=dict)
    _root: dict[str, _Node] = field(default_factory=dict, repr=False)
    _keys: _Keys = field(init=False, repr=False)
    _starts: dict[str, tuple[tuple[int, _Node, bool], ...]] = field(default_factory=dict, repr=False)
    _codes: dict[str, str] = field(default_factory=dict, repr=False)  # ENDS | OPENS | LATER of each word seen, a digit

    def __post_init__(self) -> None:
        if self.granularity not in GRANULARITIES:
            raise ValueError(f"granularity must be one of {', '.join(GRANULARITIES)}, got {self.granularity!r}")
        self._options = self.rules.options()
        self._keys = _Keys(self._options)
        self._guard = self.rules.guard_options()
        guarded = self.rules.function_words
        self._function_words = function_words(self.rules) if guarded else frozenset()
        self._folded_function_words = function_words(self.rules, folded=True) if guarded else frozenset()
        self._forms: frozenset[str] | None = None
        self._later: frozenset[str] | None = None
        self._name_words: dict[str, str] | None = None

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def digest(self) -> str:
        """sha256 of the (normalised) names, their labels, the rules and the granularity: the same list
        in any order or file gives the same."""
        matching = {"granularity": self.granularity, "rules": asdict(self.rules)}
        return hashlib.sha256(json.dumps([sorted(self.labels.items()), matching], ensure_ascii=False).encode()).hexdigest()

    def _pieces(self, name: str) -> tuple[str, tuple[tuple[str, str], ...]] | None:
        """The first word of ``name`` and its (separator, word) pairs after it, normalised."""
        bounds = _words(name)
        if not bounds or any(not self._keys[name[s:e]] for s, e in bounds):
            return None
        first = self._keys[name[bounds[0][0]:bounds[0][1]]]
        rest = tuple((self._keys[name[bounds[i - 1][1]:s]], self._keys[name[s:e]]) for i, (s, e) in enumerate(bounds) if i)
        return first, rest

    def add(self, name: str, label: str) -> str | None:
        """Add ``name`` as ``label``; the reason it was not added, if it was not."""
        pieces = self._pieces(name)
        if pieces is None:
            return f"name {name!r} has no letters to match"
        if self.rules.function_words and not pieces[1] and \
                normalize_text(name, self.rules.guard_options()) in function_words(self.rules):
            return f"name {name!r} is an Arabic function word: alone it would match the word everywhere (not added)"
        known = self.labels.get(pieces)
        if known is not None:
            return None if known == label else f"name {name!r} is already listed as {known}: kept as {known}"
        self.labels[pieces] = label
        self._starts.clear()
        self._codes.clear()
        self._forms = None
        self._later = None
        self._name_words = None
        node = self._root.setdefault(pieces[0], _Node())
        for step in pieces[1]:
            node = node.next.setdefault(step, _Node())
        node.label = label
        return None

    def _openers(self) -> frozenset[str]:
        """Every form a word can take to start a name: a name's first word behind each clitic prefix the
        rules allow (ل + ال with the article's alef dropped), computed once after the last add: flashtext's
        trade of memory (a few forms a name) for a single set look-up a word."""
        if self._forms is None:
            forms = set(self._root)
            for prefix, last in ((p, last) for group in prefixes(self.rules).values() for p, last in group):
                forms.update(prefix + form for form in self._root)
                if last == LAM:
                    forms.update(prefix + form[1:] for form in self._root if form.startswith(ARTICLE))
                if self.rules.article:
                    forms.update(prefix + ARTICLE + form for form in self._root)
            self._forms = frozenset(forms)
        return self._forms

    def _later_words(self) -> frozenset[str]:
        """Every word of a name but its first, normalised: a word that opens only longer names is worth
        a visit only before one of these."""
        if self._later is None:
            later: set[str] = set()
            nodes = list(self._root.values())
            while nodes:
                node = nodes.pop()
                later.update(word for _, word in node.next)
                nodes.extend(node.next.values())
            self._later = frozenset(later)
        return self._later

    def name_words(self) -> dict[str, str]:
        """Each normalised word of a listed name: the labels of the names it is part of, joined by ``|`` in
        sorted order (a tagger's hint for a name that is not listed whole but shares a word with one)."""
        if self._name_words is None:
            seen: dict[str, set[str]] = {}
            for (first, rest), label in self.labels.items():
                for word in (first, *(word for _, word in rest)):
                    seen.setdefault(word, set()).add(label)
            self._name_words = {word: "|".join(sorted(labels)) for word, labels in seen.items()}
        return self._name_words

    def _learn(self, words: Iterable[str]) -> None:
        """Record the readings of words not seen before: (clitic letters skipped, trie node, may end
        after this word) for each reading that starts a name, and the word's code (ENDS, OPENS, LATER).
        The words are normalised in one pass (normalisation is per character, so a NUL between words
        keeps them apart) and sifted by one set look-up each; only a word that can open a name is read
        through :func:`stems`. A reading whose stem is a function word may only start a longer name."""
        words = list(words)
        keys = normalize_text("\0".join(words), self._options).split("\0")
        if len(self._keys) + len(words) < MAX_CACHED_WORDS:
            self._keys.update(zip(words, keys, strict=True))  # a name's later words are looked up by them
        self._codes.update(zip(words, map(("0", "4").__getitem__, map(self._later_words().__contains__, keys))))
        possible = list(map(self._openers().__contains__, keys))
        openers = list(compress(words, possible))
        guarded = normalize_text("\0".join(openers), self._guard).split("\0") if openers else []
        root, codes, rules = self._root, self._codes, self.rules
        for word, key, guard in zip(openers, compress(keys, possible), guarded, strict=True):
            kept, bits = [], int(codes[word])
            for form, skipped in stems(key, rules):
                node = root.get(form)
                if node is None:
                    continue
                alone = self._may_end(guard, skipped, form)
                if alone and node.label is not None:
                    bits |= ENDS
                if node.next:
                    bits |= OPENS
                if alone or node.next:
                    kept.append((skipped, node, alone))
            self._starts[word] = tuple(kept)
            codes[word] = str(bits)

    def _may_end(self, guarded: str, skipped: int, stem: str) -> bool:
        """Whether a name of one word may be read in a word (``guarded``: in the guard's view) after
        ``skipped`` clitic letters (``stem``: in the match's view): not if that stem is an Arabic function
        word (the rules' guard), told apart in the guard's view only when the match's view cannot tell
        (علي: the name, or على)."""
        return stem not in self._folded_function_words or guarded[skipped:] not in self._function_words

    def _longest(self, parts: list[str], at: int, readings: tuple[tuple[int, _Node, bool], ...]) -> tuple[int, int, str] | None:
        """(index of the last word, clitic letters skipped, label) of the longest name starting at word
        ``at`` through any of its ``readings`` (the plain reading first: it wins a tie); word ``i`` is
        ``parts[2 * i + 1]``, the separator before it ``parts[2 * i]``."""
        best: tuple[int, int, str] | None = None
        keys, words = self._keys, len(parts) // 2
        for skipped, node, alone in readings:
            last, label, step, following = at, node.label if alone else None, at, node.next
            while following and step + 1 < words:
                found = following.get((keys[parts[2 * step + 2]], keys[parts[2 * step + 3]]))
                if found is None:
                    break
                step, following = step + 1, found.next
                if found.label is not None:
                    last, label = step, found.label
            if label is not None and (best is None or last > best[0]):
                best = (last, skipped, label)
        return best

    def match(self, text: str) -> list[EntitySpan]:
        """Every name in ``text``, left to right without overlaps, offsets in code points of ``text``.

        The text is split once (separators and words alternate); each word's code is one cached
        look-up, and the words worth walking in the trie (a whole name, or the opening of a longer one
        before a word that may go on a name) are picked from the codes in C, with no Python step a
        word; a word of one reading not followed by its name's next word is settled inline, and
        offsets are summed only up to the last match."""
        parts = WORD_SPLIT.split(text)
        words = parts[1::2]
        known = self._codes
        if len(known) + len(words) >= MAX_CACHED_WORDS:
            self._starts.clear()
            known.clear()
        codes = "".join(map(known.get, words, repeat(UNSEEN)))
        if UNSEEN in codes:  # learned now; their UNSEEN marks in codes only visit a few words more
            self._learn(set(compress(words, map(eq, codes, repeat(UNSEEN)))))
        spans: list[EntitySpan] = []
        free_from, keys, starts, last_word = 0, self._keys, self._starts, len(words) - 1
        counted = position = 0  # characters of parts[:counted], advanced only as far as a match needs
        for at in map(_start, VISIT.finditer(codes)):
            if at < free_from:
                continue
            found = starts.get(words[at])
            if not found:
                continue  # a word seen first in this text that opens nothing
            best: tuple[int, int, str] | None
            if len(found) == 1:  # most words: one reading, its name ends here or goes on with the next word
                skipped, node, alone = found[0]
                label = node.label if alone else None
                if not node.next or at == last_word or (keys[parts[2 * at + 2]], keys[parts[2 * at + 3]]) not in node.next:
                    if label is None:
                        continue  # a function word that only opens a longer name, not followed by its next word
                    best = (at, skipped, label)
                else:
                    best = self._longest(parts, at, found)
            else:
                best = self._longest(parts, at, found)
            if best is None:
                continue
            last, skipped, label = best
            position += sum(map(len, parts[counted:2 * at + 1]))
            end = position + sum(map(len, parts[2 * at + 1:2 * last + 2]))
            start = position if not skipped or self.granularity == "word" else self._clitics_end(words[at], position, skipped)
            spans.append(EntitySpan(start, end, label, text[start:end]))
            counted, position, free_from = 2 * last + 2, end, last + 1
        return spans

    def _clitics_end(self, word: str, start: int, skipped: int) -> int:
        """Where ``word`` (at ``start``) goes on after its ``skipped`` clitic letters: a span's start at
        ``symbol`` granularity."""
        return start + normalize(word, self._options).sources[skipped]


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
    granularity: str = "symbol",
    rules: MatchRules = DEFAULT_RULES,
) -> Gazetteer:
    """A gazetteer of every file in ``paths``, matched at the schema's ``granularity`` by ``rules``. Labels pass
    through ``label_map`` (a target ``O`` drops the name); an entry whose label is not in ``labels``, a
    malformed line, a one-word name that is a function word or a name listed twice with different
    labels is one problem with file and line, and the rest is still read."""
    known, label_map = frozenset(labels), label_map or {}
    gazetteer = Gazetteer(granularity=granularity, rules=rules)
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
