"""Hugging Face datasets: token classification (``tokens`` + ``ner_tags``, a Sequence of
ClassLabel or of tag strings) and text classification (``text`` + ``label``, a ClassLabel).

Rows are read through ``datasets`` itself (a ``Dataset`` object, a ``save_to_disk`` folder, or
anything ``load_dataset`` opens locally); tag names come from the ClassLabel, so ids never have to
be guessed. Token rows go through the same tag hygiene as CoNLL files.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curation.imports.align import clean_token, rebuild
from curation.imports.model import Answer, ImportedItem, ImportProblem
from curation.imports.tags import RepairPolicy, decode_tags
from curation.units import EntitySpan

if TYPE_CHECKING:
    from datasets import Dataset


def open_dataset(source: str | Path | Dataset, split: str = "train") -> Dataset:
    """A ``Dataset`` as given, from a ``save_to_disk`` folder, or ``load_dataset(path)[split]``."""
    import datasets

    if isinstance(source, datasets.Dataset):
        return source
    path = Path(source)
    if (path / "dataset_info.json").exists() or (path / "dataset_dict.json").exists():
        loaded = datasets.load_from_disk(str(path))
    else:
        loaded = datasets.load_dataset(str(path))
    if isinstance(loaded, datasets.DatasetDict):
        if split not in loaded:
            raise ValueError(f"{path}: no split {split!r} (has: {', '.join(loaded)})")
        return loaded[split]
    return loaded


def _names(dataset: Dataset, column: str) -> list[str] | None:
    """The ClassLabel names of ``column`` (or of its Sequence items), None for plain strings."""
    feature: Any = dataset.features[column]
    feature = getattr(feature, "feature", feature)
    if isinstance(feature, list):
        feature = feature[0]
    return list(feature.names) if hasattr(feature, "names") else None


def read_token_classification(
    dataset: Dataset,
    where: str,
    source: str,
    known: frozenset[str],
    label_map: Mapping[str, str] | None = None,
    policy: RepairPolicy = "lenient",
    problems: list[ImportProblem] | None = None,
    tokens_column: str = "tokens",
    tags_column: str = "ner_tags",
) -> Iterator[ImportedItem]:
    """One item per row; a problem names the row (``where:row N``) and the token."""
    problems = problems if problems is not None else []
    for column in (tokens_column, tags_column):
        if column not in dataset.column_names:
            problems.append(ImportProblem(where, None, f"no column {column!r} (has: {', '.join(dataset.column_names)})"))
            return
    names = _names(dataset, tags_column)
    for row_index, row in enumerate(dataset.select_columns([tokens_column, tags_column])):
        raw_tags = row[tags_column]
        tags = [names[t] if names is not None and 0 <= t < len(names) else str(t) for t in raw_tags]
        pairs = [(clean_token(str(tok)), tag) for tok, tag in zip(row[tokens_column], tags, strict=False)]
        if len(row[tokens_column]) != len(raw_tags):
            problems.append(ImportProblem(where, row_index, f"{len(row[tokens_column])} tokens but {len(raw_tags)} tags: "
                                          "extra ones left out"))
        pairs = [(tok, tag) for tok, tag in pairs if tok]
        if not pairs:
            continue
        text, offsets = rebuild([tok for tok, _ in pairs])
        runs, tag_problems = decode_tags([tag for _, tag in pairs], known, label_map, policy)
        for problem in tag_problems:
            problems.append(ImportProblem(where, row_index, f"token {problem.token}: {problem.message}"))
        spans = tuple(EntitySpan(offsets[r.first][0], offsets[r.last][1], r.label, text[offsets[r.first][0] : offsets[r.last][1]])
                      for r in runs)
        yield ImportedItem(key=f"{Path(where).name}:{row_index}", text=text, path=where, line=row_index,
                           answers=(Answer(source, spans),))


def read_text_classification(
    dataset: Dataset,
    where: str,
    source: str,
    family: str,
    known: frozenset[str],
    label_map: Mapping[str, str] | None = None,
    problems: list[ImportProblem] | None = None,
    text_column: str = "text",
    label_column: str = "label",
) -> Iterator[ImportedItem]:
    """One item per row, its label a choice of ``family``."""
    problems = problems if problems is not None else []
    label_map = label_map or {}
    for column in (text_column, label_column):
        if column not in dataset.column_names:
            problems.append(ImportProblem(where, None, f"no column {column!r} (has: {', '.join(dataset.column_names)})"))
            return
    names = _names(dataset, label_column)
    for row_index, row in enumerate(dataset.select_columns([text_column, label_column])):
        raw = row[label_column]
        values = raw if isinstance(raw, list) else [raw]
        labels = []
        for value in values:
            name = names[value] if names is not None and isinstance(value, int) and 0 <= value < len(names) else str(value)
            label = label_map.get(name, name)
            if label in known:
                labels.append(label)
            else:
                problems.append(ImportProblem(where, row_index, f"unknown {family} label {name!r}: left out"))
        text = row[text_column]
        if not isinstance(text, str):
            problems.append(ImportProblem(where, row_index, f"{text_column} is not a string: row left out"))
            continue
        choices = {family: tuple(labels)} if labels else {}
        yield ImportedItem(key=f"{Path(where).name}:{row_index}", text=text, path=where, line=row_index,
                           answers=(Answer(source, choices=choices, spans_checked=False),))
