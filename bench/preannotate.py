"""Issue 14's figures on the ANT corpus, each beside what a user would pick instead, in one run.

1. Gazetteer matching over ANT's article texts: ``Gazetteer.match`` (Arabic clitics, letter
   variants, diacritics) beside flashtext's ``KeywordProcessor`` (the usual keyword matcher; told
   that Arabic letters are word characters, so both match whole words). The gazetteer is harvested
   from ANT's own bylines (``القاهرة - أحمد الريدي``): the place before the dash is GPE, the name
   after it ORG when it signs from two places or more (an agency), else PER. Nobody wrote it by hand.
2. Import throughput: the first ``--limit`` ANT articles written as a CoNLL file (tokens, BIO tags
   from flashtext's whole-word matches) and imported with ``import_corpus`` (tag hygiene, offsets,
   pages, units and annotation store), beside a hand-written CoNLL reader that only collects
   tokens and tags into ``datasets.Dataset.from_dict`` (no checks, no offsets, no units): the floor.
   The schema is ``draft_schema`` of the three labels (what ``curation schema new`` writes).
   Prodigy's ``db-in`` and Argilla's ``from_hub`` need a licence or a server and are not run here.

    .venv/bin/python bench/preannotate.py [--corpus ../shared/corpora/ant-v2.1.jsonl.gz] [--limit 2000]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import tempfile
import time
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

from datasets import Dataset
from flashtext import KeywordProcessor

from curation.imports import import_corpus
from curation.preannotate import Gazetteer
from curation.preannotate.gazetteer import WORD
from curation.schema import load_schema
from curation.schema.generate import draft_schema

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "ant-v2.1.jsonl.gz"
DASH = re.compile(r"\s+ـ\s+|\s*[-–—]\s*")
ARABIC_NAME = re.compile(r"^[\u0621-\u064a]+(?: [\u0621-\u064a]+){0,3}$")
TOKEN = re.compile(WORD.pattern + r"|[^\w\s]")
SENTENCE_END = {".", "!", "؟", "?"}


def read_ant(corpus: Path) -> list[dict]:
    with gzip.open(corpus, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


def byline_gazetteer(records: list[dict], common_words: int = 300) -> dict[str, str]:
    """name -> label from the ``author`` field's «place - signer» bylines, less the corpus's
    ``common_words`` most frequent words (كان is Cannes in a byline and "was" everywhere else)
    and two-letter names (إب, the Yemeni city, is آب, August, once alef forms are folded)."""
    places: set[str] = set()
    signed_from: dict[str, set[str]] = defaultdict(set)
    for record in records:
        parts = DASH.split((record.get("author") or "").strip(), maxsplit=1)
        if len(parts) == 2 and all(ARABIC_NAME.match(part) for part in parts):
            places.add(parts[0])
            signed_from[parts[1]].add(parts[0])
    names = {name: "GPE" for name in places}
    for signer, where in signed_from.items():
        names.setdefault(signer, "ORG" if len(where) > 1 else "PER")
    frequent = Counter(word for record in records[:5000] for word in WORD.findall(record["text"]))
    stop = {word for word, _ in frequent.most_common(common_words)}
    return {name: label for name, label in names.items() if name not in stop and len(name.replace(" ", "")) > 2}


def flashtext_matcher(names: dict[str, str]) -> KeywordProcessor:
    processor = KeywordProcessor(case_sensitive=True)
    processor.non_word_boundaries |= {chr(c) for c in range(0x0600, 0x0700)  # Arabic letters and marks, not ، ؛ ؟
                                      if chr(c).isalnum() or unicodedata.category(chr(c)) == "Mn"}
    for name, label in names.items():
        processor.add_keyword(name, label)
    return processor


def timed(function, items):
    started = time.perf_counter()
    results = [function(item) for item in items]
    return time.perf_counter() - started, results


def matching_table(texts: list[str], names: dict[str, str]) -> KeywordProcessor:
    ours = Gazetteer()
    for name, label in names.items():
        ours.add(name, label)
    processor = flashtext_matcher(names)
    characters = sum(map(len, texts))
    our_seconds, our_spans = timed(ours.match, texts)
    flash_seconds, flash_spans = timed(lambda text: processor.extract_keywords(text, span_info=True), texts)
    labels = Counter(label for name, label in names.items())
    print(f"\nGazetteer matching: {len(texts):,} ANT texts, {characters / 1e6:.1f} M characters; {len(names)} byline "
          f"names ({', '.join(f'{n} {label}' for label, n in labels.most_common())})")
    print(f"{'matcher':<44}{'seconds':>9}{'M chars/s':>11}{'matches':>10}")
    ours_set = {(n, s.start, s.end) for n, spans in enumerate(our_spans) for s in spans}
    flash_set = {(n, start, end) for n, found in enumerate(flash_spans) for _, start, end in found}
    for title, seconds, found in (("flashtext KeywordProcessor (whole words)", flash_seconds, flash_set),
                                  ("curation Gazetteer.match (Arabic-aware)", our_seconds, ours_set)):
        print(f"{title:<44}{seconds:>9.2f}{characters / seconds / 1e6:>11.2f}{len(found):>10,}")
    word_starts = [{m.start() for m in WORD.finditer(text)} for text in texts]
    extra = ours_set - flash_set
    clitic = sum(1 for n, start, _ in extra if start not in word_starts[n])
    print(f"found by both: {len(ours_set & flash_set):,}; only by ours: {len(extra):,} ({clitic:,} behind a proclitic, "
          f"{len(extra) - clitic:,} other spellings: diacritics, tatweel, alef/ya/ta marbuta forms); "
          f"only by flashtext: {len(flash_set - ours_set):,} (a longer or earlier name of ours overlaps them)")
    samples = Counter(texts[n][max(0, s - 3):e] for n, s, e in sorted(extra) if s not in word_starts[n])
    print("most frequent clitic-attached matches (3 characters before the span shown):",
          ", ".join(f"{text!r} x{count}" for text, count in samples.most_common(6)))
    others = Counter(texts[n][s:e] for n, s, e in sorted(extra) if s in word_starts[n])
    print("most frequent other spellings:", ", ".join(f"{text!r} x{count}" for text, count in others.most_common(6)))
    return processor


def write_conll(records: list[dict], processor: KeywordProcessor, path: Path) -> tuple[int, int]:
    """CoNLL of the records' texts, tags from whole-word keyword matches; returns (sentences, tokens)."""
    sentences = tokens = 0
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            text = record["text"]
            tagged: dict[int, str] = {}
            for label, start, end in processor.extract_keywords(text, span_info=True):
                inside = [m.start() for m in TOKEN.finditer(text, start, end)]
                tagged.update({at: ("B-" if i == 0 else "I-") + label for i, at in enumerate(inside)})
            open_sentence = False
            for match in TOKEN.finditer(text):
                out.write(f"{match.group()}\t{tagged.get(match.start(), 'O')}\n")
                tokens += 1
                open_sentence = True
                if match.group() in SENTENCE_END:
                    out.write("\n")
                    sentences += 1
                    open_sentence = False
            if open_sentence:
                out.write("\n")
                sentences += 1
    return sentences, tokens


def plain_reader(path: Path):
    """The floor: tokens and tags per sentence into a datasets.Dataset, nothing checked."""
    rows: dict[str, list] = {"tokens": [], "ner_tags": []}
    tokens: list[str] = []
    tags: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line:
                if tokens:
                    rows["tokens"].append(tokens)
                    rows["ner_tags"].append(tags)
                    tokens, tags = [], []
                continue
            token, tag = line.split("\t")
            tokens.append(token)
            tags.append(tag)
    return Dataset.from_dict(rows)


def import_table(records: list[dict], processor: KeywordProcessor, folder: Path) -> None:
    path = folder / "ant.conll"
    sentences, tokens = write_conll(records, processor, path)
    print(f"\nImport: {len(records):,} ANT articles as CoNLL, {sentences:,} sentences, {tokens:,} tokens, "
          f"{path.stat().st_size / 1e6:.1f} MB")
    started = time.perf_counter()
    plain_reader(path)
    plain = time.perf_counter() - started
    started = time.perf_counter()
    schema_path = folder / "ant.yaml"
    schema_path.write_text(draft_schema("ant_bench", ["PER", "ORG", "GPE"]), encoding="utf-8")
    report = import_corpus([path], load_schema(schema_path), folder / "ant", source="ant")
    ours = time.perf_counter() - started
    print(f"{'importer':<60}{'seconds':>9}{'tokens/s':>11}{'sentences/s':>13}")
    for title, seconds in (("plain reader + datasets.Dataset.from_dict (the floor)", plain),
                           ("curation import_corpus (hygiene, offsets, units, store)", ours)):
        print(f"{title:<60}{seconds:>9.2f}{tokens / seconds:>11,.0f}{sentences / seconds:>13,.0f}")
    print(f"import_corpus: {report.items:,} pages, {report.units:,} units, {report.spans:,} spans, "
          f"{report.annotations:,} annotations, {len(report.problems):,} problem(s)",
          *(f"\n  {problem}" for problem in report.problems[:3]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=2000, help="articles imported (matching runs on all)")
    parser.add_argument("--match-limit", type=int, default=None, help="articles matched (default: all)")
    args = parser.parse_args()
    records = read_ant(args.corpus)
    names = byline_gazetteer(records)
    texts = [r["text"] for r in records[: args.match_limit]]
    processor = matching_table(texts, names)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as folder:
        import_table(records[: args.limit], processor, Path(folder))


if __name__ == "__main__":
    main()
