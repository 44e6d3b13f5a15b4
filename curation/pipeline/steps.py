"""curation's pipeline steps, each a datatrove ``PipelineStep`` with one job.

Steps pass typed objects down the chain (``(index, Document)``, then ``(index, SegmentedDocument)``):
``index`` is the document's place in the whole input, the key that puts shards back in order.
Paths are made absolute when a step is built and the worker changes to the folder the run was
started from, so a step behaves the same in a local process, a Ray actor or a Slurm task (which
must see the same file system: shared storage on a cluster).
"""

from __future__ import annotations

import gzip
import json
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from datatrove.pipeline.base import PipelineStep

from curation.fileio import atomic_writer
from curation.ingest import IngestError, IngestSettings, read_documents
from curation.segment.pipeline import SegmentedDocument, segment_document
from curation.settings import Settings
from curation.unitfile import expand_record, is_compact, write_compact_lines, write_settings, write_unit_records
from curation.units import Document

SHARD = "units-{rank:05d}.jsonl.gz"
ERRORS = "ingest-errors.jsonl"
SUMMARY = "summary.json"


def shard_path(folder: str | Path, rank: int) -> Path:
    return Path(folder) / SHARD.format(rank=rank)


class ReadPages(PipelineStep):
    """Documents ``rank, rank + world_size, ...`` of the inputs (files, folders, globs), read with
    the run's ingest settings, with their index in the whole input. Every rank reads the input in
    the same order (ingest sorts what it expands); rank 0 writes the unreadable files and lines,
    and the notices (a ``.txt`` that is HTML), to ``errors_path``: a worker's stderr goes to a log
    file, so nothing a user must see may be left to it."""

    name = "read pages"
    type = "READER"

    def __init__(self, inputs: tuple[str, ...], ingest: IngestSettings, errors_path: str | None = None) -> None:
        super().__init__()
        self.inputs, self.ingest, self.errors_path = tuple(inputs), ingest, errors_path
        self.cwd = os.getcwd()  # inputs as given stay the provenance written into the units

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[tuple[int, Document]]:
        os.chdir(self.cwd)
        errors: list[IngestError] = []
        warnings: list[IngestError] = []
        for index, document in enumerate(read_documents(self.inputs, errors, warnings=warnings, settings=self.ingest)):
            if index % world_size == rank:
                self.stat_update("documents")
                yield index, document
        if rank == 0 and self.errors_path:
            with atomic_writer(self.errors_path) as handle:
                for kind, found in (("error", errors), ("warning", warnings)):
                    for item in found:
                        handle.write(json.dumps({"kind": kind, "path": item.path, "line": item.line, "reason": item.reason}) + "\n")


class Segment(PipelineStep):
    """Each document into its article and sentence units, with the run's segmenter settings."""

    name = "segment"
    type = "SEGMENTER"

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[tuple[int, SegmentedDocument]]:
        for index, document in data or ():
            with self.track_time():
                segmented = segment_document(document, self.settings.segmenter)
            self.stat_update("articles", value=len(segmented.articles))
            self.stat_update("sentences", value=len(segmented.sentences))
            yield index, segmented


class WriteUnitShards(PipelineStep):
    """One compact units file per rank (``units-<rank>.jsonl.gz``), documents in input order."""

    name = "write unit shards"
    type = "WRITER"

    def __init__(self, folder: str | Path) -> None:
        super().__init__()
        self.folder = str(Path(folder).resolve())

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        def records() -> Iterator[dict[str, Any]]:
            for _, segmented in data or ():
                yield from segmented.records()

        Path(self.folder).mkdir(parents=True, exist_ok=True)
        self.stat_update("records", value=write_unit_records(shard_path(self.folder, rank), records()))
        return iter(())


_LEVEL = re.compile(rb'^\{"id": "[^"]*", "level": "(\w+)"')


def _documents(path: Path) -> Iterator[list[bytes]]:
    """The compact lines of a shard, a document (with its articles and sentences) at a time. The
    shard is this run's own (every record starts with its id, then its level), so lines are not parsed."""
    group: list[bytes] = []
    with gzip.open(path, "rb") as handle:
        for line in handle:
            found = _LEVEL.match(line)
            if found is None:
                raise ValueError(f"{path}: not a unit shard line: {line[:80]!r}")
            if found.group(1) == b"document" and group:
                yield group
                group = []
            group.append(line)
    if group:
        yield group


def merged_lines(folder: str | Path, shards: int) -> Iterator[bytes]:
    """The shards' compact lines in input order: document ``i`` is in shard ``i % shards``, so
    dealing one document from each shard in turn restores the order of a single-process run."""
    readers = [_documents(shard_path(folder, rank)) for rank in range(shards)]
    while True:
        for reader in readers:
            group = next(reader, None)
            if group is None:  # shards hold the same count, or the earlier ones one more
                return
            yield from group


def _expanded(lines: Iterable[bytes]) -> Iterator[dict[str, Any]]:
    """Full records of compact lines (for a plain ``.jsonl`` output)."""
    text = ""
    for line in lines:
        record = json.loads(line)
        if record["level"] == "document":
            text = record["text"]
            yield record
        else:
            yield expand_record(record, text)


class MergeUnits(PipelineStep):
    """One task: the shards of ``shards`` ranks merged into the units file, the settings written
    beside it, a summary of the counts, then the shards removed (the units file holds them)."""

    name = "merge units"
    type = "WRITER"

    def __init__(self, folder: str | Path, shards: int, output: str | Path, settings: Settings) -> None:
        super().__init__()
        self.folder, self.shards = str(Path(folder).resolve()), shards
        self.output, self.settings = str(Path(output).resolve()), settings

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        counts = {"documents": 0, "articles (main)": 0, "articles (teaser)": 0, "sentences": 0}

        def counted() -> Iterator[bytes]:
            for line in merged_lines(self.folder, self.shards):
                level = _LEVEL.match(line).group(1).decode()  # type: ignore[union-attr]
                if level == "article":
                    counts[f"articles ({json.loads(line)['role']})"] += 1
                else:
                    counts[f"{level}s"] += 1
                yield line

        if is_compact(self.output):
            write_compact_lines(self.output, counted())
        else:
            write_unit_records(self.output, _expanded(counted()))
        write_settings(self.output, self.settings)
        with atomic_writer(Path(self.folder) / SUMMARY) as handle:
            json.dump(counts, handle)
        for shard in range(self.shards):
            shard_path(self.folder, shard).unlink(missing_ok=True)
        return iter(())
