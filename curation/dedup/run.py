"""``curation dedup`` on datatrove's executors, the ones ``curation segment`` runs on (local
processes, Ray, Slurm): three jobs of :mod:`curation.dedup.steps`, each waiting for the one before.

1. ``--tasks`` ranks each read the units file and take every n-th page: signatures and band keys
   into their own parts, passages into their own index (only when repeated passages are asked
   for: the index costs more than the signatures, and sentences must be decoded for it);
2. up to as many ranks sort the bands into candidate pairs (each a share of the bands);
3. one task verifies the pairs, joins the clusters, finds the contained texts, merges the
   passage indexes (if any), takes the labels of the clusters' members and the unreadable lines
   from what the ranks of job 1 left (the units file is read once) and writes the outputs and a summary.

Every stage keeps what grows with the corpus on disk, and the outputs are the same bytes whatever
the number of tasks or the executor. Locally and on Ray :func:`run_dedup` returns the summary; on
Slurm it returns once the jobs are submitted (job 3 writes the outputs). A small units file whose
executor nobody chose goes through the same jobs, each as one task in this process.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections import Counter
from collections.abc import Container, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from curation.dedup.labels import label_conflicts
from curation.dedup.minhash import list_parts
from curation.dedup.passages import PassageIndex
from curation.dedup.stages import CONTAINED, PAIRS, SIGNATURES, DedupResult, all_bands, clusters_stage
from curation.fileio import atomic_writer, write_jsonl
from curation.pipeline.options import ExecutorOptions, PipelineFailed
from curation.pipeline.workfolder import disown, make_work_folder, tidy_abandoned
from curation.progress import SILENT, Progress, tallied
from curation.settings import DedupSettings
from curation.unitfile import Member, count_pages, read_index

SUMMARY = "summary.json"
PASSAGES = "passages"
LABELS = "labels"
READ_ERRORS = "read-errors"
JOBS = ("dedup-signatures", "dedup-buckets", "dedup-clusters")


def passages_path(work: str | Path, rank: int) -> Path:
    """Where rank ``rank`` of stage 1 keeps its repeated-passage index."""
    return Path(work) / PASSAGES / f"{rank:05d}.sqlite"


def labels_path(work: str | Path, rank: int) -> Path:
    """Where rank ``rank`` of stage 1 keeps the labels of its compared texts, ``[id, labels]`` a line."""
    return Path(work) / LABELS / f"{rank:05d}.jsonl"


def read_errors_folder(work: str | Path) -> Path:
    """Where the ranks of stage 1 leave the unreadable lines of their pages."""
    return Path(work) / READ_ERRORS


@dataclass(frozen=True, slots=True)
class DedupJob:
    """What a run reads and writes: ``units`` as the user gave it, read from ``cwd`` (so messages
    name it so); the rest absolute; an output left None is not written."""

    units: str
    cwd: str
    work: str
    settings: DedupSettings = field(default_factory=DedupSettings)
    index: tuple[Member, ...] | None = None  # the units file's gzip members (read_index): ranks read their own only
    label_field: str | None = "topic"  # None: no labels read (a build's dedup)
    clusters: str | None = None
    contained: str | None = None
    repeated: str | None = None


@dataclass(frozen=True, slots=True)
class DedupSummary:
    """The counts ``curation dedup`` prints, and the units file's unreadable lines."""

    compared: int
    too_short: int  # of the compared: fewer than min_words words, never clustered
    clusters: dict[str, int]  # by reason
    in_clusters: int
    left_out: int  # by a representative-only export
    contained: int
    conflicts: int
    repeated: int | None  # None: not asked (no repeated-passages output), the passage index not built
    errors: list[str]
    tidied: list[tuple[Path, int]] = field(default_factory=list)  # killed runs' work folders removed, with their bytes


def finish(job: DedupJob) -> DedupSummary:
    """Stage 3 and the outputs; the summary is also written to the work folder."""
    os.chdir(job.cwd)
    work = Path(job.work)
    found = clusters_stage(work, job.settings)
    count = _write_repeated(work, job.repeated, job.settings) if job.repeated else None
    members = {member for cluster in found.clusters for member in cluster.member_ids}
    conflicts = label_conflicts(found.clusters, _ranks_labels(work, members))
    if job.clusters:
        write_jsonl(job.clusters, (c.to_record() for c in found.clusters))
    if job.contained:
        write_jsonl(job.contained, (c.to_record() for c in found.contained))
    summary = DedupSummary(
        compared=sum(len(part) for part in list_parts(work / SIGNATURES)),
        too_short=found.too_short,
        clusters=dict(sorted(Counter(c.reason for c in found.clusters).items())),
        in_clusters=sum(len(c.members) for c in found.clusters),
        left_out=sum(len(c.members) - 1 for c in found.clusters),
        contained=len(found.contained),
        conflicts=len(conflicts),
        repeated=count,
        errors=_ranks_errors(work),
    )
    with atomic_writer(work / SUMMARY) as handle:
        json.dump(asdict(summary), handle, ensure_ascii=False)
    return summary


def _ranks_labels(work: Path, only: Container[str]) -> dict[str, tuple[str, ...]]:
    """The labels the ranks of stage 1 found for the units in ``only`` (the clusters' members)."""
    labels = {}
    for path in sorted((work / LABELS).glob("*.jsonl")):
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                unit_id, values = json.loads(line)
                if unit_id in only:
                    labels[unit_id] = tuple(values)
    return labels


def _ranks_errors(work: Path) -> list[str]:
    """The unreadable lines the ranks of stage 1 met, in the file's order (each rank's by page)."""
    from curation.pipeline.run import rank_results

    ranks = len(list(read_errors_folder(work).glob("result-*.pickle")))
    owned = [error for errors in rank_results(read_errors_folder(work), ranks) for error in errors]
    return [message for _, message in sorted(owned, key=lambda error: error[0])]


def _write_repeated(work: Path, output: str, settings: DedupSettings) -> int:
    """The ranks' passage indexes merged, their repeated passages written to ``output``."""
    index = PassageIndex(work / PASSAGES / "merged.sqlite", options=settings.normalize)
    try:
        for path in sorted((work / PASSAGES).glob("[0-9]*.sqlite")):  # each rank's passages_path
            index.merge(path)
        return write_jsonl(output, (p.to_record() for p in index.repeated()))
    finally:
        index.close()


WORK_PREFIX = "curation-dedup-"


@contextmanager
def _work_folder(options: ExecutorOptions) -> Iterator[Path]:
    """``--work-dir`` (kept), or a temporary folder removed afterwards; after a failure only the
    logs its message names are kept. Slurm's tasks run elsewhere: they need ``--work-dir``."""
    if options.work_dir:
        folder = Path(options.work_dir).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        yield folder
        return
    if options.executor == "slurm":
        raise ValueError("the slurm executor needs --work-dir on storage its tasks share")
    folder = make_work_folder(None, WORK_PREFIX)
    try:
        yield folder
    except PipelineFailed:
        for stage in (SIGNATURES, PAIRS, CONTAINED, PASSAGES, LABELS):
            shutil.rmtree(folder / stage, ignore_errors=True)
        disown(folder)
        raise
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def _only_run(work: Path) -> Iterator[None]:
    """Refuse a second run on the same work folder while one runs here: it would remove the
    first one's parts (the lock is this machine's; on Slurm it covers the submission only)."""
    with (work / ".lock").open("w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise ValueError(f"another curation dedup is running in the work folder {work}") from None
        yield


def run_dedup(
    units: str | Path,
    settings: DedupSettings | None = None,
    options: ExecutorOptions | None = None,
    *,
    label_field: str = "topic",
    clusters: str | Path | None = None,
    contained: str | Path | None = None,
    repeated: str | Path | None = None,
    progress: Progress = SILENT,
) -> DedupSummary | None:
    """Duplicates, containment, repeated passages and label conflicts of a units file, written
    to the outputs given; the summary, or None when the jobs were submitted to Slurm. ``progress``
    hears each stage, and the pages the first one has read on every worker."""
    from curation.dedup.steps import DedupFinish, tally_folder
    from curation.pipeline.run import run_jobs  # datatrove's executors, watched as `curation segment`'s are

    settings, options = settings or DedupSettings(), options or ExecutorOptions()
    index = read_index(units)
    options = options.for_input(lambda limit: count_pages(units, limit, index))
    absolute = {name: str(Path(path).resolve()) if path else None for name, path in (("clusters", clusters), ("contained", contained), ("repeated", repeated))}
    tidied = [] if options.work_dir else tidy_abandoned(None, WORK_PREFIX)
    with _work_folder(options) as work, _only_run(work):
        _clear(work)
        job = DedupJob(str(units), os.getcwd(), str(work), settings, index, label_field, **absolute)
        jobs = [*_pairs_jobs(job, options.ranks, passages=job.repeated is not None), (JOBS[2], [DedupFinish(job)], 1)]
        stages = _Stages(progress, count_pages(units, index=index) if progress.shows_totals else None, tally_folder(job))
        if not run_jobs(jobs, options, work, stages.watch, stages.start):
            return None
        return DedupSummary(**{**json.loads((work / SUMMARY).read_text(encoding="utf-8")), "tidied": tidied})


STAGES = {JOBS[0]: "reading pages and their signatures", JOBS[1]: "pairing similar pages", JOBS[2]: "clusters, teasers and passages"}


class _Stages:
    """Each dedup job as a stage of ``progress``: the first with the file's ``pages`` as its total
    (None when the display shows no totals: counting them is a read of the whole file) and the
    ranks' tallies as its count; the others without a count."""

    def __init__(self, progress: Progress, pages: int | None, tallies: Path) -> None:
        self.progress, self.pages, self.tallies = progress, pages, tallies
        self.counting = False

    def start(self, job: str) -> None:
        self.counting = job == JOBS[0]
        self.progress.start(STAGES[job], self.pages if self.counting else None, "pages" if self.counting else "")

    def watch(self) -> None:
        if self.counting:
            self.progress.update(tallied(self.tallies))


def _clear(work: Path) -> None:
    """Remove what an earlier run left in ``work``: parts of ranks this run may not have would
    otherwise be read as its own."""
    shutil.rmtree(work / "progress", ignore_errors=True)
    for stage in (SIGNATURES, PAIRS, CONTAINED, PASSAGES, LABELS, READ_ERRORS, *JOBS):
        shutil.rmtree(work / stage, ignore_errors=True)
    (work / SUMMARY).unlink(missing_ok=True)


def _pairs_jobs(job: DedupJob, ranks: int, passages: bool) -> list[tuple[str, list[Any], int]]:
    """Jobs 1 and 2 as ``(name, steps, tasks)``: signatures (and passages) per rank, then the bands' pairs."""
    from curation.dedup.steps import DedupBuckets, DedupSignatures, ReadUnitPages

    return [
        (JOBS[0], [ReadUnitPages(job, sentences=passages), DedupSignatures(job.work, job.settings, passages, job.label_field)], ranks),
        (JOBS[1], [DedupBuckets(job.work, job.settings)], min(ranks, len(all_bands(job.settings)))),
    ]


def find_duplicates_on(units: str | Path, settings: DedupSettings, options: ExecutorOptions, work: Path) -> DedupResult:
    """A build's dedup of a units file: signatures and buckets on the executor's ranks (no passage
    index: a build exports no repeated passages), clusters and containment here, where the rows
    need them, with the file's page count. Locally or on Ray; the same clusters as
    :func:`curation.dedup.stages.find_duplicates` for any number of ranks."""
    if options.executor == "slurm":
        raise ValueError("a build runs its dedup here or on Ray, not on Slurm (run `curation dedup --executor slurm` apart)")
    from curation.dedup.steps import pages_counted
    from curation.pipeline.run import run_jobs

    work.mkdir(parents=True, exist_ok=True)
    _clear(work)
    job = DedupJob(str(units), os.getcwd(), str(work.resolve()), settings, read_index(units), label_field=None)
    run_jobs(_pairs_jobs(job, options.ranks, passages=False), options, work)
    return replace(clusters_stage(work, settings), pages=pages_counted(job))
