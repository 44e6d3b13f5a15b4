"""Document -> article units -> sentence units: the segmenter as one call per document.

A document whose ``meta`` says ``"segmentation": "given"`` (what ``curation import`` writes for a
corpus's own sentences and texts) is one article and one sentence, both its whole text: the
news-page rules (title, dateline, byline, captions, abbreviations) are for pages, not for units a
corpus already drew.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from curation.segment.articles import ArticleSettings, split_articles
from curation.segment.sentences import sentence_spans
from curation.units import Article, Document, Sentence, SentenceRole, Span


@dataclass(frozen=True, slots=True)
class SegmenterSettings:
    """Everything that changes unit boundaries, hence ids; recorded in build manifests."""

    articles: ArticleSettings = field(default_factory=ArticleSettings)

    def to_dict(self) -> dict[str, Any]:
        return {"articles": asdict(self.articles)}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> SegmenterSettings:
        """The settings of ``{"articles": {...}}``; a key or value of the wrong type is a ``ValueError``
        naming it (a recipe is read by users, and a number where a word list goes would crash later)."""
        data = data or {}
        unknown = sorted(set(data) - {"articles"}, key=str)
        articles = data.get("articles") or {}
        if unknown or not isinstance(articles, dict):
            raise ValueError(f"segmenter has one key, articles, a mapping of article settings; got {sorted(data, key=str)}")
        defaults = ArticleSettings()
        for item in fields(ArticleSettings):
            if item.name in articles:
                _check_article_setting(item.name, articles[item.name], getattr(defaults, item.name))
        return cls(articles=ArticleSettings(**articles))


def _check_article_setting(name: str, value: Any, default: Any) -> None:
    """A word list is a list of strings; a count a whole number from 1 to 1,000."""
    if isinstance(default, tuple):
        if not isinstance(value, list | tuple) or not all(isinstance(word, str) for word in value):
            raise ValueError(f"articles.{name} must be a list of phrases, got {value!r}"[:200])
    elif not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 1000:
        raise ValueError(f"articles.{name} must be a whole number from 1 to 1,000, got {value!r}"[:200])


@dataclass(frozen=True, slots=True)
class SegmentedDocument:
    document: Document
    articles: list[Article]
    sentences: list[Sentence]

    def records(self) -> Iterator[dict[str, Any]]:
        """The document, then each article followed by its sentences: the JSONL line order."""
        yield self.document.to_record()
        by_article: dict[str, list[Sentence]] = {}
        for sentence in self.sentences:
            by_article.setdefault(sentence.article_id, []).append(sentence)
        for article in self.articles:
            yield article.to_record()
            for sentence in by_article.get(article.id, ()):
                yield sentence.to_record()


def _readable_pieces(article: Article) -> list[tuple[Span, SentenceRole]]:
    """The parts of an article annotators read, in page order, each with its sentence role."""
    heading_starts = {h.start for h in article.headings}
    pieces: list[tuple[Span, SentenceRole]] = []
    if article.title:
        pieces.append((article.title, "title"))
    for paragraph in article.paragraphs:
        pieces.append((paragraph, "heading" if paragraph.start in heading_starts else "body"))
    if article.byline:
        pieces.append((article.byline, "byline"))
    return sorted(pieces, key=lambda piece: piece[0].start)


def article_sentences(document: Document, article: Article) -> list[Sentence]:
    """Sentences of one article; a heading or title line stays one unit even without a full stop
    (the sentence splitter already ends a sentence at every line break)."""
    sentences: list[Sentence] = []
    for span, role in _readable_pieces(article):
        for local_start, local_end in sentence_spans(span.text):
            start, end = span.start + local_start, span.start + local_end
            sentences.append(
                Sentence(
                    id=Sentence.make_id(document.id, start, end),
                    doc_id=document.id,
                    article_id=article.id,
                    start=start,
                    end=end,
                    text=document.text[start:end],
                    role=role,
                    index=len(sentences),
                )
            )
    return sentences


SEGMENTATION_KEY = "segmentation"
GIVEN = "given"


def given_units(document: Document) -> SegmentedDocument:
    """The document as the one article and the one sentence its source made of it."""
    text, end = document.text, len(document.text)
    whole = Span(0, end, text)
    article = Article(id=Article.make_id(document.id, 0, end), doc_id=document.id, start=0, end=end, text=text,
                      title=None, role="main", paragraphs=(whole,))
    sentence = Sentence(id=Sentence.make_id(document.id, 0, end), doc_id=document.id, article_id=article.id,
                        start=0, end=end, text=text)
    return SegmentedDocument(document, [article], [sentence])


def segment_document(document: Document, settings: SegmenterSettings | None = None) -> SegmentedDocument:
    if document.meta.get(SEGMENTATION_KEY) == GIVEN:
        return given_units(document)
    settings = settings or SegmenterSettings()
    articles = split_articles(document, settings.articles)
    sentences = [s for article in articles for s in article_sentences(document, article)]
    return SegmentedDocument(document, articles, sentences)


def segment_documents(
    documents: Iterable[Document], settings: SegmenterSettings | None = None
) -> Iterator[SegmentedDocument]:
    """Lazily, one document at a time, so a corpus of any size streams in constant memory."""
    for document in documents:
        yield segment_document(document, settings)
