"""Tokens and BIO tags agree exactly with entity spans on Arabic, clitics included."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from curation.export.tokenize import bio_tagging, count_boundary_splits, token_texts, tokenize
from curation.units import EntitySpan


def entity(text: str, surface: str, label: str, occurrence: int = 0) -> EntitySpan:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(surface, start + 1)
    return EntitySpan(start, start + len(surface), label, surface)


def decode(text: str, tokens, tags) -> list[EntitySpan]:
    """Character spans back from BIO tags: what a model trained on the tags would predict."""
    spans: list[list] = []
    for token, tag in zip(tokens, tags, strict=True):
        if tag.startswith("B-"):
            spans.append([token.start, token.end, tag[2:]])
        elif tag.startswith("I-"):
            assert spans and spans[-1][2] == tag[2:], f"I- tag without its B-: {tag} on {token.text}"
            spans[-1][1] = token.end
    return [EntitySpan(s, e, label, text[s:e]) for s, e, label in spans]


def test_clitic_conjunction_is_split_off_the_entity() -> None:
    text = "بحث الوزير التعاون بين وواشنطن وباماكو"
    spans = [entity(text, "واشنطن", "GPE"), entity(text, "باماكو", "GPE")]
    tagging = bio_tagging(text, spans)
    pairs = [(t.text, tag) for t, tag in zip(tagging.tokens, tagging.tags, strict=True)]
    assert pairs[-4:] == [("و", "O"), ("واشنطن", "B-GPE"), ("و", "O"), ("باماكو", "B-GPE")]
    assert tagging.boundary_splits == 2
    assert decode(text, tagging.tokens, tagging.tags) == spans


def test_prepositions_and_multiword_entities() -> None:
    text = "استعان بالجيش المالي وفدٌ من الولايات المتحدة الأمريكية، بحسب رويترز."
    spans = [
        entity(text, "الجيش المالي", "ORG"),
        entity(text, "الولايات المتحدة الأمريكية", "GPE"),
        entity(text, "رويترز", "ORG"),
    ]
    tagging = bio_tagging(text, spans)
    tags = dict(zip((t.text for t in tagging.tokens), tagging.tags, strict=False))
    assert tags["ب"] == "O" and tags["الجيش"] == "B-ORG" and tags["المالي"] == "I-ORG"
    assert tags["الولايات"] == "B-GPE" and tags["الأمريكية"] == "I-GPE" and tags["،"] == "O"
    assert tagging.boundary_splits == 1  # only "بالجيش" is cut (ب|الجيش): the others start at word edges
    assert decode(text, tagging.tokens, tagging.tags) == spans


def test_diacritics_stay_inside_their_word_and_punctuation_stands_alone() -> None:
    text = "قالَ مُحمَّدٌ: «نعم»!"
    assert [t.text for t in tokenize(text)] == ["قالَ", "مُحمَّدٌ", ":", "«", "نعم", "»", "!"]


def test_emoji_sequences_are_one_token_each_never_code_points() -> None:
    text = "👍🏽 رحّب 👨\u200d👩\u200d👧 أهالي 🇲🇱 باماكو 😀😀"
    assert token_texts(text) == ["👍🏽", "رحّب", "👨\u200d👩\u200d👧", "أهالي", "🇲🇱", "باماكو", "😀", "😀"]
    tagging = bio_tagging(text, [entity(text, "باماكو", "GPE")])
    assert [t.text for t in tagging.tokens][4:6] == ["🇲🇱", "باماكو"] and tagging.tags[4:6] == ("O", "B-GPE")


def test_entity_ending_inside_a_token_splits_it_at_the_end_too() -> None:
    text = "زار السيسيُّ القاهرةَ"
    span = EntitySpan(4, 10, "PER", "السيسي")  # the annotator left the case ending out
    tagging = bio_tagging(text, [span])
    assert [t.text for t in tagging.tokens] == ["زار", "السيسي", "ُّ", "القاهرةَ"]
    assert tagging.tags == ("O", "B-PER", "O", "O")
    assert count_boundary_splits(text, [span]) == 1


def test_overlapping_spans_are_reported_not_tagged_twice() -> None:
    text = "جامعة القاهرة عريقة"
    outer, inner = EntitySpan(0, 13, "ORG", "جامعة القاهرة"), EntitySpan(6, 13, "GPE", "القاهرة")
    tagging = bio_tagging(text, [inner, outer])
    assert tagging.tags == ("B-ORG", "I-ORG", "O")
    assert tagging.overlapping == (inner,)


WORDS = ["وواشنطن", "بباماكو", "الجيش", "مالي", "،", "«القاعدة»", "2025", "Reuters", "للأمم", "المتحدة."]


@st.composite
def text_and_spans(draw: st.DrawFn) -> tuple[str, list[EntitySpan]]:
    text = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=12)))
    cuts = sorted(draw(st.sets(st.integers(0, len(text)), max_size=8)))
    spans = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        piece = text[start:end]
        if piece.strip() != piece or not piece:  # annotators' spans are trimmed (see curation.agreement)
            continue
        spans.append(EntitySpan(start, end, draw(st.sampled_from(["PER", "GPE"])), piece))
    return text, spans


@given(text_and_spans())
def test_tags_decode_back_to_exactly_the_spans(case: tuple[str, list[EntitySpan]]) -> None:
    text, spans = case
    tagging = bio_tagging(text, spans)
    for token in tagging.tokens:
        assert text[token.start : token.end] == token.text and token.text.strip() == token.text
    assert "".join(t.text for t in tagging.tokens) == "".join(text.split())
    assert decode(text, tagging.tokens, tagging.tags) == spans


@given(text_and_spans())
def test_boundary_splits_count_every_boundary_strictly_inside_a_word(case: tuple[str, list[EntitySpan]]) -> None:
    text, spans = case
    boundaries = {offset for span in spans for offset in (span.start, span.end)}
    inside = sum(1 for b in boundaries for t in tokenize(text) if t.start < b < t.end)
    assert count_boundary_splits(text, spans) == inside


@given(text_and_spans())
def test_token_texts_are_the_uncut_tokens(case: tuple[str, list[EntitySpan]]) -> None:
    text, _ = case
    assert token_texts(text) == [token.text for token in tokenize(text)]
