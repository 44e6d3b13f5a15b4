"""A first-draft schema from a list of labels: one span family, tag names kept exactly.

Hotkeys run 1-9, 0, then letters, then shift+letters, skipping every key Label Studio's editor
binds itself (:mod:`curation.schema.hotkeys`); colours are spread round the hue circle by the
golden angle, so neighbouring labels never look alike however many there are. Arabic names,
descriptions and examples are left for the author: ``schema check --strict`` lists them.
"""

from __future__ import annotations

import colorsys
import io
import string
from collections.abc import Iterator, Sequence

from ruamel.yaml import YAML

from curation.schema.hotkeys import reserved_by_label_studio
from curation.schema.loader import NAME_PATTERN, VALUE_PATTERN

GOLDEN_ANGLE = 0.381966


def hotkeys() -> Iterator[str]:
    """Every free single key, then shift+letter combinations, in the order they are handed out."""
    singles = [*"123456789", "0", *string.ascii_lowercase]
    for key in [*singles, *(f"shift+{c}" for c in string.ascii_lowercase)]:
        if not reserved_by_label_studio(key):
            yield key


def colours(count: int) -> list[str]:
    """``count`` distinct #rrggbb colours, readable behind dark text."""
    found = []
    for index in range(count):
        hue = (index * GOLDEN_ANGLE) % 1.0
        lightness = 0.55 if index % 2 == 0 else 0.68
        r, g, b = colorsys.hls_to_rgb(hue, lightness, 0.6)
        found.append(f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}")
    return found


def _draft_problems(name: str, entities: Sequence[str], free_hotkeys: int) -> list[str]:
    """Everything that keeps ``entities`` from making a schema called ``name``."""
    problems = [f"label {value!r}: must be ASCII letters, digits, _ and inner -" for value in entities
                if not VALUE_PATTERN.match(value)]
    problems += [f"label {value!r} is listed twice" for value in sorted(set(entities)) if entities.count(value) > 1]
    if not NAME_PATTERN.match(name):
        problems.append(f"schema name {name!r}: lower-case letters, digits and _")
    if not entities:
        problems.append("no labels given")
    if len(entities) > free_hotkeys:
        problems.append(f"{len(entities)} labels but only {free_hotkeys} free hotkeys")
    return problems


def draft_schema(name: str, entities: Sequence[str], *, level: str = "sentence", description: str = "",
                 granularity: str = "symbol") -> str:
    """The YAML text of a version-1 schema whose ``entity`` family holds ``entities`` as given, its spans
    at ``granularity`` (``word`` for a corpus whose entities are whole tokens)."""
    keys = list(hotkeys())
    problems = _draft_problems(name, entities, len(keys))
    if problems:
        raise ValueError("; ".join(problems))
    values = [{"value": value, "hotkey": key, "color": colour}
              for value, key, colour in zip(entities, keys, colours(len(entities)))]
    data = {
        "name": name,
        "version": 1,
        "description": description or f"First draft from {len(entities)} labels; add Arabic names, descriptions and examples.",
        "labels": {"entity": {"kind": "span", "levels": [level], "overlap": False, "granularity": granularity, "values": values}},
    }
    out = io.StringIO()
    yaml = YAML()
    yaml.default_flow_style = None
    yaml.width = 120
    yaml.dump(data, out)
    return out.getvalue()


STARTER = "starter.yaml"


def _draft_values(values: Sequence[str], taken: set[str]) -> list[dict[str, str]]:
    """Draft label entries for ``values``: hotkeys not in ``taken`` (another family's on the same screen)."""
    keys = [key for key in hotkeys() if key not in taken]
    problems = _draft_problems("starter", list(values), len(keys))
    if problems:
        raise ValueError("; ".join(problems))
    return [{"value": value, "hotkey": key, "color": colour} for value, key, colour in zip(values, keys, colours(len(values)))]


def starter_schema(name: str, *, target: str | None = None, topics: Sequence[str] = (), entities: Sequence[str] = ()) -> str:
    """The YAML text of the bundled starter schema (topic, entity, stance) named ``name``, comments
    kept: the stance ``target`` set, and the topic or entity labels replaced by ``topics`` or
    ``entities`` (drafts: their Arabic names are left for ``schema check --strict`` to ask for)."""
    from curation.bundled_schemas import bundled_schema

    yaml = YAML(typ="rt")
    yaml.width = 4096
    data = yaml.load(bundled_schema(STARTER).read_text(encoding="utf-8"))
    data["name"] = name
    labels = data["labels"]
    if target is not None:
        if not target.strip():
            raise ValueError("the stance target is empty")
        labels["stance"]["target"] = target.strip()
    stance_keys = {label["hotkey"] for label in labels["stance"]["values"]}
    for family, given in (("topic", topics), ("entity", entities)):
        if given:
            labels[family]["values"] = _draft_values(given, stance_keys)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()
