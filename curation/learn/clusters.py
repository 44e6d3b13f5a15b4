"""Word clusters learned from unlabelled text, for the entity tagger.

The gold lists few of the names a team will meet; unlabelled news (the workspace's own units) shows
the others in the same contexts as the listed ones (قال X إن, في مدينة X). Each frequent word is
described by the words seen just before and after it (positive PMI of the counts), reduced by a
truncated SVD and grouped by k-means at a few granularities; the tagger reads a word's cluster ids
as features, so a name never labelled can share a cluster with names that were. Everything is
seeded: the same text and settings give the same clusters.
"""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

OFFSETS = (-2, -1, 1, 2)  # the context words a word is described by


@dataclass(frozen=True)
class ClusterSettings:
    """How words are clustered: part of the tagger's settings, hence of the model's version."""

    sizes: tuple[int, ...] = (64, 256, 1024)  # clusters at each granularity, coarse to fine
    dimensions: int = 100  # of the SVD
    min_count: int = 3  # a word seen fewer times has no cluster
    max_words: int = 60_000  # the most frequent words clustered
    contexts: int = 3_000  # the most frequent words a word's neighbours are counted as
    max_pieces: int = 12_000_000  # text read, in words, so a workspace of millions of pages stays ~1 GB (ANT: 10.8 M)
    seed: int = 0


@dataclass
class WordClusters:
    """``word -> its cluster id at each granularity`` (coarse to fine), and the counts of the frequent whole words."""

    sizes: tuple[int, ...]
    of: dict[str, tuple[int, ...]]
    seen: dict[str, int] = field(default_factory=dict)  # whole words the same text shows often, and how often (the clitic cutter's evidence)

    def digest(self) -> str:
        """What the model's version hashes (the clusters and counts stand for the unlabelled text they came from)."""
        return hashlib.sha256(repr((self.sizes, sorted(self.of.items()), sorted(self.seen.items()))).encode()).hexdigest()


def learn_clusters(sentences: Iterable[Sequence[str]], settings: ClusterSettings) -> WordClusters:
    """Clusters of the frequent words of ``sentences`` (each a sequence of normalised words)."""
    names, stream = word_stream(sentences, settings.max_pieces)
    return clusters_of(names, stream, settings)


def word_stream(sentences: Iterable[Sequence[str]], limit: int) -> tuple[list[str], np.ndarray]:
    """The words of ``sentences`` (until ``limit`` are read) and the text as their numbers, in order of first
    sight, with two -1 between sentences: the form the counts and the clusters read."""
    seen: dict[str, int] = {}
    stream = array("q")
    for words in sentences:
        stream.extend([seen.setdefault(word, len(seen)) for word in words])
        stream.extend((-1, -1))
        if len(stream) >= limit:
            break
    return list(seen), np.frombuffer(stream, dtype=np.int64)


def clusters_of(names: Sequence[str], first_seen: np.ndarray, settings: ClusterSettings) -> WordClusters:
    """Clusters of the frequent words of a :func:`word_stream` (``names``, the text as their numbers)."""
    from sklearn.cluster import MiniBatchKMeans
    from sklearn.decomposition import TruncatedSVD
    from sklearn.preprocessing import normalize

    counts = np.bincount(first_seen[first_seen >= 0], minlength=len(names))
    ranked = sorted((i for i in range(len(names)) if counts[i] >= settings.min_count), key=lambda i: (-counts[i], names[i]))
    vocabulary = [names[i] for i in ranked[: settings.max_words]]
    if len(vocabulary) <= max(settings.sizes, default=0):
        return WordClusters(settings.sizes, {})  # too little text to cluster
    rank = np.full(len(names) + 1, -1, dtype=np.int64)  # the last entry maps the gaps' -1 to -1
    rank[ranked[: settings.max_words]] = np.arange(len(vocabulary))
    ids = rank[first_seen]
    matrix = _ppmi(_cooccurrences(ids, len(vocabulary), min(settings.contexts, len(vocabulary))))
    dimensions = min(settings.dimensions, matrix.shape[1] - 1)
    vectors = normalize(TruncatedSVD(dimensions, random_state=settings.seed).fit_transform(matrix))
    labels = [
        MiniBatchKMeans(size, random_state=settings.seed, n_init=1, batch_size=4096).fit_predict(vectors)
        for size in settings.sizes
    ]
    return WordClusters(settings.sizes, {word: tuple(int(found[i]) for found in labels) for i, word in enumerate(vocabulary)})


def _cooccurrences(ids: np.ndarray, words: int, contexts: int) -> sparse.csr_matrix:
    """Counts of (word, context word at each offset) over the text's id stream (-1: no word), one offset
    at a time (the coordinates of all four at once were most of the pass's memory)."""
    found = sparse.csr_matrix((words, contexts * len(OFFSETS)), dtype=np.float64)
    for block, offset in enumerate(OFFSETS):
        word, context = (ids[:-offset], ids[offset:]) if offset > 0 else (ids[-offset:], ids[:offset])
        kept = (word >= 0) & (context >= 0) & (context < contexts)
        pairs = (word[kept], context[kept] + block * contexts)
        found += sparse.coo_matrix((np.ones(len(pairs[0])), pairs), shape=found.shape).tocsr()
    return found


def _ppmi(counts: sparse.csr_matrix) -> sparse.csr_matrix:
    """Positive pointwise mutual information of the counts."""
    total = counts.sum()
    row = np.asarray(counts.sum(axis=1)).ravel()
    column = np.asarray(counts.sum(axis=0)).ravel()
    found = counts.tocoo()
    pmi = np.log(found.data * total / (row[found.row] * column[found.col]))
    kept = pmi > 0
    return sparse.csr_matrix((pmi[kept], (found.row[kept], found.col[kept])), shape=counts.shape)
