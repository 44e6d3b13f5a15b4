"""The segmenter as a whole: offsets exact for every unit, ids stable and content-derived."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curation.ingest import IngestError, read_documents
from curation.segment.pipeline import SegmentedDocument, segment_document
from curation.units import Document, Provenance, Span, unit_from_record

SEEDS = Path(__file__).resolve().parents[2] / "seeds"

ARABIC_LETTERS = [chr(c) for c in range(0x0621, 0x064B)]
DIACRITICS = [chr(c) for c in range(0x064B, 0x0653)]
MARKS = ["\u0640", "\u200e", "\u200f", "\u061c"]
EMOJI = ["😀", "🇸🇦", "👍🏽", "𝐀"]
PUNCT = [".", "!", "?", "؟", "…", "،", "؛", ":", "«", "»", '"', "(", ")", "-", "TT"]
LATIN = list("abcXYZ019")
PIECES = ARABIC_LETTERS + DIACRITICS + MARKS + EMOJI + PUNCT + LATIN + [" ", " ", "\n", "\n\n", "\u00a0", "3.5"]

page_text = st.lists(st.sampled_from(PIECES), max_size=300).map("".join) | st.text(max_size=300)


def document_of(text: str) -> Document:
    return Document(Document.make_id(text, "prop.txt"), text, Provenance("prop.txt", None, "0" * 64))


def spans_of(segmented: SegmentedDocument) -> list[Span]:
    spans: list[Span] = []
    for article in segmented.articles:
        spans.append(Span(article.start, article.end, article.text))
        spans.extend(article.paragraphs + article.headings + article.captions)
        spans.extend(s for s in (article.title, article.byline, article.kicker) if s)
    spans.extend(Span(s.start, s.end, s.text) for s in segmented.sentences)
    return spans


def assert_invariants(segmented: SegmentedDocument) -> None:
    text = segmented.document.text
    for span in spans_of(segmented):
        assert 0 <= span.start < span.end <= len(text)
        assert text[span.start : span.end] == span.text
        assert span.text == span.text.strip() or span.text.strip() == ""
    ids = [a.id for a in segmented.articles] + [s.id for s in segmented.sentences]
    assert len(ids) == len(set(ids))
    article_ids = {a.id for a in segmented.articles}
    for sentence in segmented.sentences:
        assert sentence.article_id in article_ids
        assert sentence.doc_id == segmented.document.id


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(page_text)
def test_every_unit_points_exactly_into_the_document(text: str) -> None:
    document = document_of(text)
    first = segment_document(document)
    assert_invariants(first)
    second = segment_document(document_of(text))
    assert [s.id for s in first.sentences] == [s.id for s in second.sentences]
    assert [a.id for a in first.articles] == [a.id for a in second.articles]


@settings(max_examples=100, deadline=None)
@given(page_text)
def test_records_round_trip(text: str) -> None:
    segmented = segment_document(document_of(text))
    for record in segmented.records():
        assert unit_from_record(record).to_record() == record


def seed_documents() -> list[Document]:
    errors: list[IngestError] = []
    documents = list(read_documents([SEEDS], errors))
    assert errors == []
    return documents


def test_seeds_hold_the_invariants_and_read_cleanly() -> None:
    for document in seed_documents():
        segmented = segment_document(document)
        assert_invariants(segmented)
        for sentence in segmented.sentences:
            assert sentence.text != "TT"
            assert not any(sentence.text in caption.text for a in segmented.articles for caption in a.captions if len(sentence.text) > 20)


def test_headings_are_their_own_sentences() -> None:
    for document in seed_documents():
        segmented = segment_document(document)
        headings = {(h.start, h.end) for a in segmented.articles for h in a.headings}
        assert headings, f"no heading found in {document.provenance.path}"
        heading_sentences = {(s.start, s.end) for s in segmented.sentences if s.role == "heading"}
        assert headings == heading_sentences


def test_ids_change_with_content_not_with_the_machine() -> None:
    document = seed_documents()[0]
    segmented = segment_document(document)
    edited = document_of(document.text.replace("مالي", "النيجر", 1))
    assert edited.id != document.id
    assert {s.id for s in segment_document(edited).sentences}.isdisjoint({s.id for s in segmented.sentences})
