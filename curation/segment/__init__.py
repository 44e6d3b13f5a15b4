"""Scraped pages into article units and sentence units, all with exact code-point offsets."""

from curation.segment.sentences import sentence_spans

__all__ = ["sentence_spans"]
