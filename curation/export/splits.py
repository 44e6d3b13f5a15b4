"""Deterministic, leakage-safe train/validation/test splits.

Units are grouped (an article with its document, and every near-duplicate cluster it belongs
to, via union-find) so that no group straddles two splits. Groups are ordered by a seeded hash
of their key, not by input order, so adding a page does not reshuffle the others, and then
dealt greedily to the split furthest below its target share, per stratum when stratified.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from curation.dedup.unionfind import UnionFind

DEFAULT_RATIOS: dict[str, float] = {"train": 0.8, "validation": 0.1, "test": 0.1}
UNSTRATIFIED = ""


@dataclass(frozen=True, slots=True)
class SplitSpec:
    """How to split: the seed, the share of each split (normalised to sum to 1), and which
    label family (if any) to stratify by."""

    seed: int = 0
    ratios: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_RATIOS))
    stratify: str | None = None

    def __post_init__(self) -> None:
        if not self.ratios:
            raise ValueError("split ratios: at least one split is needed")
        for name, share in self.ratios.items():
            if not isinstance(share, int | float) or share < 0:
                raise ValueError(f"split ratios: share of {name!r} must be a number >= 0, got {share!r}")
        if sum(self.ratios.values()) <= 0:
            raise ValueError("split ratios: the shares sum to 0")

    def shares(self) -> dict[str, float]:
        total = sum(self.ratios.values())
        return {name: share / total for name, share in self.ratios.items()}


@dataclass(frozen=True, slots=True)
class SplitItem:
    """One unit to place: its id, the keys that tie it to others (document id, cluster ids)
    and its stratum (e.g. its topic; empty when unknown)."""

    unit_id: str
    group_keys: tuple[str, ...]
    stratum: str = UNSTRATIFIED


def _seeded_rank(seed: int, key: str) -> str:
    return hashlib.sha256(f"{seed}\0{key}".encode()).hexdigest()


def assign_splits(items: Iterable[SplitItem], spec: SplitSpec) -> dict[str, str]:
    """Map every unit id to a split name; units sharing any group key share a split."""
    members = _groups(items)
    strata: dict[str, list[str]] = defaultdict(list)
    for root, group in members.items():
        strata[_group_stratum(group, spec)].append(root)
    split_of_group: dict[str, str] = {}
    for stratum in sorted(strata):
        roots = sorted(strata[stratum], key=lambda root: _seeded_rank(spec.seed, root))
        split_of_group.update(_place(roots, members, spec.shares()))
    return {item.unit_id: split_of_group[root] for root, group in members.items() for item in group}


def _groups(items: Iterable[SplitItem]) -> dict[str, list[SplitItem]]:
    """The units tied together by a shared group key (transitively), by the group's root key."""
    items = list(items)
    groups: UnionFind[str] = UnionFind()
    for item in items:
        keys = _keys(item)
        for key in keys:
            groups.union(keys[0], key)
    members: dict[str, list[SplitItem]] = defaultdict(list)
    for item in items:
        members[groups.find(_keys(item)[0])].append(item)
    return members


def _keys(item: SplitItem) -> tuple[str, ...]:
    """An item's group keys; a unit with none is a group of its own."""
    return item.group_keys or (item.unit_id,)


def _place(roots: Sequence[str], members: Mapping[str, list[SplitItem]], shares: Mapping[str, float]) -> dict[str, str]:
    """The split of each group of one stratum, taken in ``roots`` order: the split with the largest
    shortfall against its target share of what is placed so far (ties broken by the order the
    recipe lists the splits)."""
    placed: Counter[str] = Counter()
    total = 0
    split_of_group = {}
    for root in roots:
        size = len(members[root])
        total += size
        split = max(shares, key=lambda name: shares[name] * total - placed[name])
        placed[split] += size
        split_of_group[root] = split
    return split_of_group


def _group_stratum(group: list[SplitItem], spec: SplitSpec) -> str:
    """A group's stratum is its most common one (alphabetically first on a tie)."""
    if not spec.stratify:
        return UNSTRATIFIED
    counts = Counter(item.stratum for item in group)
    return min(counts, key=lambda s: (-counts[s], s))
