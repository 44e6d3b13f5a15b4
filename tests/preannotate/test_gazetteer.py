"""Gazetteer matching the Arabic way, judged by precision: proclitics و ف (and, when asked for, ب ك ل)
are read off (the article never is by default: الرئيس is not ال + a name رئيس), the span covers the
name only at symbol granularity and the whole word at word granularity; alef/ta marbuta forms,
diacritics and tatweel do not matter (ى/ي when asked for), but a one-word name never matches a function
word (على is not علي); names match whole words only, longest first. Bad gazetteer lines are reported
with file and line."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curation.imports.model import ImportProblem
from curation.preannotate import Gazetteer, MatchRules, load_gazetteer, stems

LABELS = ["PER", "ORG", "GPE", "LOC"]


EVERY_CLITIC = MatchRules(prepositions=True, bare_prepositions=True, fold_alef_maksura=True)


def gazetteer(*entries: tuple[str, str], rules: MatchRules = EVERY_CLITIC) -> Gazetteer:
    found = Gazetteer(rules=rules)
    for name, label in entries:
        assert found.add(name, label) is None
    return found


def marked(found: Gazetteer, text: str) -> list[tuple[str, str]]:
    spans = found.match(text)
    assert all(text[span.start : span.end] == span.text for span in spans)
    return [(span.text, span.label) for span in spans]


PLACES = gazetteer(("القاهرة", "GPE"), ("مصر", "GPE"), ("الولايات المتحدة", "GPE"), ("بغداد", "GPE"),
                   ("لندن", "GPE"), ("الأمم المتحدة", "ORG"), ("الأمم", "ORG"), ("كندا", "GPE"))


@pytest.mark.parametrize(("word", "name"), [
    ("القاهرة", "القاهرة"),
    ("والقاهرة", "القاهرة"), ("فالقاهرة", "القاهرة"), ("بالقاهرة", "القاهرة"), ("كالقاهرة", "القاهرة"),
    ("وبالقاهرة", "القاهرة"), ("فبالقاهرة", "القاهرة"), ("وكالقاهرة", "القاهرة"),
    ("للقاهرة", "لقاهرة"),  # ل + ال drops the alef: the span is the article's lam and the name
    ("وللقاهرة", "لقاهرة"),
    ("ومصر", "مصر"), ("بمصر", "مصر"), ("لمصر", "مصر"), ("فلمصر", "مصر"),
    ("بغداد", "بغداد"), ("ببغداد", "بغداد"), ("وللندن", "لندن"), ("كندا", "كندا"), ("وكندا", "كندا"),
])
def test_proclitics_are_read_off_and_the_span_is_the_name(word: str, name: str) -> None:
    text = f"قال المسؤول {word} أمس."
    assert marked(PLACES, text) == [(name, "GPE")]


def test_spelling_variants_diacritics_and_tatweel_do_not_matter() -> None:
    text = "وَبِالْقَاهِرَةِ و بالقاهره وبالقـــاهرة والامم المتحده"
    assert marked(PLACES, text) == [("الْقَاهِرَةِ", "GPE"), ("القاهره", "GPE"), ("القـــاهرة", "GPE"),
                                     ("الامم المتحده", "ORG")]
    yes = gazetteer(("مستشفى", "FAC"), ("إسطنبول", "GPE"))
    assert marked(yes, "بمستشفي في اسطنبول") == [("مستشفي", "FAC"), ("اسطنبول", "GPE")]


def test_longest_name_wins_and_clitics_only_on_the_first_word() -> None:
    text = "وللولايات المتحدة ووفد من الأمم المتحدة وبالأمم."
    assert marked(PLACES, text) == [("لولايات المتحدة", "GPE"), ("الأمم المتحدة", "ORG"), ("الأمم", "ORG")]
    # a clitic on an inner word is not read off: «المتحدة» is the name's word, «والمتحدة» is not
    assert marked(PLACES, "الولايات والمتحدة") == []


def test_a_gazetteer_that_has_matched_pickles_and_matches_the_same_after_loading() -> None:
    """A saved model (`curation train`) and a pipeline step sent to a worker hold one."""
    text = "وَبِالْقَاهِرَةِ و بالقاهره  والامم المتحده وللندن"
    before = marked(PLACES, text)
    assert marked(pickle.loads(pickle.dumps(PLACES)), text) == before != []


def test_names_match_whole_words_only() -> None:
    assert marked(PLACES, "القاهرةالجديدة مصرف مصري بغدادي كنداوي") == []
    assert marked(gazetteer(("ليبيا", "GPE")), "قال وليبيا") == [("ليبيا", "GPE")]
    short = gazetteer(("أب", "GPE"), ("لي", "PER"))  # two-letter names: whole words only
    assert marked(short, "باب الأب لي ولي إب") == [("لي", "PER"), ("إب", "GPE")]


def test_punctuation_bidi_marks_and_quotes_around_names() -> None:
    text = "«بالقاهرة»، \u200fومصر\u200f و'لندن' (بغداد)."
    assert marked(PLACES, text) == [("القاهرة", "GPE"), ("مصر", "GPE"), ("لندن", "GPE"), ("بغداد", "GPE")]
    assert marked(PLACES, "الأمم، المتحدة") == [("الأمم", "ORG")]  # a comma is not the name's space


def test_offsets_are_code_points_after_emoji() -> None:
    text = "👨\u200d👩\u200d👧 🇪🇬 وبالقاهرة"
    (span,) = PLACES.match(text)
    assert text[span.start : span.end] == "القاهرة" and span.start == len(text) - len("القاهرة")


def test_stems_try_the_whole_word_first() -> None:
    assert next(stems("بغداد")) == ("بغداد", 0)
    assert ("القاهره", 2) in list(stems("وبالقاهره", EVERY_CLITIC)) and ("قاهره", 4) not in list(stems("وبالقاهره", EVERY_CLITIC))
    assert ("قاهره", 4) in list(stems("وبالقاهره", MatchRules(prepositions=True, article=True)))
    assert ("القاهره", 2) not in list(stems("وبالقاهره"))  # the defaults read no preposition off


def test_by_default_only_conjunctions_are_read_off_as_the_bench_shows() -> None:
    found = gazetteer(("القاهرة", "GPE"), ("مصر", "GPE"), ("مستشفى", "FAC"), rules=MatchRules())
    assert marked(found, "والقاهرة بالقاهرة ومصر بمصر مستشفي") == [("القاهرة", "GPE"), ("مصر", "GPE")]
    bare_off = gazetteer(("ديل", "PER"), ("القاهرة", "GPE"), rules=MatchRules(prepositions=True))
    assert marked(bare_off, "بديل بالقاهرة") == [("القاهرة", "GPE")]  # بديل is "alternative", not ب + ديل


def test_the_article_is_not_read_off_a_word_to_reach_a_name_written_without_it() -> None:
    found = gazetteer(("رئيس", "PER"), ("مصر", "GPE"))
    assert marked(found, "قال الرئيس إن المصر والرئيس وبالرئيس") == []  # ال|رئيس: never a span inside a word
    assert marked(found, "قال رئيس ومصر") == [("رئيس", "PER"), ("مصر", "GPE")]
    article = Gazetteer(rules=MatchRules(article=True))
    article.add("رئيس", "PER")
    assert marked(article, "الرئيس") == [("رئيس", "PER")]  # the old reading, only when asked for


def test_a_one_word_name_never_matches_a_function_word() -> None:
    ali = gazetteer(("علي", "PER"))
    assert marked(ali, "وقع على الاتفاق علي وعلى") == [("علي", "PER")]  # ى/ي folded, but على is a preposition
    assert marked(ali, "على بن أبي طالب") == []
    assert marked(gazetteer(("علي بن أبي طالب", "PER")), "على بن أبى طالب") == [("على بن أبى طالب", "PER")]
    assert marked(gazetteer(("مستشفى", "FAC")), "بمستشفي") == [("مستشفي", "FAC")]  # folding kept on names
    refused = Gazetteer(rules=EVERY_CLITIC)
    assert "function word" in (refused.add("على", "PER") or "") and "function word" in (refused.add("كان", "GPE") or "")
    assert len(refused) == 0 and refused.add("أم درمان", "GPE") is None  # a function word may open a longer name


def test_word_granularity_spans_cover_the_whole_word() -> None:
    words = Gazetteer(granularity="word", rules=EVERY_CLITIC)
    for name, label in (("القاهرة", "GPE"), ("الأمم المتحدة", "ORG")):
        words.add(name, label)
    assert marked(words, "وبالقاهرة وللأمم المتحدة") == [("وبالقاهرة", "GPE"), ("وللأمم المتحدة", "ORG")]
    with pytest.raises(ValueError, match="granularity"):
        Gazetteer(granularity="token")


def test_gazetteer_files_report_every_bad_line_and_keep_the_rest(tmp_path: Path) -> None:
    tsv = tmp_path / "places.tsv"
    tsv.write_bytes("\ufeff# places\r\nالقاهرة\tGPE\r\nدمشق GPE\r\nرويترز\tAGENCY\r\nمحمد\tPERS\r\n"
                    "القاهره\tLOC\r\n...\tGPE\r\nبيروت\tMISC\r\n\r\nعمّان\tGPE\r\nعلى\tPER\r\n".encode())
    patterns = tmp_path / "orgs.jsonl"
    patterns.write_text("\n".join([json.dumps({"label": "ORG", "pattern": "الأمم المتحدة"}, ensure_ascii=False),
                                   json.dumps({"label": "ORG", "pattern": [{"LOWER": "un"}]}),
                                   "{not json", '"just a string"']) + "\n", encoding="utf-8")
    problems: list[ImportProblem] = []
    found = load_gazetteer([tsv, patterns, tmp_path / "missing.tsv"], LABELS, problems, {"PERS": "PER", "MISC": "O"})
    where = {(Path(p.path).name, p.line): p.message for p in problems}
    assert set(where) == {("places.tsv", 3), ("places.tsv", 4), ("places.tsv", 6), ("places.tsv", 7), ("places.tsv", 11),
                          ("orgs.jsonl", 2), ("orgs.jsonl", 3), ("orgs.jsonl", 4), ("missing.tsv", None)}
    assert "'AGENCY' is not a value" in where[("places.tsv", 4)]
    assert "already listed as GPE" in where[("places.tsv", 6)]
    assert "function word" in where[("places.tsv", 11)]
    assert "token patterns are not supported" in where[("orgs.jsonl", 2)]
    assert len(found) == 4  # القاهرة, محمد (PERS -> PER), عمّان, الأمم المتحدة; بيروت dropped on purpose (MISC: O)
    assert marked(found, "ومحمد في عمان مع الأمم المتحدة وبيروت") == [("محمد", "PER"), ("عمان", "GPE"),
                                                                       ("الأمم المتحدة", "ORG")]
    assert found.digest and found.digest != load_gazetteer([tsv], LABELS, [], {}).digest


def test_the_version_follows_the_names_not_the_file_order() -> None:
    one = gazetteer(("القاهرة", "GPE"), ("مصر", "GPE"))
    assert one.digest == gazetteer(("مصر", "GPE"), ("القاهرة", "GPE")).digest
    assert one.digest != gazetteer(("القاهرة", "GPE"), ("مصر", "LOC")).digest


CORPORA = Path(__file__).resolve().parents[2] / "../shared/corpora"  # beside the checkout


def wikifane_names(limit: int) -> list[str]:
    """The first ``limit`` distinct gold names of WikiFANE (tokens of a B- and its I- tags)."""
    import gzip

    names: dict[str, None] = {}
    current: list[str] = []
    with gzip.open(CORPORA / "wikifane-gold-2014.txt.gz", "rt", encoding="utf-8-sig") as handle:
        for line in handle:
            token, _, tag = line.rstrip("\r\n").partition("\t")
            token, tag = token.replace("\u200e", "").strip(), tag.strip()
            if current and not tag.startswith("I-"):
                names[" ".join(current)] = None
                current = []
            if tag.startswith(("B-", "I-")) and token:
                current.append(token)
            if len(names) >= limit:
                break
    return list(names)


def every_word_walked(found: Gazetteer, text: str) -> list[tuple[int, int, str]]:
    """The matcher without its shortcuts: the longest name through every reading of every word not
    inside the last match."""
    from curation.preannotate.gazetteer import WORD

    found.match(text)  # every word of the text learned
    spans: list[tuple[int, int, str]] = []
    for word in WORD.finditer(text):
        best = found._longest(text, word.end(), found._starts.get(word.group(), ())) if word.start() >= (
            spans[-1][1] if spans else 0) else None
        if best is not None:
            spans.append((word.start(), best[0], best[2]))
    return spans


@pytest.mark.parametrize("rules", [MatchRules(), EVERY_CLITIC], ids=["defaults", "every clitic"])
def test_on_real_news_the_matcher_finds_exactly_what_walking_every_word_finds(rules: MatchRules) -> None:
    """Which words are worth walking is worked out from per-word codes (bench/gazetteer.py's speed):
    on ANT's news with WikiFANE's names, that choice never loses or moves a span."""
    import gzip

    found = Gazetteer(granularity="word", rules=rules)
    labels = ["PER", "ORG", "LOC"]
    for number, name in enumerate(wikifane_names(6000)):
        found.add(name, labels[number % 3])
    with gzip.open(CORPORA / "ant-v2.1.jsonl.gz", "rt", encoding="utf-8") as handle:
        texts = [json.loads(line)["text"] for line, _ in zip(handle, range(400), strict=False)]
    matched = 0
    for text in texts:
        spans = [(span.start, span.end, span.label) for span in found.match(text)]
        assert spans == every_word_walked(found, text), text[:80]
        matched += len(spans)
    assert matched > 1000  # the comparison saw real matches, one and several words long


def test_each_word_of_a_listed_name_gives_the_labels_of_the_names_it_is_part_of_normalised_and_kept_current():
    found = gazetteer(("جامعة القاهرة", "ORG"), ("القاهرة", "GPE"), ("أحمد زويل", "PER"))
    assert found.name_words() == {"جامعه": "ORG", "القاهره": "GPE|ORG", "احمد": "PER", "زويل": "PER"}  # ة/ه, أ/ا folded
    found.add("جامعة بغداد", "ORG")
    assert found.name_words()["بغداد"] == "ORG"


# Texts made of the names' words and their neighbours, each written any way Arabic news may write it
# (a proclitic, the article, a mark or tatweel inside, another alef, ى for ي), between any separators
# (one or two spaces, the punctuation a text is cut at and other punctuation, a newline, nothing).
NAMES = (("القاهرة", "GPE"), ("مصر", "GPE"), ("الأمم المتحدة", "ORG"), ("الأمم", "ORG"), ("علي", "PER"),
         ("أبو ظبي", "GPE"), ("علي بن أبي طالب", "PER"), ("جامعة - القاهرة", "ORG"), ("مصر، القاهرة", "LOC"),
         ("رئيس", "PER"), ("كان", "PER"), ("بن", "PER"))
POOL = ("القاهرة", "مصر", "الأمم", "المتحدة", "علي", "على", "أبو", "ظبي", "بن", "أبي", "طالب", "جامعة",
        "رئيس", "الرئيس", "كان", "قال", "في")
SEPARATORS = (" ", " ", " ", "  ", "، ", "،", ". ", ".", '"', " - ", "-", "\n", " (", ") ", "«", "»", "")


@st.composite
def written(draw: st.DrawFn) -> str:
    word = draw(st.sampled_from(POOL))
    if draw(st.booleans()):
        word = word.replace("أ", draw(st.sampled_from("اإآ"))).replace("ي", draw(st.sampled_from("يى")))
    if len(word) > 1 and draw(st.booleans()):
        at = draw(st.integers(1, len(word) - 1))
        word = word[:at] + draw(st.sampled_from(["\u064e", "\u0651", "\u0640", "\u064b\u0651", "\u200c"])) + word[at:]
    return draw(st.sampled_from(["", "", "", "و", "ف", "ب", "ل", "وب", "لل", "ال"])) + word


news_like = st.lists(st.tuples(written(), st.sampled_from(SEPARATORS)), max_size=25).map(
    lambda pieces: "".join(word + separator for word, separator in pieces))


def brute_force(found: Gazetteer, text: str) -> list[tuple[int, int, str]]:
    """What the rules say, with none of the matcher's machinery (no trie, tokens, codes or caches): at each
    word not inside the last match, every reading of it (:func:`stems`) and every number of words after
    it looked up whole in the gazetteer's names, the longest kept (the first reading on a tie)."""
    from curation.normalize import normalize_text
    from curation.preannotate.gazetteer import WORD

    options, guard = found.rules.options(), found.rules.guard_options()
    words = list(WORD.finditer(text))
    spans: list[tuple[int, int, str]] = []
    for i, word in enumerate(words):
        if spans and word.start() < spans[-1][1]:
            continue
        best: tuple[int, int, str] | None = None
        for form, skipped in stems(normalize_text(word.group(), options), found.rules):
            steps: tuple[tuple[str, str], ...] = ()
            for j in range(i, len(words)):
                if j > i:
                    steps += ((normalize_text(text[words[j - 1].end():words[j].start()], options),
                               normalize_text(words[j].group(), options)),)
                label = found.labels.get((form, steps))
                if label and (steps or found._may_end(normalize_text(word.group(), guard), skipped, form)) and (
                        best is None or words[j].end() > best[1]):
                    start = word.start() if not skipped or found.granularity == "word" else \
                        found._clitics_end(word.group(), word.start(), skipped)
                    best = (start, words[j].end(), label)
        if best:
            spans.append(best)
    return spans


@pytest.mark.parametrize("granularity", ["symbol", "word"])
@pytest.mark.parametrize("rules", [MatchRules(), EVERY_CLITIC, MatchRules(prepositions=True, article=True)],
                         ids=["defaults", "every clitic", "article"])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(news_like, min_size=1, max_size=4))
def test_the_matcher_finds_what_the_rules_say_on_any_text(granularity: str, rules: MatchRules, texts: list[str]) -> None:
    """Cutting texts into tokens at spaces and punctuation, learning tokens, picking the ones to walk from
    their codes and walking the trie never lose or move a span: the same as looking every name up whole
    from every word, over several texts (what one text taught the matcher serves the next)."""
    found = Gazetteer(granularity=granularity, rules=rules)
    for name, label in NAMES:
        found.add(name, label)
    for text in texts:
        assert [(span.start, span.end, span.label) for span in found.match(text)] == brute_force(found, text), text
