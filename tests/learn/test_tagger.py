"""The entity tagger: clitic-split pieces, the gazetteer as a feature, a confidence per sentence."""

from __future__ import annotations

from curation.learn.tagger import TaggerSettings, fit_tagger, pieces
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


def test_a_word_is_cut_into_its_conjunction_preposition_and_stem():
    text = "وبالقاهرة و في"
    assert [text[start:end] for start, end in pieces(text)] == ["و", "ب", "القاهرة", "و", "في"]


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
