"""The dedup stages as datatrove ``PipelineStep`` objects, for :func:`curation.dedup.run.run_dedup`.

Rank ``r`` of ``n`` of the first job reads the units file and takes pages ``r, r+n, r+2n...``:
their articles' signatures go to its own parts and their passages to its own index. A text's
input position is ``page << 20 | article``, the same whatever ``n``, so later stages order and
break ties alike for any number of ranks or executor. Work paths are made absolute when a step
is built, so a step behaves the same in a local process, a Ray actor or a Slurm task (which must see
the same file system); the units file is read from the folder the run was started in, so its
messages name it as the user did. This module imports datatrove: import it only to run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from datatrove.pipeline.base import PipelineStep

from curation.dedup.items import DEDUP_LEVELS, dedup_items
from curation.dedup.labels import meta_labels
from curation.dedup.passages import PassageIndex
from curation.dedup.run import DedupJob, finish, labels_path, passages_path, read_errors_folder
from curation.dedup.stages import buckets_stage, signatures_stage
from curation.pipeline.run import rank_results, save_rank_result
from curation.progress import RankTally
from curation.settings import DedupSettings
from curation.unitfile import PageSelector, index_pages, iter_units
from curation.units import Unit

PAGE_SHIFT = 20  # articles of one page, at most


class ReadUnitPages(PipelineStep):
    """Pages ``rank, rank + world_size, ...`` of a units file, each as ``(page number, units)``,
    the lines of other ranks' pages not decoded (nor sentences, when ``sentences`` is off: only
    the repeated passages read them); with the file's index (``job.index``), the pages of gzip
    members ``rank, rank + world_size, ...``, the others' members not even inflated. Unreadable
    lines are skipped and left, with the page they were met in, for the last stage to name
    (:class:`OwnedErrors`). Rank 0 leaves the file's page count (:func:`pages_counted`), which
    a build's rows pass needs to share the pages out."""

    name = "read unit pages"
    type = "READER"

    def __init__(self, job: DedupJob, sentences: bool = True) -> None:
        super().__init__()
        self.job, self.sentences = job, sentences

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[tuple[int, list[Unit]]]:
        os.chdir(self.job.cwd)
        pages = PageSelector(rank, world_size, None if self.sentences else DEDUP_LEVELS, index=self.job.index)
        tally = RankTally(tally_folder(self.job), rank)  # pages read, for a progress display
        errors = OwnedErrors(pages)
        page: list[Unit] = []
        number = 0
        for unit in iter_units(self.job.units, errors=errors, keep=pages):
            if page and pages.page != number:
                self.stat_update("pages")
                tally.add()
                yield number, page
                page = []
            number = pages.page
            page.append(unit)
        if page:
            self.stat_update("pages")
            tally.add()
            yield number, page
        tally.close()
        save_rank_result(read_errors_folder(self.job.work), rank, errors.owned)
        if rank == 0:
            save_rank_result(self.job.work, 0, pages.page + 1 if self.job.index is None else index_pages(self.job.index))


class OwnedErrors(list[object]):
    """The errors a reader of a units file appends, each kept in :attr:`owned` with the page
    ``pages`` was on (in order) when this rank owns that page (:meth:`PageSelector.owns`): a line
    every rank meets (too long, not UTF-8, a damaged gzip) is then named once, and the ranks'
    lists sorted by page give the file's order, as one reader of the whole file would have named them."""

    def __init__(self, pages: PageSelector) -> None:
        super().__init__()
        self.pages = pages
        self.owned: list[tuple[int, str]] = []

    def append(self, error: object) -> None:
        page = max(self.pages.page, 0)  # lines before the first are page 0's
        if self.pages.owns(page):
            self.owned.append((page, str(error)))


def tally_folder(job: DedupJob) -> Path:
    """Where the ranks of the first job count the pages they have read."""
    return Path(job.work) / "progress"


def pages_counted(job: DedupJob) -> int:
    """The page count rank 0 of :class:`ReadUnitPages` left."""
    return int(rank_results(job.work, 1)[0])


class DedupSignatures(PipelineStep):
    """Stage 1: this rank's signature parts, (unless ``passages`` is off) its repeated-passage
    index and (with a ``label_field``) the labels of its compared texts, so that the last stage
    finds the label conflicts without reading the units file again."""

    name = "dedup signatures"
    type = "DEDUP"

    def __init__(self, work: str | Path, settings: DedupSettings, passages: bool = True, label_field: str | None = None) -> None:
        super().__init__()
        self.work, self.settings, self.passages = str(Path(work).resolve()), settings, passages
        self.label_field = label_field

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        passages = None
        if self.passages:
            path = passages_path(self.work, rank)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.unlink(missing_ok=True)  # an earlier attempt of this rank
            passages = PassageIndex(path, options=self.settings.normalize)
        labels = _labels_file(self.work, rank) if self.label_field is not None else None

        def items() -> Iterator[tuple[int, str, str]]:
            for number, page in data or ():
                if passages is not None:
                    with self.track_time():
                        passages.add_document(number, page)
                labelled = meta_labels(page, self.label_field) if self.label_field is not None else {}
                for article, (unit_id, text) in enumerate(dedup_items(page, self.settings.compare)):
                    if labels is not None and unit_id in labelled:
                        labels.write(json.dumps([unit_id, labelled[unit_id]], ensure_ascii=False) + "\n")
                    yield number << PAGE_SHIFT | article, unit_id, text

        try:
            self.stat_update("texts", value=signatures_stage(Path(self.work), items(), self.settings, rank))
        finally:
            if passages is not None:
                passages.close()
            if labels is not None:
                labels.close()
        return iter(())


def _labels_file(work: str, rank: int) -> Any:
    """Rank ``rank``'s labels file, emptied (an earlier attempt of this rank may have left one)."""
    path = labels_path(work, rank)
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("w", encoding="utf-8")


class DedupBuckets(PipelineStep):
    """Stage 2: the candidate pairs of every ``world_size``-th band."""

    name = "dedup buckets"
    type = "DEDUP"

    def __init__(self, work: str | Path, settings: DedupSettings) -> None:
        super().__init__()
        self.work, self.settings = str(Path(work).resolve()), settings

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        buckets_stage(Path(self.work), self.settings, rank, world_size)
        return iter(())


class DedupFinish(PipelineStep):
    """Stage 3 (one task): clusters, containment, passages and labels into the outputs."""

    name = "dedup clusters"
    type = "DEDUP"

    def __init__(self, job: DedupJob) -> None:
        super().__init__()
        self.job = job

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        finish(self.job)
        return iter(())
