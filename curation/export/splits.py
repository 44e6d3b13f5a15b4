"""Deterministic, leakage-safe train/validation/test splits.

Units are grouped (an article with its document, and every near-duplicate cluster it belongs
to, via union-find) so that no group straddles two splits. Groups are ordered by a seeded hash
of their key, not by input order, so adding a page does not reshuffle the others, and then
dealt greedily to the split furthest below its target share, per stratum when stratified.
"""

from __future__ import annotations

import hashlib
from array import array
from collections import Counter
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from curation.dedup.unionfind import UnionFind
from curation.errors import CurationError

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


def _seeded_rank(seed: int, key: str) -> bytes:
    return hashlib.sha256(f"{seed}\0{key}".encode()).digest()


def assign_splits(items: Iterable[SplitItem], spec: SplitSpec) -> dict[str, str]:
    """Map every unit id to a split name; units sharing any group key share a split, in any input order."""
    items = list(items)
    every_key = {key for item in items for key in _keys(item)}
    names = list(spec.ratios)
    codes = split_codes(items, spec, shared=every_key)
    return {item.unit_id: names[code] for item, code in zip(items, codes.tolist(), strict=True)}


def split_codes(items: Iterable[SplitItem], spec: SplitSpec, shared: Collection[str]) -> np.ndarray:
    """Each item's split, as its index in ``spec.ratios``, in input order: what :func:`assign_splits`
    gives, holding a few bytes per group instead of the items, so that a build's articles can
    stream by from disk. Items whose first key (their page, or themselves) is the same must come
    one after another, and every other key that ties items of different runs (a near-duplicate
    cluster, a container) must be in ``shared``; a page found in two places is refused."""
    runs = _Runs(spec, shared)
    for item in items:
        runs.add(item)
    return runs.codes()


def _keys(item: SplitItem) -> tuple[str, ...]:
    """An item's group keys; a unit with none is a group of its own."""
    return item.group_keys or (item.unit_id,)


class _Runs:
    """Runs of consecutive items with the same first key, folded into groups as they end.

    A group's root is its smallest key (as :class:`UnionFind` names it); a run tied to no other
    becomes a group at once, and the runs holding a shared key are joined by a union-find over
    their smallest key and those shared keys only. Per group: the seeded rank of its root, its
    size and stratum; per run: its group and size."""

    def __init__(self, spec: SplitSpec, shared: Collection[str]) -> None:
        self.spec, self.shared = spec, shared
        self.ranks = bytearray()  # 32 bytes a group
        self.sizes, self.strata = array("q"), array("H")
        self.stratum_names: dict[str, int] = {}
        self.run_group, self.run_sizes, self.run_first = array("q"), array("q"), array("q")
        self.joined: UnionFind[str] = UnionFind()
        self.tied: dict[int, tuple[str, Counter[str]]] = {}  # run -> (its smallest key, strata) when tied
        self.first: str | None = None
        self.keys: set[str] = set()
        self.counts: Counter[str] = Counter()

    def add(self, item: SplitItem) -> None:
        keys = _keys(item)
        if keys[0] != self.first:
            self._end_run()
            self.first = keys[0]
        self.keys.update(keys)
        self.counts[item.stratum] += 1

    def _end_run(self) -> None:
        if self.first is None:
            return
        size = sum(self.counts.values())
        tied = {key for key in self.keys if key in self.shared}
        own = self.keys - tied
        smallest = min(own or tied)
        if tied:
            for key in tied:
                self.joined.union(smallest, key)
            self.tied[len(self.run_group)] = (smallest, self.counts)
            self.run_group.append(-1)
        else:
            self.run_group.append(self._group(smallest, size, self.counts))
        self.run_sizes.append(size)
        self.run_first.append(hash(self.first))
        self.first, self.keys, self.counts = None, set(), Counter()

    def _group(self, root: str, size: int, counts: Counter[str]) -> int:
        stratum = _group_stratum(counts, self.spec)
        self.ranks += _seeded_rank(self.spec.seed, root)
        self.sizes.append(size)
        self.strata.append(self.stratum_names.setdefault(stratum, len(self.stratum_names)))
        return len(self.sizes) - 1

    def codes(self) -> np.ndarray:
        self._end_run()
        by_root: dict[str, Counter[str]] = {}
        for smallest, counts in self.tied.values():
            by_root.setdefault(self.joined.find(smallest), Counter()).update(counts)
        group_of = {root: self._group(root, sum(counts.values()), counts) for root, counts in by_root.items()}
        for run, (smallest, _) in self.tied.items():
            self.run_group[run] = group_of[self.joined.find(smallest)]
        self.tied, self.joined = {}, UnionFind()  # what tied the runs is in run_group now
        split_of_group = self._deal()
        run_split = split_of_group[np.frombuffer(self.run_group, dtype=np.int64)]
        self._refuse_pages_apart(run_split)
        return np.repeat(run_split, np.frombuffer(self.run_sizes, dtype=np.int64))

    def _deal(self) -> np.ndarray:
        """Each group's split: per stratum (in name order), groups in the order of their seeded rank
        dealt by :func:`_place`."""
        ranks = np.frombuffer(self.ranks, dtype="S32")
        sizes, strata = np.frombuffer(self.sizes, dtype=np.int64), np.frombuffer(self.strata, dtype=np.uint16)
        split_of_group = np.zeros(len(sizes), dtype=np.uint8)
        for name in sorted(self.stratum_names):
            members = np.flatnonzero(strata == self.stratum_names[name])
            order = members[np.argsort(ranks[members], kind="stable")]
            split_of_group[order] = _place(sizes[order].tolist(), self.spec.shares())
        return split_of_group

    def _refuse_pages_apart(self, run_split: np.ndarray) -> None:
        """A first key met in two runs that went to different splits (its items were not one
        after another) would leak: refused."""
        order = np.argsort(np.frombuffer(self.run_first, dtype=np.int64), kind="stable")
        first, split = np.frombuffer(self.run_first, dtype=np.int64)[order], run_split[order]
        apart = np.count_nonzero((first[1:] == first[:-1]) & (split[1:] != split[:-1]))
        if apart:
            raise CurationError(
                f"split leakage: {apart} group(s) in several splits, nothing written (their units were not "
                f"one after another)"
            )


def _place(sizes: Sequence[int], shares: Mapping[str, float]) -> list[int]:
    """The split (its index in ``shares``) of each group of one stratum, taken in order: the split
    with the largest shortfall against its target share of what is placed so far (ties broken by
    the order the recipe lists the splits)."""
    targets = list(shares.values())
    placed = [0] * len(targets)
    total = 0
    chosen = []
    for size in sizes:
        total += size
        split = max(range(len(targets)), key=lambda i: targets[i] * total - placed[i])
        placed[split] += size
        chosen.append(split)
    return chosen


def _group_stratum(counts: Counter[str], spec: SplitSpec) -> str:
    """A group's stratum is its most common one (alphabetically first on a tie)."""
    if not spec.stratify:
        return UNSTRATIFIED
    return min(counts, key=lambda s: (-counts[s], s))
