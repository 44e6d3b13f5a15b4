"""The one reader of the YAML files a user writes (a schema, a recipe, ``curation.yaml``), bounded
so that no file can crash, hang or exhaust memory: a FIFO or a device is refused before it is
opened for reading, a file over its size limit is not read whole, nesting deeper than any real file
and YAML aliases (the "billion laughs") and keys that are lists or mappings are refused on the event
stream before anything is built.

The result keeps ruamel's commented containers, so each section reader can name the line of the
key at fault; every problem is one line, ``file:line: key: what is wrong`` (:func:`key_line`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from curation.errors import CurationError
from curation.errors import shown as quoted
from curation.fileio import DecodeProblem, read_small_text

MAX_DEPTH = 32  # the bundled schema nests 6 deep; thousands of "[" take ruamel minutes to parse
MAX_PROBLEMS = 5


class YamlFileError(CurationError, ValueError):
    """A YAML file that cannot be read or parsed; ``problems`` are ``file:line: what is wrong``."""


def key_line(mapping: Any, key: Any) -> int | None:
    """1-based line of ``key`` in a ruamel mapping (of the mapping itself for a missing key)."""
    try:
        return int(mapping.lc.key(key)[0]) + 1
    except (AttributeError, KeyError, TypeError):
        return node_line(mapping)


def item_line(sequence: Any, index: int) -> int | None:
    """1-based line of item ``index`` of a ruamel sequence (of the sequence when unknown)."""
    try:
        return int(sequence.lc.item(index)[0]) + 1
    except (AttributeError, KeyError, IndexError, TypeError):
        return node_line(sequence)


def node_line(node: Any) -> int | None:
    lc = getattr(node, "lc", None)
    return lc.line + 1 if lc is not None and lc.line is not None else None


def plain(node: Any) -> Any:
    """ruamel's commented containers and scalar types (``ScalarFloat``...) as plain dicts, lists,
    strings and numbers: what travels on into settings, manifests and fingerprints."""
    if isinstance(node, dict):
        return {str(key): plain(value) for key, value in node.items()}
    if isinstance(node, list | tuple):
        return [plain(value) for value in node]
    for kind in (bool, int, float, str):
        if isinstance(node, kind):
            return kind(node)
    return node


def where(shown: str, line: int | None, key: str = "") -> str:
    """``file:line: key`` (the parts known) that starts every problem line; a key that is not
    printable as it stands (a newline in a key of the user's file) is shown quoted, so the
    problem stays one line."""
    place = f"{shown}:{line}" if line is not None else shown
    return f"{place}: {key if key.isprintable() else quoted(key)}" if key else place


def _mark_line(mark: Any) -> int | None:
    return mark.line + 1 if mark is not None and mark.line is not None else None


def _bounded_events(source: str, shown: str, what: str) -> list[str]:
    """The problems of the event stream: nesting deeper than :data:`MAX_DEPTH` (one, then stop),
    each alias and each key that is a list or a mapping (at most :data:`MAX_PROBLEMS` of them):
    no file here has either, and nested ones crash the YAML reader (``unhashable type``)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, MappingStartEvent, NodeEvent

    problems: list[str] = []
    open_nodes: list[list[int]] = []  # per open collection: [is a mapping, nodes seen in it]
    for event in YAML(typ="rt").parse(source):
        line = _mark_line(event.start_mark)
        if isinstance(event, CollectionEndEvent):
            open_nodes.pop()
            continue
        if not isinstance(event, NodeEvent):
            continue
        is_key = bool(open_nodes) and open_nodes[-1][0] == 1 and open_nodes[-1][1] % 2 == 0
        if open_nodes:
            open_nodes[-1][1] += 1
        if isinstance(event, AliasEvent):
            problems.append(f"{where(shown, line)}: YAML alias *{event.anchor} is not allowed in a {what}: write the value out")
        elif isinstance(event, CollectionStartEvent):
            if is_key:
                problems.append(f"{where(shown, line)}: a key is a list or a mapping: no {what} has one")
            open_nodes.append([int(isinstance(event, MappingStartEvent)), 0])
            if len(open_nodes) > MAX_DEPTH:
                return [*problems, f"{where(shown, line)}: nested deeper than {MAX_DEPTH} levels: no {what} is"]
        if len(problems) >= MAX_PROBLEMS:
            break
    return problems


def parse_yaml(source: str, shown: str, what: str) -> Any:
    """``source`` as ruamel's commented containers; :class:`YamlFileError` (one line a problem)
    for deep nesting, aliases and invalid YAML."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    try:
        problems = _bounded_events(source, shown, what)
        if problems:
            raise YamlFileError(problems=problems)
        return YAML(typ="rt").load(source)
    except MarkedYAMLError as exc:
        line = _mark_line(exc.problem_mark or exc.context_mark)
        reason = " ".join(str(exc.problem or exc.context or "not YAML").split())
        raise YamlFileError(f"{where(shown, line)}: invalid YAML: {reason}") from None
    except RecursionError:
        raise YamlFileError(f"{shown}: invalid YAML: nested too deeply") from None
    except YAMLError as exc:  # unmarked: a control character the YAML reader refuses
        reason = getattr(exc, "reason", None) or (str(exc).splitlines() or ["not YAML"])[0]
        raise YamlFileError(f"{shown}: invalid YAML: {reason}") from None


def load_yaml(path: str | Path, *, max_bytes: int, what: str, shown: str | None = None) -> Any:
    """The YAML of the file at ``path`` (named ``shown`` in messages), at most ``max_bytes`` long;
    a FIFO, a device, an unreadable or undecodable file is one :class:`YamlFileError` line."""
    shown = str(path) if shown is None else shown
    try:
        source = read_small_text(path, max_bytes)  # a FIFO or /dev/zero never ends
    except (OSError, DecodeProblem) as exc:
        raise YamlFileError(f"{shown}: cannot read {what}: {getattr(exc, 'strerror', None) or exc}") from None
    return parse_yaml(source, shown, what)
