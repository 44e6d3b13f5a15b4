"""The data model every stage shares: documents, articles, sentences and annotations.

Offsets are Unicode code points into the document's canonical text (what ingest produced);
every unit satisfies ``document.text[unit.start:unit.end] == unit.text``. Ids are derived from
content, so the same input and segmenter settings give the same ids on every machine.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Literal

Level = Literal["document", "article", "sentence"]
ArticleRole = Literal["main", "teaser"]
SentenceRole = Literal["title", "heading", "body", "byline"]
ComparedText = Literal["body", "title+body"]
COMPARED_TEXTS: tuple[ComparedText, ...] = ("body", "title+body")
"""What dedup may compare of an article (``DedupSettings.compare``): the body annotators read
(the default: one wire story under two headlines is one story), or the headline and the body."""

ID_HEX_CHARS = 16
TOKENS_KEY, TOKEN_OFFSETS_KEY, FIELDS_KEY = "tokens", "token_offsets", "fields"
SHOWN_FIELDS = ("title", "target")
"""What a unit may show beside its text, from ``Document.meta["fields"]``: an imported pair's
headline (``title``) and stance target (``target``, a claim), which the labelling config shows."""
"""``Document.meta`` keys of an imported corpus's own tokens: each exactly as given, and its
``[start, end)`` in the document's text (see :mod:`curation.imports.align`)."""


def content_id(prefix: str, *parts: object) -> str:
    """A short, stable id from the parts; NUL-separated so that ("ab", "c") != ("a", "bc")."""
    digest = hashlib.sha256("\0".join(str(p) for p in parts).encode("utf-8")).hexdigest()
    return f"{prefix}{digest[:ID_HEX_CHARS]}"


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of a document's text: ``text == document.text[start:end]``."""

    start: int
    end: int
    text: str

    @classmethod
    def of(cls, document_text: str, start: int, end: int) -> Span:
        return cls(start, end, document_text[start:end])

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "text": self.text}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Span:
        return cls(int(data["start"]), int(data["end"]), str(data["text"]))


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a document came from: the source file, the 1-based line for JSONL, the sha256 of
    the raw bytes of that file (``.txt``) or line (``.jsonl``)."""

    path: str
    line: int | None
    sha256: str


@dataclass(frozen=True, slots=True)
class Document:
    """One scraped page in canonical form (UTF-8 decoded, BOM dropped, LF newlines, NFC)."""

    id: str
    text: str
    provenance: Provenance
    meta: dict[str, Any] = field(default_factory=dict)

    def dedup_text(self, compare: ComparedText = "body") -> str:
        """What dedup compares when a document has no article units: the whole page, whatever
        ``compare`` (a page has no headline of its own to leave out)."""
        return self.text

    def shown_fields(self) -> dict[str, str]:
        """The :data:`SHOWN_FIELDS` this page carries for its units (an imported pair's headline and claim)."""
        fields = self.meta.get(FIELDS_KEY)
        if not isinstance(fields, dict):
            return {}
        return {key: fields[key] for key in SHOWN_FIELDS if isinstance(fields.get(key), str) and fields[key].strip()}

    def given_tokens(self, start: int, end: int) -> list[tuple[int, int, str]] | None:
        """The corpus's own tokens inside ``[start, end)`` as (start, end, token as given), offsets
        relative to ``start``; None when the document came without tokens (or they do not fit its
        text: a hand-edited page)."""
        tokens, offsets = self.meta.get(TOKENS_KEY), self.meta.get(TOKEN_OFFSETS_KEY)
        if not isinstance(tokens, list) or not isinstance(offsets, list) or len(tokens) != len(offsets):
            return None
        try:
            found = [(int(a) - start, int(b) - start, str(t)) for t, (a, b) in zip(tokens, offsets, strict=True)
                     if start <= int(a) and int(b) <= end]
        except (TypeError, ValueError):
            return None
        return found if all(0 <= a <= b <= len(self.text) - start for a, b, _ in found) else None

    @staticmethod
    def make_id(text: str, source_key: str) -> str:
        """Content plus a machine-independent source key (file name and line, or the record's
        own id), so that two outlets publishing the same text stay two documents."""
        return content_id("d", source_key, text)

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": "document",
            "parent": None,
            "doc_id": self.id,
            "start": 0,
            "end": len(self.text),
            "text": self.text,
            "source": self.provenance.path,
            "line": self.provenance.line,
            "sha256": self.provenance.sha256,
            "meta": self.meta,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Document:
        return cls(
            id=record["id"],
            text=record["text"],
            provenance=Provenance(record["source"], record.get("line"), record["sha256"]),
            meta=dict(record.get("meta") or {}),
        )


@dataclass(frozen=True, slots=True)
class Article:
    """One article (or related-article teaser) on a page.

    ``start``/``end`` cover the article's whole region of the page, repeated headlines and
    captions included, so the offset invariant holds; ``paragraphs`` lists the spans annotators
    read (headings and body paragraphs, in order), and ``body`` is their clean text.
    """

    id: str
    doc_id: str
    start: int
    end: int
    text: str
    title: Span | None
    role: ArticleRole
    paragraphs: tuple[Span, ...]
    headings: tuple[Span, ...] = ()
    captions: tuple[Span, ...] = ()
    byline: Span | None = None
    kicker: Span | None = None
    dateline: Span | None = None
    boilerplate: tuple[Span, ...] = ()
    """Lines kept out of what annotators read (sign-offs, share prompts, tag lines, page
    markers, scraper echoes, further bylines): recorded, never dropped silently."""

    @staticmethod
    def make_id(doc_id: str, start: int, end: int) -> str:
        return content_id("a", doc_id, start, end)

    @property
    def body(self) -> str:
        """What an annotator reads: the paragraphs (headings included) one per line."""
        return "\n".join(p.text for p in self.paragraphs)

    @property
    def title_text(self) -> str | None:
        return self.title.text if self.title else None

    def dedup_text(self, compare: ComparedText = "body") -> str:
        """What two articles are compared on (see :data:`COMPARED_TEXTS`): the body annotators
        read, or for ``"title+body"`` the headline (unless the body already opens with it) before it."""
        body, title = self.body, self.title_text or ""
        if compare == "title+body" and title and not body.lstrip().startswith(title.strip()):
            return f"{title}\n{body}"
        return body

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": "article",
            "parent": self.doc_id,
            "doc_id": self.doc_id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "title": self.title.text if self.title else None,
            "title_span": self.title.to_dict() if self.title else None,
            "role": self.role,
            "body": self.body,
            "paragraphs": [p.to_dict() for p in self.paragraphs],
            "headings": [h.to_dict() for h in self.headings],
            "captions": [c.to_dict() for c in self.captions],
            "byline": self.byline.to_dict() if self.byline else None,
            "kicker": self.kicker.to_dict() if self.kicker else None,
            "dateline": self.dateline.to_dict() if self.dateline else None,
            "boilerplate": [b.to_dict() for b in self.boilerplate],
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Article:
        def span(key: str) -> Span | None:
            value = record.get(key)
            return Span.from_dict(value) if value else None

        def spans(key: str) -> tuple[Span, ...]:
            return tuple(Span.from_dict(s) for s in record.get(key) or ())

        return cls(
            id=record["id"],
            doc_id=record["doc_id"],
            start=record["start"],
            end=record["end"],
            text=record["text"],
            title=span("title_span"),
            role=record["role"],
            paragraphs=spans("paragraphs"),
            headings=spans("headings"),
            captions=spans("captions"),
            byline=span("byline"),
            kicker=span("kicker"),
            dateline=span("dateline"),
            boilerplate=spans("boilerplate"),
        )


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence (or a headline, heading or byline line) of an article."""

    id: str
    doc_id: str
    article_id: str
    start: int
    end: int
    text: str
    role: SentenceRole = "body"
    index: int = 0

    @staticmethod
    def make_id(doc_id: str, start: int, end: int) -> str:
        return content_id("s", doc_id, start, end)

    def to_record(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "level": "sentence",
            "parent": self.article_id,
            "doc_id": self.doc_id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "role": self.role,
            "index": self.index,
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Sentence:
        return cls(
            id=record["id"],
            doc_id=record["doc_id"],
            article_id=record["parent"],
            start=record["start"],
            end=record["end"],
            text=record["text"],
            role=record.get("role", "body"),
            index=record.get("index", 0),
        )


@dataclass(frozen=True, slots=True)
class EntitySpan:
    """An entity mention, offsets in code points relative to the annotated unit's text."""

    start: int
    end: int
    label: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"start": self.start, "end": self.end, "label": self.label, "text": self.text}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> EntitySpan:
        return cls(int(data["start"]), int(data["end"]), str(data["label"]), str(data["text"]))


@dataclass(frozen=True, slots=True)
class Annotation:
    """One annotator's answer on one unit, keyed by (unit id, annotator, Label Studio id).

    ``choices`` maps a choice family (``topic``, ``stance``) to the chosen values; ``spans``
    holds entity mentions. State flags mirror Label Studio so nothing an annotator did is lost.
    """

    unit_id: str
    level: Level
    annotator: str
    annotation_id: str
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    spans: tuple[EntitySpan, ...] = ()
    schema_version: int | None = None
    created_at: str | None = None
    updated_at: str | None = None
    lead_time: float | None = None
    cancelled: bool = False
    ground_truth: bool = False
    deleted: bool = False
    # the model version of the prediction Label Studio showed on the task when the answer was saved
    # (what pre-annotated it); None: made without one
    model_version: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.unit_id, self.annotator, self.annotation_id)

    def to_record(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "level": self.level,
            "annotator": self.annotator,
            "annotation_id": self.annotation_id,
            "choices": {k: list(v) for k, v in sorted(self.choices.items())},
            "spans": [s.to_dict() for s in self.spans],
            "schema_version": self.schema_version,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "lead_time": self.lead_time,
            "cancelled": self.cancelled,
            "ground_truth": self.ground_truth,
            "deleted": self.deleted,
            # only when set: the stores pulled before it existed keep their bytes, and the builds their fingerprint
            **({"model_version": self.model_version} if self.model_version is not None else {}),
        }

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Annotation:
        return cls(
            unit_id=record["unit_id"],
            level=record["level"],
            annotator=str(record["annotator"]),
            annotation_id=str(record["annotation_id"]),
            choices={k: tuple(v) for k, v in (record.get("choices") or {}).items()},
            spans=tuple(EntitySpan.from_dict(s) for s in record.get("spans") or ()),
            schema_version=record.get("schema_version"),
            created_at=record.get("created_at"),
            updated_at=record.get("updated_at"),
            lead_time=record.get("lead_time"),
            cancelled=bool(record.get("cancelled", False)),
            ground_truth=bool(record.get("ground_truth", False)),
            deleted=bool(record.get("deleted", False)),
            model_version=str(record["model_version"]) if record.get("model_version") is not None else None,
        )


Unit = Document | Article | Sentence


def unit_from_record(record: dict[str, Any]) -> Unit:
    """Rebuild a unit from a line of ``curation segment`` output."""
    level = record.get("level")
    if level == "document":
        return Document.from_record(record)
    if level == "article":
        return Article.from_record(record)
    if level == "sentence":
        return Sentence.from_record(record)
    raise ValueError(f"unknown unit level {level!r} in record {record.get('id')!r}")
