"""Word clusters from unlabelled text: words seen in the same contexts share a cluster, and the tagger
reads them, so a name no gold sentence holds that the unlabelled text shows like the others is not taken for sure as no name."""

from __future__ import annotations

from curation.learn.clusters import ClusterSettings, WordClusters, learn_clusters
from curation.learn.tagger import MATCH_OPTIONS, Cutter, TaggerSettings, fit_tagger, word_clusters
from curation.normalize import text_normalizer
from curation.units import EntitySpan

CITIES = ["بغداد", "دمشق", "عمان", "الرباط", "تونس", "الخرطوم", "صنعاء", "مسقط"]
PEOPLE = ["سمير", "نادية", "خالد", "ليلى", "يوسف", "منى", "طارق", "هدى"]
PLACE_CONTEXTS = ["سافر الوفد إلى {} أمس", "عاد الرئيس من {} صباحا", "وصلت الطائرة إلى {} ليلا"]
PERSON_CONTEXTS = ["قال {} إن الاجتماع مثمر", "أكد {} أن القرار نهائي", "أعلن {} استقالته اليوم"]
SMALL = ClusterSettings(sizes=(2, 4), dimensions=4, min_count=1, contexts=60)


def _unlabelled() -> list[str]:
    return [context.format(word) for words, contexts in ((CITIES, PLACE_CONTEXTS), (PEOPLE, PERSON_CONTEXTS))
            for word in words for context in contexts]  # fmt: skip


def test_words_seen_in_the_same_contexts_share_a_cluster_and_the_same_text_gives_the_same_clusters():
    sentences = [text.split() for text in _unlabelled()]
    clusters = learn_clusters(sentences, SMALL)
    assert clusters == learn_clusters(sentences, SMALL)
    cities = {clusters.of[word][-1] for word in CITIES}  # the finest granularity
    people = {clusters.of[word][-1] for word in PEOPLE}
    assert len(cities) == len(people) == 1 and cities != people


def test_text_past_the_reading_cap_is_not_read_so_a_huge_workspace_costs_bounded_memory():
    sentences = [text.split() for text in _unlabelled()]
    capped = ClusterSettings(sizes=(2, 4), dimensions=4, min_count=1, contexts=60, max_pieces=len(sentences[0]) * 30)
    late = [["كلمة_متأخرة", "لا", "تقرأ"]] * 5
    assert "كلمة_متأخرة" not in learn_clusters(sentences[:24] + late, capped).of
    assert "كلمة_متأخرة" in learn_clusters(sentences[:24] + late, SMALL).of


def test_the_tagger_clusters_the_normalised_pieces_its_cutter_makes_of_the_same_text():
    texts = [*_unlabelled(), *(f"وصل الوفد إلى {city} وال{city[2:]} ولبغداد" for city in CITIES[3:6])]
    clusters = word_clusters(texts, TaggerSettings(clusters=SMALL))
    assert clusters is not None
    cutter, normal = Cutter(clusters.seen), text_normalizer(MATCH_OPTIONS)
    assert clusters.of == learn_clusters([[normal(text[start:end]) for start, end in cutter.pieces(text)] for text in texts], SMALL).of


def test_too_little_text_gives_no_clusters():
    assert learn_clusters([["كلمة", "واحدة"]], ClusterSettings()).of == {}


def test_the_cluster_of_a_name_only_the_unlabelled_text_shows_makes_the_tagger_doubt_it_is_no_name():
    seen, unseen = PEOPLE[:4], PEOPLE[4:]
    gold = [(f"التقى {name} أمام القصر في العاصمة", name) for name in seen] + [(f"التقى {noun} أمام القصر في العاصمة", None)
                                                                          for noun in ("الطبيب", "المدير", "الطالب", "السائق")]  # fmt: skip
    texts = [text for text, _ in gold]
    spans = [[EntitySpan(text.index(name), text.index(name) + len(name), "PER", name)] if name else [] for text, name in gold]
    settings = TaggerSettings(clusters=SMALL, max_iterations=50)
    clusters = word_clusters(texts + _unlabelled(), settings)
    assert clusters is not None
    with_clusters = fit_tagger("entity", texts, spans, settings, clusters=clusters)
    without = fit_tagger("entity", texts, spans, settings, clusters=WordClusters(clusters.sizes, {}, clusters.seen))  # the same cuts
    # a name and a context no gold sentence holds, of words the clusters never saw: only the name's own cluster speaks
    for sentence in (f"حضر {unseen[0]} مبكرا", f"{unseen[1]} غادر البارحة"):
        [(_, doubting)] = with_clusters.tag([sentence])
        [(_, sure)] = without.tag([sentence])
        assert doubting < sure  # its cluster is the gold names' cluster: a task worth an annotator's look
