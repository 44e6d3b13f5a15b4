"""The local annotation store that agreement and export read.

Layout for a store ``NAME.jsonl``:

* ``NAME.jsonl``: one :meth:`curation.units.Annotation.to_record` per line, sorted by key
  (unit id, annotator, annotation id). Annotations deleted in Label Studio stay, with
  ``deleted: true``; readers that want live answers filter on it.
* ``NAME.rejects.jsonl``: annotations that fail the schema, ``{"record", "reasons", "task_id"}``.
* ``NAME.state.json``: where the next incremental pull starts (project, watermark).

Every file is replaced atomically (temp file + rename), so a reader never sees a partial file.

    >>> from curation.studio.store import read_annotations
    >>> live = [a for a in read_annotations("annotations/news-sentence.jsonl") if not a.deleted]
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from curation.fileio import atomic_writer, iter_jsonl
from curation.units import Annotation

Key = tuple[str, str, str]


def _sidecar(path: Path, suffix: str) -> Path:
    name = path.name[: -len(".jsonl")] if path.name.endswith(".jsonl") else path.name
    return path.with_name(name + suffix)


def read_annotations(path: str | Path) -> list[Annotation]:
    """Every annotation of a store file (deleted ones included, flagged ``deleted``)."""
    return AnnotationStore(path).annotations()


class AnnotationStore:
    """Annotations of one project, keyed by :attr:`Annotation.key`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.rejects_path = _sidecar(self.path, ".rejects.jsonl")
        self.state_path = _sidecar(self.path, ".state.json")

    def _lines(self, path: Path) -> list[dict[str, Any]]:
        if not path.exists():
            return []
        return [record for _, record in iter_jsonl(path)]

    def annotations(self) -> list[Annotation]:
        return [Annotation.from_record(record) for record in self._lines(self.path)]

    def by_key(self) -> dict[Key, Annotation]:
        return {a.key: a for a in self.annotations()}

    def rejects(self) -> dict[Key, dict[str, Any]]:
        """Rejected annotations by key: ``{"record": ..., "reasons": [...], "task_id": ...}``."""
        rejected = {}
        for item in self._lines(self.rejects_path):
            record = item["record"]
            rejected[(record["unit_id"], str(record["annotator"]), str(record["annotation_id"]))] = item
        return rejected

    def state(self) -> dict[str, Any]:
        if not self.state_path.exists():
            return {}
        return json.loads(self.state_path.read_text(encoding="utf-8"))

    def write(self, annotations: dict[Key, Annotation], rejects: dict[Key, dict[str, Any]]) -> None:
        """Replace the store and rejects files (each atomically), sorted by key."""
        with atomic_writer(self.path) as handle:
            for key in sorted(annotations):
                handle.write(json.dumps(annotations[key].to_record(), ensure_ascii=False) + "\n")
        with atomic_writer(self.rejects_path) as handle:
            for key in sorted(rejects):
                handle.write(json.dumps(rejects[key], ensure_ascii=False) + "\n")

    def write_state(self, state: dict[str, Any]) -> None:
        with atomic_writer(self.state_path) as handle:
            json.dump(state, handle, indent=2)
