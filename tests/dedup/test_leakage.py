"""The one leakage check: by text (clusters and containment) or by a given cluster column."""

from __future__ import annotations

from curation.dedup import check_leakage, leaking_groups
from tests.dedup.conftest import OTHER_STORY, STORY


def test_leakage_found_by_text_and_by_given_cluster_column() -> None:
    rows = [
        {"id": "r1", "split": "train", "text": STORY},
        {"id": "r2", "split": "test", "text": STORY.replace("أعلنت", "اعلنت")},
        {"id": "r3", "split": "train", "text": OTHER_STORY},
        {"id": "r4", "split": "train", "text": OTHER_STORY},
    ]
    leaks = check_leakage(rows)
    assert [leak.rows_by_split for leak in leaks] == [{"train": ("r1",), "test": ("r2",)}]
    assert leaks[0].reason == "exact"
    by_column = [dict(row, cluster="k1" if row["id"] in ("r1", "r3") else "k2") for row in rows]
    leaks = check_leakage(by_column, cluster_key="cluster")
    assert sorted(leak.cluster_id for leak in leaks) == ["k2"]
    assert check_leakage([r for r in rows if r["split"] == "train"]) == []


def test_a_teaser_and_its_article_in_two_splits_leak() -> None:
    teaser = " ".join(STORY.split()[:30])
    rows = [{"id": "full", "split": "train", "text": STORY}, {"id": "teaser", "split": "test", "text": teaser}]
    (leak,) = check_leakage(rows)
    assert leak.reason == "contained" and leak.rows_by_split == {"train": ("full",), "test": ("teaser",)}


def test_leaking_groups_names_each_group_in_two_splits() -> None:
    memberships = [("a", ("d1", "c1")), ("b", ("d2", "c1")), ("c", ("d3",))]
    assert leaking_groups(memberships, {"a": "train", "b": "test", "c": "test"}) == {"c1": {"train", "test"}}
