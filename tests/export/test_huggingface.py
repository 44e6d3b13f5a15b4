"""A split streamed into Parquet shards: same bytes whatever the batches, nothing half-written left behind."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from curation.export.huggingface import ROW_GROUP_ROWS, SplitWriter

SCHEMA = pa.schema([("id", pa.string()), ("text", pa.string()), ("index", pa.int32())])
# texts all different and long enough that a row group's column outgrows Parquet's dictionary and
# its pages: where pages are cut must not depend on the batches
SHARD_ROWS = 2 * ROW_GROUP_ROWS + ROW_GROUP_ROWS // 2
ROWS = [{"id": f"u{i}", "text": f"{'خبر ' * (i % 40)}{i:06d}" * 30, "index": i} for i in range(2 * SHARD_ROWS + ROW_GROUP_ROWS)]


def write(folder: Path, batch_rows: int, rows: list[dict] = ROWS) -> SplitWriter:
    with ExitStack() as stack:
        writer = SplitWriter(stack, folder, "articles", "train", len(ROWS), SCHEMA, SHARD_ROWS)
        for start in range(0, len(rows), batch_rows):
            writer.write(pa.RecordBatch.from_pylist(rows[start : start + batch_rows], schema=SCHEMA))
        writer.close()
    return writer


@pytest.mark.parametrize("batch_rows", [1_000, 4_097, len(ROWS)])
def test_shards_and_row_groups_are_cut_at_the_same_rows_whatever_the_batches(tmp_path: Path, batch_rows: int) -> None:
    reference = write(tmp_path / "reference", 2_000).close()
    written = write(tmp_path / "other", batch_rows).close()
    assert [p.name for p in written.files] == [
        "train-00000-of-00003.parquet", "train-00001-of-00003.parquet", "train-00002-of-00003.parquet"
    ]
    assert [p.read_bytes() for p in written.files] == [p.read_bytes() for p in reference.files]
    assert written.num_bytes == reference.num_bytes
    groups = [pq.ParquetFile(p).metadata for p in written.files]
    assert [[m.row_group(i).num_rows for i in range(m.num_row_groups)] for m in groups] == [
        [ROW_GROUP_ROWS, ROW_GROUP_ROWS, ROW_GROUP_ROWS // 2], [ROW_GROUP_ROWS, ROW_GROUP_ROWS, ROW_GROUP_ROWS // 2], [ROW_GROUP_ROWS]
    ]
    rows = [row for p in written.files for row in pq.read_table(p).to_pylist()]
    assert rows == ROWS


def test_a_split_short_of_its_rows_is_an_error_and_leaves_no_unfinished_shard(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=f"expected {len(ROWS)} rows"):
        write(tmp_path, 2_000, ROWS[: SHARD_ROWS + ROW_GROUP_ROWS + 100])  # the second shard has its first row group, not its last
    assert [p.name for p in (tmp_path / "data" / "articles").iterdir()] == ["train-00000-of-00003.parquet"]


def test_more_rows_than_promised_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=f"more than the expected {len(ROWS)} rows"):
        write(tmp_path, 2_000, [*ROWS, ROWS[0]])
