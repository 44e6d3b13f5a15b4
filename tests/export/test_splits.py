"""Splits: deterministic from the seed, grouped (no group in two splits), ratios and strata kept."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from curation.dedup import leaking_groups
from curation.export.splits import SplitItem, SplitSpec, assign_splits


def corpus(n: int = 600) -> list[SplitItem]:
    """Articles two per page; every 7th article also in a near-duplicate cluster with the next page's."""
    items = []
    for i in range(n):
        keys = [f"doc{i // 2}"] + ([f"cluster{i // 7}"] if i % 7 == 0 else [])
        items.append(SplitItem(f"a{i}", tuple(keys), ("sport", "economy", "culture")[i % 3]))
    return items


def test_same_seed_same_splits_whatever_the_input_order() -> None:
    items = corpus()
    shuffled = items[:]
    random.Random(4).shuffle(shuffled)
    spec = SplitSpec(seed=7)
    assert assign_splits(items, spec) == assign_splits(shuffled, spec)
    assert assign_splits(items, spec) != assign_splits(items, SplitSpec(seed=8))


def test_groups_never_straddle_splits_and_clusters_join_groups() -> None:
    items = corpus()
    items.append(SplitItem("x1", ("docA", "near1")))
    items.append(SplitItem("x2", ("docB", "near1")))  # another page, same near-duplicate cluster
    split_of = assign_splits(items, SplitSpec(seed=1))
    assert leaking_groups(((i.unit_id, i.group_keys) for i in items), split_of) == {}
    assert split_of["x1"] == split_of["x2"]


def test_ratios_are_met_and_strata_each_get_their_share() -> None:
    items = [SplitItem(f"a{i}", (f"a{i}",), ("sport", "economy")[i % 5 == 0]) for i in range(1000)]
    spec = SplitSpec(seed=3, ratios={"train": 0.8, "validation": 0.1, "test": 0.1}, stratify="topic")
    split_of = assign_splits(items, spec)
    sizes = Counter(split_of.values())
    assert sizes == {"train": 800, "validation": 100, "test": 100}
    economy = Counter(split_of[i.unit_id] for i in items if i.stratum == "economy")
    assert economy == {"train": 160, "validation": 20, "test": 20}


def test_bad_ratios_are_rejected_with_the_split_named() -> None:
    with pytest.raises(ValueError, match="'test'"):
        SplitSpec(ratios={"train": 0.9, "test": -0.1})
    with pytest.raises(ValueError, match="sum to 0"):
        SplitSpec(ratios={"train": 0})
