"""curation's pipeline steps, each a datatrove ``PipelineStep`` with one job.

Steps pass typed objects down the chain (``(index, Document)``, then ``(index, SegmentedDocument)``):
``index`` is the document's place in the whole input, the key that puts shards back in order.
Paths are made absolute when a step is built and the worker changes to the folder the run was
started from, so a step behaves the same in a local process, a Ray actor or a Slurm task (which
must see the same file system: shared storage on a cluster).
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from datatrove.pipeline.base import PipelineStep

from curation.fileio import atomic_writer
from curation.ingest import IngestError, IngestSettings, find_pages
from curation.progress import RankTally
from curation.segment.pipeline import SegmentedDocument, segment_document
from curation.settings import Settings
from curation.unitfile import (
    compact_line,
    expand_record,
    gzip_member,
    is_compact,
    write_index,
    write_settings,
    write_unit_records,
)
from curation.units import Document

SHARD = "units-{rank:05d}.jsonl.gz"
ERRORS = "ingest-errors.jsonl"
SUMMARY = "summary.json"
BLOCK = 256
"""Pages a block (an input's pages, readable or not): the unit of sharding (block ``b`` goes to
rank ``b % world_size``) and one gzip member of the units file (a block without a readable page
has none), so the file's bytes do not depend on the number of ranks."""
COUNTED = ("documents", "articles (main)", "articles (teaser)", "sentences")
SET_ASIDE = ("boilerplate lines", "captions", "bylines", "datelines")
"""Lines the segmenter moved out of what annotators read, kept in the units as article metadata:
counted per run so the summary says what was set aside (nothing leaves the text unseen)."""


def shard_path(folder: str | Path, rank: int) -> Path:
    return Path(folder) / SHARD.format(rank=rank)


class ReadPages(PipelineStep):
    """The documents of blocks ``rank, rank + world_size, ...`` of the inputs' pages (files,
    folders, globs), read with the run's ingest settings, with their page's index in the whole
    input. Every rank lists the inputs in the same order (ingest sorts what it expands) but makes
    only its own pages (no JSON parsing, no HTML extraction of the others'). The problems and
    notices (a ``.txt`` that is HTML) of its pages go to the rank's problems file, each with its
    page's index, and the merge puts them in input order: a worker's stderr goes to a log file,
    so nothing a user must see may be left to it."""

    name = "read pages"
    type = "READER"

    def __init__(self, inputs: tuple[str, ...], ingest: IngestSettings, problems: str, tally: str | None = None) -> None:
        super().__init__()
        self.inputs, self.ingest, self.problems = tuple(inputs), ingest, str(Path(problems).resolve())
        self.cwd = os.getcwd()  # inputs as given stay the provenance written into the units
        self.tally = tally  # the folder where the rank counts its pages for a progress display (None: not counted)

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[tuple[int, Document]]:
        os.chdir(self.cwd)
        unexpanded: list[IngestError] = []
        warnings: list[IngestError] = []
        found: list[tuple[int, str, IngestError]] = []  # (page index, kind, problem)
        tally = RankTally(self.tally, rank) if self.tally else None
        for index, item in enumerate(find_pages(self.inputs, unexpanded, self.ingest, warnings)):
            if index // BLOCK % world_size != rank:
                continue
            if tally is not None:  # counted as it is taken: the step after works on it before the next is read
                tally.add()
            page = item if isinstance(item, IngestError) else item()
            found.extend((index, "warning", warning) for warning in warnings)
            warnings.clear()
            if isinstance(page, IngestError):
                found.append((index, "error", page))
                continue
            self.stat_update("documents")
            yield index, page
        if tally is not None:
            tally.close()
        if rank == 0:  # inputs that could not be expanded: every rank finds them, one tells
            found[:0] = [(-1, "error", problem) for problem in unexpanded]
        Path(self.problems).mkdir(parents=True, exist_ok=True)
        with atomic_writer(_problems_path(self.problems, rank)) as handle:
            for index, kind, item in found:
                handle.write(json.dumps({"page": index, "kind": kind, "path": item.path, "line": item.line, "reason": item.reason}) + "\n")


def _problems_path(folder: str | Path, rank: int) -> Path:
    return Path(folder) / f"problems-{rank:05d}.jsonl"


def merge_problems(folder: str | Path, ranks: int, output: str | Path) -> None:
    """The ranks' problems files as one, in input order (each page's problems come from one rank)."""
    found = []
    for rank in range(ranks):
        with _problems_path(folder, rank).open(encoding="utf-8") as handle:
            found.extend(handle.readlines())
    found.sort(key=lambda line: json.loads(line)["page"])  # stable: a page's problems keep their order
    with atomic_writer(output) as handle:
        handle.writelines(found)


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
    """One compact units file per rank (``units-<rank>.jsonl.gz``): a gzip member per block of
    its documents, with each member's block, length, pages and lines and the unit counts in
    ``units-<rank>.json``."""

    name = "write unit shards"
    type = "WRITER"

    def __init__(self, folder: str | Path) -> None:
        super().__init__()
        self.folder = str(Path(folder).resolve())

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        counts = dict.fromkeys(COUNTED + SET_ASIDE, 0)
        members: list[tuple[int, int, int, int]] = []  # (block, bytes, pages, lines)

        def lines(documents: Iterable[tuple[int, SegmentedDocument]], member: list[int]) -> Iterator[bytes]:
            """The block's compact lines, its pages and lines counted into ``member``."""
            for _, segmented in documents:
                member[0] += 1
                counts["documents"] += 1
                counts["sentences"] += len(segmented.sentences)
                for article in segmented.articles:
                    counts[f"articles ({article.role})"] += 1
                    counts["boilerplate lines"] += len(article.boilerplate)
                    counts["captions"] += len(article.captions)
                    counts["bylines"] += article.byline is not None
                    counts["datelines"] += article.dateline is not None
                for record in segmented.records():
                    member[1] += 1
                    yield compact_line(record)

        Path(self.folder).mkdir(parents=True, exist_ok=True)
        with atomic_writer(shard_path(self.folder, rank), binary=True) as handle:
            for block, documents in itertools.groupby(data or (), key=lambda item: item[0] // BLOCK):
                member = [0, 0]
                size = handle.write(gzip_member(lines(documents, member)))
                members.append((block, size, *member))
        with atomic_writer(_index_path(self.folder, rank)) as handle:
            json.dump({"members": members, "counts": counts}, handle)
        self.stat_update("records", value=sum(counts.values()))
        return iter(())


def _index_path(folder: str | Path, rank: int) -> Path:
    return shard_path(folder, rank).with_suffix("").with_suffix(".json")


def merged_members(folder: str | Path, shards: int) -> Iterator[tuple[bytes, int, int]]:
    """The shards' gzip members in input order, each with its pages and lines: each shard holds
    its blocks in order, so reading the members of all shards by block number restores the input's order."""
    members = sorted(
        (block, rank, size, pages, lines)
        for rank in range(shards)
        for block, size, pages, lines in json.loads(_index_path(folder, rank).read_text(encoding="utf-8"))["members"]
    )
    with ExitStack() as stack:
        handles = [stack.enter_context(shard_path(folder, rank).open("rb")) for rank in range(shards)]
        for _, rank, size, pages, lines in members:
            yield handles[rank].read(size), pages, lines


def _expanded(members: Iterable[tuple[bytes, int, int]]) -> Iterator[dict[str, Any]]:
    """Full records of compact members (for a plain ``.jsonl`` output)."""
    text = ""
    for member, _, _ in members:
        for line in gzip.decompress(member).splitlines():
            record = json.loads(line)
            if record["level"] == "document":
                text = record["text"]
                yield record
            else:
                yield expand_record(record, text)


class MergeUnits(PipelineStep):
    """One task: the shards of ``shards`` ranks joined into the units file (their gzip members
    end to end: nothing is recompressed), the settings and (compact) the members' index written
    beside it, the counts summed and the problems put in input order into ``problems``, then the
    shards removed (the units file holds them)."""

    name = "merge units"
    type = "WRITER"

    def __init__(self, folder: str | Path, shards: int, output: str | Path, settings: Settings, problems: str | Path) -> None:
        super().__init__()
        self.folder, self.shards = str(Path(folder).resolve()), shards
        self.output, self.settings, self.problems = str(Path(output).resolve()), settings, str(Path(problems).resolve())

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        counts = dict.fromkeys(COUNTED + SET_ASIDE, 0)
        for shard in range(self.shards):
            for key, value in json.loads(_index_path(self.folder, shard).read_text(encoding="utf-8"))["counts"].items():
                counts[key] += value
        if is_compact(self.output):
            digest, listed = hashlib.sha256(), []
            with atomic_writer(self.output, binary=True) as handle:
                for member, pages, lines in merged_members(self.folder, self.shards):
                    handle.write(member)
                    digest.update(member)
                    listed.append((len(member), pages, lines))
            write_index(self.output, listed, digest)
        else:
            write_unit_records(self.output, _expanded(merged_members(self.folder, self.shards)))
        write_settings(self.output, self.settings)
        merge_problems(self.folder, self.shards, self.problems)
        with atomic_writer(Path(self.folder) / SUMMARY) as handle:
            json.dump(counts, handle)
        for shard in range(self.shards):
            for path in (shard_path(self.folder, shard), _index_path(self.folder, shard), _problems_path(self.folder, shard)):
                path.unlink(missing_ok=True)
        return iter(())
