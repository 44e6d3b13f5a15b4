"""One settings object for everything that changes unit ids or duplicate decisions.

:class:`Settings` groups how pages are read (JSONL fields, HTML extractor, encoding), the
segmenter's knobs (articles, sentences) and dedup's (including the normalisation it compares on).
It is read from a recipe's ingest keys (``text_field``, ``title_field``...), ``segmenter:`` and ``dedup:`` and
written, whole, into the build manifest and beside every units file, so ``curation segment`` and
``curation build`` always cut the same units with the same ids.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any

from curation.ingest import IngestSettings
from curation.normalize import DEFAULT_OPTIONS, NormalizeOptions
from curation.segment.pipeline import SegmenterSettings
from curation.units import COMPARED_TEXTS, ComparedText

# whole-number dedup settings and their bounds: a signature of MAX_NUM_PERM permutations is 4 KB a
# text (8x the default); 10^7 of them took gigabytes and hours a document
MAX_NUM_PERM = 1024
_WHOLE_RANGES = {
    "num_perm": (2, MAX_NUM_PERM),
    "shingle_size": (1, 64),
    "min_words": (1, 1_000_000),
    "containment_min_words": (1, 1_000_000),
    "seed": (0, 2**32 - 1),
}


@dataclass(frozen=True, slots=True)
class DedupSettings:
    """Knobs of the duplicate search; :meth:`to_dict` is what a manifest records."""

    compare: ComparedText = "body"  # what of an article is compared: its body, or "title+body"
    threshold: float = 0.7  # Jaccard similarity of word shingles for a near-duplicate
    num_perm: int = 128  # MinHash permutations
    shingle_size: int = 5  # words per shingle
    min_words: int = 8  # shorter texts (empty bodies, a lone disclaimer) are never clustered, only counted
    find_contained: bool = True  # also report short texts contained in longer ones (teasers)
    containment: float = 0.8  # share of a text's shingles found in a longer text
    containment_min_words: int = 20  # shorter texts never count as contained (boilerplate)
    seed: int = 1
    normalize: NormalizeOptions = DEFAULT_OPTIONS

    def __post_init__(self) -> None:
        for name in ("threshold", "containment"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or isinstance(value, bool) or not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {value!r}")
        for name, (low, high) in _WHOLE_RANGES.items():
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise ValueError(f"{name} must be a whole number from {low:,} to {high:,}, got {value!r}")
        if not isinstance(self.find_contained, bool):
            raise ValueError(f"find_contained must be true or false, got {self.find_contained!r}")
        if self.compare not in COMPARED_TEXTS:
            raise ValueError(f"compare must be one of {', '.join(COMPARED_TEXTS)}, got {self.compare!r}")
        if self.min_words < 1:
            raise ValueError(f"min_words must be >= 1 (an empty text is never a duplicate), got {self.min_words}")

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "normalize"}
        return {**data, "normalize": self.normalize.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> DedupSettings:
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown dedup setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        normalize = NormalizeOptions.from_dict(data.pop("normalize", None))
        return cls(**data, normalize=normalize)


@dataclass(frozen=True, slots=True)
class Settings:
    """Ingest, segmenter and dedup settings together: what a recipe pins and a manifest records."""

    segmenter: SegmenterSettings = field(default_factory=SegmenterSettings)
    dedup: DedupSettings = field(default_factory=DedupSettings)
    ingest: IngestSettings = field(default_factory=IngestSettings)

    def to_dict(self) -> dict[str, Any]:
        return {"ingest": self.ingest.to_dict(), "segmenter": self.segmenter.to_dict(), "dedup": self.dedup.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Settings:
        """Settings from ``{"ingest": ..., "segmenter": ..., "dedup": ...}`` (a part left out keeps
        its defaults, as in records written before it existed); a bad value raises ``ValueError``."""
        data = data or {}
        parts: dict[str, Any] = {}
        for name, kind in (("ingest", IngestSettings), ("segmenter", SegmenterSettings), ("dedup", DedupSettings)):
            try:
                parts[name] = kind.from_dict(data.get(name))
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{name}: {exc}") from None
        return cls(**parts)

    def differences(self, other: Settings) -> list[str]:
        """Every setting that differs from ``other``'s, as ``part.key: mine vs other``: what a
        refusal to mix two cuts of a corpus names."""
        return _differences(self.to_dict(), other.to_dict(), "")

    def unit_differences(self, other: Settings) -> list[str]:
        """The differences that change unit ids (how pages are read and cut), not dedup's: a units
        file stays usable when only what dedup compares changes."""
        mine, theirs = self.to_dict(), other.to_dict()
        return [line for part in ("ingest", "segmenter") for line in _differences(mine[part], theirs[part], part)]


def _canonical(value: Any) -> str:
    """A settings value as sorted JSON (tuples and lists alike), for comparison and messages."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=list)


def _differences(mine: Any, theirs: Any, where: str) -> list[str]:
    if isinstance(mine, dict) and isinstance(theirs, dict):
        return [
            found
            for key in sorted(set(mine) | set(theirs))
            for found in _differences(mine.get(key), theirs.get(key), f"{where}.{key}" if where else key)
        ]
    if _canonical(mine) == _canonical(theirs):
        return []
    return [f"{where}: {_canonical(mine)} vs {_canonical(theirs)}"]
