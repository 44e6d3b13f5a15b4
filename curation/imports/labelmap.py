"""Label map files: how a corpus's labels become schema values (renames, merges, drops).

One ``source: target`` pair a line in YAML (``MIS: MISC``, ``Population-Center: GPE``); a
target ``O`` drops that label on purpose (no problem is reported for it).
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from curation.errors import CurationError


class LabelMapError(CurationError, ValueError):
    """A label map file that cannot be used, naming the file (and line)."""


def read_label_map(path: str | Path) -> dict[str, str]:
    try:
        data = YAML(typ="safe").load(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise LabelMapError(f"{path}: cannot read label map: {exc}") from None
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise LabelMapError(f"{path}{line}: invalid YAML in label map: {getattr(exc, 'problem', exc)}") from None
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(isinstance(v, str | int) for v in data.values()):
        raise LabelMapError(f"{path}: a label map is one 'source label: schema value' pair a line")
    return {str(k): str(v) for k, v in data.items()}
