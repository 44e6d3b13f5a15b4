"""Rows read back from Arrow for the JSONL and CoNLL writers are exactly what Arrow's own
``to_pylist`` gives, whatever the column types, nulls and slicing."""

from __future__ import annotations

import pyarrow as pa
import pytest

from curation.export.codec import batch_rows

BATCH = pa.record_batch(
    {
        "id": pa.array(["s1", "s2", "s3", "s4"]),
        "text": pa.array(["قال الوزير", None, "🇵🇸 خبر", ""]),
        "index": pa.array([0, 1, 2, 3], pa.int32()),
        "stance": pa.array([1, None, 0, None]),
        "tokens": pa.array([["قال", "الوزير"], [], ["🇵🇸", "خبر"], ["ـ"]]),
        "maybe_tokens": pa.array([["a"], None, [], ["b"]]),
        "ner_tags": pa.array([[1, 0], [], [0, 0], [2]]),
        "entities": pa.array([[{"start": 0, "end": 3, "label": 1}], [], None, []]),
        "score": pa.array([0.5, float("nan"), None, 1.0]),
    }
)


@pytest.mark.parametrize(("offset", "length"), [(0, 4), (1, 2), (3, 1), (0, 0)])
def test_batch_rows_equal_arrows_own_python_rows(offset: int, length: int) -> None:
    """Compared by repr: NaN is not equal to itself, but must come back as NaN."""
    part = BATCH.slice(offset, length)
    assert repr(batch_rows(part)) == repr(part.to_pylist())
    filtered = part.filter(pa.array([i % 2 == 0 for i in range(part.num_rows)], pa.bool_()))
    assert repr(batch_rows(filtered)) == repr(filtered.to_pylist())
