"""The topic classifier's features: character n-grams inside words of the normalised text, counted a
word at a time, are exactly the n-grams of the whole text."""

from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import HashingVectorizer

from curation.learn.classify import CharNgrams, normalized

TEXTS = [
    "وبالقاهرة أعلن الوزير أن القاهرة ستستضيف القمة",
    "  فاز الفريقُ بالمباراة\tفي   الدوحة،\nوالجمهور احتفل  ",
    "Apple تطلق iPhone جديدا و آبل تقول إن السعر 999 دولارا",
    "",
]


def test_counts_a_word_at_a_time_equal_the_whole_texts_char_wb_ngrams():
    features = CharNgrams((2, 5), n_features=2**18, max_chars=40)
    whole = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 5), n_features=2**18, alternate_sign=False, norm=None,
                              preprocessor=lambda text: normalized(text, 40))  # fmt: skip
    assert np.array_equal(features.counts(TEXTS).toarray(), whole.transform(TEXTS).toarray())


def test_a_word_never_seen_in_training_still_has_its_ngrams():
    features = CharNgrams((2, 5), n_features=2**18).fit(TEXTS[:1])
    unseen = features.transform(["بالقاهرة", "كلمة"])
    assert unseen[0].dot(features.transform(TEXTS[:1]).T).toarray()[0, 0] > 0  # shares القاهرة's n-grams
    assert unseen[1].nnz > 0
