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

from curation.dedup.minhash import REF_SHIFT, Part, ref_of, split_ref
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
    BATCH_SHINGLES = 1 << 22  # shingles of both sides compared at once by :meth:`jaccards` (32 MB of keys)

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

    def column(self, refs: np.ndarray, name: str) -> np.ndarray:
        """One column's value for each reference (``exact``, ``words``...), a read per part."""
        numbers, local = refs >> REF_SHIFT, (refs & np.uint64(0xFFFFFFFF)).astype(np.int64)
        found = np.zeros(len(refs), dtype=np.uint64 if name == "exact" else np.int64)
        for number in np.unique(numbers).tolist():
            chosen = np.flatnonzero(numbers == number)
            found[chosen] = self.parts[number].read(name)[local[chosen]]
        return found

    def jaccards(self, pairs: np.ndarray) -> np.ndarray:
        """Exact shingle Jaccard of each ``(n, 2)`` pair of references, the pairs taken in batches
        of about ``BATCH_SHINGLES`` shingles: both sides' shingles keyed by their pair, sorted
        together, and every key seen twice is a shingle the pair shares (each side's are distinct).
        Many short texts with many candidate pairs cost sorts, not a read and an intersection a pair."""
        sizes = np.stack([self._sizes(pairs[:, 0]), self._sizes(pairs[:, 1])], axis=1) if len(pairs) else np.zeros((0, 2), np.int64)
        found = np.ones(len(pairs), dtype=np.float64)
        start, total = 0, np.cumsum(sizes.sum(axis=1))
        while start < len(pairs):
            stop = max(start + 1, int(np.searchsorted(total, (total[start - 1] if start else 0) + self.BATCH_SHINGLES, "right")))
            keys = np.concatenate([self._keyed(pairs[start:stop, side], start) for side in (0, 1)])
            keys.sort()
            shared = np.bincount((keys[1:][keys[1:] == keys[:-1]] >> REF_SHIFT).astype(np.int64) - start, minlength=stop - start)
            union = sizes[start:stop].sum(axis=1) - shared
            found[start:stop] = np.divide(shared, union, out=np.ones(stop - start), where=union > 0)
            start = stop
        return found

    def _sizes(self, refs: np.ndarray) -> np.ndarray:
        numbers, local = refs >> REF_SHIFT, (refs & np.uint64(0xFFFFFFFF)).astype(np.int64)
        found = np.zeros(len(refs), dtype=np.int64)
        for number in np.unique(numbers).tolist():
            chosen = np.flatnonzero(numbers == number)
            found[chosen] = np.diff(self.offsets(number))[local[chosen]]
        return found

    def _keyed(self, refs: np.ndarray, first: int) -> np.ndarray:
        """The shingles of ``refs[i]``, each as ``(first + i) << 32 | shingle``."""
        numbers, local = refs >> REF_SHIFT, (refs & np.uint64(0xFFFFFFFF)).astype(np.int64)
        keyed = []
        for number in np.unique(numbers).tolist():
            chosen = np.flatnonzero(numbers == number)
            offsets = self.offsets(number)
            starts, lengths = offsets[local[chosen]], np.diff(offsets)[local[chosen]]
            shingles = self.parts[number].gather("shingles", starts, lengths)
            owners = np.repeat((chosen + first).astype(np.uint64) << REF_SHIFT, lengths)
            keyed.append(owners | shingles.astype(np.uint64))
        return np.concatenate(keyed) if keyed else np.empty(0, np.uint64)


def verified_pairs(texts: Texts, exact: np.ndarray, candidates: np.ndarray, threshold: float) -> np.ndarray:
    """Exact pairs as they are, then candidate pairs of the same exact key or whose exact shingle
    Jaccard reaches ``threshold``: ``(n, 2)`` references."""
    if len(candidates):
        keep = texts.column(candidates[:, 0], "exact") == texts.column(candidates[:, 1], "exact")
        rest = np.flatnonzero(~keep)
        keep[rest] = texts.jaccards(candidates[rest]) >= threshold
        candidates = candidates[keep]
    return np.concatenate([exact.reshape(-1, 2), candidates.reshape(-1, 2)]).astype(np.uint64)


def build_clusters(texts: Texts, pairs: np.ndarray) -> list[Cluster]:
    """Clusters of the joined references, ordered by their representative's input position."""
    links: UnionFind[int] = UnionFind()
    for left, right in pairs.tolist():
        links.union(left, right)
    groups = list(links.groups().values())
    facts = texts.facts(ref for group in groups for ref in group)
    chosen = [_members(facts, group) for group in groups]
    near = [(ref, rep_ref) for members, (representative, rep_ref) in chosen for fact, ref in members
            if ref != rep_ref and fact.exact != representative.exact]  # fmt: skip
    similarity = dict(zip(near, texts.jaccards(np.array(near, dtype=np.uint64).reshape(-1, 2)).tolist()))
    clusters = [_cluster(members, representative, similarity) for members, representative in chosen]
    return [cluster for _, cluster in sorted(clusters, key=lambda found: found[0])]


Member = tuple[Facts, int]


def _members(facts: dict[int, Facts], group: list[int]) -> tuple[list[Member], Member]:
    """A group's members in input order and its representative: the longest text, first on ties."""
    members = sorted(((facts[ref], ref) for ref in group), key=lambda member: member[0].position)
    return members, max(members, key=lambda member: (member[0].words, -member[0].position))


def _cluster(members: list[Member], representative: Member, similarity: dict[tuple[int, int], float]) -> tuple[int, Cluster]:
    rep_facts, rep_ref = representative
    found = [ClusterMember(rep_facts.id, "representative", 1.0)]
    for fact, ref in members:
        if ref == rep_ref:
            continue
        if fact.exact == rep_facts.exact:
            found.append(ClusterMember(fact.id, "exact", 1.0))
        else:
            found.append(ClusterMember(fact.id, "near", similarity[ref, rep_ref]))
    ids = [m.id for m in found]
    return rep_facts.position, Cluster(cluster_id_of(ids), ids[0], tuple(found))


def cluster_ids(clusters: Iterable[Cluster], unit_ids: Iterable[str] = ()) -> dict[str, str]:
    """Cluster id per unit: every member of a cluster gets its cluster's id, every other unit of
    ``unit_ids`` the id of a cluster of one. Split on these ids and no cluster straddles splits."""
    mapping = {unit_id: cluster_id_of([unit_id]) for unit_id in unit_ids}
    for cluster in clusters:
        for member in cluster.members:
            mapping[member.id] = cluster.id
    return mapping
