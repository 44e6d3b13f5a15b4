"""Gazetteers: lists of names with their labels, matched in Arabic text the way Arabic writes them.

Files (UTF-8, BOM and CRLF accepted, ``#`` comments):

* ``.tsv`` / ``.txt``: ``name<TAB>LABEL`` a line, e.g. ``القاهرة	GPE``;
* ``.jsonl``: Prodigy / spaCy EntityRuler phrase patterns, ``{"label": "GPE", "pattern": "القاهرة"}``.

Words are pyarabic's word pattern (diacritics stay inside words; see ``WORD`` for why not
:func:`pyarabic.araby.tokenize_with_location` itself); words and names are compared in the normalised view
of :class:`curation.preannotate.clitics.MatchRules`, the first word of a name through its proclitic
readings. Names sit in a trie of normalised words (flashtext's idea, a word a step). A text is cut at its
spaces in C (``str.split``) into tokens, most of them one word, so a token costs one cached look-up whatever
the number of names; only the few tokens that may start a name are walked. Matches are whole words (a name never
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
from functools import cache, lru_cache
from itertools import accumulate, chain, compress, count, filterfalse, repeat
from operator import add, itemgetter, methodcaller, not_
from pathlib import Path

from curation.imports.model import ImportProblem
from curation.normalize import NormalizeOptions, normalize, normalize_text, text_normalizer
from curation.preannotate.clitics import ARTICLE, DEFAULT_RULES, LAM, MatchRules, prefixes, stems
from curation.segment.data import word_list
from curation.units import EntitySpan

MAX_CACHED_WORDS = 200_000  # codes and starts of the words and tokens seen; cleared when full (memory stays bounded)
# A text is cut at its spaces (str.split, in C) into tokens, most of them one word. What a one-word token
# can be is a bit each, written as one character a token ("0" to "7"), so that one regular expression over a
# text's characters picks the tokens worth walking in the trie, in C:
OPENS = 1  # a reading of it opens a longer name
ENDS = 2  # a reading of it may be a whole name
LATER = 4  # it may be a later word of a name
UNSEEN = "?"  # not learned yet
SEVERAL = "m"  # several words, or a word and punctuation (القاهرة،), one of which may start a name: each is tried
NO_WORD = "s"  # punctuation alone, or nothing (two spaces): a name may run across it (a dash between its words)
GOES_ON = "l"  # several words, or a word and punctuation, none of which may start a name but one may go on one
VISIT = re.compile(r"[2367m]|[15](?=s*[4567ml])")  # may end a name, or opens one before a word that may go on it
ENDS_HERE = frozenset("0123")  # after a one-word token, a token whose words cannot go on a name
OPENING = frozenset("1357")
ENDING = frozenset("2367")  # a one-word token that may be a whole name
LATER_WORD = frozenset("4567")  # a one-word token that may go on a name
LATER_ROLE, OPENER_ROLE = 1, 2  # what a normalised form is to the names: a later word of one, a form opening one
LATER_ROLES = frozenset({LATER_ROLE, LATER_ROLE | OPENER_ROLE})
OPENER_ROLES = frozenset({OPENER_ROLE, LATER_ROLE | OPENER_ROLE})
NOT_CODE = re.compile("[^ 0-7]+")  # anything but a word's code or the space between tokens
# Punctuation that most often touches a word in Arabic news, turned into spaces before a text is cut (the
# same length: offsets hold) so that the word is a token of its own: 6,689 distinct tokens of several words
# or of punctuation instead of 49,890 on bench/gazetteer.py's texts.
TOKEN_BREAKS = ("،", ".", '"', "\n")
GRANULARITIES = ("symbol", "word")  # the schema's span granularity: where a span may start
# pyarabic's word pattern (araby.TOKEN_PATTERN_SPLIT: word characters and harakat) with every Arabic
# combining mark (Quranic marks too) and without the apostrophe it keeps inside words ('القاهرة' is quoted).
WORD = re.compile(r"[\w\u064b-\u065f\u0670\u06d6-\u06dc\u06df-\u06e8\u06ea-\u06ed]+")
WORD_SPLIT = re.compile(f"({WORD.pattern})")  # split: separator, word, separator, word, ..., separator
NOT_ONE_WORD = re.compile(f"[^{WORD.pattern[1:-2]}]|^$")  # a token that is not one word: a character no word has, or nothing


class _Keys(dict[str, str]):
    """The normalised form of each word or separator as written, computed on first sight (a hit is a
    plain dict look-up); cleared when full, so memory stays bounded."""

    def __init__(self, options: NormalizeOptions) -> None:
        super().__init__()
        self.normalise = text_normalizer(options)

    def __missing__(self, raw: str) -> str:
        if len(self) >= MAX_CACHED_WORDS:
            self.clear()
        key = self[raw] = self.normalise(raw)
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


@lru_cache(maxsize=4096)
def _token_code(codes: str) -> str:
    """The code of a token that is not one word, from its words' ``codes``: NO_WORD if it has none (a name
    may run across it), SEVERAL if one may start a name (a word that may end or open one), else GOES_ON if one
    may go on a name (the token keeps a name's opening visited)."""
    if not codes:
        return NO_WORD
    return SEVERAL if codes.strip("04") else GOES_ON if "4" in codes else "0"


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
    _codes: dict[str, str] = field(default_factory=dict, repr=False)  # of each word and token seen: a digit, SEVERAL, NO_WORD
    _later: dict[str, str] = field(default_factory=dict, repr=False)  # normalised form of each word seen that may go on a name
    _openings: dict[str, tuple[tuple[int, str], ...]] = field(default_factory=dict, repr=False)  # of SEVERAL tokens
    _wholes: dict[str, tuple[int, str]] = field(default_factory=dict, repr=False)  # (skipped, label) of a word's whole-name reading

    def __post_init__(self) -> None:
        if self.granularity not in GRANULARITIES:
            raise ValueError(f"granularity must be one of {', '.join(GRANULARITIES)}, got {self.granularity!r}")
        self._options = self.rules.options()
        self._normalise = text_normalizer(self._options)
        self._clitics = prefixes(self.rules)
        self._keys = _Keys(self._options)
        guard = self.rules.guard_options()
        self._guard_normalise = None if guard == self._options else text_normalizer(guard)  # None: the match's view
        guarded = self.rules.function_words
        self._function_words = function_words(self.rules) if guarded else frozenset()
        self._folded_function_words = function_words(self.rules, folded=True) if guarded else frozenset()
        self._forms: frozenset[str] | None = None
        self._later_forms: frozenset[str] | None = None
        self._role_of: dict[str, int] | None = None
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
        self._forget()
        self._forms = None
        self._later_forms = None
        self._role_of = None
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

    def _roles(self) -> dict[str, int]:
        """LATER_ROLE and OPENER_ROLE bits of each normalised form that is one or the other."""
        if self._role_of is None:
            later, openers = self._later_words(), self._openers()
            role_of = dict.fromkeys(openers, OPENER_ROLE)
            role_of.update(dict.fromkeys(later, LATER_ROLE))
            role_of.update(dict.fromkeys(later & openers, LATER_ROLE | OPENER_ROLE))
            self._role_of = role_of
        return self._role_of

    def _later_words(self) -> frozenset[str]:
        """Every word of a name but its first, normalised: a word that opens only longer names is worth
        a visit only before one of these."""
        if self._later_forms is None:
            steps = chain.from_iterable(rest for _, rest in self.labels)  # (separator, word) after each first word
            self._later_forms = frozenset(map(itemgetter(1), steps))
        return self._later_forms

    def _forget(self) -> None:
        """Drop what was learned of the words and tokens seen (the names changed, or the caches are full)."""
        self._codes.clear()
        self._starts.clear()
        self._later.clear()
        self._openings.clear()
        self._wholes.clear()

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

    def _learn(self, tokens: set[str]) -> None:
        """Record the tokens not seen before, all at once. A token that is one word is that word, learned as
        it is (:meth:`_learn_words`: no copy, its hash already computed). Any other token's words are learned
        too, and its code comes from theirs (:func:`_token_code`), found for all such tokens together: joined
        by spaces (a token has none), each word replaced by its code, all but codes and spaces dropped."""
        listed = list(tokens)
        alphanumeric = list(map(str.isalnum, listed))  # one word for sure (a word is \w, marks and _): no regex
        rest = list(compress(listed, map(not_, alphanumeric)))
        other = list(map(NOT_ONE_WORD.search, rest))
        several = list(compress(rest, other))
        codes = self._codes
        if not several:
            self._learn_words(listed)
            return
        parts = WORD_SPLIT.split(" ".join(several))
        words = list(compress(listed, alphanumeric))
        words += compress(rest, map(not_, other))
        words += filterfalse(codes.__contains__, set(parts[1::2]).difference(words))
        if words:
            self._learn_words(words)
        parts[1::2] = map(codes.__getitem__, parts[1::2])
        codes.update(zip(several, map(_token_code, NOT_CODE.sub("", "".join(parts)).split(" ")), strict=True))

    def _opening(self, token: str) -> tuple[tuple[int, str], ...]:
        """(offset, word) of the words of a SEVERAL token that may start a name, found on its first visit."""
        opening = self._openings.get(token)
        if opening is None:
            starts = self._starts
            opening = self._openings[token] = tuple((word.start(), word.group()) for word in WORD.finditer(token)
                                                    if starts.get(word.group()))
        return opening

    def _learn_words(self, words: list[str]) -> None:
        """Record the readings of words not seen before: (clitic letters skipped, trie node, may end
        after this word) for each reading that starts a name, and the word's code (ENDS, OPENS, LATER).
        The words are normalised in one pass (normalisation is per character, so a NUL between words
        keeps them apart) and sifted by one look-up each of their roles; only a word that can open a name is
        read through :func:`stems`. A reading whose stem is a function word may only start a longer name.
        The first reading that is a whole name is also kept apart: the name a word gives when no walk goes on."""
        keys = self._normalise("\0".join(words)).split("\0")
        roles = list(map(self._roles().get, keys, repeat(0)))
        later = list(map(LATER_ROLES.__contains__, roles))
        self._later.update(zip(compress(words, later), compress(keys, later)))  # a name's later words are looked up by them
        self._codes.update(zip(words, map(("0", "4").__getitem__, later)))
        possible = list(map(OPENER_ROLES.__contains__, roles))
        openers = list(compress(words, possible))
        opener_keys = list(compress(keys, possible))
        guarded = opener_keys if self._guard_normalise is None or not openers else \
            self._guard_normalise("\0".join(openers)).split("\0")
        root, codes, rules, clitics, wholes = self._root, self._codes, self.rules, self._clitics, self._wholes
        for word, key, guard in zip(openers, opener_keys, guarded, strict=True):
            kept, bits = [], int(codes[word])
            for form, skipped in stems(key, rules) if key[:1] in clitics else ((key, 0),):
                node = root.get(form)
                if node is None:
                    continue
                alone = self._may_end(guard, skipped, form)
                if alone and node.label is not None and not bits & ENDS:
                    bits |= ENDS
                    wholes[word] = (skipped, node.label)
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

    def _longest(self, text: str, end: int, readings: tuple[tuple[int, _Node, bool], ...]) -> tuple[int, int, str] | None:
        """(end offset, clitic letters skipped, label) of the longest name starting at the word of ``text``
        that ends at ``end``, through any of its ``readings`` (the plain reading first: it wins a tie),
        walking on word by word (:data:`WORD`) while the trie goes on."""
        best: tuple[int, int, str] | None = None
        keys, later = self._keys, self._later
        for skipped, node, alone in readings:
            last, label, at, following = end, node.label if alone else None, end, node.next
            while following:
                word = WORD.search(text, at)
                if word is None:
                    break
                key = later.get(word.group())
                found = None if key is None else following.get((keys[text[at:word.start()]], key))
                if found is None:
                    break
                at, following = word.end(), found.next
                if found.label is not None:
                    last, label = at, found.label
            if label is not None and (best is None or last > best[0]):
                best = (last, skipped, label)
        return best

    def match(self, text: str) -> list[EntitySpan]:
        """Every name in ``text``, left to right without overlaps, offsets in code points of ``text``.

        The text is cut into tokens at its spaces (and TOKEN_BREAKS) in C; each token's code is one cached
        look-up (tokens not seen before are learned together, then looked up again), and the tokens worth
        walking in the trie (a whole name, the opening of a longer one before a word that may go on a name,
        a token of several words one of which may start a name) are picked from the codes in C, with no
        Python step a token; offsets are summed only up to the tokens visited."""
        cut = text
        for mark in TOKEN_BREAKS:
            cut = cut.replace(mark, " ")
        tokens = cut.split(" ")
        known = self._codes
        if len(known) + len(tokens) >= MAX_CACHED_WORDS:
            self._forget()
        codes = "".join(map(known.get, tokens, repeat(UNSEEN)))
        if UNSEEN in codes:
            between = codes.split(UNSEEN)  # the k-th UNSEEN is at the lengths of the first k + 1 pieces, plus k
            unseen = list(map(tokens.__getitem__, map(add, accumulate(map(len, between[:-1])), count())))
            self._learn(set(unseen))
            codes = "".join(chain.from_iterable(zip(between, map(known.__getitem__, unseen)))) + between[-1]
        spans: list[EntitySpan] = []
        last = len(tokens) - 1
        free_from = counted = position = 0  # position: where tokens[counted] starts
        for at in map(_start, VISIT.finditer(codes)):
            token, code = tokens[at], codes[at]
            position += sum(map(len, tokens[counted:at])) + at - counted
            counted = at
            if code == SEVERAL:
                for offset, word in self._opening(token):
                    if position + offset >= free_from:
                        free_from = self._walk(text, word, position + offset, spans, free_from)
            elif position < free_from:  # inside the last match
                continue
            elif code in OPENING and self._goes_on(text, tokens, codes, at, position + len(token), last):
                free_from = self._walk(text, token, position, spans, free_from)
            elif code in ENDING:  # a token of one word whose name cannot go on: its first whole-name reading
                free_from = self._add(spans, text, token, position, position + len(token), *self._wholes[token])
        return spans

    def _goes_on(self, text: str, tokens: list[str], codes: str, at: int, end: int, last: int) -> bool:
        """Whether a name opened by the one-word token ``tokens[at]`` (ending at ``end``) may go on: the next
        word (past punctuation) may be a later word of a name, and when it is the next token, one character
        after this one, a word of one reading goes on only if the trie goes on with that step."""
        after = codes[at + 1:at + 4].lstrip(NO_WORD)  # the next word's token, past punctuation
        if not after:
            return at + 3 < last
        if after[0] in ENDS_HERE:
            return False
        readings = self._starts[tokens[at]]
        if codes[at + 1] not in LATER_WORD or len(readings) != 1:
            return True
        return (self._keys[text[end]], self._later.get(tokens[at + 1])) in readings[0][1].next

    def _walk(self, text: str, word: str, start: int, spans: list[EntitySpan], free_from: int) -> int:
        """Add the longest name starting at ``word`` (at ``start``) to ``spans``, walking on while the trie
        does, if there is one; where the next name may start."""
        best = self._longest(text, start + len(word), self._starts[word])
        return free_from if best is None else self._add(spans, text, word, start, *best)

    def _add(self, spans: list[EntitySpan], text: str, word: str, start: int, end: int, skipped: int, label: str) -> int:
        """Add the name from ``word`` (at ``start``, its ``skipped`` clitic letters left out at ``symbol``
        granularity) to ``end``; where the next name may start."""
        if skipped and self.granularity != "word":
            start = self._clitics_end(word, start, skipped)
        spans.append(EntitySpan(start, end, label, text[start:end]))
        return end

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
