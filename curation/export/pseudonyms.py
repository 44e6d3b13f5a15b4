"""Annotators appear in exports as stable pseudonyms (``annotator_1``...), never by name or e-mail.

The mapping is kept locally beside the annotation stores (``pseudonyms.json``, mode 0600), so an
annotator keeps their id from one build to the next and a newcomer gets the next free number.
Without the file (a fresh clone), ids follow the sorted names, so a rebuild is still
reproducible. Names reach an export only when asked for explicitly.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from curation.units import Annotation

if TYPE_CHECKING:  # the snapshot's module loads the agreement and datasets: not for a report or status
    from curation.export.annotations import AnnotationSnapshot

PSEUDONYMS_FILE = "pseudonyms.json"
PREFIX = "annotator_"


@dataclass(slots=True)
class Pseudonyms:
    """name -> pseudonym, read from and saved to ``path``."""

    path: Path
    ids: dict[str, str]

    @classmethod
    def load(cls, path: Path) -> Pseudonyms:
        try:
            ids = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            ids = {}
        except ValueError as exc:
            raise ValueError(f"{path}: unreadable pseudonym mapping ({exc}); restore it from a backup") from None
        return cls(path, {str(k): str(v) for k, v in ids.items()})

    def assign(self, names: set[str]) -> None:
        """Give every new name the next free number, in sorted order, and save the mapping when one was new."""
        taken = {int(v.removeprefix(PREFIX)) for v in self.ids.values() if v.removeprefix(PREFIX).isdigit()}
        number = max(taken, default=0)
        new = sorted(names - set(self.ids))
        for name in new:
            number += 1
            self.ids[name] = f"{PREFIX}{number}"
        if new:
            self.save()

    def save(self) -> None:
        """Atomically, readable by the owner only from the first byte."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(dict(sorted(self.ids.items())), handle, indent=2, ensure_ascii=False)
        os.replace(tmp, self.path)

    def scrub(self, text: str) -> str:
        """``text`` with every known name, standing alone (not ``ali`` inside ``invalid`` or inside
        ``ali@example.org``), replaced by its pseudonym, longest names first."""
        if not self.ids:
            return text
        names = "|".join(re.escape(name) for name in sorted(self.ids, key=len, reverse=True))
        return re.sub(rf"(?<![\w.@+-])(?:{names})(?![\w@+-]|\.\w)", lambda found: self.ids[found.group()], text)


def mapping_path(snapshot: AnnotationSnapshot) -> Path:
    """Where the mapping lives: beside the first annotation store (kept out of the export folder)."""
    return (snapshot.stores[0][1].parent if snapshot.stores else Path(".")) / PSEUDONYMS_FILE


def pseudonymize(snapshot: AnnotationSnapshot, mapping_path: Path) -> Pseudonyms:
    """Replace every annotator name in ``snapshot`` (records and problem lines) by its pseudonym,
    assigning and saving new ones; returns the mapping (to translate a recipe's reviewer name)."""
    pseudonyms = Pseudonyms.load(mapping_path)
    names = {a.annotator for annotations in snapshot.by_unit.values() for a in annotations}
    pseudonyms.assign(names)
    snapshot.by_unit = {
        unit: [replace(a, annotator=pseudonyms.ids[a.annotator]) for a in annotations]
        for unit, annotations in snapshot.by_unit.items()
    }
    snapshot.problems = [pseudonyms.scrub(problem) for problem in snapshot.problems]
    return pseudonyms


def pseudonyms_beside(store: Path, names: set[str]) -> dict[str, str]:
    """The pseudonyms of ``names`` from the mapping beside ``store`` (new ones assigned and saved),
    e.g. to show annotators' answers to a reviewer under the ids the exports will use."""
    pseudonyms = Pseudonyms.load(Path(store).parent / PSEUDONYMS_FILE)
    pseudonyms.assign(names)
    return {name: pseudonyms.ids[name] for name in names}


def pseudonymous(annotations: list[Annotation], store: Path) -> tuple[list[Annotation], Pseudonyms]:
    """``annotations`` (read from ``store`` and its neighbours) with every annotator under their
    pseudonym from the mapping beside ``store``: what a report or status shows and keeps."""
    pseudonyms = Pseudonyms.load(Path(store).parent / PSEUDONYMS_FILE)
    pseudonyms.assign({a.annotator for a in annotations})
    return [replace(a, annotator=pseudonyms.ids[a.annotator]) for a in annotations], pseudonyms
