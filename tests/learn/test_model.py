"""How sure a prediction is: the score the annotators' queue serves lowest first."""

from __future__ import annotations

import numpy as np
import pytest

from curation.learn.model import certainty


def test_a_single_choice_is_as_sure_as_the_margin_between_its_two_likeliest_labels():
    assert certainty(np.array([0.6, 0.3, 0.1]), False) == pytest.approx(0.3)
    assert certainty(np.array([0.45, 0.1, 0.45]), False) == pytest.approx(0.0)  # a toss-up, whatever the third label


def test_a_toss_up_between_two_labels_comes_before_a_spread_with_a_lower_top_label():
    toss_up, spread = np.array([0.46, 0.46, 0.08]), np.array([0.4, 0.2, 0.2, 0.2])
    assert toss_up.max() > spread.max()  # the top probability would serve the spread first
    assert certainty(toss_up, False) < certainty(spread, False)


def test_a_multiple_choice_is_as_sure_as_its_least_sure_yes_or_no():
    assert certainty(np.array([0.95, 0.3, 0.02]), True) == pytest.approx(0.4)  # 0.3: no, by 0.7 - 0.3
    assert certainty(np.array([0.5, 0.99]), True) == pytest.approx(0.0)
    assert certainty(np.array([1.0, 0.0]), True) == pytest.approx(1.0)
