"""Containment is its own relation: a teaser names its article and never chains two articles."""

from __future__ import annotations

from curation.dedup import dedup_items, find_duplicates
from curation.units import Article, Unit
from tests.dedup.conftest import OTHER_STORY, STORY

TEASER = " ".join(STORY.split()[:30])


def test_seed_teaser_names_its_full_nigeria_article_and_joins_no_cluster(seed_units: list[Unit]) -> None:
    found = find_duplicates(dedup_items(seed_units))
    articles = {u.id: u for u in seed_units if isinstance(u, Article)}
    nigeria = [c for c in found.contained if "نيجيريا" in (articles[c.outer].title_text or "")]
    assert len(nigeria) == 1
    (pair,) = nigeria
    assert (articles[pair.inner].role, articles[pair.outer].role) == ("teaser", "main")
    assert pair.share >= 0.8
    # The two seed pages tell the same Mali story in different words: not duplicates.
    assert found.clusters == []


def test_one_teaser_inside_two_articles_does_not_chain_them() -> None:
    # the teaser opens both the full story and a page that pastes it above another story
    second = f"{TEASER} {OTHER_STORY}"
    found = find_duplicates([("first", STORY), ("teaser", TEASER), ("second", second)])
    assert found.clusters == []
    # one container only: the longest of those holding all of it
    assert [(c.inner, c.outer, c.share) for c in found.contained] == [("teaser", "second", 1.0)]


def test_containment_can_be_switched_off_and_short_texts_never_count() -> None:
    from curation.settings import DedupSettings

    assert find_duplicates([("full", STORY), ("teaser", TEASER)], DedupSettings(find_contained=False)).contained == []
    short = " ".join(STORY.split()[:10])
    assert find_duplicates([("full", STORY), ("short", short)]).contained == []
