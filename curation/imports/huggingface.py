"""Hugging Face datasets: token classification (``tokens`` + ``ner_tags``, a Sequence of
ClassLabel or of tag strings) and text classification (``text`` + ``label``, a ClassLabel).

Rows are read through ``datasets`` itself (a ``Dataset`` object, a ``save_to_disk`` folder, or
anything ``load_dataset`` opens locally); tag names come from the ClassLabel, so ids never have to
be guessed. Token rows go through the same tag hygiene as CoNLL files.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
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


@dataclass(frozen=True, slots=True)
class _Row:
    """A row being read, for its problems to name it (``where:row``)."""

    where: str
    index: int
    problems: list[ImportProblem]

    def report(self, message: str) -> None:
        self.problems.append(ImportProblem(self.where, self.index, message))


def _missing_column(dataset: Dataset, columns: tuple[str, ...], where: str) -> ImportProblem | None:
    for column in columns:
        if column not in dataset.column_names:
            return ImportProblem(where, None, f"no column {column!r} (has: {', '.join(dataset.column_names)})")
    return None


def _name_of(value: Any, names: list[str] | None) -> str:
    """A label as its ClassLabel name when ``value`` is one of its ids, else as written."""
    if names is not None and isinstance(value, int) and 0 <= value < len(names):
        return names[value]
    return str(value)


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
    missing = _missing_column(dataset, (tokens_column, tags_column), where)
    if missing is not None:
        problems.append(missing)
        return
    rows = enumerate(dataset.select_columns([tokens_column, tags_column]))
    yield from token_items(rows, where, source, known, label_map or {}, policy, problems, (tokens_column, tags_column),
                           _names(dataset, tags_column))


def token_items(
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    where: str,
    source: str,
    known: frozenset[str],
    label_map: Mapping[str, str],
    policy: RepairPolicy,
    problems: list[ImportProblem],
    columns: tuple[str, str] = ("tokens", "ner_tags"),
    names: list[str] | None = None,
) -> Iterator[ImportedItem]:
    """An item for each ``(line or row, row)`` of tokens and their tags (a dataset's rows, a JSONL
    file's records); tag problems name the row and the token."""
    tokens_column, tags_column = columns
    for line, row in rows:
        at = _Row(where, line, problems)
        tokens, tags = row.get(tokens_column), row.get(tags_column)
        if not isinstance(tokens, list) or not isinstance(tags, list):
            at.report(f"{tokens_column} and {tags_column} are not both lists: row left out")
            continue
        pairs = _token_tags(tokens, tags, names, at)
        if not pairs:
            continue
        text, offsets = rebuild([clean_token(given) for given, _ in pairs])
        spans = _entity_spans(text, offsets, [tag for _, tag in pairs], known, label_map, policy, at)
        yield ImportedItem(key=f"{Path(where).name}:{line}", text=text, path=where, line=line,
                           answers=(Answer(source, spans),), tokens=tuple(given for given, _ in pairs),
                           token_offsets=tuple(offsets))


def row_tags(rows: Iterable[tuple[int, Mapping[str, Any]]], tags_column: str = "ner_tags",
             names: list[str] | None = None) -> Iterator[tuple[int, str]]:
    """``(line or row, tag name)`` of every tag of token rows: what a schema is drafted from."""
    for line, row in rows:
        tags = row.get(tags_column)
        if isinstance(tags, list):
            yield from ((line, _name_of(tag, names)) for tag in tags)


def dataset_tags(source: str | Path, split: str = "train", tags_column: str = "ner_tags") -> Iterator[tuple[int, str]]:
    """``(row, tag name)`` of every tag of a token-classification dataset."""
    dataset = open_dataset(source, split)
    yield from row_tags(enumerate(dataset.select_columns([tags_column])), tags_column, _names(dataset, tags_column))


def _token_tags(tokens: list[Any], raw_tags: list[Any], names: list[str] | None, at: _Row) -> list[tuple[str, str]]:
    """(token as given, tag name) of a row; unpaired tokens or tags and empty tokens reported and left out."""
    tags = [_name_of(t, names) for t in raw_tags]
    if len(tokens) != len(raw_tags):
        at.report(f"{len(tokens)} tokens but {len(raw_tags)} tags: extra ones left out")
    pairs = []
    for index, (token, tag) in enumerate(zip(tokens, tags, strict=False)):
        if clean_token(str(token)):
            pairs.append((str(token), tag))
        else:
            at.report(f"token {index} {str(token)!r} is empty or only invisible marks: left out with its tag {tag!r}")
    return pairs


def _entity_spans(
    text: str,
    offsets: list[tuple[int, int]],
    tags: list[str],
    known: frozenset[str],
    label_map: Mapping[str, str] | None,
    policy: RepairPolicy,
    at: _Row,
) -> tuple[EntitySpan, ...]:
    """The entity spans a row's tags make in its text, tag problems reported."""
    runs, tag_problems = decode_tags(tags, known, label_map, policy)
    for problem in tag_problems:
        at.report(f"token {problem.token}: {problem.message}")
    return tuple(EntitySpan(offsets[r.first][0], offsets[r.last][1], r.label, text[offsets[r.first][0] : offsets[r.last][1]])
                 for r in runs)


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
    field_columns: Mapping[str, str] | None = None,
) -> Iterator[ImportedItem]:
    """One item per row, its label a choice of ``family``; ``field_columns`` names the columns of
    the fields its unit shows (``{"target": "claim"}``: a stance dataset's claim is the target)."""
    problems = problems if problems is not None else []
    columns = TextColumns(text_column, label_column, dict(field_columns or {}))
    missing = _missing_column(dataset, (text_column, label_column, *columns.fields.values()), where)
    if missing is not None:
        problems.append(missing)
        return
    rows = enumerate(dataset.select_columns([text_column, label_column, *columns.fields.values()]))
    yield from text_items(rows, where, source, family, known, label_map or {}, problems, columns,
                          _names(dataset, label_column))


@dataclass(frozen=True, slots=True)
class TextColumns:
    """Where a labelled text's row keeps its text, its label and the fields its unit shows
    (``{"target": "claim", "title": "headline"}``)."""

    text: str = "text"
    label: str = "label"
    fields: dict[str, str] = field(default_factory=dict)


def text_items(
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    where: str,
    source: str,
    family: str,
    known: frozenset[str],
    label_map: Mapping[str, str],
    problems: list[ImportProblem],
    columns: TextColumns,
    names: list[str] | None = None,
) -> Iterator[ImportedItem]:
    """An item for each ``(line or row, row)`` of labelled texts (a dataset's rows, a CSV or JSONL
    file's records); a missing label or field is reported and the text still imported."""
    for line, row in rows:
        at = _Row(where, line, problems)
        text = row.get(columns.text)
        if not isinstance(text, str):
            at.report(f"{columns.text} is missing or not a string: row left out")
            continue
        labels = _known_labels(row.get(columns.label), names, family, known, label_map, at, columns.label)
        choices = {family: tuple(labels)} if labels else {}
        fields = {key: row[column] for key, column in columns.fields.items() if isinstance(row.get(column), str)}
        for key in sorted(set(columns.fields) - set(fields)):
            at.report(f"{columns.fields[key]} is missing or not a string: no {key} shown")
        yield ImportedItem(key=f"{Path(where).name}:{line}", text=text, path=where, line=line,
                           answers=(Answer(source, choices=choices, spans_checked=False),), fields=fields)


def _known_labels(
    raw: Any, names: list[str] | None, family: str, known: frozenset[str], label_map: Mapping[str, str], at: _Row,
    column: str,
) -> list[str]:
    """The row's label (or list of labels) as names of ``family``; an unknown one is reported and
    left out, and so is a row with none (never read as the word ``None``)."""
    values = raw if isinstance(raw, list) else [raw]
    if not [value for value in values if value is not None and value != ""]:
        at.report(f"no label in {column}: imported without a {family} label")
        return []
    labels = []
    for value in values:
        name = _name_of(value, names)
        label = label_map.get(name, name)
        if label in known:
            labels.append(label)
        else:
            near = next((value for value in sorted(known) if value.casefold() == label.casefold()), None)
            hint = f" (the schema has {near!r}: a label map can rename it)" if near else ""
            at.report(f"unknown {family} label {name!r}{hint}: left out")
    return labels
