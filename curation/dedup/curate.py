"""Curation actions on clusters: keep every unit with its cluster id, or only representatives."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from curation.dedup.clusters import Cluster, ClusterMember, MemberReason, cluster_id_of
from curation.units import Sentence, Unit


@dataclass(frozen=True, slots=True)
class DroppedUnit:
    """A unit left out by ``keep="representative"``, and the representative kept instead."""

    unit_id: str
    cluster_id: str
    representative: str
    reason: MemberReason


@dataclass(slots=True)
class Curated:
    """Units kept, each with its cluster id, and the units left out."""

    kept: list[tuple[Unit, str]] = field(default_factory=list)
    dropped: list[DroppedUnit] = field(default_factory=list)


def curate(units: Iterable[Unit], clusters: Sequence[Cluster], keep: Literal["representative", "all"] = "all") -> Curated:
    """Units with their cluster id; with ``keep="representative"`` the other members of each
    cluster (and their sentences) are left out and listed in ``dropped``, never lost."""
    if keep not in ("representative", "all"):
        raise ValueError(f"keep must be 'representative' or 'all', not {keep!r}")
    member_cluster = {m.id: (c, m) for c in clusters for m in c.members}
    curated = Curated()
    dropped_ids: set[str] = set()
    for unit in units:
        found = member_cluster.get(unit.id)
        dropped = _dropped(unit.id, found) if keep == "representative" else None
        if dropped is not None:
            curated.dropped.append(dropped)
            dropped_ids.add(unit.id)
            continue
        if isinstance(unit, Sentence) and unit.article_id in dropped_ids:
            continue  # a sentence of a dropped article goes with it
        curated.kept.append((unit, found[0].id if found else cluster_id_of([unit.id])))
    return curated


def _dropped(unit_id: str, found: tuple[Cluster, ClusterMember] | None) -> DroppedUnit | None:
    """The unit as left out, when it is a member of a cluster other than its representative."""
    if found is None or found[1].reason == "representative":
        return None
    cluster, member = found
    return DroppedUnit(unit_id, cluster.id, cluster.representative, member.reason)
