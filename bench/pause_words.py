"""Which words, after ``..`` ``...`` ``…``, mean the sentence goes on: measured on ANT's news, not assumed.

    .venv/bin/python bench/pause_words.py [--min-count 30] > list.txt
    .venv/bin/python bench/pause_words.py --contexts حتى   # every ellipsis before a word, to judge by eye
    .venv/bin/python bench/pause_words.py --pairs حتى      # the word after it, after a stop and inside

ANT has no sentence gold, but it has two contexts whose nature is not in doubt: the word after a
full stop that follows a word (``كلمة. التالية``; a sentence opens there) and the word after a word
with nothing between (``كلمة التالية``; the sentence goes on, wherever it is cut). The word after an
ellipsis is a mixture of the two; the share of ellipses inside a sentence is read off the words that
never follow a full stop (after an ellipsis they can only be inside a sentence: their share after
ellipses over their share inside sentences is that share). For each word, Bayes gives the odds that
an ellipsis before it is inside a sentence:

    odds(inside | w) = prior odds x P(w | inside a sentence) / P(w | after a full stop)

(add-half smoothing). The words with odds above 1 and seen at least ``--min-count`` times inside
sentences (so that their share there is known) are printed, most certain first, with their figures: ``curation/segment/data/pause_continuations.txt``
is this list. A word class is not assumed: في, من, لأن, حتى or a lone و open sentences after a full
stop often enough in news that an ellipsis before them is more often an end.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from curation.segment.sentences import _bare_word

ANT = Path("..") / "shared" / "corpora" / "ant-v2.1.jsonl.gz"
CONTEXT = re.compile(r"(?<=[\u0621-\u064a]{2})(\.\.+|…|\.|) +(?=([\u0621-\u064a\u0640\u064b-\u0652]+))")


def marked(corpus: Path, pattern: re.Pattern[str]) -> Iterator[tuple[str, re.Match[str]]]:
    """Each match of ``pattern`` in the corpus's texts, with what its first group (the mark before the
    word) says: "inside" (no mark), "stop" (a full stop) or "ellipsis"."""
    with gzip.open(corpus, "rt", encoding="utf-8") as handle:
        for line in handle:
            for match in pattern.finditer(json.loads(line)["text"]):
                mark = match.group(1)
                yield ("inside" if not mark else "stop" if mark == "." else "ellipsis"), match


def contexts(corpus: Path) -> dict[str, Counter[str]]:
    after: dict[str, Counter[str]] = {"stop": Counter(), "inside": Counter(), "ellipsis": Counter()}
    for kind, match in marked(corpus, CONTEXT):
        after[kind][_bare_word(match.group(2))] += 1
    return after


def share(counts: Counter[str], word: str) -> float:
    return (counts[word] + 0.5) / (sum(counts.values()) + 0.5 * len(counts))


def inside_share(after: dict[str, Counter[str]], min_count: int) -> float:
    """The share of ellipses inside a sentence, read off the words that never follow a full stop (seen
    ``min_count`` times or more inside sentences, never after a stop): after an ellipsis they can only
    be inside one, so their share there over their share inside sentences is that share."""
    never = [w for w, count in after["inside"].items() if count >= min_count and not after["stop"][w]]
    after_ellipsis = sum(after["ellipsis"][w] for w in never) / sum(after["ellipsis"].values())
    inside = sum(after["inside"][w] for w in never) / sum(after["inside"].values())
    return min(after_ellipsis / inside, 0.99) if inside else 0.0


PAIR = re.compile(r"(?<=[\u0621-\u064a]{2})(\.\.+|…|\.|) +([\u0621-\u064a\u0640\u064b-\u0652]+) +"
                  r"([\u0621-\u064a\u0640\u064b-\u0652]+)")


def pair_odds(corpus: Path, word: str, inside: float, top: int = 12) -> list[str]:
    """The two-word estimator for ``word``: its own odds that an ellipsis before it is inside a sentence
    (as the list's), times, for each word after it, how much likelier that next word is when ``word``
    goes on a sentence than when it opens one after a full stop (add-half smoothing)."""
    totals: Counter[str] = Counter()
    following: dict[str, Counter[str]] = {"stop": Counter(), "inside": Counter(), "ellipsis": Counter()}
    for kind, match in marked(corpus, PAIR):
        totals[kind] += 1
        if _bare_word(match.group(2)) == word:
            following[kind][_bare_word(match.group(3))] += 1
    seen = {kind: sum(counts.values()) for kind, counts in following.items()}
    alone = inside / (1 - inside) * ((seen["inside"] + 0.5) / totals["inside"]) / ((seen["stop"] + 0.5) / totals["stop"])
    lines = [f"# {word} followed by a word: {seen['inside']:,} inside a sentence, {seen['stop']:,} after a full stop, "
             f"{seen['ellipsis']:,} after an ellipsis; odds inside, the word alone: {alone:.2f}",
             "# next word  # odds(inside | both words)  inside, after a stop, after an ellipsis"]
    shown = {*following["stop"], *following["ellipsis"], *dict(following["inside"].most_common(top))}
    for next_word in sorted(shown, key=lambda w: -sum(counts[w] for counts in following.values())):
        odds = alone * share(following["inside"], next_word) / share(following["stop"], next_word)
        lines.append(f"{word} {next_word}  # {odds:.2f}  {following['inside'][next_word]} {following['stop'][next_word]} "
                     f"{following['ellipsis'][next_word]}")
    return lines


def ellipsis_contexts(corpus: Path, word: str, width: int = 60) -> list[str]:
    """Every ellipsis before ``word`` in ``corpus`` with ``width`` characters each side, once per distinct
    context (ANT files a story under two topics): the cases the odds summarise, to be read by eye."""
    pattern = re.compile(rf"(.{{0,{width}}})(\.\.+|…) *({re.escape(word)})(?![\u0621-\u064a])(.{{0,{width}}})")
    seen: dict[str, None] = {}
    with gzip.open(corpus, "rt", encoding="utf-8") as handle:
        for line in handle:
            for match in pattern.finditer(json.loads(line)["text"].replace("\n", " ")):
                seen[f"{match.group(1)} [{match.group(2)}] {match.group(3)}{match.group(4)}"] = None
    return list(seen)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ANT)
    parser.add_argument("--min-count", type=int, default=1000)
    parser.add_argument("--contexts", metavar="WORD", help="print every ellipsis before WORD, to judge by eye")
    parser.add_argument("--pairs", metavar="WORD", help="print the two-word odds for WORD and each word after it")
    parser.add_argument("--inside", type=float, default=0.13, help="--pairs: share of ellipses inside a sentence")
    args = parser.parse_args()
    if args.contexts:
        found = ellipsis_contexts(args.corpus, args.contexts)
        print(f"# {len(found)} distinct ellipses before {args.contexts} in {args.corpus.name}")
        print("\n".join(found))
        return
    if args.pairs:
        print("\n".join(pair_odds(args.corpus, _bare_word(args.pairs), args.inside)))
        return
    after = contexts(args.corpus)
    inside = inside_share(after, args.min_count)
    prior = inside / (1 - inside)
    print(f"# ANT: {sum(after['stop'].values()):,} words after a full stop, {sum(after['inside'].values()):,} inside a "
          f"sentence, {sum(after['ellipsis'].values()):,} after an ellipsis; ellipses inside a sentence: {100 * inside:.0f}%")
    print("# word  # odds that an ellipsis before it is inside a sentence; seen inside, after a full stop, after an ellipsis")
    found = []
    for word, count in after["inside"].items():
        if count >= args.min_count:
            odds = prior * share(after["inside"], word) / share(after["stop"], word)
            if odds > 1:
                found.append((odds, word, count, after["stop"][word], after["ellipsis"][word]))
    for odds, word, count, stop, ellipsis in sorted(found, reverse=True):
        print(f"{word}  # {odds:.1f}  {count} {stop} {ellipsis}")


if __name__ == "__main__":
    main()
