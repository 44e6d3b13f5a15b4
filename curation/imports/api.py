"""``import_corpus``: any supported corpus -> pages, units and labels, with one report.

    >>> report = import_corpus(["ANERCorp.txt"], schema, "imports/anercorp", source="ANERcorp",
    ...                        label_map={"PERS": "PER"})
    >>> report.outputs["units"]        # push it: curation push imports/anercorp.units.jsonl --level sentence
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from curation.imports.conll import read_conll
from curation.imports.huggingface import open_dataset, read_text_classification, read_token_classification
from curation.imports.labelstudio import read_labelstudio
from curation.imports.materialize import ImportAs, ImportReport, materialize
from curation.imports.model import ImportedItem, ImportProblem
from curation.imports.tags import RepairPolicy
from curation.schema import Schema

if TYPE_CHECKING:
    from datasets import Dataset

Format = Literal["conll", "labelstudio", "hf-tokens", "hf-text"]
FORMATS: tuple[str, ...] = ("conll", "labelstudio", "hf-tokens", "hf-text")


def guess_format(path: Path) -> Format:
    """By the file: ``.json`` is a Label Studio export, a folder a Hugging Face dataset, else CoNLL."""
    if path.is_dir():
        return "hf-tokens"
    return "labelstudio" if path.suffix.lower() == ".json" else "conll"


def _choice_family(schema: Schema, family: str | None) -> str:
    if family is not None:
        schema.family(family)
        return family
    found = next((f.name for f in schema.all_families if f.kind == "choice" and "article" in f.levels), None)
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
    family: str | None = None,
    split: str = "train",
    problems: list[ImportProblem],
) -> Iterator[ImportedItem]:
    """Items of every input in order; problems are appended as they are met."""
    span_family = schema.span_family()
    known = frozenset(span_family.values if span_family else ())
    for given in inputs:
        kind = format or (guess_format(Path(given)) if isinstance(given, str | Path) else "hf-tokens")
        where = str(given) if isinstance(given, str | Path) else f"<dataset {getattr(given, '_fingerprint', '')}>"
        if isinstance(given, str | Path) and Path(given).exists() and not (Path(given).is_dir() or Path(given).is_file()):
            problems.append(ImportProblem(where, None, "not a regular file (a FIFO, device or socket): not read"))
            continue  # reading it would block (a FIFO) or never end (/dev/zero)
        if kind == "conll":
            yield from read_conll(given, source, known, label_map, policy, problems)  # type: ignore[arg-type]
        elif kind == "labelstudio":
            yield from read_labelstudio(given, source, schema, label_map, text_field, problems)  # type: ignore[arg-type]
        else:
            try:
                dataset = open_dataset(given, split)
            except (OSError, ValueError, FileNotFoundError) as exc:
                problems.append(ImportProblem(where, None, f"cannot open as a Hugging Face dataset: {exc}"))
                continue
            if kind == "hf-text":
                name = _choice_family(schema, family)
                values = frozenset(schema.family(name).values)
                yield from read_text_classification(dataset, where, source, name, values, label_map, problems,
                                                    text_column=text_field)
            else:
                yield from read_token_classification(dataset, where, source, known, label_map, policy, problems)


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
    family: str | None = None,
    split: str = "train",
    model_version: str | None = None,
) -> ImportReport:
    """Import ``inputs`` and write ``PREFIX.docs.jsonl``, ``PREFIX.units.jsonl`` and
    ``PREFIX.annotations.jsonl`` (store format, annotator ``source``) or ``PREFIX.predictions.jsonl``."""
    report = ImportReport()
    items = iter_items(inputs, schema, format=format, source=source, label_map=label_map, policy=policy,
                       text_field=text_field, family=family, split=split, problems=report.problems)
    return materialize(items, schema, prefix, as_=as_, model_version=model_version, report=report)
