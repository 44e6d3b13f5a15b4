"""The dedup stages end to end over one work folder: signatures -> buckets -> clusters, plus the
containment relation. Stages 1 and 2 take a rank (and stage 2 a world size) so that ranks can share
them; :func:`find_duplicates` runs them one after the other in this process for a stream of texts.
Every stage keeps what grows with the corpus on disk (signature parts, band rows and postings
spilled by key range), so memory is bounded by a part or a range, not by the corpus.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from curation.dedup.buckets import EXACT, IDS, read_pairs, write_band_pairs
from curation.dedup.clusters import Cluster, Texts, build_clusters, verified_pairs
from curation.dedup.containment import Contained, find_contained
from curation.dedup.minhash import banding, list_parts, write_parts
from curation.settings import DedupSettings

SIGNATURES = "signatures"
PAIRS = "pairs"
CONTAINED = "contained"


@dataclass(frozen=True, slots=True)
class DedupResult:
    """Near-duplicate clusters (exact and near members) and, apart, the containment relation."""

    clusters: list[Cluster] = field(default_factory=list)
    contained: list[Contained] = field(default_factory=list)
    pages: int | None = None  # the units file's pages, when ranks that read all of it counted them
    too_short: int = 0  # texts of fewer than min_words words: in no cluster and no containment pair


def signatures_stage(work: Path, items: Iterable[tuple[int, str, str]], settings: DedupSettings, rank: int = 0) -> int:
    """Stage 1 for one rank: ``(input position, unit id, text)`` items into signature parts (the
    parts of an earlier run of this rank in ``work`` are replaced)."""
    for stale in (work / SIGNATURES).glob(f"{rank:05d}-*"):
        shutil.rmtree(stale)
    return write_parts(work / SIGNATURES, items, settings, prefix=f"{rank:05d}")


def all_bands(settings: DedupSettings) -> list[int]:
    """Every band stage 2 sorts: the ids (an id given twice), the exact keys, the LSH bands."""
    return [IDS, EXACT, *range(banding(settings.threshold, settings.num_perm)[0])]


def buckets_stage(work: Path, settings: DedupSettings, rank: int = 0, world_size: int = 1) -> None:
    """Stage 2 for one rank: the candidate pairs of every ``world_size``-th band."""
    write_band_pairs(work / SIGNATURES, work / PAIRS, all_bands(settings)[rank::world_size], settings.min_words)


def clusters_stage(work: Path, settings: DedupSettings) -> DedupResult:
    """Stage 3 (one task): verify pairs, join clusters, then the containment relation apart."""
    parts = list_parts(work / SIGNATURES)
    texts = Texts(parts)
    pairs = verified_pairs(
        texts, read_pairs(work / PAIRS, exact=True), read_pairs(work / PAIRS, exact=False), settings.threshold
    )
    clusters = build_clusters(texts, pairs)
    too_short = sum(int(np.count_nonzero(part.read("words") < settings.min_words)) for part in parts)
    if not settings.find_contained:
        return DedupResult(clusters, too_short=too_short)
    cluster_of = {member: cluster.id for cluster in clusters for member in cluster.member_ids}
    relation = list(find_contained(parts, settings, work / CONTAINED))
    facts = texts.facts(ref for inner, outer, _ in relation for ref in (inner, outer))
    contained = []
    for inner, outer, share in relation:
        inner_id, outer_id = facts[inner].id, facts[outer].id
        if inner_id not in cluster_of or cluster_of[inner_id] != cluster_of.get(outer_id):
            contained.append((facts[inner].position, Contained(inner_id, outer_id, share)))
    return DedupResult(clusters, [found for _, found in sorted(contained, key=lambda c: c[0])], too_short=too_short)


def find_duplicates(
    items: Iterable[tuple[str, str]], settings: DedupSettings | None = None, work: Path | None = None
) -> DedupResult:
    """Clusters and containment among ``(unit id, text)`` pairs, in input order. Unit ids must be
    unique (``ValueError`` names one given twice). The stages spill to ``work`` (default: a
    temporary folder removed afterwards); what an earlier run left there is replaced."""
    settings = settings or DedupSettings()
    if work is None:
        with tempfile.TemporaryDirectory(prefix="curation-dedup-") as folder:
            return find_duplicates(items, settings, Path(folder))
    for stage in (SIGNATURES, PAIRS, CONTAINED):
        shutil.rmtree(work / stage, ignore_errors=True)
    signatures_stage(work, ((position, unit_id, text) for position, (unit_id, text) in enumerate(items)), settings)
    buckets_stage(work, settings)
    return clusters_stage(work, settings)


def find_clusters(items: Iterable[tuple[str, str]], settings: DedupSettings | None = None) -> list[Cluster]:
    """Duplicate clusters (two members or more) among ``(unit id, text)`` pairs."""
    return find_duplicates(items, settings).clusters
