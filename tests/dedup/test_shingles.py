"""Shingles: computed for a whole part at once, they are each text's own."""

from __future__ import annotations

import numpy as np
import pytest

from curation.dedup import shingles
from curation.dedup.shingles import TokenHasher, shingle_sets, text_shingles, word_tokens
from tests.dedup.conftest import OTHER_STORY, STORY


@pytest.mark.parametrize("chunk_words", [1 << 17, 7])
def test_a_part_at_once_gives_each_texts_own_shingles(chunk_words: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shingles, "CHUNK_WORDS", chunk_words)  # one pass, or a pass every few texts
    texts = [STORY, "", "كلمة", "ثلاث كلمات فقط", OTHER_STORY, "تكرار تكرار تكرار تكرار تكرار تكرار تكرار"]
    hasher = TokenHasher()
    flat, offsets = shingle_sets([hasher(word_tokens(t)) for t in texts], 5)
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
