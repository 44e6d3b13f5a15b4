"""The local annotation store: the one API through which pull writes and agreement, report and
build read annotations.

Layout for a store ``NAME.jsonl``:

* ``NAME.jsonl``: one :meth:`curation.units.Annotation.to_record` per line, sorted by key
  (unit id, annotator, annotation id). Annotations deleted in Label Studio stay, with
  ``deleted: true``; readers that want live answers filter on it.
* ``NAME.rejects.jsonl``: whole annotations that fail the schema (a choice outside it, a
  required answer missing, overlapping spans): :class:`Rejected`, ``{"record", "reasons", "task_id"}``.
* ``NAME.regions.jsonl``: regions set aside from annotations that are otherwise kept (offsets
  that do not match the text Label Studio shows, a label outside the schema): :class:`Flagged`,
  ``{"record": the kept annotation, "regions": [{"region", "reason"}], "task_id"}``. Their units
  are *flagged*: the kept annotation lacks what an annotator marked, so an export can decide.
* ``NAME.state.json``: where the next incremental pull starts (project, watermark).
* ``NAME.lock``: held by a pull while it runs, so two pulls never interleave their writes.

Every file is replaced atomically (temp file + rename), so a reader never sees a partial file;
the temporary file of a writer killed mid-write is removed by the next pull. Every file is 0600:
annotators are named by their identity (an e-mail) until an export gives them pseudonyms.

    >>> from curation.studio.store import read_annotations
    >>> live = [a for a in read_annotations("annotations/news-sentence.jsonl") if not a.deleted]
"""

from __future__ import annotations

import fcntl
import json
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from curation.fileio import JsonlLineError, atomic_writer, dumps, iter_jsonl
from curation.studio.results import SetAside
from curation.units import Annotation

Key = tuple[str, str, str]
SIDECARS = (".rejects.jsonl", ".regions.jsonl", ".state.json")


def _sidecar(path: Path, suffix: str) -> Path:
    return path.with_name(path.name.removesuffix(".jsonl") + suffix)


def store_files(path: str | Path) -> list[Path]:
    """The stores a path stands for: a folder (as `curation pull` fills one) its ``*.jsonl``
    stores in name order, without their rejects and set-aside sidecars; a file itself."""
    path = Path(path)
    if not path.is_dir():
        return [path]
    return [inner for inner in sorted(path.glob("*.jsonl")) if not inner.name.endswith(SIDECARS)]


def read_annotations(path: str | Path) -> list[Annotation]:
    """Every annotation of a store file (deleted ones included, flagged ``deleted``)."""
    return AnnotationStore(path).annotations()


@dataclass(frozen=True, slots=True)
class PullState:
    """Where a store's next incremental pull starts: the project pulled and the newest task
    change (``updated_at``) seen."""

    url: str
    project_id: int
    watermark: str | None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PullState:
        return cls(str(data.get("url")), int(data.get("project_id") or 0), data.get("watermark"))


@dataclass(frozen=True, slots=True)
class Rejected:
    """A whole annotation kept out of the answers (it fails the schema), with every reason."""

    annotation: Annotation
    reasons: tuple[str, ...]
    task_id: int | None = None

    def to_line(self) -> dict[str, Any]:
        return {"record": self.annotation.to_record(), "reasons": list(self.reasons), "task_id": self.task_id}

    @classmethod
    def from_line(cls, line: dict[str, Any]) -> Rejected:
        return cls(Annotation.from_record(line["record"]), tuple(map(str, line["reasons"])), line.get("task_id"))


@dataclass(frozen=True, slots=True)
class Flagged:
    """An annotation kept without some of its regions: those set aside, each with its reason.
    Its unit is *flagged*: the kept answer lacks what the annotator marked there."""

    annotation: Annotation
    regions: tuple[SetAside, ...]
    task_id: int | None = None

    @property
    def reasons(self) -> tuple[str, ...]:
        return tuple(region.reason for region in self.regions)

    def to_line(self) -> dict[str, Any]:
        return {"record": self.annotation.to_record(), "regions": [r.to_dict() for r in self.regions], "task_id": self.task_id}

    @classmethod
    def from_line(cls, line: dict[str, Any]) -> Flagged:
        regions = tuple(SetAside(dict(r["region"]), str(r["reason"])) for r in line["regions"])
        return cls(Annotation.from_record(line["record"]), regions, line.get("task_id"))


def _reasons(entries: Iterable[Rejected | Flagged]) -> Iterator[str]:
    return (reason for entry in entries for reason in entry.reasons)


@dataclass(frozen=True, slots=True)
class Rejections:
    """What a store kept out of its answers: the figures a build's summary, card and manifest carry."""

    annotations: int = 0
    regions: int = 0
    flagged_units: tuple[str, ...] = ()
    reasons: dict[str, int] = field(default_factory=dict)  # reason kind -> count

    def __add__(self, other: Rejections) -> Rejections:
        reasons = Counter(self.reasons)
        reasons.update(other.reasons)
        units = tuple(sorted(set(self.flagged_units) | set(other.flagged_units)))
        return Rejections(self.annotations + other.annotations, self.regions + other.regions, units, dict(reasons))

    def to_dict(self) -> dict[str, Any]:
        return {
            "rejected annotations": self.annotations,
            "regions set aside": self.regions,
            "flagged units": len(self.flagged_units),
            "reasons": dict(sorted(self.reasons.items())),
        }


def reason_kind(reason: str) -> str:
    """A reason without its specifics (unit, offsets, quoted text), for counting reasons by kind."""
    tail = reason.split(": ", 1)[-1] if reason.count(": ") else reason
    return tail.split(" (")[0].split(" at [")[0].split("; ")[0][:80]


def rejections_of(paths: Iterable[str | Path]) -> Rejections:
    """What the stores at ``paths`` kept out of their answers, together (a build reads several)."""
    return sum((AnnotationStore(path).rejections() for path in paths), Rejections())


class AnnotationStore:
    """Annotations of one project, keyed by :attr:`Annotation.key`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.rejects_path = _sidecar(self.path, ".rejects.jsonl")
        self.regions_path = _sidecar(self.path, ".regions.jsonl")
        self.state_path = _sidecar(self.path, ".state.json")
        self.lock_path = _sidecar(self.path, ".lock")

    def _lines(self, path: Path, errors: list[JsonlLineError] | None = None) -> list[dict[str, Any]]:
        if not path.exists():
            return []
        return [record for _, record in iter_jsonl(path, errors)]

    def annotations(self, problems: list[str] | None = None) -> list[Annotation]:
        """The stored annotations; with ``problems``, an unreadable file or line is one problem
        there (naming file and line) instead of an exception, and the rest is read."""
        if problems is None:
            return [Annotation.from_record(record) for record in self._lines(self.path)]
        return [annotation for _, _, annotation in self.read(problems)]

    def read(self, problems: list[str], name: str | None = None) -> Iterator[tuple[int, dict[str, Any], Annotation]]:
        """``(line number, record, annotation)`` for each readable line: the one reader of store
        files for agreement, report and build. Problems name the file as ``name`` (default: the path)."""
        where = name or str(self.path)
        errors: list[JsonlLineError] = []
        found: list[tuple[int, str]] = []
        try:
            for number, record in iter_jsonl(self.path, errors):
                try:
                    yield number, record, Annotation.from_record(record)
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    found.append((number, f"malformed annotation record ({type(exc).__name__}: {exc})"))
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(f"{where}: cannot read annotations: {exc}")
        found += [(error.line, error.reason) for error in errors]
        problems.extend(f"{where}:{line}: {reason}" for line, reason in sorted(found))

    def by_key(self) -> dict[Key, Annotation]:
        return {a.key: a for a in self.annotations()}

    def rejects(self) -> dict[Key, Rejected]:
        """Rejected annotations by key."""
        entries = (Rejected.from_line(line) for line in self._lines(self.rejects_path))
        return {entry.annotation.key: entry for entry in entries}

    def set_aside(self) -> dict[Key, Flagged]:
        """Annotations kept without some of their regions, by key."""
        entries = (Flagged.from_line(line) for line in self._lines(self.regions_path))
        return {entry.annotation.key: entry for entry in entries}

    def rejections(self) -> Rejections:
        """Counts and reasons of everything kept out of the answers (deleted annotations excluded)."""
        rejected = [entry for entry in self.rejects().values() if not entry.annotation.deleted]
        flagged = [entry for entry in self.set_aside().values() if not entry.annotation.deleted]
        return Rejections(
            annotations=len(rejected),
            regions=sum(len(entry.regions) for entry in flagged),
            flagged_units=tuple(sorted({entry.annotation.unit_id for entry in flagged})),
            reasons=dict(Counter(map(reason_kind, [*_reasons(rejected), *_reasons(flagged)]))),
        )

    def state(self) -> PullState | None:
        """Where the next incremental pull starts; None before the first pull."""
        if not self.state_path.exists():
            return None
        return PullState.from_dict(json.loads(self.state_path.read_text(encoding="utf-8")))

    def write(
        self,
        annotations: Mapping[Key, Annotation],
        rejects: Mapping[Key, Rejected],
        set_aside: Mapping[Key, Flagged],
    ) -> None:
        """Replace the store, rejects and set-aside files (each atomically), sorted by key; a NaN or
        infinity (a lead time, a value Label Studio sent) is written as null: every reader parses them."""
        with atomic_writer(self.path, private=True) as handle:
            for key in sorted(annotations):
                handle.write(dumps(annotations[key].to_record()) + "\n")
        for path, entries in ((self.rejects_path, rejects), (self.regions_path, set_aside)):
            with atomic_writer(path, private=True) as handle:
                for key in sorted(entries):
                    handle.write(dumps(entries[key].to_line()) + "\n")

    def write_state(self, state: PullState) -> None:
        with atomic_writer(self.state_path, private=True) as handle:
            handle.write(dumps(asdict(state), indent=2))

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Hold the store's lock (waiting for another pull to finish), after removing the
        temporary files a writer killed mid-write left behind: under the lock none is live."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.lock_path.open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            for target in (self.path, *(_sidecar(self.path, s) for s in SIDECARS)):
                for stale in target.parent.glob(f".{target.name}.*.tmp"):
                    stale.unlink(missing_ok=True)
            yield
