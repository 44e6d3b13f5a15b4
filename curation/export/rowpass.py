"""The rows pass of a build: every unit of the units file made into its dataset rows, which wait
in spills (:mod:`curation.export.spill`) for their split, on the executor's ranks.

Rank ``r`` of ``n`` takes the ``r``-th of ``n`` runs of consecutive pages, so its rows, article
keys, problems and annotations used follow those of rank ``r - 1`` in page order: joined in rank
order they are what one process makes, and the export's bytes do not depend on ``n``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from datasets import Features, Value
from datatrove.pipeline.base import PipelineStep

from curation.dedup import cluster_id_of
from curation.export.annotations import LabelsMet, LabelSource
from curation.export.manifest import relative
from curation.export.rows import LevelLayout, TokenTally, article_row, is_span_feature, sentence_row
from curation.export.spill import RowSpill, spilled_batches
from curation.export.splits import UNSTRATIFIED
from curation.pipeline.options import ExecutorOptions
from curation.pipeline.run import save_rank_result
from curation.progress import SILENT, Progress, RankTally, tallied
from curation.segment.pipeline import SegmentedDocument
from curation.unitfile import Member, PageSelector, count_pages, iter_segmented, read_index
from curation.units import Sentence

CONFIGS = {"articles": ("article", "id"), "sentences": ("sentence", "article_id")}

RANK_PAGES = 16_000
"""The most pages a rank of the local rows pass takes, each rank in a process of its own
(:mod:`curation.pipeline.fresh`): making rows, a process keeps about 2.6 KB a page
it has made (no allocator setting tried gives it back, and ranks run one after the other in one
process keep growing), and datatrove's local pool keeps its workers for the whole job, so at 10x
ANT (about 158,000 pages a worker) the summed PSS of a build was 1.44x its 1x. 16,000 is a rank of
ANT on two workers: ANT's build is cut as before, a larger corpus into more ranks than workers.
Only a units file with the index of its gzip members (`curation segment` writes one) is cut so: a
rank then inflates only the members of its pages; without one every rank would read the file up
to its pages, and the ranks asked for are kept."""


class ArticleKey(NamedTuple):
    """What the split step needs of an article; spilled beside the rows (:data:`KEY_FEATURES`), so
    that the build holds no per-article state while the rows wait on disk."""

    id: str
    doc_id: str
    stratum: str
    sentences: int  # its sentence rows in the export
    exported: bool = True  # whether its own row is in the export (``annotated_only`` leaves some out)


KEY_FEATURES = Features(
    {"id": Value("string"), "doc_id": Value("string"), "stratum": Value("string"), "sentences": Value("int64"),
     "exported": Value("bool")}
)  # fmt: skip


def read_article_keys(paths: Iterable[str]) -> Iterator[ArticleKey]:
    """The article keys spilled by the rows pass's parts, in page order, a batch in memory at a time."""
    for path in paths:
        for batch in spilled_batches(path):
            yield from map(ArticleKey._make, zip(*(batch.column(name).to_pylist() for name in ArticleKey._fields), strict=True))


class ClusterOf:
    """An article's near-duplicate cluster id (its own when alone), or None without dedup."""

    def __init__(self, clustered: dict[str, str] | None) -> None:
        self.clustered = clustered

    def __call__(self, unit_id: str) -> str | None:
        if self.clustered is None:
            return None
        return self.clustered.get(unit_id) or cluster_id_of([unit_id])


class RowMaker:
    """Rows of both configs for each document, plus the :class:`ArticleKey` of every article and
    the article-level gold of clustered articles (for the clusters-with-differing-gold count)."""

    def __init__(
        self,
        layouts: dict[str, LevelLayout],
        labels: LabelSource,
        base: Path,
        stratify: str | None,
        cluster_of: Callable[[str], str | None],
        clustered: Collection[str] = (),
        annotated_only: bool = False,
    ) -> None:
        self.layouts = layouts
        self.labels = labels
        self.base = base
        self.stratify = stratify
        self.cluster_of = cluster_of
        self.clustered = clustered
        self.annotated_only = annotated_only  # rows of units nobody annotated are left out (their articles still split)
        self.article_keys: list[ArticleKey] = []
        self.clustered_gold: dict[str, dict[str, tuple[str, ...]]] = {
            column: {} for column, feature in layouts["articles"].labels.items() if not is_span_feature(feature)
        }
        self.tally = TokenTally()

    def rows(self, segmented: SegmentedDocument) -> Iterator[tuple[str, dict[str, Any]]]:
        """``(config, row)`` pairs of one segmented document: each article followed by its sentences."""
        document = segmented.document
        source = relative(Path(document.provenance.path), self.base)
        where = f"{source}:{document.provenance.line}" if document.provenance.line else source
        sentences_of: dict[str, list[Sentence]] = {}
        for sentence in segmented.sentences:
            sentences_of.setdefault(sentence.article_id, []).append(sentence)
        for article in segmented.articles:
            labels = self.labels.labels(article.id, "article", article.body, document, where)
            row = article_row(document, article, source, self.cluster_of(article.id), labels, self.layouts["articles"])
            if article.id in self.clustered:
                self._keep_gold(article.id, row)
            stratum = self._stratum(labels.gold.get(self.stratify or ""))
            sentence_rows = [
                sentence_row(document, sentence, source, self.labels.labels(sentence.id, "sentence", sentence.text, document, where),
                             self.layouts["sentences"], self.tally)
                for sentence in sentences_of.get(article.id, [])
            ]  # fmt: skip
            sentence_rows = [found for found in sentence_rows if self._kept(found)]
            self.article_keys.append(ArticleKey(article.id, document.id, stratum, len(sentence_rows), self._kept(row)))
            if self._kept(row):
                yield "articles", row
            for found in sentence_rows:
                yield "sentences", found

    def _kept(self, row: dict[str, Any]) -> bool:
        """Whether ``row`` goes into the export: every row, or with ``annotated_only`` those with an annotator's answer."""
        return not self.annotated_only or bool(row["annotators"])

    def _keep_gold(self, article_id: str, row: dict[str, Any]) -> None:
        for column, gold in self.clustered_gold.items():
            value = row.get(column)
            if value:
                gold[article_id] = (value,) if isinstance(value, str) else tuple(value)

    def _stratum(self, gold: Any) -> str:
        if not self.stratify or not gold:
            return UNSTRATIFIED
        return gold if isinstance(gold, str) else str(sorted(gold)[0])


@dataclass(slots=True)
class RowsPart:
    """What one part of the pass made besides its spilled rows."""

    spills: dict[str, list[tuple[str, int]]]  # config -> (file, rows) of each part, in page order
    documents: int = 0
    article_keys: list[str] = field(default_factory=list)  # the parts' spills of ArticleKey, in page order
    clustered_gold: dict[str, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    tally: TokenTally = field(default_factory=TokenTally)
    extractors: dict[str, dict[str, Any]] = field(default_factory=dict)
    unreadable: list[str] = field(default_factory=list)
    labels: LabelsMet = field(default_factory=LabelsMet)


@dataclass(frozen=True, slots=True)
class RowsJob:
    """Everything a part of the pass needs (pickled to the ranks)."""

    units: str
    layouts: dict[str, LevelLayout]
    labels: LabelSource
    base: Path
    stratify: str | None
    cluster_of: ClusterOf
    work: str
    cwd: str
    annotated_only: bool = False


def make_rows_part(
    job: RowsJob, rank: int = 0, world_size: int = 1, pages: int | None = None, on_documents: Callable[[int], None] | None = None,
    index: Sequence[Member] | None = None,
) -> RowsPart:
    """The rows of the ``rank``-th of ``world_size`` runs of consecutive pages of the ``pages`` in
    the units file (None: all of them), spilled to ``job.work``; ``on_documents`` hears each page
    done. With the file's ``index`` (:func:`~curation.unitfile.read_index`) the reading starts at
    the gzip member of the run's first page, not at the file's first."""
    labels = job.labels
    clustered = job.cluster_of.clustered or {}
    maker = RowMaker(job.layouts, labels, job.base, job.stratify, job.cluster_of, clustered, job.annotated_only)
    spills = {name: RowSpill(Path(job.work) / f"{name}-{rank:05d}.arrow", job.layouts[name].features()) for name in CONFIGS}
    keys = RowSpill(Path(job.work) / f"keys-{rank:05d}.arrow", KEY_FEATURES)
    part = RowsPart({})
    unreadable: list[object] = []
    selector = None if pages is None else PageSelector(rank, world_size, total=pages, index=index)
    for segmented in iter_segmented(job.units, unreadable, keep=selector):
        for config, row in maker.rows(segmented):
            spills[config].add(row)
        for key in maker.article_keys:
            keys.add(key._asdict())
        maker.article_keys.clear()
        part.documents += 1
        extractor = segmented.document.meta.get("extractor")
        if extractor:
            part.extractors.setdefault(json.dumps(extractor, sort_keys=True), extractor)
        if on_documents:
            on_documents(1)
    for spill in (*spills.values(), keys):
        spill.finish()
    part.spills = {name: [(str(spill.path), spill.num_rows)] for name, spill in spills.items()}
    part.article_keys, part.clustered_gold, part.tally = [str(keys.path)], maker.clustered_gold, maker.tally
    part.unreadable = [str(problem) for problem in unreadable]
    part.labels = labels.met()
    return part


class MakeRows(PipelineStep):
    """Rank ``r``'s part of the rows pass, left in ``job.work`` for the build to join."""

    name = "make rows"
    type = "BUILDER"

    def __init__(self, job: RowsJob, pages: int, index: Sequence[Member] | None = None) -> None:
        super().__init__()
        self.job, self.pages, self.index = job, pages, index

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Iterator[Any]:
        os.chdir(self.job.cwd)  # provenance paths as the units file holds them
        tally = RankTally(tally_folder(self.job), rank)
        part = make_rows_part(self.job, rank, world_size, self.pages, tally.add, self.index)
        tally.close()
        self.stat_update("documents", value=part.documents)
        save_rank_result(self.job.work, rank, part)
        return iter(())


def tally_folder(job: RowsJob) -> Path:
    """Where the ranks count their pages for a progress display."""
    return Path(job.work) / "progress"


def rows_pass(job: RowsJob, options: ExecutorOptions | None, progress: Progress = SILENT, pages: int | None = None) -> RowsPart:
    """The whole pass, its parts joined in page order and what they learnt of the annotations
    absorbed by ``job.labels``: on the executor's ranks (locally or on Ray), or here with one
    rank or on Slurm (whose queue the build cannot wait in). ``pages``: the units file's page
    count when already known (dedup's ranks count it), else it is counted first. Locally each
    rank runs in a process of its own, and one takes at most :data:`RANK_PAGES` pages of a units
    file with an index (more ranks than ``options`` asks for when the file has more)."""
    options = options or ExecutorOptions()
    Path(job.work).mkdir(parents=True, exist_ok=True)
    if options.ranks == 1 or options.executor == "slurm":
        progress.start("making rows", pages, "pages")
        part = make_rows_part(job, on_documents=progress.advance)
        part.labels = LabelsMet()  # learnt by the build's own source, job.labels: nothing to absorb
        return _joined([part], job.labels)
    from curation.pipeline.run import rank_results, run_jobs

    index = read_index(job.units)
    pages = count_pages(job.units, index=index) if pages is None else pages
    local = options.executor == "local"
    bounded = -(-pages // RANK_PAGES) if local and index is not None else 1
    ranks = min(max(options.ranks, bounded), max(pages, 1))
    progress.start("making rows", pages, "pages")
    steps = [MakeRows(job, pages, index)]
    run_jobs([("rows", steps, ranks)], options, Path(job.work), lambda: progress.update(tallied(tally_folder(job))), rank_per_process=True)
    parts = rank_results(job.work, ranks)
    progress.update(sum(part.documents for part in parts))
    return _joined(parts, job.labels)


def _joined(parts: list[RowsPart], labels: LabelSource) -> RowsPart:
    whole = RowsPart({name: [] for name in CONFIGS})
    for part in parts:
        labels.absorb(part.labels)
        for name, files in part.spills.items():
            whole.spills[name].extend(files)
        whole.documents += part.documents
        whole.article_keys.extend(part.article_keys)
        for column, gold in part.clustered_gold.items():
            whole.clustered_gold.setdefault(column, {}).update(gold)
        whole.tally.boundary_splits += part.tally.boundary_splits
        whole.tally.overlapping.extend(part.tally.overlapping)
        for key, extractor in part.extractors.items():
            whole.extractors.setdefault(key, extractor)
        whole.unreadable.extend(part.unreadable)
    return whole
