"""The dataset card (``README.md``): Hub metadata in the YAML header, documentation in the body.

The header is produced by ``datasets``' and ``huggingface_hub``'s own writers (``configs``,
``dataset_info``) so the Hub and ``load_dataset`` read exactly what they expect. Nothing in the
card depends on time or on where the build ran, so a rebuild writes the same bytes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from datasets import Features
from datasets.info import DatasetInfo, DatasetInfosDict
from datasets.splits import SplitDict, SplitInfo
from datasets.utils.metadata import MetadataConfigs
from huggingface_hub import DatasetCard, DatasetCardData

from curation.export.huggingface import WrittenSplit, data_files_pattern

SIZE_CATEGORIES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M"))

CONFIG_DOCS = {
    "articles": "one row per article (main article or related-article teaser) of a page",
    "sentences": "one row per sentence (headlines, headings and bylines are units of their own)",
}
COLUMN_DOCS = {
    "id": "stable, content-derived unit id (same input and segmenter settings give the same id)",
    "article_id": "id of the article the sentence belongs to (its row in `articles`)",
    "doc_id": "id of the source page",
    "source": "source file, relative to the recipe, as listed in `manifest.json`",
    "line": "1-based line of the source file for JSONL inputs, empty for one-page text files",
    "start": "code-point offset where the unit starts in the page's canonical text",
    "end": "code-point offset where the unit ends (exclusive)",
    "doc_sha256": "sha256 of the raw bytes of the page (file or JSONL line)",
    "role": "`main`/`teaser` for articles; `title`/`heading`/`body`/`byline` for sentences",
    "index": "position of the sentence in its article",
    "cluster": "near-duplicate cluster id (splits never separate a cluster); empty when not deduplicated",
    "title": "the article's headline (an imported pair's headline field when the page has none)",
    "text": "the text annotators read (an article's headings and paragraphs, one per line)",
    "meta": "the source record's own metadata (JSON), e.g. URL, outlet, date",
    "annotators": "annotators whose answer counted for this unit",
    "entities": "gold entity mentions: code-point offsets into `text`, label and covered text; decided mention by "
    "mention, so a unit keeps its agreed mentions when another of its mentions is disputed; empty when not annotated",
    "disputed_entities": "mentions of the unit the adjudication left undecided (not in `entities`, neither entity nor "
    "non-entity); empty when none, null when not annotated",
    "tokens": "words and punctuation; a token is cut where an entity boundary falls inside it",
    "ner_tags": "BIO tags of `tokens`, derived from the gold entity spans; empty when not annotated or when a mention "
    "is disputed (BIO has no tag for undecided)",
}


@dataclass(slots=True)
class CardFacts:
    """Everything the card reports about one build."""

    name: str
    description: str
    license: str
    recipe_file: str
    schema: Any
    features: Mapping[str, Features]
    written: Sequence[WrittenSplit]
    label_counts: Mapping[str, Mapping[str, Mapping[str, Mapping[str, int]]]]
    annotation_summary: Mapping[str, Any] = field(default_factory=dict)
    agreement: Sequence[Mapping[str, Any]] = ()
    boundary_splits: int = 0
    overlapping_spans: int = 0
    clusters: int | None = None
    label_conflicts: Mapping[str, int] = field(default_factory=dict)
    labels_from_meta: Mapping[str, str] = field(default_factory=dict)
    problems: int = 0
    split_rule: str = ""


def size_category(rows: int) -> str:
    for limit, name in SIZE_CATEGORIES:
        if rows < limit:
            return name
    return "n>1M"


# the Hub's task categories and task ids for the kinds of label family a schema has
_TASK_CATEGORIES = {"choice": "text-classification", "span": "token-classification"}
_TASK_IDS = {"span": "named-entity-recognition", "choice": "topic-classification"}


def card_data(facts: CardFacts) -> DatasetCardData:
    """The card's YAML header: the Hub's metadata, and per config its splits and data files."""
    kinds = {f.kind for f in facts.schema.all_families}
    largest = max((w.num_rows for w in facts.written), default=0)
    data = DatasetCardData(
        language=["ar"],
        license=facts.license,
        pretty_name=facts.name,
        size_categories=[size_category(largest)],
        task_categories=_tasks(_TASK_CATEGORIES, kinds),
        task_ids=_tasks(_TASK_IDS, kinds),
        tags=["arabic", "news", "curation"],
    )
    infos, configs = {}, {}
    for config, features in facts.features.items():
        written = [w for w in facts.written if w.config == config]
        if written:
            infos[config] = _config_info(config, features, written)
            configs[config] = _config_files(config, written)
    DatasetInfosDict(infos).to_dataset_card_data(data)
    MetadataConfigs(configs).to_dataset_card_data(data)
    return data


def _tasks(by_kind: Mapping[str, str], kinds: set[str]) -> list[str]:
    return [task for kind, task in by_kind.items() if kind in kinds]


def _config_files(config: str, written: Sequence[WrittenSplit]) -> dict[str, Any]:
    """A config's entry in the card's ``configs``: its data files per split; ``articles`` is the default."""
    data_files = [{"split": w.split, "path": data_files_pattern(config, w.split)} for w in written]
    return {"data_files": data_files, **({"default": True} if config == "articles" else {})}


def _config_info(config: str, features: Features, written: Sequence[WrittenSplit]) -> DatasetInfo:
    """One config's features and the rows and bytes of each of its splits."""
    splits = SplitDict()
    for w in written:
        splits.add(SplitInfo(name=w.split, num_examples=w.num_rows, num_bytes=w.num_bytes))
    size = sum(s.num_bytes for s in splits.values())
    return DatasetInfo(features=features, splits=splits, dataset_size=size, config_name=config)


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    def cell(value: Any) -> str:
        return str(value).replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "| " + " | ".join("---" for _ in header) + " |"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return lines


def _schema_section(schema: Any) -> list[str]:
    lines = [f"## Label schema: `{schema.name}` v{schema.version}", "", schema.description, ""]
    lines.append(f"Schema fingerprint: `{schema.fingerprint}`.")
    for family in schema.all_families:
        lines += ["", f"### `{family.name}` ({family.title})", ""]
        multiple = ", several labels allowed" if family.multiple else ""
        lines.append(f"Kind: {family.kind}{multiple}; levels: {', '.join(family.levels)}.")
        if family.target:
            lines.append(f"Default target: {family.target}")
        if family.guideline:
            lines += ["", f"Guideline: {family.guideline}"]
        lines.append("")
        lines += _table(
            ["value", "Arabic", "description", "example"],
            [(f"`{label.value}`", label.ar, label.description, label.example) for label in family.labels],
        )
    return lines


def _counts_section(facts: CardFacts) -> list[str]:
    lines = ["## Examples and labels per split", ""]
    lines += _table(
        ["config", "split", "rows", "files"],
        [(w.config, w.split, w.num_rows, len(w.files)) for w in facts.written],
    )
    for config, by_column in facts.label_counts.items():
        for column, by_split in by_column.items():
            splits = list(by_split)
            labels = sorted({label for counts in by_split.values() for label in counts})
            if not labels:
                continue
            lines += ["", f"Gold `{column}` in `{config}` (units with no gold are counted as `(none)`):", ""]
            lines += _table(
                ["label", *splits], [(label, *(by_split[s].get(label, 0) for s in splits)) for label in labels]
            )
    return lines


def _annotation_section(facts: CardFacts) -> list[str]:
    lines = ["## Annotations and agreement", ""]
    summary = facts.annotation_summary
    if not summary:
        lines.append("This build uses no human annotations.")
    else:
        lines += _table(["fact", "value"], sorted(summary.items()))
    if facts.labels_from_meta:
        pairs = ", ".join(f"`{family}` from `{field}`" for family, field in sorted(facts.labels_from_meta.items()))
        lines += ["", f"Labels taken from the source records' metadata where no adjudicated gold exists: {pairs}."]
    if facts.agreement:
        lines += [
            "",
            "Inter-annotator agreement (from `curation.agreement`), computed on the annotators' own independent "
            "answers only (the valid annotations counted above, before any review: review decisions are never "
            "counted as answers); annotators are named by pseudonym (`annotator_1`...):",
            "",
        ]
        rows = []
        for family in facts.agreement:
            overall = ", ".join(f"{k}={v}" for k, v in sorted(family["overall"].items()) if v is not None)
            rows.append((family["family"], family["level"], family["units"], len(family["annotators"]), overall))
        lines += _table(["family", "level", "units", "annotators", "figures"], rows)
    lines += [
        "",
        "Every annotator's own answer is kept in a `<family>__<annotator>` column next to the gold column.",
    ]
    return lines


def _structure_section(facts: CardFacts) -> list[str]:
    lines = ["## Structure", ""]
    for config, features in facts.features.items():
        lines += [f"Config `{config}`: {CONFIG_DOCS.get(config, '')}.", ""]
        lines += _table(
            ["column", "meaning"], [(f"`{name}`", COLUMN_DOCS.get(name, _label_doc(name))) for name in features]
        )
        lines.append("")
    lines += [
        f"Entity boundaries inside a whitespace token (a clitic such as و in وواشنطن) split that token "
        f"{facts.boundary_splits} time(s) in this build; {facts.overlapping_spans} overlapping gold "
        "span(s) could not be expressed as BIO and are kept only in the span column.",
    ]
    return lines


def _label_doc(column: str) -> str:
    family, _, annotator = column.partition("__")
    if annotator:
        return f"`{family}` as answered by annotator `{annotator}`"
    return f"gold `{family}` (adjudicated, or from source metadata when the recipe says so); empty when none"


def card_text(facts: CardFacts) -> str:
    """The whole ``README.md``: YAML header and Markdown body."""
    lines = [f"# {facts.name}", ""]
    if facts.description:
        lines += [facts.description, ""]
    lines += [
        "Arabic news text segmented into articles and sentences, with labels from the schema below. "
        "Built by the `curation` toolkit from a recipe; every row carries its provenance "
        "(page id, source file and line, code-point offsets into the page).",
        "",
        "```python",
        "from datasets import load_dataset",
        f'articles = load_dataset("{facts.name}", "articles")  # or a local path to this folder',
        f'sentences = load_dataset("{facts.name}", "sentences")',
        "```",
        "",
    ]
    lines += _structure_section(facts) + [""]
    lines += _counts_section(facts) + [""]
    lines += _schema_section(facts.schema) + [""]
    lines += _annotation_section(facts) + [""]
    dedup = "not run" if facts.clusters is None else f"{facts.clusters} near-duplicate cluster(s) found"
    differing = [f"{n} with differing gold `{family}`" for family, n in sorted(facts.label_conflicts.items()) if n]
    if differing:
        dedup += f" ({'; '.join(differing)}: the same story filed under different labels)"
    lines += [
        "## Splits",
        "",
        f"{facts.split_rule} Deduplication: {dedup}. Sentences always follow their article's split.",
        "",
        "## Provenance and rebuilding",
        "",
        f"Built from the recipe `{facts.recipe_file}`. `manifest.json` lists the sha256 of every input and "
        "output file, the schema and annotation fingerprints and the package versions. Rebuild and "
        "check byte for byte with:",
        "",
        "```bash",
        f"curation build {facts.recipe_file}",
        "curation verify <this folder>",
        "```",
        "",
        f"Problems reported during the build (bad inputs, labels outside the schema): {facts.problems}; "
        "they are listed in `manifest.json`.",
    ]
    body = "\n".join(lines).rstrip() + "\n"
    return str(DatasetCard(f"---\n{card_data(facts).to_yaml()}\n---\n\n{body}"))
