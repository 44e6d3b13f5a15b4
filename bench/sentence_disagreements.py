"""Where our sentence boundaries differ from blingfire's and the regex's on ANT news, to read by eye.

    .venv/bin/python bench/sentence_disagreements.py [--articles 4000] [--every 5] [--sample 40] [--seed 3]

ANT has no sentence gold, but where both peers draw a boundary that we do not (or we draw one that
neither draws) one side is wrong, and reading the cases tells which: that is how the omission marker
followed by a stop (``(..). إذا``) and the closing quote after a terminator (``تونس! ".``) were found.
Each paragraph is split on its own, as the pipeline does; a boundary is the start of a sentence after
the first. Printed: the three counts and a seeded sample of each, the boundary shown as ``|``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
from collections.abc import Callable

from segment import ANT, blingfire_spans, regex_spans  # bench/segment.py

from curation.segment.sentences import sentence_spans

Splitter = Callable[[str], list[tuple[int, int]]]


def starts(split: Splitter, paragraph: str) -> set[int]:
    """Where each sentence after the first starts."""
    return {start for start, _ in split(paragraph) if paragraph[:start].strip()}


def context(paragraph: str, at: int) -> str:
    return f"{paragraph[max(0, at - 45):at]}|{paragraph[at:at + 30]}"


def paragraphs(articles: int, every: int) -> list[str]:
    """The paragraphs of every ``every``-th ANT article, ``articles`` articles in all."""
    found: list[str] = []
    with gzip.open(ANT, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if number // every >= articles:
                break
            if number % every == 0:
                found += [p for p in json.loads(line)["text"].split("\n") if p.strip()]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=4000)
    parser.add_argument("--every", type=int, default=5, help="take every N-th ANT article")
    parser.add_argument("--sample", type=int, default=40, help="cases shown of each kind")
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    kinds: dict[str, list[str]] = {"ours alone": [], "both peers, not ours": [], "blingfire alone": []}
    texts = paragraphs(args.articles, args.every)
    for paragraph in texts:
        ours, bling, regex = (starts(split, paragraph) for split in (sentence_spans, blingfire_spans, regex_spans))
        for kind, boundaries in zip(kinds, (ours - bling - regex, (bling & regex) - ours, bling - regex - ours), strict=True):
            kinds[kind] += (context(paragraph, at) for at in sorted(boundaries))
    print(f"ANT: {len(texts):,} paragraphs of {args.articles:,} articles (every {args.every}th); boundaries drawn by")
    for kind, cases in kinds.items():
        print(f"\n## {kind}: {len(cases):,}")
        for case in random.Random(args.seed).sample(cases, min(args.sample, len(cases))):
            print(f"  {case}")


if __name__ == "__main__":
    main()
