"""Shingles: computed for a whole part at once, they are each text's own."""

from __future__ import annotations

import numpy as np
import pytest

from curation.dedup import shingles
from curation.dedup.shingles import shingle_sets, text_shingles, word_hashes, word_tokens
from tests.dedup.conftest import OTHER_STORY, STORY


@pytest.mark.parametrize("chunk_words", [1 << 17, 7])
def test_a_part_at_once_gives_each_texts_own_shingles(chunk_words: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shingles, "CHUNK_WORDS", chunk_words)  # one pass, or a pass every few texts
    texts = [STORY, "", "كلمة", "ثلاث كلمات فقط", OTHER_STORY, "تكرار تكرار تكرار تكرار تكرار تكرار تكرار"]
    flat, offsets = shingle_sets(word_hashes(texts).per_text(), 5)
    assert len(offsets) == len(texts) + 1
    for number, text in enumerate(texts):
        alone = text_shingles(text)
        assert np.array_equal(flat[offsets[number] : offsets[number + 1]], alone)
        assert np.array_equal(alone, np.unique(alone))  # sorted and distinct
    assert [offsets[n + 1] - offsets[n] for n in range(1, 4)] == [0, 1, 1]  # a short text is one shingle
    assert offsets[6] - offsets[5] == 1  # seven equal words: one distinct window


def test_no_text_at_all_gives_no_shingles() -> None:
    flat, offsets = shingle_sets([], 5)
    assert len(flat) == 0 and offsets.tolist() == [0]


HARD_TEXTS = [
    STORY,
    "",
    "...!؟",
    "كـــتاب مُعَلِّمٌ",  # tatweel and harakat vanish inside a word
    "ﻻ ﷲ … ﬁne",  # presentation forms and ligatures fold to several characters
    "😀 كلمة 𝐀𝐁 abc_d",  # beyond the Basic Multilingual Plane
    "كلمة\u200fأخرى\u200d",  # bidi and joiner marks
    "\ud800 بعد",  # a lone surrogate
    "ÉCOLE straße ٣٤٥ ۶۷",  # case, sharp s, Arabic-Indic and Persian digits
]


@pytest.mark.parametrize("chunk_characters", [1 << 20, 5])
def test_word_hashes_name_the_normalised_words_one_hash_per_word(chunk_characters: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shingles, "CHUNK_CHARACTERS", chunk_characters)
    found = word_hashes(HARD_TEXTS)
    words = [word_tokens(text) for text in HARD_TEXTS]
    assert found.counts.tolist() == [len(w) for w in words]
    named: dict[str, int] = {}
    for text_words, hashes in zip(words, found.per_text()):
        for word, value in zip(text_words, hashes.tolist()):
            assert named.setdefault(word, value) == value  # a word has one hash wherever it is
    assert len(set(named.values())) == len(named)  # and no two words share one
    assert len(set(found.exact.tolist())) == len({" ".join(w) for w in words})  # "" and "...!؟": no words


def test_exact_keys_are_equal_exactly_when_the_words_are() -> None:
    texts = ["قال الوزير اليوم", "قال  الوزير، اليوم!", "قال اليوم الوزير", "قال الوزير"]
    exact = word_hashes(texts).exact.tolist()
    assert exact[0] == exact[1]  # punctuation and spaces are not words
    assert len({exact[0], exact[2], exact[3]}) == 3  # order and length are
