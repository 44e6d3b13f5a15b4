"""The entity tagger: clitic-split pieces, the gazetteer as a feature, a confidence per sentence."""

from __future__ import annotations

import pickle

from curation.learn.clusters import ClusterSettings
from curation.learn.tagger import SEEN, Cutter, TaggerSettings, fit_tagger, word_clusters
from curation.preannotate import Gazetteer
from curation.units import EntitySpan

PEOPLE = ["سمير", "نادية", "خالد", "ليلى", "يوسف", "منى", "طارق", "هدى", "كريم", "سلمى", "وائل", "ريم"]
NOUNS = ["الطبيب", "المدير", "الطالب", "المهندس", "السائق", "المعلم", "الحارس", "الموظف", "التاجر", "المحامي", "الباحث"]
TEMPLATES = ["التقى {} بالوزير في العاصمة أمس", "قال {} إن الاجتماع كان مثمرا", "وصل {} إلى المطار صباح اليوم"]


def _sentence(template: str, name: str) -> tuple[str, list[EntitySpan]]:
    text = template.format(name)
    start = text.index(name)
    return text, [EntitySpan(start, start + len(name), "PER", name)] if name in PEOPLE else []


def _listed(names: list[str]) -> Gazetteer:
    gazetteer = Gazetteer(granularity="word")
    for name in names:
        gazetteer.add(name, "PER")
    return gazetteer


def _cut(cutter: Cutter, text: str) -> list[str]:
    return [text[start:end] for start, end in cutter.pieces(text)]


def test_without_counts_a_word_is_cut_into_its_conjunction_preposition_and_stem():
    assert _cut(Cutter(), "وبالقاهرة و في بريطانيا") == ["و", "ب", "القاهرة", "و", "في", "ب", "ريطانيا"]


def test_a_word_seen_often_keeps_letters_its_stem_is_not_seen_with_and_a_rare_one_is_cut():
    cutter = Cutter({"بريطانيا": 40, "واشنطن": 30, "وواشنطن": 5, "بالقاهرة": 4, "القاهرة": 50, "فيها": 20, "لندن": 30})
    assert _cut(cutter, "بريطانيا وواشنطن وبالقاهرة فيها ولندن") == ["بريطانيا", "و", "واشنطن", "و", "ب", "القاهرة", "فيها", "و", "لندن"]
    assert _cut(Cutter({"بريطانيا": SEEN - 1}), "بريطانيا ولندن") == ["ب", "ريطانيا", "و", "ل", "ندن"]  # seen too seldom, or not at all


# a pool where بريطانيا is a word of its own and وواشنطن is و + واشنطن
POOL = [f"{sentence} {filler}" for sentence in ("زار الوفد بريطانيا أمس", "وصل الوزير إلى واشنطن اليوم", "غادر السفير وواشنطن تراقب")
        for filler in ("صباحا", "مساء", "ليلا", "ظهرا")]  # fmt: skip
PLACES = TaggerSettings(clusters=ClusterSettings(sizes=(2, 4), dimensions=4, min_count=1, contexts=60), max_iterations=30)


def test_the_pool_the_clusters_read_decides_the_cut_and_a_pickled_tagger_cuts_the_same_way():
    clusters = word_clusters(POOL, PLACES)
    assert clusters is not None and clusters.seen["بريطانيا"] == 4
    text = "زار الوفد بريطانيا ووصل إلى واشنطن وواشنطن تراقب"
    spans = [EntitySpan(start, start + len(name), "LOC", name) for name, start in (("بريطانيا", 10), ("واشنطن", 28), ("واشنطن", 36))]
    tagger = fit_tagger("entity", [text] * 3, [spans] * 3, PLACES, clusters=clusters)
    assert _cut(tagger.maker.cutter, text)[2:5] == ["بريطانيا", "و", "وصل"]  # وصل is seen nowhere: cut
    assert _cut(tagger.maker.cutter, text)[-3:] == ["و", "واشنطن", "تراقب"]
    again = pickle.loads(pickle.dumps(tagger))
    assert _cut(again.maker.cutter, text) == _cut(tagger.maker.cutter, text)
    assert again.tag([text]) == tagger.tag([text])
    assert [span.text for span, _ in tagger.tag([text])[0][0]] == ["بريطانيا", "واشنطن", "واشنطن"]


def test_with_one_gazetteer_per_training_text_a_listed_name_never_seen_is_found_with_more_confidence():
    half = len(PEOPLE) // 2
    gold = [_sentence(template, word) for pair in zip(PEOPLE[:-1], NOUNS, strict=True) for word in pair for template in TEMPLATES]
    folds = [_listed(PEOPLE[:half]), _listed(PEOPLE[half:-1])]  # each text sees the names of the other fold only
    per_text = [folds[index % 2] for index in range(len(gold))]
    tagger = fit_tagger("entity", [text for text, _ in gold], [spans for _, spans in gold], TaggerSettings(), per_text)
    unseen = TEMPLATES[1].format("عمرو")
    [(found, confidence)] = tagger.tag([unseen], _listed(["عمرو"]))
    assert [(span.text, span.label) for span, _ in found] == [("عمرو", "PER")]
    assert 0 < confidence <= 1
    [(_, unsure)] = tagger.tag([unseen])
    assert unsure < confidence  # the list makes the tagger surer of a name it never saw


def test_a_text_with_no_word_is_tagged_with_nothing_and_full_confidence():
    gold = [_sentence(template, name) for name in PEOPLE for template in TEMPLATES]
    tagger = fit_tagger("entity", [text for text, _ in gold], [spans for _, spans in gold], TaggerSettings(max_iterations=20))
    assert tagger.tag(["", "   "]) == [([], 1.0), ([], 1.0)]


def test_a_text_is_as_sure_as_its_whole_tagging_so_less_than_of_the_name_in_it():
    gold = [_sentence(template, word) for pair in zip(PEOPLE[:-1], NOUNS, strict=True) for word in pair for template in TEMPLATES]
    tagger = fit_tagger("entity", [text for text, _ in gold], [spans for _, spans in gold], TaggerSettings(max_iterations=50))
    [(found, confidence)] = tagger.tag([TEMPLATES[1].format("عمرو")])
    assert [span.text for span, _ in found] == ["عمرو"]
    assert 0 < confidence < min(score for _, score in found)  # every other piece's doubt counts too
