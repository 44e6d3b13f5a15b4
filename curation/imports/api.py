"""``import_corpus``: any supported corpus -> pages, units and labels, with one report.

    >>> report = import_corpus(["ANERCorp.txt"], schema, "imports/anercorp", source="ANERcorp",
    ...                        label_map={"PERS": "PER"})
    >>> report.outputs["units"]        # push it: curation push imports/anercorp.units.jsonl --level sentence
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from curation.imports.conll import TagSurvey, read_conll, survey_tags
from curation.imports.huggingface import (
    TextColumns,
    dataset_tags,
    open_dataset,
    read_text_classification,
    read_token_classification,
    row_tags,
    text_items,
    token_items,
)
from curation.imports.labelstudio import read_labelstudio
from curation.imports.materialize import ImportAs, ImportReport, materialize
from curation.imports.model import ImportedItem, ImportProblem
from curation.imports.records import is_record_file, record_format, record_rows
from curation.imports.tags import RepairPolicy
from curation.progress import SILENT, Progress, counted
from curation.schema import Schema

if TYPE_CHECKING:
    from datasets import Dataset

Format = Literal["conll", "labelstudio", "hf-tokens", "hf-text"]
FORMATS: tuple[str, ...] = ("conll", "labelstudio", "hf-tokens", "hf-text")


def guess_format(path: Path) -> Format:
    """By the file: ``.json`` is a Label Studio export, a folder a Hugging Face dataset, a CSV, TSV
    or JSONL file labelled texts (``hf-text``; a JSONL file of ``tokens`` rows: ``hf-tokens``), else CoNLL."""
    if path.is_dir():
        return "hf-tokens"
    if is_record_file(path):
        return record_format(path)
    return "labelstudio" if path.suffix.lower() == ".json" else "conll"


def _choice_family(schema: Schema, family: str | None, label_field: str) -> str:
    """The family given, else the article-level choice family the label column is named after (a
    ``stance`` column: the ``stance`` family, not the schema's first, ``topic``), else the first one."""
    if family is not None:
        schema.family(family)
        return family
    families = [f.name for f in schema.all_families if f.kind == "choice" and "article" in f.levels]
    found = label_field if label_field in families else next(iter(families), None)
    if found is None:
        raise ValueError(f"schema {schema.name} has no article-level choice family for text classification labels")
    return found


def iter_items(
    inputs: Sequence[str | Path | Dataset],
    schema: Schema,
    *,
    format: Format | None = None,
    source: str = "import",
    label_map: Mapping[str, str] | None = None,
    policy: RepairPolicy = "lenient",
    text_field: str = "text",
    label_field: str = "label",
    family: str | None = None,
    split: str = "train",
    problems: list[ImportProblem],
    fields: Mapping[str, str] | None = None,
) -> Iterator[ImportedItem]:
    """Items of every input in order; problems are appended as they are met. ``fields`` names the
    task data key or column of each field a unit shows beside its text (``{"target": "claim"}``);
    ``label_field`` the column of a labelled text's label (``hf-text``)."""
    readers = _Readers(schema, source, label_map, policy, TextColumns(text_field, label_field, dict(fields or {})),
                       family, split, problems)
    for given in inputs:
        if isinstance(given, str | Path) and _special_file(Path(given)):
            problems.append(ImportProblem(str(given), None, "not a regular file (a FIFO, device or socket): not read"))
            continue  # reading it would block (a FIFO) or never end (/dev/zero)
        kind = format or (guess_format(Path(given)) if isinstance(given, str | Path) else "hf-tokens")
        yield from readers.read(kind, given)


def survey_corpora(paths: Sequence[str | Path]) -> TagSurvey:
    """The labels and noise tags of entity corpora, merged in the order given: CoNLL files, JSONL
    files of token rows and token-classification dataset folders (what ``schema new --from`` drafts
    a schema from); anything else is refused with its cause."""
    survey = TagSurvey()
    for path in map(Path, paths):
        kind = guess_format(path)
        if kind == "conll":
            survey_tags([path], survey)
        elif kind == "hf-tokens" and is_record_file(path):
            for line, tag in row_tags(record_rows(path, [])):  # the import reports bad lines
                survey.add(tag, f"{path}:{line}")
        elif kind == "hf-tokens":
            try:
                tags = list(dataset_tags(path))
            except (OSError, ValueError) as exc:
                raise ValueError(f"{path}: cannot open as a Hugging Face dataset: {exc}") from None
            for row, tag in tags:
                survey.add(tag, f"{path}:row {row}")
        elif kind == "hf-text":
            raise ValueError(f"{path}: a CSV, TSV or JSONL file of labelled texts, not a CoNLL/BIO corpus: no entity "
                             "tags to draft labels from")
        else:
            raise ValueError(f"{path}: a Label Studio export, not a corpus of entity tags: draft the schema from the "
                             "project's labels (--entities)")
    return survey


def _special_file(path: Path) -> bool:
    """A FIFO, device or socket: something that exists but is neither a folder nor a file."""
    return path.exists() and not (path.is_dir() or path.is_file())


@dataclass(frozen=True, slots=True)
class _Readers:
    """The reader of each format, with the options of one import."""

    schema: Schema
    source: str
    label_map: Mapping[str, str] | None
    policy: RepairPolicy
    columns: TextColumns
    family: str | None
    split: str
    problems: list[ImportProblem]

    @property
    def known(self) -> frozenset[str]:
        """The schema's entity labels (none when it has no span family)."""
        span_family = self.schema.span_family()
        return frozenset(span_family.values if span_family else ())

    def read(self, kind: str, given: str | Path | Dataset) -> Iterator[ImportedItem]:
        if kind == "conll":
            return read_conll(given, self.source, self.known, self.label_map, self.policy, self.problems)
        if kind == "labelstudio":
            return read_labelstudio(given, self.source, self.schema, self.label_map, self.columns.text, self.problems,
                                    field_names=self.columns.fields)
        if is_record_file(given):
            return self._records(kind, Path(given))
        return self._dataset(kind, given)

    def _records(self, kind: str, path: Path) -> Iterator[ImportedItem]:
        """A CSV, TSV or JSONL file's records: tokens and tags (``hf-tokens``) or labelled texts."""
        rows = record_rows(path, self.problems)
        if kind == "hf-tokens":
            return token_items(rows, str(path), self.source, self.known, self.label_map or {}, self.policy, self.problems)
        name = _choice_family(self.schema, self.family, self.columns.label)
        return text_items(rows, str(path), self.source, name, frozenset(self.schema.family(name).values),
                          self.label_map or {}, self.problems, self.columns)

    def _dataset(self, kind: str, given: str | Path | Dataset) -> Iterator[ImportedItem]:
        """A Hugging Face dataset's rows: entity tags (``hf-tokens``) or article labels (``hf-text``)."""
        where = str(given) if isinstance(given, str | Path) else f"<dataset {getattr(given, '_fingerprint', '')}>"
        try:
            dataset = open_dataset(given, self.split)
        except (OSError, ValueError, FileNotFoundError) as exc:
            self.problems.append(ImportProblem(where, None, f"cannot open as a Hugging Face dataset: {exc}"))
            return iter(())
        if kind == "hf-text":
            name = _choice_family(self.schema, self.family, self.columns.label)
            values = frozenset(self.schema.family(name).values)
            return read_text_classification(dataset, where, self.source, name, values, self.label_map, self.problems,
                                            text_column=self.columns.text, label_column=self.columns.label,
                                            field_columns=self.columns.fields)
        return read_token_classification(dataset, where, self.source, self.known, self.label_map, self.policy,
                                         self.problems)


def import_corpus(
    inputs: Sequence[str | Path | Dataset],
    schema: Schema,
    prefix: str | Path,
    *,
    format: Format | None = None,
    as_: ImportAs = "annotations",
    source: str = "import",
    label_map: Mapping[str, str] | None = None,
    policy: RepairPolicy = "lenient",
    text_field: str = "text",
    label_field: str = "label",
    family: str | None = None,
    split: str = "train",
    model_version: str | None = None,
    segment: bool = False,
    fields: Mapping[str, str] | None = None,
    progress: Progress = SILENT,
    paths: Mapping[str, Path] | None = None,
) -> ImportReport:
    """Import ``inputs`` and write ``PREFIX.docs.jsonl``, ``PREFIX.units.jsonl`` and
    ``PREFIX.annotations.jsonl`` (store format, annotator ``source``) or ``PREFIX.predictions.jsonl``.
    Each sentence or text imported is one unit with the corpus's own text, boundaries and tokens;
    ``segment`` cuts each text with the news-page segmenter instead (for imported pages). ``fields``
    maps a field units show beside their text (``title``, ``target``) to its task data key or column:
    a pair (a claim and a headline) imports as a text with a stance target; ``label_field`` names
    the column of a labelled text's label (``hf-text``: a dataset, a CSV, TSV or JSONL file). ``progress`` hears each
    item (sentence or record) read (their number is not known before). ``paths`` puts the outputs
    elsewhere than next to ``prefix`` (a workspace's own folders)."""
    report = ImportReport()
    items = iter_items(inputs, schema, format=format, source=source, label_map=label_map, policy=policy,
                       text_field=text_field, label_field=label_field, family=family, split=split,
                       problems=report.problems, fields=fields)
    progress.start("importing", None, "items")
    return materialize(counted(items, progress), schema, prefix, as_=as_, model_version=model_version, report=report,
                       segment=segment, paths=paths)
