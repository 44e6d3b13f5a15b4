"""Build recipes: the small YAML file in ``exports/`` that pins everything a build depends on.

Paths in a recipe are relative to the recipe file, so a recipe and the tree it points into can
be moved or cloned anywhere and still build the same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from curation.agreement import DEFAULT_POLICY, POLICIES
from curation.errors import CurationError
from curation.export.splits import DEFAULT_RATIOS, SplitSpec
from curation.fileio import DecodeProblem, read_small_text
from curation.ingest import IngestSettings, MetadataFields
from curation.settings import Settings

FORMATS = ("huggingface", "jsonl", "conll")
GROUPINGS = ("document", "article")
# how pages are read: recipe key -> IngestSettings.with_options argument
INGEST_KEYS = {
    "text_field": "text_field", "encoding": "encoding", "title_field": "title", "byline_field": "byline",
    "date_field": "date", "url_field": "url",
}  # fmt: skip
_KEYS = {
    "name", "description", "license", "inputs", "schema", "segmenter", "annotations", "adjudication", "reviewer",
    "reviews", "labels_from_meta", "dedup", "split", "formats", "output", "shard_rows", "units", "annotated_only", *INGEST_KEYS,
}  # fmt: skip
_SPLIT_KEYS = {"seed", "ratios", "stratify", "group_by"}
MAX_RECIPE_BYTES = 1 << 20


class RecipeError(CurationError, ValueError):
    """A recipe that cannot be built, naming the file and the offending key."""


# makes the error for one problem, prefixed with the recipe file
Fail = Callable[[str], RecipeError]


def _ingest(data: dict[str, Any], fail: Fail) -> IngestSettings:
    """How the recipe's pages are read: ``text_field``, ``encoding`` (None: UTF-8) and the JSONL
    fields of the title, byline, date and URL (``title_field: headline``, a list, or ``""`` for none)."""
    given = {argument: data[key] for key, argument in INGEST_KEYS.items() if data.get(key) is not None}
    try:
        return IngestSettings().with_options(**given)
    except ValueError as exc:  # DecodeProblem (an unknown encoding) is one
        raise fail(f"ingest settings: {exc}") from None


def ingest_keys(ingest: IngestSettings) -> dict[str, Any]:
    """The recipe keys that say ``ingest`` (``text_field`` always, the others when not the defaults)."""
    default = MetadataFields().to_dict()
    data: dict[str, Any] = {"text_field": ingest.text_field, **({"encoding": ingest.encoding} if ingest.encoding else {})}
    for key, kind in INGEST_KEYS.items():
        names = ingest.fields.to_dict().get(kind)
        if names is not None and names != default[kind]:
            data[key] = names[0] if len(names) == 1 else names
    return data


@dataclass(frozen=True, slots=True)
class Recipe:
    """What to build and how; ``base`` is the folder relative paths are resolved against."""

    name: str
    inputs: tuple[str, ...]
    base: Path = Path(".")
    description: str = ""
    license: str = "other"
    ingest: IngestSettings = field(default_factory=IngestSettings)  # text, title... fields; encoding
    schema: str | None = None
    segmenter: dict[str, Any] = field(default_factory=dict)
    annotations: tuple[str, ...] = ()  # store files and folders of stores
    adjudication: tuple[str, ...] = DEFAULT_POLICY
    reviewer: str | None = None
    reviews: tuple[str, ...] = ()  # review-decision stores (`curation review pull`), apart from the answers
    labels_from_meta: dict[str, str] = field(default_factory=dict)
    dedup: bool = True
    dedup_settings: dict[str, Any] = field(default_factory=dict)  # `dedup: {threshold: 0.8, ...}`
    units: str | None = None  # a units file `curation segment --recipe` cut, used instead of segmenting again
    split: SplitSpec = field(default_factory=SplitSpec)
    group_by: str = "document"
    formats: tuple[str, ...] = FORMATS
    output: str | None = None
    shard_rows: int = 100_000
    source_file: str | None = None
    annotated_only: bool = False  # rows only for units someone annotated (the unit's split still counts its article)

    def resolve(self, relative: str) -> Path:
        return self.base / relative

    @property
    def settings(self) -> Settings:
        """The one settings object (ingest, segmenter, dedup with its normalisation) the recipe pins."""
        return replace(Settings.from_dict({"segmenter": self.segmenter, "dedup": self.dedup_settings}), ingest=self.ingest)

    @property
    def output_dir(self) -> Path:
        return self.resolve(self.output or self.name)

    def to_dict(self) -> dict[str, Any]:
        """The recipe as data, paths as written (relative), for manifests and verification."""
        return {
            "name": self.name,
            "description": self.description,
            "license": self.license,
            "inputs": list(self.inputs),
            **ingest_keys(self.ingest),
            "schema": self.schema,
            "segmenter": self.segmenter,
            # one store stays a string, as recipes (and the manifests of earlier builds) wrote it
            "annotations": (self.annotations[0] if len(self.annotations) == 1 else list(self.annotations)) or None,
            "adjudication": list(self.adjudication),
            "reviewer": self.reviewer,
            **({"reviews": list(self.reviews)} if self.reviews else {}),
            "labels_from_meta": dict(sorted(self.labels_from_meta.items())),
            "dedup": (self.dedup_settings or True) if self.dedup else False,
            **({"units": self.units} if self.units else {}),
            "split": {
                "seed": self.split.seed,
                "ratios": dict(self.split.ratios),
                "stratify": self.split.stratify,
                "group_by": self.group_by,
            },
            "formats": list(self.formats),
            "output": self.output,
            "shard_rows": self.shard_rows,
            **({"annotated_only": True} if self.annotated_only else {}),  # earlier manifests stay as they were
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], base: Path, source: str = "<recipe>") -> Recipe:
        """The recipe a YAML mapping says; every problem is a :class:`RecipeError` naming ``source``.

        Each section has its own reader below, called in the order the first problem is reported."""

        def fail(reason: str) -> RecipeError:
            return RecipeError(f"{source}: {reason}")

        data = _known_mapping(data, fail)
        name = _name(data, fail)
        inputs = _inputs(data, fail)
        split, group_by = _split(data.get("split") or {}, fail)
        formats = _formats(data, fail)
        labels_from_meta = _labels_from_meta(data, fail)
        adjudication = _adjudication(data, fail)
        reviews = _paths(data, "reviews", fail, "'reviews' is a review store file, a folder of them, or a list of them")
        _check_reviewer(adjudication, data.get("reviewer"), reviews, fail)
        annotations = _paths(data, "annotations", fail, "'annotations' is a store file, a folder of stores, or a list of them")
        dedup = _dedup(data, fail)
        units = _units(data, fail)
        _check_settings(data.get("segmenter"), dedup, fail)
        shard_rows = _shard_rows(data, fail)
        return cls(
            name=name,
            inputs=inputs,
            base=base,
            description=str(data.get("description") or ""),
            license=str(data.get("license") or "other"),
            ingest=_ingest(data, fail),
            schema=data.get("schema"),
            segmenter=dict(data.get("segmenter") or {}),
            annotations=annotations,
            adjudication=adjudication,
            reviewer=data.get("reviewer"),
            reviews=reviews,
            labels_from_meta=labels_from_meta,
            dedup=bool(dedup),
            dedup_settings=dict(dedup) if isinstance(dedup, dict) else {},
            units=units,
            split=split,
            group_by=group_by,
            formats=formats,
            output=data.get("output"),
            shard_rows=shard_rows,
            source_file=source,
            annotated_only=_flag(data, "annotated_only", fail),
        )


# One reader per recipe section: each takes the mapping (or its section) and the ``fail`` that
# names the recipe file, and returns the section's typed value or raises the section's error.


def _known_mapping(data: Any, fail: Fail) -> dict[str, Any]:
    """The recipe as a mapping whose every key is a recipe key (a typo would otherwise be ignored)."""
    if not isinstance(data, dict):
        raise fail("a recipe must be a YAML mapping")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise fail(f"unknown key(s) {', '.join(unknown)}; known keys are {', '.join(sorted(_KEYS))}")
    return data


def _name(data: dict[str, Any], fail: Fail) -> str:
    if not data.get("name"):
        raise fail("'name' is required (it names the export folder and the dataset)")
    return str(data["name"])


def _inputs(data: dict[str, Any], fail: Fail) -> tuple[str, ...]:
    """``inputs``: one path or glob, or a list of them."""
    inputs = data.get("inputs")
    if isinstance(inputs, str):
        inputs = [inputs]
    if not inputs or not all(isinstance(i, str) for i in inputs):
        raise fail("'inputs' must list at least one file, folder or glob")
    return tuple(inputs)


def _split(split_data: Any, fail: Fail) -> tuple[SplitSpec, str]:
    """The ``split`` section: the split spec (seed, ratios, stratify) and the grouping kept whole."""
    unknown = sorted(set(split_data) - _SPLIT_KEYS)
    if unknown:
        raise fail(f"unknown split key(s) {', '.join(unknown)}; known: {', '.join(sorted(_SPLIT_KEYS))}")
    try:
        split = SplitSpec(
            seed=int(split_data.get("seed", 0)),
            ratios=dict(split_data.get("ratios") or DEFAULT_RATIOS),
            stratify=split_data.get("stratify"),
        )
    except (TypeError, ValueError) as exc:
        raise fail(f"split: {exc}") from None
    group_by = split_data.get("group_by", "document")
    if group_by not in GROUPINGS:
        raise fail(f"split.group_by must be one of {', '.join(GROUPINGS)}, got {group_by!r}")
    return split, group_by


def _formats(data: dict[str, Any], fail: Fail) -> tuple[str, ...]:
    """``formats``: the writers to run, all of them when the key is absent."""
    formats = tuple(data.get("formats") or FORMATS)
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise fail(f"unknown format(s) {', '.join(map(str, bad))}; known: {', '.join(FORMATS)}")
    return formats


def _labels_from_meta(data: dict[str, Any], fail: Fail) -> dict[str, str]:
    labels_from_meta = data.get("labels_from_meta") or {}
    if not isinstance(labels_from_meta, dict):
        raise fail("'labels_from_meta' maps a label family to a document metadata field")
    return {str(k): str(v) for k, v in labels_from_meta.items()}


def _adjudication(data: dict[str, Any], fail: Fail) -> tuple[str, ...]:
    """``adjudication``: one policy or the list of policies tried in turn."""
    adjudication = data.get("adjudication") or DEFAULT_POLICY
    policies = (adjudication,) if isinstance(adjudication, str) else tuple(adjudication)
    bad = [p for p in policies if p not in POLICIES]
    if bad:
        raise fail(f"unknown adjudication policy {', '.join(map(str, bad))}; known: {', '.join(POLICIES)}")
    return policies


def _paths(data: dict[str, Any], key: str, fail: Fail, what: str) -> tuple[str, ...]:
    """A key that names one store path or a list of them (``annotations``, ``reviews``); ``what``
    is the error that says what the key holds."""
    paths = data.get(key) or ()
    if isinstance(paths, str):
        paths = (paths,)
    if not isinstance(paths, (list, tuple)) or not all(isinstance(p, str) and p for p in paths):
        raise fail(what)
    return tuple(paths)


def _check_reviewer(adjudication: tuple[str, ...], reviewer: Any, reviews: tuple[str, ...], fail: Fail) -> None:
    """The ``reviewer`` policy decides from review decisions or one annotator's answers: it needs one."""
    if "reviewer" in adjudication and not reviewer and not reviews:
        raise fail("the 'reviewer' adjudication policy needs 'reviews: <review store>' or 'reviewer: <annotator name>'")


def _dedup(data: dict[str, Any], fail: Fail) -> bool | dict[str, Any]:
    """``dedup``: on, off, or on with these settings (a mapping)."""
    dedup = data.get("dedup", True)
    if not isinstance(dedup, (bool, dict)):
        raise fail("'dedup' is true, false or a mapping of dedup settings (threshold, num_perm, normalize...)")
    return dedup


def _units(data: dict[str, Any], fail: Fail) -> str | None:
    units = data.get("units")
    if units is not None and not (isinstance(units, str) and units):
        raise fail("'units' is the path of a units file (`curation segment --recipe` output)")
    return units


def _check_settings(segmenter: Any, dedup: bool | dict[str, Any], fail: Fail) -> None:
    """The segmenter and dedup settings must make a :class:`Settings` (known keys, valid values)."""
    try:
        Settings.from_dict({"segmenter": segmenter, "dedup": dedup if isinstance(dedup, dict) else None})
    except (ValueError, TypeError) as exc:
        raise fail(f"settings: {exc}") from None


def _flag(data: dict[str, Any], key: str, fail: Fail) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise fail(f"'{key}' is true or false, not {value!r}")
    return value


def _shard_rows(data: dict[str, Any], fail: Fail) -> int:
    shard_rows = int(data.get("shard_rows", 100_000))
    if shard_rows < 1:
        raise fail("'shard_rows' must be at least 1")
    return shard_rows


def load_recipe(path: str | Path) -> Recipe:
    """Read a recipe file; every problem is a :class:`RecipeError` naming the file."""
    path = Path(path)
    try:
        data = YAML(typ="safe").load(read_small_text(path, MAX_RECIPE_BYTES))  # never a FIFO or /dev/zero
    except OSError as exc:
        raise RecipeError(f"{path}: cannot read recipe: {exc.strerror or exc}") from None
    except DecodeProblem as exc:
        raise RecipeError(f"{path}: cannot read recipe: {exc}") from None
    except YAMLError as exc:
        raise RecipeError(f"{path}: invalid YAML: {exc}") from None
    return Recipe.from_dict(data, base=path.parent, source=str(path))
