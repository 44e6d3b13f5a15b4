"""Article segmentation over the whole ANT corpus, beside the naive line split it replaces.

The alternative a user has for plain news text is no segmenter at all: one article per record and
one paragraph per line. Both run here on the same documents, after ingest (not timed), so the
difference is the price of the layout rules. A second table checks that time grows linearly with
page length on pages with full layout (markers, captions, teasers): the seed page repeated.

    .venv/bin/python bench/articles_ant.py [--corpus ../shared/corpora/ant-v2.1.jsonl.gz]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from curation.ingest import IngestError, read_documents, read_text_file
from curation.segment.articles import split_articles
from curation.units import Document, Provenance, Span

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpora" / "ant-v2.1.jsonl.gz"
SEED = REPO / "seeds" / "002_e430cd588a883c09.txt"


def naive_paragraphs(document: Document) -> list[Span]:
    """The baseline: every non-blank line is a paragraph, trimmed, with its offsets."""
    spans: list[Span] = []
    position = 0
    for raw in document.text.split("\n"):
        stripped = raw.strip()
        if stripped:
            start = position + len(raw) - len(raw.lstrip())
            spans.append(Span(start, start + len(stripped), stripped))
        position += len(raw) + 1
    return spans


def timed(function, documents: list[Document]) -> tuple[float, list]:
    started = time.perf_counter()
    results = [function(document) for document in documents]
    return time.perf_counter() - started, results


def corpus_table(corpus: Path) -> None:
    errors: list[IngestError] = []
    documents = list(read_documents([corpus], errors))
    characters = sum(len(d.text) for d in documents)
    print(f"ANT: {len(documents):,} records, {characters / 1e6:.1f} M characters, {len(errors)} ingest errors")
    naive_seconds, _ = timed(naive_paragraphs, documents)
    seconds, results = timed(split_articles, documents)
    print(f"{'method':<34}{'seconds':>9}{'M chars/s':>11}{'records/s':>11}")
    for name, took in (("naive line split (baseline)", naive_seconds), ("split_articles", seconds)):
        print(f"{name:<34}{took:>9.2f}{characters / took / 1e6:>11.2f}{len(documents) / took:>11,.0f}")

    shapes = Counter(tuple(a.role for a in articles) for articles in results)
    single = shapes[("main",)]
    titles = [(a.title.text, d.meta.get("title")) for d, arts in zip(documents, results) for a in arts if a.title]
    headings = sum(len(a.headings) for arts in results for a in arts)
    glued = sum(
        1
        for d, arts in zip(documents, results)
        for a in arts
        for h in a.headings
        if d.text[h.end : h.end + 1] not in ("\n", "")
    )
    captions = sum(len(a.captions) for arts in results for a in arts)
    print(f"records giving exactly one main article: {single:,} ({single / len(documents):.2%})")
    print(f"other shapes: {dict(shapes.most_common()[1:6])}")
    same = sum(found == field for found, field in titles)
    print(f"titles found in body text: {len(titles)} (equal to the record's title field: {same})")
    print(f"headings: {headings:,} of which glued to a paragraph: {glued}; captions: {captions}")


def linearity_table() -> None:
    seed = read_text_file(SEED)
    assert isinstance(seed, Document)
    print("\nlinearity: seed page 002 repeated n times (two blank lines between copies)")
    print(f"{'copies':>7}{'M chars':>9}{'articles':>10}{'seconds':>9}{'µs per 1k chars':>17}")
    for copies in (1, 10, 100, 1000):
        text = "\n\n\n".join([seed.text] * copies)
        document = Document(Document.make_id(text, "bench"), text, Provenance("bench", None, "0" * 64))
        started = time.perf_counter()
        articles = split_articles(document)
        took = time.perf_counter() - started
        print(f"{copies:>7}{len(text) / 1e6:>9.2f}{len(articles):>10}{took:>9.3f}{took / len(text) * 1e9:>17.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    args = parser.parse_args()
    corpus_table(args.corpus)
    linearity_table()


if __name__ == "__main__":
    main()
