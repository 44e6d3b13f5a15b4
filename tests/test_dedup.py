"""Duplicate clusters, repeated passages, curation actions and leakage checks.

Real data: the two seed pages run through the real segmenter, and the CNN part of ANT (3,507
articles) for exact duplicates and label conflicts, checked against plain string equality.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from datasketch import MinHash

from curation.dedup import (
    Cluster,
    DedupSettings,
    annotation_labels,
    check_leakage,
    cluster_id_of,
    cluster_ids,
    curate,
    dedup_items,
    find_clusters,
    find_repeated_passages,
    label_conflicts,
    meta_labels,
    minhash_signatures,
)
from curation.ingest import read_documents
from curation.segment.pipeline import segment_document
from curation.units import Annotation

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
ANT = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "ant-v2.1.jsonl.gz"  # shared/ beside the repo

STORY = (
    "أعلنت وزارة الصحة في القاهرة اليوم عن افتتاح مستشفى جديد لعلاج الأطفال في محافظة الجيزة "
    "بتكلفة بلغت مئة مليون جنيه ويضم المستشفى ثلاثمئة سرير وغرف عمليات مجهزة بأحدث الأجهزة "
    "الطبية وقال الوزير إن المشروع يأتي ضمن خطة الحكومة لتطوير الخدمات الصحية في البلاد "
    "وأضاف أن العمل جار على إنشاء مستشفيات أخرى في محافظات الصعيد خلال العام المقبل"
)
OTHER_STORY = (
    "فاز المنتخب المغربي على نظيره التونسي بهدفين مقابل هدف في المباراة الودية التي أقيمت "
    "مساء أمس على ملعب الرباط وسجل الأهداف لاعبو خط الوسط بينما أحرز المهاجم التونسي هدف "
    "فريقه الوحيد في الشوط الثاني وأشاد المدرب بأداء اللاعبين الشبان الذين شاركوا للمرة الأولى"
)


@pytest.fixture(scope="module")
def seed_records() -> list[dict]:
    errors: list = []
    records: list[dict] = []
    for document in read_documents([SEEDS], errors):
        records.extend(segment_document(document).records())
    assert not errors
    return records


def test_vectorised_signatures_equal_datasketch_minhash() -> None:
    rng = np.random.default_rng(7)
    sets = [np.unique(rng.integers(0, 2**32, size=n, dtype=np.uint64).astype(np.uint32)) for n in (40, 0, 1, 900, 3)]
    signatures = minhash_signatures(sets, num_perm=64, seed=3)
    for shingles, signature in zip(sets, signatures):
        reference = MinHash(num_perm=64, seed=3, hashfunc=lambda value: value)
        reference.update_batch(shingles.tolist())
        assert np.array_equal(signature, reference.hashvalues)


def test_exact_duplicates_match_through_diacritics_and_letter_variants() -> None:
    voweled = STORY.replace("أعلنت", "أَعْلَنَت").replace("مستشفى", "مستشفي").replace("الجيزة", "الجيزه")
    clusters = find_clusters([("a", STORY), ("b", OTHER_STORY), ("c", voweled)])
    assert [c.member_ids for c in clusters] == [("a", "c")]
    assert clusters[0].reason == "exact" and clusters[0].similarity == 1.0


def test_near_duplicate_with_a_changed_word_clusters_and_unrelated_text_does_not() -> None:
    edited = STORY.replace("ثلاثمئة", "أربعمئة") + " وفق ما ذكرت الوكالة"
    clusters = find_clusters([("a", STORY), ("b", edited), ("c", OTHER_STORY)], DedupSettings(threshold=0.6))
    assert len(clusters) == 1
    (cluster,) = clusters
    assert set(cluster.member_ids) == {"a", "b"}
    assert cluster.reason == "near"
    assert 0.6 <= cluster.similarity < 1.0
    assert cluster.representative == "b"  # the longer text represents the story


def test_thresholds_are_respected() -> None:
    edited = STORY.replace("ثلاثمئة", "أربعمئة")
    assert find_clusters([("a", STORY), ("b", edited)], DedupSettings(threshold=0.9)) == []
    assert len(find_clusters([("a", STORY), ("b", edited)], DedupSettings(threshold=0.6))) == 1
    with pytest.raises(ValueError, match="not usable by LSH"):
        DedupSettings(threshold=0.99)


def test_seed_teaser_and_full_nigeria_article_are_one_cluster(seed_records: list[dict]) -> None:
    clusters = find_clusters(dedup_items(seed_records))
    titles = {r["id"]: (r["title"], r["role"]) for r in seed_records if r["level"] == "article"}
    nigeria = [c for c in clusters if any("نيجيريا" in titles[m][0] for m in c.member_ids)]
    assert len(nigeria) == 1
    (cluster,) = nigeria
    assert sorted(titles[m][1] for m in cluster.member_ids) == ["main", "teaser"]
    assert titles[cluster.representative][1] == "main"
    assert cluster.reason == "contained"
    # The two seed pages tell the same Mali story in different words: not duplicates.
    assert len(clusters) == 1


def test_a_shared_boilerplate_line_does_not_chain_different_stories() -> None:
    boilerplate = "تابعونا على مواقع التواصل الاجتماعي"
    items = [("story", f"{STORY} {boilerplate}"), ("other", f"{OTHER_STORY} {boilerplate}"), ("line", boilerplate)]
    assert find_clusters(items) == []


def test_repeated_captions_on_the_seed_page_are_found(seed_records: list[dict]) -> None:
    repeated = {p.text: p for p in find_repeated_passages(seed_records)}
    caption = "يجلس سائقو شاحنات الصهاريج المالية على الكراسي في انتظار عبور الحدود بين ساحل العاج ومالي بقرية نيغون بالقرب من تنغريلا... 31 أكتوبر 2025 (أ.ف.ب)"
    assert len(repeated[caption].occurrences) == 4
    nigeria = repeated["من الجماعات الإرهابية في نيجيريا (إعلام محلي)"]
    assert {o.kind for o in nigeria.occurrences} == {"line", "caption"}
    page = next(r for r in seed_records if r["level"] == "document" and "002_" in r["source"])
    for occurrence in nigeria.occurrences:
        assert page["text"][occurrence.start : occurrence.end].endswith("(إعلام محلي)")


def test_cluster_ids_cover_every_unit_and_keep_clusters_together() -> None:
    cluster = find_clusters([("a", STORY), ("b", STORY), ("c", OTHER_STORY)])[0]
    mapping = cluster_ids([cluster], ["a", "b", "c"])
    assert mapping["a"] == mapping["b"] == cluster.id == cluster_id_of(["b", "a"])
    assert mapping["c"] == cluster_id_of(["c"]) != cluster.id


def test_keeping_representatives_lists_every_dropped_unit_and_its_sentences() -> None:
    records = [
        {"id": "a", "level": "article", "doc_id": "d1", "parent": "d1", "body": STORY, "title": None},
        {"id": "a.s1", "level": "sentence", "doc_id": "d1", "parent": "a", "text": "x"},
        {"id": "b", "level": "article", "doc_id": "d2", "parent": "d2", "body": STORY + " المزيد", "title": None},
        {"id": "c", "level": "article", "doc_id": "d3", "parent": "d3", "body": OTHER_STORY, "title": None},
    ]
    clusters = find_clusters(dedup_items(records))
    kept_all = curate(records, clusters, keep="all")
    assert [r["id"] for r in kept_all.kept] == ["a", "a.s1", "b", "c"] and not kept_all.dropped
    assert kept_all.kept[0]["cluster_id"] == kept_all.kept[2]["cluster_id"]
    only_reps = curate(records, clusters, keep="representative")
    assert [r["id"] for r in only_reps.kept] == ["b", "c"]
    assert [(d.unit_id, d.representative) for d in only_reps.dropped] == [("a", "b")]
    with pytest.raises(ValueError, match="keep must be"):
        curate(records, clusters, keep="first")  # type: ignore[arg-type]


def test_label_conflicts_from_annotations() -> None:
    clusters = find_clusters([("a", STORY), ("b", STORY), ("c", OTHER_STORY), ("d", OTHER_STORY)])
    annotations = [
        Annotation("a", "article", "ann1", "1", choices={"topic": ("health",)}),
        Annotation("b", "article", "ann2", "2", choices={"topic": ("economy",)}),
        Annotation("b", "article", "ann3", "3", choices={"topic": ("sport",)}, cancelled=True),
        Annotation("c", "article", "ann1", "4", choices={"topic": ("sport",)}),
        Annotation("d", "article", "ann1", "5", choices={"topic": ("sport",)}),
    ]
    labels = annotation_labels(annotations, "topic")
    assert labels["b"] == ("economy",)
    conflicts = label_conflicts(clusters, labels)
    assert [c.labels for c in conflicts] == [{"a": ("health",), "b": ("economy",)}]


@pytest.mark.skipif(not ANT.exists(), reason="ANT corpus lives outside the repository")
def test_ant_cnn_exact_duplicates_all_found_and_topic_conflicts_listed() -> None:
    errors: list = []
    records = [d.to_record() for d in read_documents([ANT], errors) if d.meta.get("source") == "CNN"]
    assert not errors and len(records) == 3507
    same_text: dict[str, list[str]] = defaultdict(list)
    for record in records:
        same_text[record["text"]].append(record["id"])
    expected_groups = [ids for ids in same_text.values() if len(ids) > 1]
    clusters = find_clusters(dedup_items(records))
    mapping = cluster_ids(clusters)
    for ids in expected_groups:
        assert len({mapping.get(i) for i in ids}) == 1 and ids[0] in mapping
    topics = meta_labels(records, "topic")
    expected_conflicts = {
        frozenset(ids) for ids in expected_groups if len({topics[i] for i in ids}) > 1
    }
    assert len(expected_conflicts) == 46
    conflicts = label_conflicts(clusters, topics)
    found = {frozenset(c.cluster.member_ids) for c in conflicts}
    for group in expected_conflicts:
        assert any(group <= members for members in found)


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


def test_documents_without_articles_are_compared_whole_in_file_order() -> None:
    records = [
        {"id": "d1", "level": "document", "text": OTHER_STORY},
        {"id": "d2", "level": "document", "text": "page"},
        {"id": "a1", "level": "article", "doc_id": "d2", "title": "عنوان الخبر", "body": STORY},
        {"id": "d3", "level": "document", "text": STORY},
    ]
    assert dedup_items(records) == [("d1", OTHER_STORY), ("a1", f"عنوان الخبر\n{STORY}"), ("d3", STORY)]
