"""Stage 3 of dedup: verify candidate pairs by exact Jaccard and join them into clusters.

Exact pairs (same normalised words) need no check; an LSH pair is kept only if the exact Jaccard
of the two texts' shingles reaches the threshold. Verified pairs are joined with the project's one
:class:`~curation.dedup.unionfind.UnionFind`; only texts in a pair ever enter it, so this stage
holds the pairs, not the corpus.

**Cluster ids** (what the exporter keys splits on): ``content_id("c", *sorted(member ids))``; a
unit in no cluster has the id of a cluster of one, ``content_id("c", unit_id)``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from curation.dedup.minhash import Part, split_ref
from curation.dedup.shingles import jaccard
from curation.dedup.unionfind import UnionFind
from curation.units import content_id

MemberReason = Literal["representative", "exact", "near"]


@dataclass(frozen=True, slots=True)
class ClusterMember:
    """One unit of a cluster; ``similarity`` is its shingle Jaccard with the representative."""

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
        """How the members joined: ``exact``, ``near`` or ``exact+near``."""
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


class Texts:
    """What later stages need of a referenced text, read from its part on demand."""

    def __init__(self, parts: Sequence[Part]) -> None:
        self.parts = parts

    def value(self, ref: int, name: str) -> Any:
        part, local = split_ref(ref)
        return self.parts[part].value(name, local)

    def shingles(self, ref: int) -> np.ndarray:
        part, local = split_ref(ref)
        return self.parts[part].shingles(local)


def verified_pairs(texts: Texts, exact: np.ndarray, candidates: np.ndarray, threshold: float) -> Iterable[tuple[int, int]]:
    """Exact pairs as they are, then candidate pairs whose exact shingle Jaccard reaches ``threshold``."""
    for left, right in exact.tolist():
        yield left, right
    for left, right in candidates.tolist():
        if texts.value(left, "exact") == texts.value(right, "exact"):
            yield left, right
        elif jaccard(texts.shingles(left), texts.shingles(right)) >= threshold:
            yield left, right


def build_clusters(texts: Texts, pairs: Iterable[tuple[int, int]]) -> list[Cluster]:
    """Clusters of the joined references, ordered by their representative's input position."""
    links: UnionFind[int] = UnionFind()
    for left, right in pairs:
        links.union(left, right)
    clusters = [_cluster(texts, members) for members in links.groups().values()]
    return [cluster for _, cluster in sorted(clusters, key=lambda found: found[0])]


def _cluster(texts: Texts, refs: list[int]) -> tuple[int, Cluster]:
    position = {ref: texts.value(ref, "position") for ref in refs}
    refs = sorted(refs, key=position.__getitem__)
    representative = max(refs, key=lambda r: (texts.value(r, "words"), -position[r]))
    rep_exact, rep_shingles = texts.value(representative, "exact"), texts.shingles(representative)
    members = [ClusterMember(texts.value(representative, "ids"), "representative", 1.0)]
    for ref in refs:
        if ref == representative:
            continue
        unit_id = texts.value(ref, "ids")
        if texts.value(ref, "exact") == rep_exact:
            members.append(ClusterMember(unit_id, "exact", 1.0))
        else:
            members.append(ClusterMember(unit_id, "near", jaccard(texts.shingles(ref), rep_shingles)))
    ids = [m.id for m in members]
    return position[representative], Cluster(cluster_id_of(ids), ids[0], tuple(members))


def cluster_ids(clusters: Iterable[Cluster], unit_ids: Iterable[str] = ()) -> dict[str, str]:
    """Cluster id per unit: every member of a cluster gets its cluster's id, every other unit of
    ``unit_ids`` the id of a cluster of one. Split on these ids and no cluster straddles splits."""
    mapping = {unit_id: cluster_id_of([unit_id]) for unit_id in unit_ids}
    for cluster in clusters:
        for member in cluster.members:
            mapping[member.id] = cluster.id
    return mapping
