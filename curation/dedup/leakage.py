"""Cross-split leakage: the one check the exporter runs on its splits and users run on an export."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from curation.settings import DedupSettings


def leaking_groups(memberships: Iterable[tuple[str, Iterable[str]]], split_of: Mapping[str, str]) -> dict[str, set[str]]:
    """Group keys whose members (``(member id, its group keys)``) fall in more than one split:
    empty when the splits are leakage-free."""
    seen: dict[str, set[str]] = defaultdict(set)
    for member, keys in memberships:
        for key in keys:
            seen[key].add(split_of[member])
    return {key: splits for key, splits in seen.items() if len(splits) > 1}


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
    """Clusters that straddle splits in an export's rows. With ``cluster_key`` rows are grouped by
    that column as given; otherwise their texts are deduplicated here: a cluster, or a text and
    its container, in two splits is a leak. A row without an ``id_key`` is named by its position."""
    from curation.dedup.stages import find_duplicates

    split_of: dict[str, str] = {}
    texts: list[tuple[str, str]] = []
    groups: dict[str, list[str]] = defaultdict(list)
    reasons: dict[str, str] = {}
    for position, row in enumerate(rows):
        row_id = str(row.get(id_key, f"#{position}"))
        if row_id in split_of:
            row_id = f"{row_id}#{position}"
        split_of[row_id] = str(row[split_key])
        if cluster_key is not None:
            groups[str(row[cluster_key])].append(row_id)
            reasons[str(row[cluster_key])] = cluster_key
        else:
            texts.append((row_id, str(row[text_key])))
    if cluster_key is None:
        found = find_duplicates(texts, settings)
        for cluster in found.clusters:
            groups[cluster.id], reasons[cluster.id] = list(cluster.member_ids), cluster.reason
        for pair in found.contained:
            key = f"{pair.inner}<{pair.outer}"
            groups[key], reasons[key] = [pair.inner, pair.outer], "contained"
    leaking = leaking_groups(((row_id, (key,)) for key, ids in groups.items() for row_id in ids), split_of)
    leaks = []
    for key in groups:
        if key in leaking:
            by_split: dict[str, list[str]] = defaultdict(list)
            for row_id in groups[key]:
                by_split[split_of[row_id]].append(row_id)
            leaks.append(Leak(key, {k: tuple(v) for k, v in by_split.items()}, reasons[key]))
    return leaks
