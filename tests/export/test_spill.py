"""Rows wait for their split on disk: back in order, in the batches they went in, as often as asked."""

from __future__ import annotations

from pathlib import Path

from datasets import ClassLabel, Features, Value

from curation.export.spill import RowSpill, spilled_batches

FEATURES = Features({"id": Value("string"), "text": Value("string"), "topic": ClassLabel(names=["sport", "economy"])})


def test_rows_come_back_in_order_label_ids_in_the_batches_they_went_in(tmp_path: Path) -> None:
    spill = RowSpill(tmp_path / "articles.arrow", FEATURES, batch_rows=4)
    rows = [{"id": f"a{i}", "text": "مباراة " * i, "topic": ("sport", "economy", None)[i % 3]} for i in range(10)]
    for row in rows:
        spill.add(row)
    spill.finish()
    for _ in range(2):  # one pass per split
        batches = list(spilled_batches(spill.path))
        assert [b.num_rows for b in batches] == [4, 4, 2]
        ids = {"sport": 0, "economy": 1, None: None}
        assert [r for b in batches for r in b.to_pylist()] == [{**row, "topic": ids[row["topic"]]} for row in rows]
    assert spill.num_rows == 10
