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
    split_of, values = _split_rows(rows, split_key, id_key, text_key if cluster_key is None else cluster_key)
    if cluster_key is None:
        groups, reasons = _duplicate_groups(values, settings)
    else:
        groups, reasons = _given_groups(values, cluster_key)
    leaking = leaking_groups(((row_id, (key,)) for key, ids in groups.items() for row_id in ids), split_of)
    return [_leak(key, groups[key], reasons[key], split_of) for key in groups if key in leaking]


def _split_rows(
    rows: Iterable[Mapping[str, Any]], split_key: str, id_key: str, value_key: str
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """Each row's split and its (id, value of ``value_key``); a row without an id, or with an id
    met before, is named by its position."""
    split_of: dict[str, str] = {}
    values: list[tuple[str, str]] = []
    for position, row in enumerate(rows):
        row_id = str(row.get(id_key, f"#{position}"))
        if row_id in split_of:
            row_id = f"{row_id}#{position}"
        split_of[row_id] = str(row[split_key])
        values.append((row_id, str(row[value_key])))
    return split_of, values


Groups = tuple[dict[str, list[str]], dict[str, str]]  # group key -> its rows' ids, group key -> why they are one


def _given_groups(cluster_of: list[tuple[str, str]], cluster_key: str) -> Groups:
    """Rows grouped by the cluster column as given."""
    groups: dict[str, list[str]] = defaultdict(list)
    reasons: dict[str, str] = {}
    for row_id, cluster in cluster_of:
        groups[cluster].append(row_id)
        reasons[cluster] = cluster_key
    return groups, reasons


def _duplicate_groups(texts: list[tuple[str, str]], settings: DedupSettings | None) -> Groups:
    """Rows grouped by deduplicating their texts: each cluster, and each text with its container."""
    from curation.dedup.stages import find_duplicates

    found = find_duplicates(texts, settings)
    groups: dict[str, list[str]] = {}
    reasons: dict[str, str] = {}
    for cluster in found.clusters:
        groups[cluster.id], reasons[cluster.id] = list(cluster.member_ids), cluster.reason
    for pair in found.contained:
        key = f"{pair.inner}<{pair.outer}"
        groups[key], reasons[key] = [pair.inner, pair.outer], "contained"
    return groups, reasons


def _leak(key: str, row_ids: list[str], reason: str, split_of: Mapping[str, str]) -> Leak:
    by_split: dict[str, list[str]] = defaultdict(list)
    for row_id in row_ids:
        by_split[split_of[row_id]].append(row_id)
    return Leak(key, {k: tuple(v) for k, v in by_split.items()}, reason)
