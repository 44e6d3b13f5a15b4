"""Label names <-> ClassLabel ids through nested dataset features, compiled once per column.

Rows are built with label names (what JSONL and CoNLL show); Parquet stores ClassLabel ids.
``datasets.Features.encode_example`` does this too, but one Python call per tag of every token
is the slowest step of a corpus-sized export, so each column's converter is compiled once here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyarrow as pa
from datasets import ClassLabel, Features, LargeList, List, Sequence

Convert = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _compile(feature: Any, to_ids: bool) -> Convert:
    """The converter of one feature: :func:`_identity` where no label sits inside it."""
    if isinstance(feature, ClassLabel):
        return _label_converter(feature, to_ids)
    if isinstance(feature, List | LargeList | Sequence):
        return _list_converter(feature.feature, to_ids)
    if isinstance(feature, dict):
        return _struct_converter(feature, to_ids)
    return _identity


def _label_converter(feature: ClassLabel, to_ids: bool) -> Convert:
    names = list(feature.names)
    table: dict[Any, Any] = {n: i for i, n in enumerate(names)} if to_ids else dict(enumerate(names))
    what = "label" if to_ids else "label id"

    def convert_label(value: Any) -> Any:
        if value is None:
            return None
        try:
            return table[value]
        except KeyError:
            raise ValueError(f"{what} {value!r} is not one of {names}") from None

    return convert_label


def _list_converter(item: Any, to_ids: bool) -> Convert:
    inner = _compile(item, to_ids)
    if inner is _identity:
        return _identity
    return lambda values: None if values is None else [inner(v) for v in values]


def _struct_converter(feature: dict[str, Any], to_ids: bool) -> Convert:
    fields = {name: _compile(sub, to_ids) for name, sub in feature.items()}
    if all(f is _identity for f in fields.values()):
        return _identity
    return lambda value: None if value is None else {k: fields[k](v) for k, v in value.items()}


def row_encoder(features: Features) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A function turning a row with label names into one with ClassLabel ids."""
    return _row_converter(features, to_ids=True)


def row_decoder(features: Features) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A function turning a row with ClassLabel ids back into one with label names."""
    return _row_converter(features, to_ids=False)


def _row_converter(features: Features, to_ids: bool) -> Callable[[dict[str, Any]], dict[str, Any]]:
    active = {name: c for name, f in features.items() if (c := _compile(f, to_ids)) is not _identity}

    def convert(row: dict[str, Any]) -> dict[str, Any]:
        if not active:
            return row
        converted = dict(row)
        for name, column_converter in active.items():
            if name not in row:
                continue
            try:
                converted[name] = column_converter(row[name])
            except ValueError as exc:
                raise ValueError(f"row {row.get('id')!r}, column {name!r}: {exc}") from None
        return converted

    return convert


def batch_rows(batch: pa.RecordBatch) -> list[dict[str, Any]]:
    """The batch's rows as Python dicts, equal to ``batch.to_pylist()``. Arrow builds every string
    of ``to_pylist`` through a scalar object (about 2 µs each: most of a JSONL export's time, for
    the token lists); strings, and integers and lists without nulls, go through numpy instead,
    ten times faster for strings."""
    columns = [_column_values(column) for column in batch.columns]
    return [dict(zip(batch.schema.names, values)) for values in zip(*columns)]


def _column_values(column: pa.Array) -> list[Any]:
    kind = column.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return column.to_numpy(zero_copy_only=False).tolist()  # a null becomes None, as in to_pylist
    if pa.types.is_integer(kind) and not column.null_count:
        return column.to_numpy().tolist()
    if (pa.types.is_list(kind) or pa.types.is_large_list(kind)) and not column.null_count:
        values = _column_values(column.flatten())  # the list items of these rows only, even of a slice
        offsets = column.offsets.to_numpy()
        offsets = (offsets - offsets[0]).tolist()
        return [values[start:end] for start, end in zip(offsets[:-1], offsets[1:])]
    return column.to_pylist()
