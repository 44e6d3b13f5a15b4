"""Gazetteer matching judged by precision: names from WikiFANE's training sentences matched on its
held-out sentences, exact spans against the gold, ours beside a naive whole-word matcher and flashtext.

    .venv/bin/python bench/gazetteer.py [--rounds 3] [--ant-articles 3000] [--errors 8]

Data. ``../shared/corpora/wikifane-gold-2014.txt.gz`` (BIO tokens, blank line between sentences),
U+200E and the BOM removed from tokens, each sentence's text its tokens joined by one space, a gold
span the characters of its tokens. Sentences are shuffled with ``SEED`` and the first ``TRAIN_SHARE``
are the training split; the gazetteer is every gold name of that split, with the label it carries
most often there (ties: the first seen).

Labels. WikiFANE's fine types sit under ACE's coarse classes (Alotaibi and Lee 2014); the rule maps
a coarse class, never a word: PER's subtypes (Politician, Athlete, Artist, Scientist, Police, ...)
are ``person`` except ``Group`` (nationalities and armies: العرب, الجيش); GPE's and LOC's subtypes
(Nation, Population-Center, State-or-Province, County-or-District, Continent, GPE-Cluster,
Water-Body, Land-Region-Natural, Celestial) are ``location``; ORG's (Government, Non-Governmental,
Commercial, Educational, Media, Religious_ORG, Sports, Entertainment, Medical-Science) are
``organisation``. Facilities, vehicles, weapons and products are left out (their spans are no gold).

Matchers, all whole words and longest match first:
* naive: the exact token sequence of a name, looked up word by word (a dict of first words);
* flashtext's ``KeywordProcessor`` told that Arabic letters and marks are word characters;
* ours: ``curation.preannotate.Gazetteer`` at word granularity (WikiFANE tags whole tokens, clitics
  included: its gold span of بالقاهرة is the whole token).

News spelling: the same split with و ف ب ك ل glued back onto their words (:func:`glued`), as news
and the Wikipedia text WikiFANE was cut from write them, matched at the news schema's ``symbol``
granularity: naive, flashtext and ours with the clitic rules flipped (printed last).

Speed: each matcher in its own process (bench/measure.py: wall, CPU of the tree, peak PSS), rounds
interleaved; the child times its matching alone over the held-out sentences and the first
``--ant-articles`` ANT texts (news, the text the gazetteer is for) and reports characters a second,
for a first pass (ours learns each word it has not seen: 83,530 distinct words in 798,776) and for a
second pass over the same texts (every word seen: what a long run over a corpus mostly meets). Ours
and flashtext are timed twice a round: on WikiFANE as written (ours at ``word`` granularity) and on
news spelling (:func:`glued`; ours at ``symbol``, the news schema's granularity, as the product runs).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import random
import statistics
import sys
import tempfile
import time
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path

from flashtext import KeywordProcessor
from measure import load, measure, spread

from curation.preannotate import Gazetteer, MatchRules
from curation.preannotate.clitics import DEFAULT_RULES
from curation.preannotate.gazetteer import WORD

CORPORA = Path("..") / "shared" / "corpora"  # from the worktree; the child gets it resolved
SEED = 24
TRAIN_SHARE = 0.8
COARSE = {
    "person": ("Politician", "Athlete", "Businessperson", "Artist", "Scientist", "Police", "Engineer", "Lawyer",
               "Religious_PER", "Other_PER"),
    "location": ("Nation", "Population-Center", "State-or-Province", "County-or-District", "Continent",
                 "GPE-Cluster", "Water-Body", "Land-Region-Natural", "Celestial"),
    "organisation": ("Government", "Non-Governmental", "Commercial", "Educational", "Media", "Religious_ORG",
                     "Sports", "Entertainment", "Medical-Science"),
}
LABEL = {fine: coarse for coarse, fines in COARSE.items() for fine in fines}
MATCHERS = ("naive", "flashtext", "ours")
GLUED = "glued"
SPEED_RUNS = [(matcher, "as written") for matcher in MATCHERS] + [("flashtext", GLUED), ("ours", GLUED)]
"""Each child process of a round: every matcher on WikiFANE as written, and the two timed against each
other on news spelling too (the product's setting)."""

Span = tuple[int, int, str]
Sentence = tuple[str, set[Span]]


def read_wikifane(path: Path) -> list[list[tuple[str, str]]]:
    """Sentences as (token, fine BIO tag) lists, as published less U+200E and the BOM."""
    sentences: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []
    with gzip.open(path, "rt", encoding="utf-8-sig") as handle:
        for line in handle:
            token, _, tag = line.rstrip("\r\n").partition("\t")
            token = token.replace("\u200e", "").strip()
            if not token:
                if current:
                    sentences.append(current)
                current = []
                continue
            current.append((token, tag.strip() or "O"))
    if current:
        sentences.append(current)
    return sentences


def as_text(tokens: list[tuple[str, str]]) -> Sentence:
    """The sentence's text (tokens joined by a space) and its gold spans under the coarse labels;
    an I- tag without its B- (a few in WikiFANE) opens a span, as CoNLL's evaluation reads it."""
    text, spans, open_span = "", set(), None
    for token, tag in tokens:
        start = len(text) + (1 if text else 0)
        text = f"{text} {token}" if text else token
        kind, _, fine = tag.partition("-")
        if kind == "I" and open_span and open_span[2] == fine:
            open_span = (open_span[0], len(text), fine)
            continue
        if open_span and open_span[2] in LABEL:
            spans.add((open_span[0], open_span[1], LABEL[open_span[2]]))
        open_span = (start, len(text), fine) if kind in ("B", "I") else None
    if open_span and open_span[2] in LABEL:
        spans.add((open_span[0], open_span[1], LABEL[open_span[2]]))
    return text, spans


def split(sentences: list[Sentence]) -> tuple[list[Sentence], list[Sentence]]:
    order = list(range(len(sentences)))
    random.Random(SEED).shuffle(order)
    cut = int(len(order) * TRAIN_SHARE)
    return [sentences[i] for i in order[:cut]], [sentences[i] for i in order[cut:]]


def train_names(train: list[Sentence]) -> dict[str, str]:
    """Every gold name of the training split with the label it carries most often."""
    seen: dict[str, Counter[str]] = {}
    for text, spans in train:
        for start, end, label in sorted(spans):
            seen.setdefault(text[start:end], Counter())[label] += 1
    return {name: labels.most_common(1)[0][0] for name, labels in seen.items()}


class Naive:
    """Whole words, exact strings: the first word indexes the names it starts, longest first."""

    def __init__(self, names: dict[str, str]) -> None:
        self.index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for name, label in names.items():
            words = tuple(WORD.findall(name))
            if words:
                self.index.setdefault(words[0], []).append((words[1:], label))
        for entries in self.index.values():
            entries.sort(key=lambda entry: -len(entry[0]))

    def match(self, text: str) -> list[Span]:
        bounds = [m.span() for m in WORD.finditer(text)]
        words = [text[s:e] for s, e in bounds]
        found: list[Span] = []
        at = 0
        while at < len(words):
            for rest, label in self.index.get(words[at], ()):
                end = at + 1 + len(rest)
                if tuple(words[at + 1:end]) == rest:
                    found.append((bounds[at][0], bounds[end - 1][1], label))
                    at = end
                    break
            else:
                at += 1
        return found


def flashtext_matcher(names: dict[str, str]) -> Callable[[str], list[Span]]:
    processor = KeywordProcessor(case_sensitive=True)
    processor.non_word_boundaries |= {chr(c) for c in range(0x0600, 0x0700)  # Arabic letters and marks, not ، ؛ ؟
                                      if chr(c).isalnum() or unicodedata.category(chr(c)) == "Mn"}
    for name, label in names.items():
        processor.add_keyword(name, label)
    return lambda text: [(start, end, label) for label, start, end in processor.extract_keywords(text, span_info=True)]


def names_gazetteer(names: dict[str, str], rules: MatchRules = DEFAULT_RULES, granularity: str = "word") -> Gazetteer:
    """``curation.preannotate.Gazetteer`` of ``names`` (word granularity unless asked: WikiFANE's tokens; also the tagger's
    feature in bench/learn.py)."""
    gazetteer = Gazetteer(granularity=granularity, rules=rules)
    for name, label in names.items():
        gazetteer.add(name, label)
    return gazetteer


def ours_matcher(names: dict[str, str], rules: MatchRules = DEFAULT_RULES, granularity: str = "word") -> Callable[[str], list[Span]]:
    gazetteer = names_gazetteer(names, rules, granularity)
    return lambda text: [(span.start, span.end, span.label) for span in gazetteer.match(text)]


def build(matcher: str, names: dict[str, str], granularity: str = "word") -> Callable[[str], list[Span]]:
    if matcher == "naive":
        return Naive(names).match
    return flashtext_matcher(names) if matcher == "flashtext" else ours_matcher(names, granularity=granularity)


def scores(found: Iterable[set[Span]], gold: Iterable[set[Span]]) -> tuple[float, float, float, int, int, int]:
    right = wrong = missed = 0
    for predicted, true in zip(found, gold, strict=True):
        right += len(predicted & true)
        wrong += len(predicted - true)
        missed += len(true - predicted)
    precision = right / (right + wrong) if right + wrong else 0.0
    recall = right / (right + missed) if right + missed else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return 100 * precision, 100 * recall, 100 * f1, right, wrong, missed


def ant_texts(corpora: Path, count: int) -> list[str]:
    with gzip.open(corpora / "ant-v2.1.jsonl.gz", "rt", encoding="utf-8") as handle:
        return [json.loads(line)["text"] for line, _ in zip(handle, range(count), strict=False)]


def held_out(corpora: Path) -> tuple[list[Sentence], list[Sentence]]:
    return split([as_text(tokens) for tokens in read_wikifane(corpora / "wikifane-gold-2014.txt.gz")])


def child(matcher: str, corpora: Path, ant_articles: int, out: Path, spelling: str) -> None:
    """One matcher in this process: its spans on the held-out split and its matching time (on news
    spelling, ours at the news schema's ``symbol`` granularity)."""
    train, test = held_out(corpora)
    if spelling == GLUED:
        train, test = [glued(s) for s in train], [glued(s) for s in test]
    news = ant_texts(corpora, ant_articles)
    match = build(matcher, train_names(train), "symbol" if spelling == GLUED else "word")
    started = time.process_time()
    found = [match(text) for text, _ in test]
    for text in news:
        match(text)
    seconds = time.process_time() - started
    started = time.process_time()  # the same texts again: what a long run sees once words repeat
    for text in [text for text, _ in test] + news:
        match(text)
    again = time.process_time() - started
    characters = sum(len(text) for text, _ in test) + sum(map(len, news))
    out.write_text(json.dumps({"spans": found, "seconds": seconds, "again": again, "characters": characters}))


def speed_ratios(title: str, ours: list, flashtext: list) -> None:
    """Ours / flashtext matching speed: medians of the rounds, and each round's ratio (the same texts)."""
    def median_speed(results: list, key: str) -> float:
        return statistics.median(result["characters"] / result[key] for _, result in results)

    first, again = (median_speed(ours, key) / median_speed(flashtext, key) for key in ("seconds", "again"))
    print(f"ours / flashtext matching speed, {title} (medians): {first:.2f}x first pass, {again:.2f}x second pass")
    print("  each round, first / second pass:", ", ".join(
        f"{peer['seconds'] / own['seconds']:.2f}x / {peer['again'] / own['again']:.2f}x"
        for (_, own), (_, peer) in zip(ours, flashtext, strict=True)))


def show_errors(test: list[Sentence], found: list[set[Span]], count: int) -> None:
    wrong = Counter(text[s:e] + f" [{label}]" for (text, gold), spans in zip(test, found, strict=True)
                    for s, e, label in spans - gold)
    missed = Counter(text[s:e] + f" [{label}]" for (text, gold), spans in zip(test, found, strict=True)
                     for s, e, label in gold - spans)
    print("  ours, most frequent wrong spans:", ", ".join(f"{k} x{n}" for k, n in wrong.most_common(count)))
    print("  ours, most frequent missed spans:", ", ".join(f"{k} x{n}" for k, n in missed.most_common(count)))


def rule_table(test: list[Sentence], names: dict[str, str]) -> None:
    """F1 of ours with each rule of MatchRules flipped from its default: a rule is on by default only
    where turning it off lowers F1 (or, for a folding WikiFANE's spelling never exercises, changes nothing)."""
    gold = [spans for _, spans in test]
    print(f"\n{'ours with one rule flipped':<40}{'P':>7}{'R':>7}{'F1':>7}")
    for rule in (None, *MatchRules.__dataclass_fields__):
        rules = MatchRules() if rule is None else replace(MatchRules(), **{rule: not getattr(MatchRules(), rule)})
        match = ours_matcher(names, rules)
        precision, recall, f1, *_ = scores([set(match(text)) for text, _ in test], gold)
        title = "defaults" if rule is None else f"{rule} {'on' if getattr(rules, rule) else 'off'}"
        print(f"{title:<40}{precision:>7.1f}{recall:>7.1f}{f1:>7.1f}")


CLITIC_TOKENS = frozenset("وفبكل")


def glued(sentence: Sentence, whole_words: bool = False) -> Sentence:
    """The sentence as news writes it: WikiFANE writes و ف ب ك ل apart (و القاهرة), the text it was cut
    from glues them to the next word (والقاهرة), and ل drops the article's alef (ل القاهرة: للقاهرة, the
    name then starting at the article's lam, as the gazetteer reads it). Gold spans move with their words;
    ``whole_words``: a span then starts where its first word now starts, clitics included (والقاهرة, the
    convention of a news corpus tagged by whitespace tokens, such as ANERcorp)."""
    text, spans = sentence
    tokens = text.split(" ")
    moved: dict[int, int] = {}  # a token's start or end -> where it is now
    word_start: dict[int, int] = {}  # a token's start -> where the word it is now part of starts
    out: list[str] = []
    at = position = word_begins = 0
    for index, token in enumerate(tokens):
        shown = token
        if index and tokens[index - 1] == "ل" and out[-1] == "ل" and token.startswith("ال") and len(token) > 2:
            shown = token[1:]  # للقاهرة
        moved[at] = position
        word_start[at] = word_begins
        moved[at + len(token)] = position + len(shown)
        out.append(shown)
        position += len(shown)
        at += len(token) + 1
        if index + 1 < len(tokens) and not (token in CLITIC_TOKENS and tokens[index + 1][:1].isalpha()):
            out.append(" ")
            position += 1
            word_begins = position
    starts = word_start if whole_words else moved
    return "".join(out), {(starts[start], moved[end], label) for start, end, label in spans}


def glued_table(train: list[Sentence], test: list[Sentence]) -> None:
    """The matchers on news spelling (:func:`glued`), at the news schema's ``symbol`` granularity (a
    span may start inside a word, after its clitics): what the clitic rules do where clitics are glued."""
    train, test = [glued(s) for s in train], [glued(s) for s in test]
    names, gold = train_names(train), [spans for _, spans in test]
    print(f"\nWikiFANE glued as news writes it (و ف ب ك ل on the next word), symbol granularity{'':<3}{'P':>7}{'R':>7}{'F1':>7}")
    candidates: list[tuple[str, Callable[[str], list[Span]]]] = [("naive", Naive(names).match), ("flashtext", flashtext_matcher(names))]
    for title, rules in (("ours, defaults", DEFAULT_RULES), ("ours, prepositions on", replace(DEFAULT_RULES, prepositions=True)),
                         ("ours, prepositions and bare prepositions on", replace(DEFAULT_RULES, prepositions=True, bare_prepositions=True)),
                         ("ours, conjunctions off", replace(DEFAULT_RULES, conjunctions=False))):
        gazetteer = names_gazetteer(names, rules, "symbol")
        candidates.append((title, lambda text, g=gazetteer: [(span.start, span.end, span.label) for span in g.match(text)]))
    for title, match in candidates:
        precision, recall, f1, *_ = scores([set(match(text)) for text, _ in test], gold)
        print(f"{title:<85}{precision:>7.1f}{recall:>7.1f}{f1:>7.1f}")


def whole_words_table(train: list[Sentence], test: list[Sentence]) -> None:
    """News spelling with gold spans on whole words, clitics included (:func:`glued` ``whole_words``), as a
    corpus tagged by whitespace tokens has them: where the schema's granularity decides (``schema new
    --from`` such a corpus drafts ``word``)."""
    train, test = [glued(s, whole_words=True) for s in train], [glued(s, whole_words=True) for s in test]
    names, gold = train_names(train), [spans for _, spans in test]
    print(f"\nWikiFANE glued, gold spans on whole words (clitics in){'':<31}{'P':>7}{'R':>7}{'F1':>7}")
    candidates = [("naive", Naive(names).match), ("flashtext", flashtext_matcher(names)),
                  ("ours, word granularity", ours_matcher(names, granularity="word")),
                  ("ours, symbol granularity", ours_matcher(names, granularity="symbol"))]
    for title, match in candidates:
        precision, recall, f1, *_ = scores([set(match(text)) for text, _ in test], gold)
        print(f"{title:<85}{precision:>7.1f}{recall:>7.1f}{f1:>7.1f}")


def news_prepositions(corpora: Path, names: dict[str, str], articles: int, sample: int) -> None:
    """What reading ب ك ل off does on news, where there is no NER gold: the spans it adds on ANT (the
    words matched only through a preposition), how many name a stem the same article also names without
    one (a gold-free sign that the reading is right), and a seeded sample of them to judge by eye."""
    texts = ant_texts(corpora, articles)
    plain = names_gazetteer(names, granularity="symbol")
    glued = names_gazetteer(names, replace(DEFAULT_RULES, prepositions=True), "symbol")
    added: list[tuple[str, str, str, bool]] = []  # (word as written, name read, context, also named plainly)
    kept = lost = 0
    for text in texts:
        before = {(span.start, span.end): span for span in plain.match(text)}
        after = {(span.start, span.end): span for span in glued.match(text)}
        kept += len(before.keys() & after.keys())
        lost += len(before.keys() - after.keys())
        named = {span.text for span in before.values()}
        for start, end in sorted(after.keys() - before.keys()):
            word = next(m for m in WORD.finditer(text, max(0, start - 3)) if m.end() >= end)
            added.append((word.group(), text[start:end], text[max(0, start - 30):end + 30].replace("\n", " "),
                          bool({text[start:end], "ا" + text[start:end]} & named)))  # للجيش: لجيش, the article's alef dropped
    print(f"\nANT, first {len(texts):,} texts, symbol granularity: {kept:,} spans both ways, {lost:,} only without "
          f"prepositions, {len(added):,} only with them ({100 * len(added) / max(kept + lost, 1):.1f}% more)")
    print(f"  of the added, the same article also names the stem without a preposition: "
          f"{sum(also for *_, also in added):,}")
    print("  most frequent added:", ", ".join(f"{w} x{n}" for w, n in Counter(w for w, *_ in added).most_common(15)))
    for word, name, context, also in random.Random(SEED).sample(added, min(sample, len(added))):
        print(f"  {word} -> {name} [{'also plain' if also else 'only glued'}]: {context}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ant-articles", type=int, default=3000)
    parser.add_argument("--errors", type=int, default=8, help="most frequent wrong and missed spans of ours shown")
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--news-prepositions", type=int, metavar="SAMPLE",
                        help="only: what reading ب ك ل off adds on ANT news, with SAMPLE added spans to judge by eye")
    parser.add_argument("--child", choices=MATCHERS, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--spelling", default="as written", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.corpora, args.ant_articles, args.out, args.spelling)
        return
    corpora = args.corpora.resolve()
    train, test = held_out(corpora)
    names = train_names(train)
    if args.news_prepositions is not None:
        news_prepositions(corpora, names, args.ant_articles, args.news_prepositions)
        return
    gold = [spans for _, spans in test]
    print(f"WikiFANE: {len(train):,} training sentences ({len(names):,} names: "
          f"{', '.join(f'{n:,} {label}' for label, n in Counter(names.values()).most_common())}), "
          f"{len(test):,} held-out sentences with {sum(map(len, gold)):,} gold spans; seed {SEED}")
    speed_runs: dict[tuple[str, str], list] = {run: [] for run in SPEED_RUNS}
    with tempfile.TemporaryDirectory(prefix="bench-gazetteer-") as folder:
        for round_number in range(args.rounds):
            print(f"round {round_number + 1}: {load()}", flush=True)
            for matcher, spelling in SPEED_RUNS:
                out = Path(folder) / f"{matcher}.json"
                measured = measure([sys.executable, str(Path(__file__).resolve()), "--child", matcher, "--spelling", spelling,
                                    "--corpora", str(corpora), "--ant-articles", str(args.ant_articles), "--out", str(out)], cwd=Path(folder))
                speed_runs[matcher, spelling].append((measured, json.loads(out.read_text())))
    runs = {matcher: speed_runs[matcher, "as written"] for matcher in MATCHERS}
    print(f"\n{'matcher':<12}{'P':>7}{'R':>7}{'F1':>7}{'right':>8}{'wrong':>8}{'missed':>8}"
          f"{'M chars/s (matching)':>26}{'M chars/s (2nd pass)':>26}{'process CPU s':>20}{'peak PSS MB':>18}")
    found_by: dict[str, list[set[Span]]] = {}
    for matcher, results in runs.items():
        found = found_by[matcher] = [{tuple(span) for span in spans} for spans in results[0][1]["spans"]]
        precision, recall, f1, right, wrong, missed = scores(found, gold)
        speeds = [result["characters"] / result["seconds"] / 1e6 for _, result in results]
        again = [result["characters"] / result["again"] / 1e6 for _, result in results]
        print(f"{matcher:<12}{precision:>7.1f}{recall:>7.1f}{f1:>7.1f}{right:>8,}{wrong:>8,}{missed:>8,}"
              f"{spread(speeds, lambda v: f'{v:.2f}'):>26}{spread(again, lambda v: f'{v:.2f}'):>26}{spread([m.cpu for m, _ in results], lambda v: f'{v:.2f}'):>20}"
              f"{spread([m.pss for m, _ in results], lambda v: f'{v:.0f}'):>18}")
    for spelling, title in (("as written", "as written, word granularity"), (GLUED, "news spelling, symbol granularity")):
        speed_ratios(title, speed_runs["ours", spelling], speed_runs["flashtext", spelling])
    digest = hashlib.sha256(json.dumps(runs["ours"][0][1]["spans"], ensure_ascii=False).encode()).hexdigest()[:16]
    print(f"ours, digest of the held-out spans (unchanged by a speed-up): {digest}")
    show_errors(test, found_by["ours"], args.errors)
    rule_table(test, names)
    glued_table(train, test)
    whole_words_table(train, test)


if __name__ == "__main__":
    main()
