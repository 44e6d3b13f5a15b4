"""Label conflicts inside clusters, ANT's exact duplicates, and keeping representatives."""

from __future__ import annotations

from collections import defaultdict

import pytest

from curation.dedup import (
    annotation_labels,
    cluster_ids,
    curate,
    dedup_items,
    find_clusters,
    label_conflicts,
    meta_labels,
)
from curation.ingest import read_documents
from curation.units import Annotation, Article, Sentence, Span
from tests.dedup.conftest import ANT, OTHER_STORY, STORY


def _article(unit_id: str, doc_id: str, body: str) -> Article:
    return Article(unit_id, doc_id, 0, len(body), body, None, "main", (Span(0, len(body), body),))


def test_keeping_representatives_lists_every_dropped_unit_and_its_sentences() -> None:
    units = [
        _article("a", "d1", STORY),
        Sentence("a.s1", "d1", "a", 0, 1, "x"),
        _article("b", "d2", STORY + " المزيد"),
        _article("c", "d3", OTHER_STORY),
    ]
    clusters = find_clusters(dedup_items(units))
    kept_all = curate(units, clusters, keep="all")
    assert [u.id for u, _ in kept_all.kept] == ["a", "a.s1", "b", "c"] and not kept_all.dropped
    assert kept_all.kept[0][1] == kept_all.kept[2][1]
    only_reps = curate(units, clusters, keep="representative")
    assert [u.id for u, _ in only_reps.kept] == ["b", "c"]
    assert [(d.unit_id, d.representative) for d in only_reps.dropped] == [("a", "b")]
    with pytest.raises(ValueError, match="keep must be"):
        curate(units, clusters, keep="first")  # type: ignore[arg-type]


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
    documents = [d for d in read_documents([ANT], errors) if d.meta.get("source") == "CNN"]
    assert not errors and len(documents) == 3507
    same_text: dict[str, list[str]] = defaultdict(list)
    for document in documents:
        same_text[document.text].append(document.id)
    expected_groups = [ids for ids in same_text.values() if len(ids) > 1]
    clusters = find_clusters(dedup_items(documents))
    mapping = cluster_ids(clusters)
    for ids in expected_groups:
        assert len({mapping.get(i) for i in ids}) == 1 and ids[0] in mapping
    topics = meta_labels(documents, "topic")
    expected_conflicts = {frozenset(ids) for ids in expected_groups if len({topics[i] for i in ids}) > 1}
    assert len(expected_conflicts) == 46
    found = {frozenset(c.cluster.member_ids) for c in label_conflicts(clusters, topics)}
    for group in expected_conflicts:
        assert any(group <= members for members in found)


def test_documents_without_articles_are_compared_whole_in_file_order() -> None:
    from curation.units import Document, Provenance

    def page(doc_id: str, text: str) -> Document:
        return Document(doc_id, text, Provenance("p.txt", None, "0"))

    titled = Article("a1", "d2", 0, 4, "page", Span(0, 4, "عنوان الخبر"), "main", (Span(0, len(STORY), STORY),))
    units = [page("d1", OTHER_STORY), page("d2", "page"), titled, page("d3", STORY)]
    assert list(dedup_items(units)) == [("d1", OTHER_STORY), ("a1", STORY), ("d3", STORY)]
    assert list(dedup_items(units, "title+body")) == [("d1", OTHER_STORY), ("a1", f"عنوان الخبر\n{STORY}"), ("d3", STORY)]
