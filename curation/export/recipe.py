"""Build recipes: the small YAML file in ``exports/`` that pins everything a build depends on.

Paths in a recipe are relative to the recipe file, so a recipe and the tree it points into can
be moved or cloned anywhere and still build the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from curation.agreement import DEFAULT_POLICY, POLICIES
from curation.errors import CurationError, shown
from curation.export.splits import DEFAULT_RATIOS, SplitSpec
from curation.ingest import IngestSettings, MetadataFields
from curation.settings import Settings
from curation.yamlfile import YamlFileError, key_line, load_yaml, plain, where

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
_ONE_NAME_KEYS = ("text_field", "encoding")
_SPLIT_KEYS = {"seed", "ratios", "stratify", "group_by"}
MAX_RECIPE_BYTES = 1 << 20
MAX_SHARD_ROWS = 100_000_000
MAX_SEED = 2**63 - 1


class RecipeError(CurationError, ValueError):
    """A recipe that cannot be built, naming the file and the offending key."""


class Fail:
    """Makes the error for one problem: ``recipe.yaml:LINE: key: what is wrong``; the line is the
    key's in ``within`` (a section of the recipe), the recipe's top mapping by default."""

    def __init__(self, source: str, data: Any) -> None:
        self.source, self.data = source, data

    def __call__(self, key: str, reason: str, within: Any = None) -> RecipeError:
        line = key_line(self.data if within is None else within, key.rsplit(".", 1)[-1]) if key else None
        return RecipeError(f"{where(self.source, line, key)}: {reason}")


def _text(data: Any, key: str, fail: Fail, default: str | None = None, *, within: Any = None) -> str | None:
    """A key whose value is a string (absent or null: ``default``); any other type is refused."""
    value = data.get(key.rsplit(".", 1)[-1])
    if value is None:
        return default
    if not isinstance(value, str):
        raise fail(key, f"must be a string, got {shown(plain(value))}", within)
    return str(value)


def _whole(data: Any, key: str, fail: Fail, default: int, low: int, high: int, *, within: Any = None) -> int:
    """A key whose value is a whole number in ``low..high`` (absent: ``default``)."""
    value = data.get(key.rsplit(".", 1)[-1], default)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise fail(key, f"must be a whole number from {low:,} to {high:,}, got {shown(plain(value))}", within)
    return int(value)


def _ingest(data: dict[str, Any], fail: Fail) -> IngestSettings:
    """How the recipe's pages are read: ``text_field``, ``encoding`` (None: UTF-8) and the JSONL
    fields of the title, byline, date and URL (``title_field: headline``, a list, or ``""`` for none)."""
    given = {argument: plain(data[key]) for key, argument in INGEST_KEYS.items() if data.get(key) is not None}
    for key, argument in INGEST_KEYS.items():
        value = given.get(argument)
        if value is not None and not (isinstance(value, str) or (isinstance(value, list) and key not in _ONE_NAME_KEYS
                                                                  and all(isinstance(v, str) for v in value))):
            raise fail(key, f"must be a field name{'' if key in _ONE_NAME_KEYS else ' or a list of them'}, got {shown(plain(value))}")
    try:
        return IngestSettings().with_options(**given)
    except ValueError as exc:  # DecodeProblem (an unknown encoding) is one
        first = next(key for key in INGEST_KEYS if data.get(key) is not None)
        raise fail(first, f"ingest settings: {exc}") from None


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

        fail = Fail(source, data)
        data = _known_mapping(data, fail)
        name = _name(data, fail)
        inputs = _inputs(data, fail)
        split, group_by = _split(data, fail)
        formats = _formats(data, fail)
        labels_from_meta = _labels_from_meta(data, fail)
        adjudication = _adjudication(data, fail)
        reviews = _paths(data, "reviews", fail, "is a review store file, a folder of them, or a list of them")
        reviewer = _text(data, "reviewer", fail)
        _check_reviewer(adjudication, reviewer, reviews, fail)
        annotations = _paths(data, "annotations", fail, "is a store file, a folder of stores, or a list of them")
        dedup = _dedup(data, fail)
        units = _units(data, fail)
        segmenter = _segmenter(data, fail)
        _check_settings(data, segmenter, dedup, fail)
        return cls(
            name=name,
            inputs=inputs,
            base=base,
            description=_text(data, "description", fail) or "",
            license=_text(data, "license", fail) or "other",
            ingest=_ingest(data, fail),
            schema=_text(data, "schema", fail),
            segmenter=segmenter,
            annotations=annotations,
            adjudication=adjudication,
            reviewer=reviewer,
            reviews=reviews,
            labels_from_meta=labels_from_meta,
            dedup=bool(dedup),
            dedup_settings=dedup if isinstance(dedup, dict) else {},
            units=units,
            split=split,
            group_by=group_by,
            formats=formats,
            output=_text(data, "output", fail),
            shard_rows=_whole(data, "shard_rows", fail, 100_000, 1, MAX_SHARD_ROWS),
            source_file=source,
            annotated_only=_flag(data, "annotated_only", fail),
        )


# One reader per recipe section: each takes the mapping (or its section) and the ``fail`` that
# names the recipe file, and returns the section's typed value or raises the section's error.


def _known_mapping(data: Any, fail: Fail) -> dict[str, Any]:
    """The recipe as a mapping whose every key is a recipe key (a typo would otherwise be ignored)."""
    if not isinstance(data, dict):
        raise fail("", "a recipe must be a YAML mapping")
    unknown = sorted((key for key in data if key not in _KEYS), key=str)
    if unknown:
        raise fail(str(unknown[0]), f"unknown key; known keys are {', '.join(sorted(_KEYS))}")
    return data


def _name(data: dict[str, Any], fail: Fail) -> str:
    name = _text(data, "name", fail)
    if not name or not name.strip():
        raise fail("name", "required (it names the export folder and the dataset)")
    return name


def _inputs(data: dict[str, Any], fail: Fail) -> tuple[str, ...]:
    """``inputs``: one path or glob, or a list of them."""
    inputs = data.get("inputs")
    if isinstance(inputs, str):
        inputs = [inputs]
    if not isinstance(inputs, list) or not inputs or not all(isinstance(i, str) and i for i in inputs):
        raise fail("inputs", "must list at least one file, folder or glob")
    return tuple(str(i) for i in inputs)


def _split(data: dict[str, Any], fail: Fail) -> tuple[SplitSpec, str]:
    """The ``split`` section: the split spec (seed, ratios, stratify) and the grouping kept whole."""
    section = data.get("split") or {}
    if not isinstance(section, dict):
        raise fail("split", f"must be a mapping of seed, ratios, stratify and group_by, got {shown(plain(section))}")
    unknown = sorted((key for key in section if key not in _SPLIT_KEYS), key=str)
    if unknown:
        raise fail(f"split.{unknown[0]}", f"unknown split key; known: {', '.join(sorted(_SPLIT_KEYS))}", section)
    ratios = section.get("ratios") or DEFAULT_RATIOS
    if not isinstance(ratios, dict) or not all(isinstance(name, str) for name in ratios):
        raise fail("split.ratios", f"must map split names to shares, got {shown(plain(ratios))}", section)
    for name, share in ratios.items():
        if not isinstance(share, int | float) or isinstance(share, bool) or not 0 <= share < float("inf"):
            raise fail(f"split.ratios.{name}", f"a share must be a number >= 0, got {shown(plain(share))}", ratios)
    seed = _whole(section, "split.seed", fail, 0, 0, MAX_SEED, within=section)
    stratify = _text(section, "split.stratify", fail, within=section)
    try:
        split = SplitSpec(seed=seed, ratios=plain(ratios), stratify=stratify)
    except ValueError as exc:
        raise fail("split.ratios", str(exc), section) from None
    group_by = section.get("group_by", "document")
    if group_by not in GROUPINGS:
        raise fail("split.group_by", f"must be one of {', '.join(GROUPINGS)}, got {shown(plain(group_by))}", section)
    return split, str(group_by)


def _names(data: dict[str, Any], key: str, default: tuple[str, ...], fail: Fail) -> tuple[str, ...]:
    """A key holding one name or a list of names (``formats``, ``adjudication``)."""
    value = data.get(key) or default
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list | tuple) or not all(isinstance(name, str) for name in names):
        raise fail(key, f"must be a name or a list of names, got {shown(plain(value))}")
    return tuple(str(name) for name in names)


def _formats(data: dict[str, Any], fail: Fail) -> tuple[str, ...]:
    """``formats``: the writers to run, all of them when the key is absent."""
    formats = _names(data, "formats", FORMATS, fail)
    bad = [f for f in formats if f not in FORMATS]
    if bad:
        raise fail("formats", f"unknown format(s) {', '.join(bad)}; known: {', '.join(FORMATS)}")
    return formats


def _labels_from_meta(data: dict[str, Any], fail: Fail) -> dict[str, str]:
    labels_from_meta = data.get("labels_from_meta") or {}
    if not isinstance(labels_from_meta, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in labels_from_meta.items()
    ):
        raise fail("labels_from_meta", "maps a label family to a document metadata field (names, both)")
    return {str(k): str(v) for k, v in labels_from_meta.items()}


def _adjudication(data: dict[str, Any], fail: Fail) -> tuple[str, ...]:
    """``adjudication``: one policy or the list of policies tried in turn."""
    policies = _names(data, "adjudication", DEFAULT_POLICY, fail)
    bad = [p for p in policies if p not in POLICIES]
    if bad:
        raise fail("adjudication", f"unknown adjudication policy {', '.join(bad)}; known: {', '.join(POLICIES)}")
    return policies


def _paths(data: dict[str, Any], key: str, fail: Fail, what: str) -> tuple[str, ...]:
    """A key that names one store path or a list of them (``annotations``, ``reviews``); ``what``
    is the error that says what the key holds."""
    paths = data.get(key) or ()
    if isinstance(paths, str):
        paths = (paths,)
    if not isinstance(paths, (list, tuple)) or not all(isinstance(p, str) and p for p in paths):
        raise fail(key, what)
    return tuple(str(p) for p in paths)


def _check_reviewer(adjudication: tuple[str, ...], reviewer: str | None, reviews: tuple[str, ...], fail: Fail) -> None:
    """The ``reviewer`` policy decides from review decisions or one annotator's answers: it needs one."""
    if "reviewer" in adjudication and not reviewer and not reviews:
        raise fail("adjudication", "the 'reviewer' policy needs 'reviews: <review store>' or 'reviewer: <annotator name>'")


def _dedup(data: dict[str, Any], fail: Fail) -> bool | dict[str, Any]:
    """``dedup``: on, off, or on with these settings (a mapping, plain data from here on)."""
    dedup = data.get("dedup", True)
    if not isinstance(dedup, (bool, dict)):
        raise fail("dedup", "is true, false or a mapping of dedup settings (threshold, num_perm, normalize...)")
    return plain(dedup) if isinstance(dedup, dict) else dedup


def _segmenter(data: dict[str, Any], fail: Fail) -> dict[str, Any]:
    segmenter = data.get("segmenter") or {}
    if not isinstance(segmenter, dict):
        raise fail("segmenter", f"must be a mapping of segmenter settings (articles: ...), got {shown(plain(segmenter))}")
    return dict(plain(segmenter))


def _units(data: dict[str, Any], fail: Fail) -> str | None:
    units = data.get("units")
    if units is not None and not (isinstance(units, str) and units):
        raise fail("units", "is the path of a units file (`curation segment --recipe` output)")
    return None if units is None else str(units)


def _check_settings(data: dict[str, Any], segmenter: dict[str, Any], dedup: bool | dict[str, Any], fail: Fail) -> None:
    """The segmenter and dedup settings must make a :class:`Settings` (known keys, valid values)."""
    try:
        Settings.from_dict({"segmenter": segmenter, "dedup": dedup if isinstance(dedup, dict) else None})
    except (ValueError, TypeError) as exc:  # "dedup: num_perm must be ...": the line of dedup's num_perm
        part, _, reason = str(exc).partition(": ")
        section = data.get(part)
        inner = reason.split(" ", 1)[0]
        if isinstance(section, dict) and inner in section:
            raise fail(f"{part}.{inner}", reason.removeprefix(f"{inner} "), section) from None
        raise fail(part, reason) from None


def _flag(data: dict[str, Any], key: str, fail: Fail) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise fail(key, f"is true or false, not {shown(plain(value))}")
    return value


def load_recipe(path: str | Path) -> Recipe:
    """Read a recipe file; every problem is a :class:`RecipeError` naming the file."""
    path = Path(path)
    try:  # never a FIFO or /dev/zero, nothing deeper than any recipe, no aliases
        data = load_yaml(path, max_bytes=MAX_RECIPE_BYTES, what="recipe")
    except YamlFileError as exc:
        raise RecipeError(exc.problems[0], exc.problems) from None
    return Recipe.from_dict(data, base=path.parent, source=str(path))
