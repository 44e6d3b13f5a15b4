"""Exact and near-duplicate clusters: exact Jaccard decides, ids and order are documented rules."""

from __future__ import annotations

import pytest

from curation.dedup import (
    Cluster,
    DedupSettings,
    cluster_id_of,
    cluster_ids,
    find_clusters,
    find_duplicates,
    jaccard,
    text_shingles,
)
from tests.dedup.conftest import OTHER_STORY, STORY


def test_exact_duplicates_match_through_diacritics_and_letter_variants() -> None:
    voweled = STORY.replace("أعلنت", "أَعْلَنَت").replace("مستشفى", "مستشفي").replace("الجيزة", "الجيزه")
    clusters = find_clusters([("a", STORY), ("b", OTHER_STORY), ("c", voweled)])
    assert [c.member_ids for c in clusters] == [("a", "c")]
    assert clusters[0].reason == "exact" and clusters[0].similarity == 1.0


def test_near_duplicate_with_a_changed_word_clusters_and_unrelated_text_does_not() -> None:
    edited = STORY.replace("ثلاثمئة", "أربعمئة") + " وفق ما ذكرت الوكالة"
    clusters = find_clusters([("a", STORY), ("b", edited), ("c", OTHER_STORY)], DedupSettings(threshold=0.6))
    (cluster,) = clusters
    assert set(cluster.member_ids) == {"a", "b"}
    assert cluster.reason == "near"
    assert cluster.similarity == pytest.approx(jaccard(text_shingles(STORY), text_shingles(edited)))
    assert 0.6 <= cluster.similarity < 1.0
    assert cluster.representative == "b"  # the longer text represents the story


def test_thresholds_are_respected() -> None:
    edited = STORY.replace("ثلاثمئة", "أربعمئة")
    similarity = jaccard(text_shingles(STORY), text_shingles(edited))
    assert find_clusters([("a", STORY), ("b", edited)], DedupSettings(threshold=similarity + 0.01)) == []
    assert len(find_clusters([("a", STORY), ("b", edited)], DedupSettings(threshold=similarity))) == 1


def test_a_shared_boilerplate_line_does_not_chain_different_stories() -> None:
    boilerplate = "تابعونا على مواقع التواصل الاجتماعي"
    items = [("story", f"{STORY} {boilerplate}"), ("other", f"{OTHER_STORY} {boilerplate}"), ("line", boilerplate)]
    assert find_clusters(items) == []


def test_cluster_ids_cover_every_unit_and_keep_clusters_together() -> None:
    cluster = find_clusters([("a", STORY), ("b", STORY), ("c", OTHER_STORY)])[0]
    mapping = cluster_ids([cluster], ["a", "b", "c"])
    assert mapping["a"] == mapping["b"] == cluster.id == cluster_id_of(["b", "a"])
    assert mapping["c"] == cluster_id_of(["c"]) != cluster.id


def test_clusters_come_in_input_order_of_their_representatives() -> None:
    items = [("x", OTHER_STORY), ("a", STORY), ("y", OTHER_STORY), ("b", STORY)]
    assert [c.representative for c in find_clusters(items)] == ["x", "a"]


def test_bad_settings_and_repeated_ids_are_refused_with_a_reason() -> None:
    with pytest.raises(ValueError, match="threshold must be in"):
        DedupSettings(threshold=1.5)
    with pytest.raises(ValueError, match="'a' appears twice"):
        find_clusters([("a", STORY), ("a", OTHER_STORY)])


def test_cluster_record_lists_representative_first() -> None:
    (cluster,) = find_clusters([("a", STORY), ("b", STORY)])
    assert isinstance(cluster, Cluster)
    record = cluster.to_record()
    assert record["members"][0] == {"id": "a", "reason": "representative", "similarity": 1.0}
    assert record["size"] == 2 and record["reason"] == "exact"


def test_settings_round_trip_with_their_normalisation() -> None:
    settings = DedupSettings(threshold=0.8, normalize=DedupSettings().normalize.__class__(fold_alef=False))
    data = settings.to_dict()
    assert data["normalize"]["fold_alef"] is False
    assert DedupSettings.from_dict(data) == settings
    with pytest.raises(ValueError, match="unknown dedup setting"):
        DedupSettings.from_dict({"treshold": 0.5})


def _corpus() -> list[tuple[str, str]]:
    """Copies, near copies, a teaser and unrelated stories, enough to fill several parts."""
    words = STORY.split()
    items = [("story", STORY), ("copy", STORY), ("edited", STORY.replace("ثلاثمئة", "أربعمئة")), ("other", OTHER_STORY)]
    items += [("teaser", " ".join(words[:30])), ("other-copy", OTHER_STORY + " وفق الوكالة")]
    items += [(f"noise{n}", " ".join(words[n:] + words[:n])) for n in range(3, 40, 3)]  # rotations: other shingles
    return items


def test_spilling_by_range_and_small_parts_never_change_the_result(monkeypatch, tmp_path) -> None:
    from curation.dedup import minhash, partitions

    whole = find_duplicates(_corpus())
    assert len(whole.clusters) == 2 and whole.contained
    monkeypatch.setattr(minhash, "PART_ITEMS", 3)
    monkeypatch.setattr(partitions, "ROWS", 5)
    assert find_duplicates(_corpus(), work=tmp_path) == whole
    assert find_duplicates(_corpus()[:5], work=tmp_path) == find_duplicates(_corpus()[:5])  # the work folder reused
