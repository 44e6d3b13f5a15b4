"""Stage 3 of dedup: verify candidate pairs by exact Jaccard and join them into clusters.

Exact pairs (same normalised words) need no check; an LSH pair is kept only if the exact Jaccard
of the two texts' shingles reaches the threshold. Verified pairs are joined with the project's one
:class:`~curation.dedup.unionfind.UnionFind`; only texts in a pair ever enter it, so this stage
holds the pairs, not the corpus.

**Cluster ids** (what the exporter keys splits on): ``content_id("c", *sorted(member ids))``; a
unit in no cluster has the id of a cluster of one, ``content_id("c", unit_id)``.
"""

from __future__ import annotations

from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import numpy as np

from curation.dedup.minhash import Part, ref_of, split_ref
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


class Facts(NamedTuple):
    """What stage 3 knows of a text besides its shingles."""

    id: str
    position: int
    words: int
    exact: int


class Texts:
    """What later stages need of referenced texts, read from their parts on demand; the offsets
    of the last ``OFFSETS_KEPT`` parts used are kept (a text's shingles are then one read)."""

    OFFSETS_KEPT = 64

    def __init__(self, parts: Sequence[Part]) -> None:
        self.parts = parts
        self._offsets: OrderedDict[int, np.ndarray] = OrderedDict()

    def facts(self, refs: Iterable[int]) -> dict[int, Facts]:
        """The facts of each reference, read a part at a time (one read of each column of a part
        holding some): memory holds the references asked for and one part's columns."""
        by_part: dict[int, list[int]] = defaultdict(list)
        for ref in refs:
            part, local = split_ref(ref)
            by_part[part].append(local)
        found: dict[int, Facts] = {}
        for number, wanted in sorted(by_part.items()):
            columns = [self.parts[number].read(name)[wanted].tolist() for name in Facts._fields if name != "id"]
            ids = self.parts[number].read("ids")[wanted].tolist()
            for local, *values in zip(wanted, ids, *columns):
                found[ref_of(number, local)] = Facts(*values)
        return found

    def offsets(self, part: int) -> np.ndarray:
        if part in self._offsets:
            self._offsets.move_to_end(part)
        else:
            self._offsets[part] = self.parts[part].read("offsets")
            if len(self._offsets) > self.OFFSETS_KEPT:
                self._offsets.popitem(last=False)
        return self._offsets[part]

    def shingles(self, ref: int) -> np.ndarray:
        part, local = split_ref(ref)
        return self.parts[part].shingles(local, self.offsets(part))


def verified_pairs(texts: Texts, exact: np.ndarray, candidates: np.ndarray, threshold: float) -> Iterable[tuple[int, int]]:
    """Exact pairs as they are, then candidate pairs whose exact shingle Jaccard reaches ``threshold``."""
    for left, right in exact.tolist():
        yield left, right
    facts = texts.facts(candidates.ravel().tolist())
    for left, right in candidates.tolist():
        if facts[left].exact == facts[right].exact or jaccard(texts.shingles(left), texts.shingles(right)) >= threshold:
            yield left, right


def build_clusters(texts: Texts, pairs: Iterable[tuple[int, int]]) -> list[Cluster]:
    """Clusters of the joined references, ordered by their representative's input position."""
    links: UnionFind[int] = UnionFind()
    for left, right in pairs:
        links.union(left, right)
    groups = list(links.groups().values())
    facts = texts.facts(ref for group in groups for ref in group)
    clusters = [_cluster(texts, [facts[ref] for ref in group], group) for group in groups]
    return [cluster for _, cluster in sorted(clusters, key=lambda found: found[0])]


def _cluster(texts: Texts, facts: list[Facts], refs: list[int]) -> tuple[int, Cluster]:
    members = sorted(zip(facts, refs), key=lambda member: member[0].position)
    representative, rep_ref = max(members, key=lambda member: (member[0].words, -member[0].position))
    rep_shingles = texts.shingles(rep_ref)
    found = [ClusterMember(representative.id, "representative", 1.0)]
    for fact, ref in members:
        if ref == rep_ref:
            continue
        if fact.exact == representative.exact:
            found.append(ClusterMember(fact.id, "exact", 1.0))
        else:
            found.append(ClusterMember(fact.id, "near", jaccard(texts.shingles(ref), rep_shingles)))
    ids = [m.id for m in found]
    return representative.position, Cluster(cluster_id_of(ids), ids[0], tuple(found))


def cluster_ids(clusters: Iterable[Cluster], unit_ids: Iterable[str] = ()) -> dict[str, str]:
    """Cluster id per unit: every member of a cluster gets its cluster's id, every other unit of
    ``unit_ids`` the id of a cluster of one. Split on these ids and no cluster straddles splits."""
    mapping = {unit_id: cluster_id_of([unit_id]) for unit_id in unit_ids}
    for cluster in clusters:
        for member in cluster.members:
            mapping[member.id] = cluster.id
    return mapping
