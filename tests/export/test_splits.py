"""Splits: deterministic from the seed, grouped (no group in two splits), ratios and strata kept."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from curation.dedup import leaking_groups
from curation.errors import CurationError
from curation.export.splits import SplitItem, SplitSpec, assign_splits, split_codes


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


@st.composite
def pages_of_articles(draw: st.DrawFn) -> tuple[list[SplitItem], set[str]]:
    """Articles page after page, each with its own key, some in clusters that span pages."""
    items, clusters = [], set()
    for page in range(draw(st.integers(0, 12))):
        for article in range(draw(st.integers(1, 4))):
            keys = [f"doc{page}", f"own{page}-{article}"]
            cluster = draw(st.none() | st.integers(0, 5))
            if cluster is not None:
                keys.append(f"cluster{cluster}")
                clusters.add(f"cluster{cluster}")
            items.append(SplitItem(f"a{page}-{article}", tuple(keys), draw(st.sampled_from(["", "sport", "economy"]))))
    return items, clusters


@settings(max_examples=200, deadline=None)
@given(pages_of_articles(), st.integers(0, 3), st.booleans())
def test_streamed_splits_holding_only_the_clusters_are_the_splits_of_every_key(
    corpus: tuple[list[SplitItem], set[str]], seed: int, stratified: bool
) -> None:
    """The build streams its articles page after page and holds only the keys that tie pages
    (clusters): the splits are those of :func:`assign_splits`, which joins every key."""
    items, clusters = corpus
    spec = SplitSpec(seed=seed, ratios={"train": 0.6, "validation": 0.2, "test": 0.2}, stratify="topic" if stratified else None)
    names = list(spec.ratios)
    streamed = {item.unit_id: names[code] for item, code in zip(items, split_codes(items, spec, clusters).tolist(), strict=True)}
    assert streamed == assign_splits(items, spec)


def test_a_page_whose_articles_are_not_together_is_refused_rather_than_split_across() -> None:
    items = [SplitItem(f"a{i}", (f"doc{i % 2}",)) for i in range(40)]  # doc0, doc1, doc0, ...
    with pytest.raises(CurationError, match="split leakage"):
        split_codes(items, SplitSpec(seed=2, ratios={"train": 0.5, "test": 0.5}), shared=set())
