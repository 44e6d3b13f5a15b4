"""Exact and near-duplicate clusters of articles, repeated passages, and leakage checks.

How a cluster forms (all on the normalised view from :mod:`curation.normalize`):

* **exact**: the same normalised text (blake2b hash);
* **near**: MinHash LSH over word shingles (with the bands datasketch ``MinHashLSH`` picks for a
  slightly lower threshold) proposes pairs whose Jaccard similarity may reach ``threshold``; each
  pair is kept only if its exact shingle Jaccard does;
* **contained**: a shorter text whose shingles mostly occur inside a longer one (a teaser and the
  full article it announces), proposed by a bottom-k sample of its shingles and verified exactly.
  A contained text joins only its best container, so one boilerplate line cannot chain unrelated
  articles together.

MinHash signatures are computed for the whole corpus at once with numpy, using datasketch's own
permutations and its ``affine32`` scheme, so they equal what ``datasketch.MinHash`` would give for
the same shingle hashes (a test checks this) while skipping its per-shingle Python loop.

**Cluster ids** (what the exporter keys splits on): ``content_id("c", *sorted(member ids))``; a unit
in no cluster has the cluster id of a cluster of one, ``content_id("c", unit_id)``. See
:func:`cluster_ids`.
"""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from datasketch import MinHash, MinHashLSH

from curation.normalize import DEFAULT_OPTIONS, NormalizeOptions, normalize_text
from curation.units import Annotation, content_id

MemberReason = Literal["representative", "exact", "near", "contained"]
_WORD = re.compile(r"\w+")
_LINE = re.compile(r"[^\s](?:[^\n]*[^\s])?")  # a line without its surrounding whitespace
_SCHEME = "affine32"
# LSH proposes pairs from this much below the threshold; exact Jaccard then decides.
_CANDIDATE_SLACK = 0.1
# Containment candidates: shingles sampled per text, and shingles too common to be evidence.
_ANCHORS = 16
_MAX_POSTINGS = 1_000


@dataclass(frozen=True, slots=True)
class DedupSettings:
    """Knobs of the duplicate search; :meth:`to_dict` is what a build manifest records."""

    threshold: float = 0.7  # Jaccard similarity of word shingles for a near-duplicate
    num_perm: int = 128  # MinHash permutations
    shingle_size: int = 5  # words per shingle
    find_contained: bool = True  # also join short texts contained in longer ones (teasers)
    containment: float = 0.8  # share of a text's shingles found in a longer text
    containment_min_words: int = 20  # shorter texts never count as contained (boilerplate)
    seed: int = 1
    normalize: NormalizeOptions = DEFAULT_OPTIONS

    def __post_init__(self) -> None:
        for name in ("threshold", "containment"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {value}")
        if self.shingle_size < 1 or self.num_perm < 2:
            raise ValueError("shingle_size must be >= 1 and num_perm >= 2")
        try:
            MinHashLSH(threshold=self.threshold, num_perm=self.num_perm)
        except ValueError as exc:
            raise ValueError(
                f"threshold {self.threshold} with {self.num_perm} permutations is not usable by LSH ({exc}); "
                "lower the threshold or use more permutations"
            ) from None

    def to_dict(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "num_perm": self.num_perm,
            "shingle_size": self.shingle_size,
            "find_contained": self.find_contained,
            "containment": self.containment,
            "containment_min_words": self.containment_min_words,
            "seed": self.seed,
        }


@dataclass(frozen=True, slots=True)
class ClusterMember:
    """One unit of a cluster; ``similarity`` is measured against the representative (shingle
    Jaccard for near, share of own shingles inside it for contained, 1.0 for exact)."""

    id: str
    reason: MemberReason
    similarity: float


@dataclass(frozen=True, slots=True)
class Cluster:
    """Units that are the same text or the same story; the representative (the longest text,
    first in input order on ties) comes first in ``members``."""

    id: str
    representative: str
    members: tuple[ClusterMember, ...]

    @property
    def member_ids(self) -> tuple[str, ...]:
        return tuple(m.id for m in self.members)

    @property
    def reason(self) -> str:
        """How the members joined: ``exact``, ``near``, ``contained`` or a ``+`` mix."""
        return "+".join(sorted({m.reason for m in self.members[1:]}))

    @property
    def similarity(self) -> float:
        """The weakest member's similarity to the representative."""
        return min(m.similarity for m in self.members[1:])

    def to_record(self) -> dict[str, Any]:
        return {
            "cluster_id": self.id,
            "representative": self.representative,
            "reason": self.reason,
            "similarity": round(self.similarity, 4),
            "size": len(self.members),
            "members": [
                {"id": m.id, "reason": m.reason, "similarity": round(m.similarity, 4)} for m in self.members
            ],
        }


def cluster_id_of(member_ids: Iterable[str]) -> str:
    """The documented cluster id rule, also for a unit alone (a cluster of one)."""
    return content_id("c", *sorted(member_ids))


def word_tokens(text: str, options: NormalizeOptions = DEFAULT_OPTIONS) -> list[str]:
    """Words of the normalised text (punctuation never matters for duplicates)."""
    return _WORD.findall(normalize_text(text, options))


class _TokenHasher(dict[str, int]):
    """Stable 64-bit hashes of word types, computed once per distinct word (blake2b, so they are
    the same in every process, unlike ``hash()``)."""

    def __missing__(self, token: str) -> int:
        value = self[token] = int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")
        return value

    def __call__(self, tokens: Sequence[str]) -> np.ndarray:
        return np.fromiter(map(self.__getitem__, tokens), dtype=np.uint64, count=len(tokens))


def shingle_hashes(token_hashes: np.ndarray, size: int) -> np.ndarray:
    """Sorted distinct 32-bit hashes of the ``size``-word windows (the whole text when shorter)."""
    if len(token_hashes) == 0:
        return np.empty(0, dtype=np.uint32)
    width = min(size, len(token_hashes))
    windows = len(token_hashes) - width + 1
    combined = np.zeros(windows, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for offset in range(width):
            combined = combined * np.uint64(0x100000001B3) ^ token_hashes[offset : offset + windows]
        combined ^= combined >> np.uint64(33)
        combined *= np.uint64(0xFF51AFD7ED558CCD)
        combined ^= combined >> np.uint64(33)
    return np.unique((combined >> np.uint64(32)).astype(np.uint32))


def text_shingles(text: str, settings: DedupSettings | None = None) -> np.ndarray:
    """Sorted distinct shingle hashes of one text, exactly as :func:`find_clusters` sees it."""
    settings = settings or DedupSettings()
    return shingle_hashes(_TokenHasher()(word_tokens(text, settings.normalize)), settings.shingle_size)


def _fmix32(values: np.ndarray) -> np.ndarray:
    """MurmurHash3's finaliser, the pre-mix datasketch applies in its affine32 scheme."""
    with np.errstate(over="ignore"):
        values = values ^ (values >> np.uint32(16))
        values = values * np.uint32(0x85EBCA6B)
        values = values ^ (values >> np.uint32(13))
        values = values * np.uint32(0xC2B2AE35)
        return values ^ (values >> np.uint32(16))


def minhash_signatures(shingle_sets: Sequence[np.ndarray], num_perm: int, seed: int) -> np.ndarray:
    """One row of MinHash values per shingle set, equal to ``datasketch.MinHash(num_perm, seed,
    hashfunc=identity)`` fed the same hashes; an empty set keeps datasketch's empty signature.

    One permutation at a time over all shingles of the corpus, reduced per set with
    ``np.minimum.reduceat``: about 30 times faster than a (shingles x permutations) block."""
    a, b = MinHash(num_perm=num_perm, seed=seed, scheme=_SCHEME).permutations
    signatures = np.full((num_perm, len(shingle_sets)), np.iinfo(np.uint32).max, dtype=np.uint32)
    sizes = np.array([len(s) for s in shingle_sets], dtype=np.int64)
    filled = np.flatnonzero(sizes)
    if len(filled):
        flat = _fmix32(np.concatenate([shingle_sets[i] for i in filled]))
        starts = np.concatenate(([0], np.cumsum(sizes[filled])[:-1]))
        with np.errstate(over="ignore"):
            for row in range(num_perm):
                signatures[row, filled] = np.minimum.reduceat(flat * a[row] + b[row], starts)
    return np.ascontiguousarray(signatures.T)


def _overlap(left: np.ndarray, right: np.ndarray) -> int:
    return len(np.intersect1d(left, right, assume_unique=True))


def jaccard(left: np.ndarray, right: np.ndarray) -> float:
    """Exact Jaccard similarity of two sorted distinct shingle-hash arrays."""
    union = len(left) + len(right)
    if union == 0:
        return 1.0
    shared = _overlap(left, right)
    return shared / (union - shared)


def containment(inner: np.ndarray, outer: np.ndarray) -> float:
    """Share of ``inner``'s shingles that also occur in ``outer``."""
    return _overlap(inner, outer) / len(inner) if len(inner) else 0.0


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        parent = self.parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def union(self, left: int, right: int) -> None:
        left, right = self.find(left), self.find(right)
        if left != right:
            self.parent[max(left, right)] = min(left, right)


@dataclass(slots=True)
class _Corpus:
    """Distinct normalised texts (one per exact group) with their shingles and signatures."""

    ids: list[str]
    group_of: list[int]  # unit index -> distinct-text index
    word_counts: list[int]  # per distinct text
    shingles: list[np.ndarray]
    signatures: np.ndarray = field(default_factory=lambda: np.empty((0, 0), dtype=np.uint32))


def _prepare(items: Iterable[tuple[str, str]], settings: DedupSettings) -> _Corpus:
    hasher = _TokenHasher()
    ids: list[str] = []
    group_of: list[int] = []
    index_of_key: dict[str, int] = {}
    word_counts: list[int] = []
    shingles: list[np.ndarray] = []
    seen: set[str] = set()
    for unit_id, text in items:
        if unit_id in seen:
            raise ValueError(f"unit id {unit_id!r} appears twice in the dedup input")
        seen.add(unit_id)
        normalised = normalize_text(text, settings.normalize)
        key = hashlib.blake2b(normalised.encode("utf-8"), digest_size=16).digest().hex()
        group = index_of_key.get(key)
        if group is None:
            group = index_of_key[key] = len(shingles)
            tokens = _WORD.findall(normalised)
            word_counts.append(len(tokens))
            shingles.append(shingle_hashes(hasher(tokens), settings.shingle_size))
        ids.append(unit_id)
        group_of.append(group)
    return _Corpus(ids, group_of, word_counts, shingles)


def _band_candidates(signatures: np.ndarray, bands: int, rows: int) -> set[tuple[int, int]]:
    """Pairs of rows that share all ``rows`` values of at least one band: the LSH candidates."""
    candidates: set[tuple[int, int]] = set()
    for band in range(bands):
        block = np.ascontiguousarray(signatures[:, band * rows : (band + 1) * rows])
        keys = block.view(np.dtype((np.void, block.dtype.itemsize * rows))).ravel()
        _, bucket, counts = np.unique(keys, return_inverse=True, return_counts=True)
        shared = np.flatnonzero(counts[bucket] > 1)
        order = shared[np.argsort(bucket[shared], kind="stable")]
        for members in np.split(order, np.flatnonzero(np.diff(bucket[order])) + 1):
            candidates.update(itertools.combinations(members.tolist(), 2))
    return candidates


def _near_pairs(corpus: _Corpus, settings: DedupSettings) -> Iterable[tuple[int, int, float]]:
    """Pairs of distinct texts proposed by LSH and verified by exact shingle Jaccard.

    The banding (number of bands and rows per band) is the one datasketch's ``MinHashLSH`` picks
    for a threshold ``_CANDIDATE_SLACK`` lower than asked: pairs just above the threshold are then
    rarely missed, and exact verification keeps the ones below out. Bucketing is done for all
    texts at once with ``np.unique`` rather than one insert and one query per text."""
    lsh = MinHashLSH(threshold=max(0.05, settings.threshold - _CANDIDATE_SLACK), num_perm=settings.num_perm)
    filled = np.flatnonzero([len(s) > 0 for s in corpus.shingles])
    if len(filled) < 2:
        return
    for left, right in sorted(_band_candidates(corpus.signatures[filled], lsh.b, lsh.r)):
        left, right = int(filled[left]), int(filled[right])
        similarity = jaccard(corpus.shingles[left], corpus.shingles[right])
        if similarity >= settings.threshold:
            yield left, right, similarity


def _best_containers(corpus: _Corpus, settings: DedupSettings) -> Iterable[tuple[int, int, float]]:
    """For each long-enough text, the longer text holding most of its shingles, if any.

    Candidates come from a bottom-k sketch: a text's ``_ANCHORS`` smallest shingle hashes are a
    uniform sample of its shingles, so a container holds about ``containment`` of them. All
    shingles sit in one sorted array searched with numpy; each candidate is then verified exactly.
    (datasketch's ``MinHashLSHEnsemble`` does this job too, but took 47 s on 3,000 ANT articles.)
    """
    sizes = np.array([len(s) for s in corpus.shingles], dtype=np.int64)
    if not sizes.sum():
        return
    flat = np.concatenate(corpus.shingles)
    order = np.argsort(flat, kind="stable")
    flat = flat[order]
    owners = np.repeat(np.arange(len(corpus.shingles), dtype=np.int32), sizes)[order]
    del order
    for index, shingles in enumerate(corpus.shingles):
        if corpus.word_counts[index] < settings.containment_min_words or not len(shingles):
            continue
        anchors = shingles[:_ANCHORS]  # shingle arrays are sorted: the smallest hashes
        lows = np.searchsorted(flat, anchors, "left")
        highs = np.searchsorted(flat, anchors, "right")
        postings = [owners[lo:hi] for lo, hi in zip(lows, highs) if hi - lo <= _MAX_POSTINGS]
        if not postings:
            continue
        candidates, hits = np.unique(np.concatenate(postings), return_counts=True)
        needed = max(1, int(np.ceil(len(anchors) * settings.containment / 2)))
        best: tuple[float, int, int] | None = None
        for other in candidates[hits >= needed].tolist():
            if sizes[other] <= len(shingles):
                continue
            share = containment(shingles, corpus.shingles[other])
            candidate = (share, int(sizes[other]), -other)
            if share >= settings.containment and (best is None or candidate > best):
                best = candidate
        if best is not None:
            yield index, -best[2], best[0]


def find_clusters(items: Iterable[tuple[str, str]], settings: DedupSettings | None = None) -> list[Cluster]:
    """Duplicate clusters (two members or more) among ``(unit_id, text)`` pairs, in input order
    of their representatives. Unit ids must be unique."""
    settings = settings or DedupSettings()
    corpus = _prepare(items, settings)
    corpus.signatures = minhash_signatures(corpus.shingles, settings.num_perm, settings.seed)
    links = _UnionFind(len(corpus.shingles))
    contained_in: dict[int, int] = {}
    for left, right, _ in _near_pairs(corpus, settings):
        links.union(left, right)
    if settings.find_contained:
        for inner, outer, _ in _best_containers(corpus, settings):
            contained_in[inner] = outer
    for inner, outer in contained_in.items():
        links.union(inner, outer)
    members_by_root: dict[int, list[int]] = defaultdict(list)
    for unit_index, group in enumerate(corpus.group_of):
        members_by_root[links.find(group)].append(unit_index)
    clusters = [
        _make_cluster(corpus, unit_indices, contained_in, settings)
        for unit_indices in members_by_root.values()
        if len(unit_indices) > 1
    ]
    return _in_input_order(clusters, corpus)


def _in_input_order(clusters: list[Cluster], corpus: _Corpus) -> list[Cluster]:
    position = {unit_id: index for index, unit_id in enumerate(corpus.ids)}
    return sorted(clusters, key=lambda c: position[c.representative])


def _make_cluster(
    corpus: _Corpus, unit_indices: list[int], contained_in: Mapping[int, int], settings: DedupSettings
) -> Cluster:
    representative = max(unit_indices, key=lambda u: (corpus.word_counts[corpus.group_of[u]], -u))
    rep_group = corpus.group_of[representative]
    rep_shingles = corpus.shingles[rep_group]
    members = [ClusterMember(corpus.ids[representative], "representative", 1.0)]
    for unit_index in unit_indices:
        if unit_index == representative:
            continue
        group = corpus.group_of[unit_index]
        if group == rep_group:
            members.append(ClusterMember(corpus.ids[unit_index], "exact", 1.0))
            continue
        shingles = corpus.shingles[group]
        similarity = jaccard(shingles, rep_shingles)
        if group in contained_in and similarity < settings.threshold:
            members.append(ClusterMember(corpus.ids[unit_index], "contained", containment(shingles, rep_shingles)))
        else:
            members.append(ClusterMember(corpus.ids[unit_index], "near", similarity))
    return Cluster(cluster_id_of(corpus.ids[u] for u in unit_indices), corpus.ids[representative], tuple(members))


# --- from units to dedup input ------------------------------------------------------------


def article_dedup_text(record: Mapping[str, Any]) -> str:
    """What two articles are compared on: the headline (unless the body already opens with it)
    and the body annotators read."""
    body = record.get("body") or ""
    title = record.get("title") or ""
    if title and not body.lstrip().startswith(title.strip()):
        return f"{title}\n{body}"
    return body


def dedup_items(records: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """``(unit_id, text)`` pairs at article level; a document that has no article units (a file of
    documents only, e.g. ANT read straight from JSONL) is compared as a whole."""
    items: list[tuple[str, str, str]] = []  # (level, id, text) in file order
    with_articles: set[str] = set()
    for record in records:
        if record.get("level") == "article":
            items.append(("article", record["id"], article_dedup_text(record)))
            with_articles.add(record["doc_id"])
        elif record.get("level") == "document":
            items.append(("document", record["id"], record.get("text") or ""))
    return [
        (unit_id, text)
        for level, unit_id, text in items
        if level == "article" or unit_id not in with_articles
    ]


# --- repeated passages (boilerplate, captions) --------------------------------------------


@dataclass(frozen=True, slots=True)
class Occurrence:
    """Where a passage occurs: the unit holding it and its document offsets."""

    unit_id: str
    doc_id: str
    start: int
    end: int
    kind: Literal["line", "sentence", "caption"]


@dataclass(frozen=True, slots=True)
class RepeatedPassage:
    """A sentence or caption whose normalised text occurs more than once."""

    text: str
    occurrences: tuple[Occurrence, ...]

    @property
    def documents(self) -> int:
        return len({o.doc_id for o in self.occurrences})

    def to_record(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "count": len(self.occurrences),
            "documents": self.documents,
            "occurrences": [
                {"unit_id": o.unit_id, "doc_id": o.doc_id, "start": o.start, "end": o.end, "kind": o.kind}
                for o in self.occurrences
            ],
        }


def _passages(records: Iterable[Mapping[str, Any]]) -> Iterable[tuple[str, Occurrence]]:
    """Lines of pages (where a caption printed twice shows up), sentences and captions."""
    for record in records:
        if record.get("level") == "document":
            for line in _LINE.finditer(record.get("text") or ""):
                yield line.group(), Occurrence(record["id"], record["id"], line.start(), line.end(), "line")
        elif record.get("level") == "sentence":
            yield record["text"], Occurrence(record["id"], record["doc_id"], record["start"], record["end"], "sentence")
        elif record.get("level") == "article":
            for caption in record.get("captions") or ():
                yield caption["text"], Occurrence(
                    record["id"], record["doc_id"], caption["start"], caption["end"], "caption"
                )


def find_repeated_passages(
    records: Iterable[Mapping[str, Any]],
    *,
    min_occurrences: int = 2,
    min_words: int = 3,
    options: NormalizeOptions = DEFAULT_OPTIONS,
) -> list[RepeatedPassage]:
    """Page lines, sentences and captions whose normalised text occurs ``min_occurrences`` times
    or more (within a page or across pages), most frequent first. One stretch of a page seen as a
    line, a sentence and a caption counts once."""
    groups: dict[str, dict[tuple[str, int, int], Occurrence]] = defaultdict(dict)
    first_text: dict[str, str] = {}
    for text, occurrence in _passages(records):
        normalised = normalize_text(text, options)
        if len(_WORD.findall(normalised)) < min_words:
            continue
        first_text.setdefault(normalised, text)
        groups[normalised].setdefault((occurrence.doc_id, occurrence.start, occurrence.end), occurrence)
    repeated = [
        RepeatedPassage(first_text[key], tuple(found.values()))
        for key, found in groups.items()
        if len(found) >= min_occurrences
    ]
    return sorted(repeated, key=lambda p: (-len(p.occurrences), -p.documents))


# --- curation actions ----------------------------------------------------------------------


def cluster_ids(clusters: Iterable[Cluster], unit_ids: Iterable[str] = ()) -> dict[str, str]:
    """Cluster id per unit: every member of a cluster gets its cluster's id, every other unit of
    ``unit_ids`` the id of a cluster of one. Split on these ids and no cluster straddles splits."""
    mapping = {unit_id: cluster_id_of([unit_id]) for unit_id in unit_ids}
    for cluster in clusters:
        for member in cluster.members:
            mapping[member.id] = cluster.id
    return mapping


@dataclass(frozen=True, slots=True)
class DroppedUnit:
    """A unit left out by ``keep="representative"``, and the representative kept instead."""

    unit_id: str
    cluster_id: str
    representative: str
    reason: MemberReason


@dataclass(slots=True)
class Curated:
    kept: list[dict[str, Any]]
    dropped: list[DroppedUnit]


def curate(
    records: Iterable[Mapping[str, Any]],
    clusters: Sequence[Cluster],
    keep: Literal["representative", "all"] = "all",
) -> Curated:
    """Records with a ``cluster_id`` added; with ``keep="representative"`` the other members of
    each cluster (and their sentences) are left out and listed in ``dropped``, never lost."""
    if keep not in ("representative", "all"):
        raise ValueError(f"keep must be 'representative' or 'all', not {keep!r}")
    member_cluster = {m.id: (c, m) for c in clusters for m in c.members}
    kept: list[dict[str, Any]] = []
    dropped: list[DroppedUnit] = []
    dropped_ids: set[str] = set()
    for record in records:
        unit_id = record["id"]
        found = member_cluster.get(unit_id)
        if keep == "representative" and found and found[1].reason != "representative":
            cluster, member = found
            dropped.append(DroppedUnit(unit_id, cluster.id, cluster.representative, member.reason))
            dropped_ids.add(unit_id)
            continue
        if record.get("parent") in dropped_ids:
            continue  # a sentence of a dropped article goes with it
        cluster_id = found[0].id if found else cluster_id_of([unit_id])
        kept.append({**record, "cluster_id": cluster_id})
    return Curated(kept, dropped)


# --- label conflicts -----------------------------------------------------------------------


def meta_labels(records: Iterable[Mapping[str, Any]], field: str = "topic") -> dict[str, tuple[str, ...]]:
    """Labels carried in document meta (ANT's ``topic``), for each document and its articles."""
    by_document: dict[str, tuple[str, ...]] = {}
    labels: dict[str, tuple[str, ...]] = {}
    for record in records:
        if record.get("level") == "document":
            value = (record.get("meta") or {}).get(field)
            if value not in (None, ""):
                by_document[record["id"]] = tuple(value) if isinstance(value, list) else (str(value),)
                labels[record["id"]] = by_document[record["id"]]
        elif record.get("level") == "article" and record.get("doc_id") in by_document:
            labels[record["id"]] = by_document[record["doc_id"]]
    return labels


def annotation_labels(annotations: Iterable[Annotation], family: str) -> dict[str, tuple[str, ...]]:
    """Every label any annotator chose in ``family`` for each unit (cancelled and deleted
    annotations excluded)."""
    chosen: dict[str, set[str]] = defaultdict(set)
    for annotation in annotations:
        if annotation.cancelled or annotation.deleted:
            continue
        chosen[annotation.unit_id].update(annotation.choices.get(family, ()))
    return {unit_id: tuple(sorted(values)) for unit_id, values in chosen.items() if values}


@dataclass(frozen=True, slots=True)
class LabelConflict:
    """A cluster whose members carry different labels."""

    cluster: Cluster
    labels: dict[str, tuple[str, ...]]  # member id -> labels

    def to_record(self) -> dict[str, Any]:
        return {
            "cluster_id": self.cluster.id,
            "reason": self.cluster.reason,
            "labels": {k: list(v) for k, v in self.labels.items()},
        }


def label_conflicts(clusters: Iterable[Cluster], labels: Mapping[str, Sequence[str]]) -> list[LabelConflict]:
    """Clusters whose labelled members do not all carry the same label set."""
    conflicts = []
    for cluster in clusters:
        found = {m.id: tuple(sorted(labels[m.id])) for m in cluster.members if m.id in labels}
        if len(set(found.values())) > 1:
            conflicts.append(LabelConflict(cluster, found))
    return conflicts


# --- cross-split leakage -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Leak:
    """Rows of one cluster (or one text) found in more than one split."""

    cluster_id: str
    rows_by_split: dict[str, tuple[str, ...]]
    reason: str

    def to_record(self) -> dict[str, Any]:
        return {
            "cluster_id": self.cluster_id,
            "reason": self.reason,
            "splits": {k: list(v) for k, v in sorted(self.rows_by_split.items())},
        }


def check_leakage(
    rows: Iterable[Mapping[str, Any]],
    *,
    split_key: str = "split",
    id_key: str = "id",
    text_key: str = "text",
    cluster_key: str | None = None,
    settings: DedupSettings | None = None,
) -> list[Leak]:
    """Clusters that straddle splits in an export. With ``cluster_key`` rows are grouped by that
    column as given; otherwise their texts are clustered here (exact, near and contained). A
    row without an ``id_key`` is named by its position (``#12``)."""
    split_of: dict[str, str] = {}
    texts: list[tuple[str, str]] = []
    given_cluster: dict[str, str] = {}
    for position, row in enumerate(rows):
        row_id = str(row.get(id_key, f"#{position}"))
        if row_id in split_of:
            row_id = f"{row_id}#{position}"
        split_of[row_id] = str(row[split_key])
        if cluster_key is not None:
            given_cluster[row_id] = str(row[cluster_key])
        else:
            texts.append((row_id, str(row[text_key])))
    if cluster_key is not None:
        groups: dict[str, list[str]] = defaultdict(list)
        for row_id, cluster in given_cluster.items():
            groups[cluster].append(row_id)
        reasons = {cluster: cluster_key for cluster in groups}
    else:
        found = find_clusters(texts, settings)
        groups = {c.id: list(c.member_ids) for c in found}
        reasons = {c.id: c.reason for c in found}
    leaks = []
    for cluster, row_ids in groups.items():
        by_split: dict[str, list[str]] = defaultdict(list)
        for row_id in row_ids:
            by_split[split_of[row_id]].append(row_id)
        if len(by_split) > 1:
            leaks.append(Leak(cluster, {k: tuple(v) for k, v in by_split.items()}, reasons[cluster]))
    return leaks

