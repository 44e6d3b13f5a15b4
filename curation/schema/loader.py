"""Reading a schema YAML file into a :class:`Schema`, reporting every defect at once.

Each problem names the file, the line and the key path (``schemas/x.yaml:14:
labels.topic.values[3]: duplicate value "economy"``): ruamel.yaml keeps the line of every key
and item, so a schema author never has to guess which of forty labels is wrong.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml.comments import CommentedMap, CommentedSeq

from curation.bundled_schemas import bundled_schema
from curation.schema.hotkeys import reserved_by_label_studio
from curation.schema.model import (
    GRANULARITIES,
    KINDS,
    LEVELS,
    Label,
    LabelFamily,
    MigrationStep,
    Schema,
    SchemaError,
)
from curation.units import sha256_hex
from curation.yamlfile import YamlFileError, item_line, key_line, load_yaml, node_line, plain, where

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""Characters an XML 1.0 document cannot hold: a schema text holding one could not reach Label Studio."""
# Corpus tag names kept exactly: ``Population-Center`` as well as ``Water_Body``.
VALUE_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*$")
COLOR_PATTERN = re.compile(r"^#[0-9a-fA-F]{6}$")
MAX_SCHEMA_BYTES = 4 << 20  # the bundled schema is ~10 KB; megabytes are no schema
# Names Label Studio tasks already use for object tags and data keys (see the studio bridge).
RESERVED_FAMILY_NAMES = frozenset({"text", "title", "target", "unit_id", "doc_id"})

TOP_KEYS = {"name", "version", "description", "labels", "migrations"}
FAMILY_KEYS = {
    "kind",
    "levels",
    "multiple",
    "required",
    "title",
    "guideline",
    "target",
    "overlap",
    "granularity",
    "values",
}
LABEL_KEYS = {"value", "ar", "description", "example", "hotkey", "color"}
DRAFT_KEYS = {"ar", "description", "example"}  # may wait in a first draft; `schema check --strict` asks for them
STEP_ACTIONS = {"rename", "merge", "retire"}
# keys only the other kind of family takes: (the kind that may not, key, problem), in report order
KIND_ONLY_KEYS = (
    ("span", "multiple", "only choice families take 'multiple'"),
    ("choice", "overlap", "only span families take 'overlap'"),
    ("choice", "granularity", "only span families take 'granularity'"),
    ("span", "target", "only choice families take a stance 'target'"),
)


def default_schema_path() -> Path:
    """The bundled ``schemas/news.yaml``: the schema used when none is named."""
    return bundled_schema()


@dataclass
class _Report:
    """Collects problems as ``file:line: key.path: message``, listed in file order."""

    path: str
    found: list[tuple[int, str]] = field(default_factory=list)

    def add(self, line: int | None, keypath: str, message: str) -> None:
        self.found.append((line or 0, f"{where(self.path, line, keypath)}: {message}"))

    @property
    def problems(self) -> list[str]:
        return [text for _, text in sorted(self.found, key=lambda item: item[0])]


def fingerprint_of(data: Any) -> str:
    """sha256 of the content as canonical JSON: comments, key order and quoting do not count."""
    canonical = json.dumps(plain(data), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return sha256_hex(canonical)


class _SchemaReader:
    """One pass over the parsed YAML that builds the schema objects and records every problem."""

    def __init__(self, report: _Report, strict: bool = False) -> None:
        self.report = report
        self.strict = strict
        # (from version, family, old label) -> (line, key path) of its rename/merge entry
        self.target_places: dict[tuple[int, str, str], tuple[int | None, str]] = {}

    def _unknown_keys(self, mapping: CommentedMap, allowed: set[str], keypath: str) -> None:
        for key in mapping:
            if key not in allowed:
                self.report.add(
                    key_line(mapping, key),
                    f"{keypath}.{key}" if keypath else str(key),
                    f"unknown key (expected one of: {', '.join(sorted(allowed))})",
                )

    def _text(self, mapping: CommentedMap, key: str, keypath: str, *, required: bool) -> str | None:
        if key not in mapping:
            if required:
                self.report.add(node_line(mapping), keypath, f"missing required key {key!r}")
            return None
        value = mapping[key]
        if not isinstance(value, str) or not value.strip():
            self.report.add(key_line(mapping, key), f"{keypath}.{key}", f"must be a non-empty string, got {value!r}")
            return None
        unshowable = NOT_XML.search(value)
        if unshowable:
            self.report.add(key_line(mapping, key), f"{keypath}.{key}",
                            f"holds U+{ord(unshowable.group()):04X}, a control character Label Studio's XML cannot carry")
            return None
        return value.strip()

    def _flag(self, mapping: CommentedMap, key: str, keypath: str, default: bool) -> bool:
        value = mapping.get(key, default)
        if not isinstance(value, bool):
            self.report.add(key_line(mapping, key), f"{keypath}.{key}", f"must be true or false, got {value!r}")
            return default
        return value

    def read(self, data: Any) -> tuple[str, int, str, list[LabelFamily], list[MigrationStep]] | None:
        if not isinstance(data, CommentedMap):
            self.report.add(1, "", "a schema must be a mapping with name, version and labels")
            return None
        self._unknown_keys(data, TOP_KEYS, "")
        name = self._text(data, "name", "name", required=True) or ""
        if name and not NAME_PATTERN.match(name):
            self.report.add(key_line(data, "name"), "name", f"must be lower-case letters, digits and _, got {name!r}")
        version = data.get("version")
        if "version" not in data:
            self.report.add(node_line(data), "", "missing required key 'version'")
            version = 0
        elif not isinstance(version, int) or isinstance(version, bool) or version < 1:
            self.report.add(key_line(data, "version"), "version", f"must be a whole number >= 1, got {version!r}")
            version = 0
        description = self._text(data, "description", "description", required=False) or ""
        families = self._families(data)
        steps = self._migrations(data, version, families)
        return name, version, description, families, steps

    def _families(self, data: CommentedMap) -> list[LabelFamily]:
        labels = data.get("labels")
        if not isinstance(labels, CommentedMap) or not labels:
            self.report.add(
                key_line(data, "labels"), "labels", "must map family names (topic, entity, ...) to families"
            )
            return []
        families = [self._family(labels, name) for name in labels]
        found = [family for family in families if family is not None]
        self._check_span_families(labels, found)
        self._check_hotkeys(labels, found)
        return found

    def _family(self, labels: CommentedMap, name: Any) -> LabelFamily | None:
        keypath = f"labels.{name}"
        node = labels[name]
        line = key_line(labels, name)
        self._check_family_name(name, line, keypath)
        if not isinstance(node, CommentedMap):
            self.report.add(line, keypath, "must be a mapping with kind, levels and values")
            return None
        self._unknown_keys(node, FAMILY_KEYS, keypath)
        kind = node.get("kind")
        if kind not in KINDS:
            self.report.add(
                key_line(node, "kind"), f"{keypath}.kind", f"must be one of {', '.join(KINDS)}, got {kind!r}"
            )
        levels = self._levels(node, keypath)
        multiple = self._flag(node, "multiple", keypath, False)
        overlap = self._flag(node, "overlap", keypath, False)
        for other_kind, key, problem in KIND_ONLY_KEYS:
            if kind == other_kind and key in node:
                self.report.add(key_line(node, key), f"{keypath}.{key}", problem)
        granularity = self._granularity(node, keypath)
        labels_found = self._labels(node, keypath, span=kind == "span")
        return LabelFamily(
            name=str(name),
            kind=kind if kind in KINDS else "choice",
            levels=levels,
            labels=tuple(labels_found),
            multiple=multiple,
            required=self._flag(node, "required", keypath, False),
            title=self._text(node, "title", keypath, required=False) or str(name),
            guideline=self._text(node, "guideline", keypath, required=False) or "",
            target=self._text(node, "target", keypath, required=False),
            overlap=overlap,
            granularity=granularity,
        )

    def _check_family_name(self, name: Any, line: int | None, keypath: str) -> None:
        """A family name becomes a dataset column and a Label Studio tag name."""
        if not isinstance(name, str) or not NAME_PATTERN.match(name):
            self.report.add(line, keypath, "family name must be lower-case letters, digits and _")
        elif name in RESERVED_FAMILY_NAMES:
            self.report.add(line, keypath, f"{name!r} is reserved for Label Studio task data")

    def _granularity(self, node: CommentedMap, keypath: str) -> str:
        """How span edges snap (``symbol`` unless given, and where what is given is unknown)."""
        granularity = node.get("granularity", "symbol")
        if granularity in GRANULARITIES:
            return granularity
        self.report.add(
            key_line(node, "granularity"),
            f"{keypath}.granularity",
            f"must be one of {', '.join(GRANULARITIES)}, got {granularity!r}",
        )
        return "symbol"

    def _levels(self, node: CommentedMap, keypath: str) -> tuple[str, ...]:
        levels = node.get("levels")
        if not isinstance(levels, list) or not levels:
            self.report.add(
                key_line(node, "levels"), f"{keypath}.levels", f"must list one or more of {', '.join(LEVELS)}"
            )
            return ()
        good: list[str] = []
        for index, level in enumerate(levels):
            if level not in LEVELS:
                self.report.add(
                    item_line(levels, index),
                    f"{keypath}.levels[{index}]",
                    f"unknown level {level!r} (expected {', '.join(LEVELS)})",
                )
            elif level in good:
                self.report.add(item_line(levels, index), f"{keypath}.levels[{index}]", f"duplicate level {level!r}")
            else:
                good.append(level)
        return tuple(good)

    def _labels(self, node: CommentedMap, keypath: str, *, span: bool) -> list[Label]:
        values = node.get("values")
        if not isinstance(values, CommentedSeq) or not values:
            self.report.add(key_line(node, "values"), f"{keypath}.values", "must list at least one label")
            return []
        found: list[Label] = []
        for index, item in enumerate(values):
            label = self._label(values, index, item, f"{keypath}.values[{index}]", span=span)
            if label is None:
                continue
            if any(other.value == label.value for other in found):
                self.report.add(
                    item_line(values, index), f"{keypath}.values[{index}]", f"duplicate value {label.value!r}"
                )
                continue
            found.append(label)
        return found

    def _label(self, values: CommentedSeq, index: int, item: Any, keypath: str, *, span: bool) -> Label | None:
        line = item_line(values, index)
        if not isinstance(item, CommentedMap):
            self.report.add(line, keypath, "must be a mapping with value, ar, description, example, hotkey, color")
            return None
        self._unknown_keys(item, LABEL_KEYS, keypath)
        fields = {key: self._text(item, key, keypath, required=self.strict or key not in DRAFT_KEYS)
                  for key in sorted(LABEL_KEYS)}
        for key, problem in _label_problems(fields, span=span):
            self.report.add(key_line(item, key), f"{keypath}.{key}", problem)
        if not self.strict:
            _fill_draft(fields, item)
        if any(v is None for v in fields.values()):
            return None
        return Label(**fields)  # type: ignore[arg-type]

    def _check_span_families(self, labels: CommentedMap, families: list[LabelFamily]) -> None:
        spans = [family for family in families if family.kind == "span"]
        for extra in spans[1:]:
            self.report.add(
                key_line(labels, extra.name),
                f"labels.{extra.name}",
                f"only one span family per schema (already {spans[0].name!r}): BIO tags and the 'entities' column need one",
            )

    def _check_hotkeys(self, labels: CommentedMap, families: list[LabelFamily]) -> None:
        """Label Studio shows every family of a level on one screen, so hotkeys must differ there."""
        for level in LEVELS:
            seen: dict[str, str] = {}
            for family in families:
                if level not in family.levels:
                    continue
                for index, label in enumerate(family.labels):
                    owner = f"{family.name}.{label.value}"
                    key = label.hotkey.lower()
                    if key in seen:
                        self.report.add(
                            item_line(labels[family.name].get("values"), index),
                            f"labels.{family.name}.values[{index}].hotkey",
                            f"hotkey {label.hotkey!r} already used by {seen[key]} at {level} level",
                        )
                    else:
                        seen[key] = owner

    def _migrations(self, data: CommentedMap, version: int, families: list[LabelFamily]) -> list[MigrationStep]:
        if "migrations" not in data:
            return []
        steps_node = data["migrations"]
        if not isinstance(steps_node, CommentedSeq):
            self.report.add(key_line(data, "migrations"), "migrations", "must be a list of steps, each with 'from'")
            return []
        by_name = {family.name: family for family in families}
        steps: list[MigrationStep] = []
        for index, node in enumerate(steps_node):
            step = self._step(steps_node, index, node, version, by_name)
            if step is None:
                continue
            if any(s.from_version == step.from_version for s in steps):
                self.report.add(
                    item_line(steps_node, index),
                    f"migrations[{index}].from",
                    f"second step from version {step.from_version}",
                )
                continue
            steps.append(step)
        steps.sort(key=lambda s: s.from_version)
        self._check_targets(steps, version, by_name)
        return steps

    def _step(
        self, steps_node: CommentedSeq, index: int, node: Any, version: int, families: dict[str, LabelFamily]
    ) -> MigrationStep | None:
        keypath = f"migrations[{index}]"
        if not isinstance(node, CommentedMap):
            self.report.add(
                item_line(steps_node, index), keypath, "must be a mapping with 'from' and per-family actions"
            )
            return None
        source = node.get("from")
        if not isinstance(source, int) or isinstance(source, bool) or not 1 <= source < max(version, 1):
            self.report.add(
                item_line(steps_node, index), f"{keypath}.from", f"must be a version below {version}, got {source!r}"
            )
            return None
        mapping: dict[str, dict[str, str]] = {}
        retired: dict[str, frozenset[str]] = {}
        for family_name, actions in node.items():
            if family_name == "from":
                continue
            family_path = f"{keypath}.{family_name}"
            line = key_line(node, family_name)
            if family_name not in families:
                self.report.add(line, family_path, "no such label family in this schema")
                continue
            if not isinstance(actions, CommentedMap):
                self.report.add(line, family_path, "must map rename/merge/retire to labels")
                continue
            self._unknown_keys(actions, STEP_ACTIONS, family_path)
            family_mapping, family_retired, places = self._actions(actions, family_path)
            for old, place in places.items():
                self.target_places[(source, family_name, old)] = place
            mapping[family_name] = family_mapping
            retired[family_name] = frozenset(family_retired)
        return MigrationStep(from_version=source, mapping=mapping, retired=retired)

    def _actions(
        self, actions: CommentedMap, keypath: str
    ) -> tuple[dict[str, str], set[str], dict[str, tuple[int | None, str]]]:
        """old -> new (renames and merges), retired olds, and where each old -> new was written."""
        found = _FamilyActions(self.report, keypath)
        rename = actions.get("rename", {})
        if isinstance(rename, dict):
            found.rename(rename)
        else:
            self.report.add(key_line(actions, "rename"), f"{keypath}.rename", "must map old label -> new label")
        merge = actions.get("merge", {})
        if isinstance(merge, dict):
            found.merge(merge)
        else:
            self.report.add(key_line(actions, "merge"), f"{keypath}.merge", "must map new label -> list of old labels")
        retire = actions.get("retire", [])
        if isinstance(retire, list):
            found.retire(retire)
        else:
            self.report.add(key_line(actions, "retire"), f"{keypath}.retire", "must list retired labels")
        return found.mapping, found.retired, found.places

    def _check_targets(self, steps: list[MigrationStep], version: int, families: dict[str, LabelFamily]) -> None:
        """A step's new labels must exist afterwards: in this schema, or as old labels of a later step."""
        for position, step in enumerate(steps):
            for family_name, mapping in step.mapping.items():
                known = set(families[family_name].values)
                for later in steps[position + 1 :]:
                    known |= set(later.mapping.get(family_name, {})) | later.retired.get(family_name, frozenset())
                for old, new in mapping.items():
                    if new not in known:
                        line, keypath = self.target_places[(step.from_version, family_name, old)]
                        self.report.add(
                            line,
                            keypath,
                            f"{old!r} migrates to {new!r}, which is not a {family_name} label of version {version}",
                        )


def _label_problems(fields: dict[str, str | None], *, span: bool) -> list[tuple[str, str]]:
    """What is wrong with a label's value, colour and hotkey, as (key, problem)."""
    value, color, hotkey = fields["value"], fields["color"], fields["hotkey"]
    problems = []
    if value is not None and not VALUE_PATTERN.match(value):
        problems.append(("value", f"must be ASCII letters, digits, _ and inner - starting with a letter, got {value!r}"))
    if span and value == "O":
        problems.append(("value", '"O" is the outside tag of BIO and cannot be an entity label'))
    if color is not None and not COLOR_PATTERN.match(color):
        problems.append(("color", f"must be #rrggbb, got {color!r}"))
    used_for = reserved_by_label_studio(hotkey) if hotkey is not None else None
    if used_for:
        problems.append(("hotkey", f"Label Studio already uses {hotkey!r} ({used_for})"))
    return problems


def _fill_draft(fields: dict[str, str | None], item: CommentedMap) -> None:
    """A first draft may leave out the Arabic name, description and example: the tag name stands
    in for the Arabic name, the others stay empty (``schema check --strict`` asks for them)."""
    value = fields["value"]
    if value is not None:
        fields.update({key: value if key == "ar" else "" for key in DRAFT_KEYS - set(item)})


@dataclass
class _FamilyActions:
    """One family's actions in one migration step as they are read: each old label is migrated
    once (renamed, merged or retired), and where each old -> new was written is kept to report
    a target that does not exist."""

    report: _Report
    keypath: str
    mapping: dict[str, str] = field(default_factory=dict)  # old -> new (renames and merges)
    retired: set[str] = field(default_factory=set)
    places: dict[str, tuple[int | None, str]] = field(default_factory=dict)

    def rename(self, rename: dict[Any, Any]) -> None:
        for old, new in rename.items():
            place = (key_line(rename, old), f"{self.keypath}.rename.{old}")
            if not isinstance(new, str):
                self.report.add(place[0], place[1], f"the new label must be a string, got {new!r}")
            elif self._claim(old, *place):
                self._migrate(old, new, place)

    def merge(self, merge: dict[Any, Any]) -> None:
        for new, olds in merge.items():
            line = key_line(merge, new)
            if not isinstance(new, str):
                self.report.add(line, f"{self.keypath}.merge", f"new labels are strings, got {new!r}")
            elif not isinstance(olds, list) or not olds:
                self.report.add(line, f"{self.keypath}.merge.{new}", "must list the old labels merged into it")
            else:
                for position, old in enumerate(olds):
                    place = (line, f"{self.keypath}.merge.{new}[{position}]")
                    if self._claim(old, *place):
                        self._migrate(old, new, place)

    def retire(self, retire: list[Any]) -> None:
        for position, old in enumerate(retire):
            if self._claim(old, item_line(retire, position), f"{self.keypath}.retire[{position}]"):
                self.retired.add(old)

    def _migrate(self, old: str, new: str, place: tuple[int | None, str]) -> None:
        self.mapping[old] = new
        self.places[old] = place

    def _claim(self, old: Any, line: int | None, path: str) -> bool:
        """Whether ``old`` is a label not yet migrated in this step (reporting why not)."""
        if not isinstance(old, str):
            self.report.add(line, path, f"label values are strings, got {old!r}")
            return False
        if old in self.mapping or old in self.retired:
            self.report.add(line, path, f"old label {old!r} is already migrated in this step")
            return False
        return True


def _parse(schema_path: Path, shown: str) -> Any:
    """The schema's YAML as ruamel's commented containers (which keep every key's line), read
    through the one bounded YAML reader (size, special files, nesting, aliases)."""
    try:
        return load_yaml(schema_path, max_bytes=MAX_SCHEMA_BYTES, what="schema", shown=shown)
    except YamlFileError as exc:
        raise SchemaError(exc.problems) from None


def load_schema(path: str | Path | None = None, *, strict: bool = False) -> Schema:
    """Read and check a schema file (the default schema when ``path`` is None).

    Raises :class:`SchemaError` listing every problem found, each with file, line and key path.
    """
    schema_path = Path(path) if path is not None else default_schema_path()
    shown = str(path) if path is not None else str(schema_path)
    report = _Report(shown)
    data = _parse(schema_path, shown)
    parsed = _SchemaReader(report, strict).read(data)
    if report.problems or parsed is None:
        raise SchemaError(report.problems)
    name, version, description, families, steps = parsed
    return Schema(
        name=name,
        version=version,
        description=description,
        all_families=tuple(families),
        migrations=tuple(steps),
        fingerprint=fingerprint_of(data),
        path=schema_path,
    )
