"""Running the steps on datatrove's executors: local processes, a Ray cluster or Slurm.

:func:`run_segment` is what ``curation segment`` and ``curation build`` both call, so the two cut
the same units with the same ids. Two jobs: ``--workers`` ranks read and segment into shards, then
one task merges them in input order. Locally and on Ray the call returns when the units file is
written; on Slurm it returns once both jobs are submitted (the merge job depends on the first).
A small input whose executor nobody chose runs both jobs' steps in this process instead
(:meth:`~curation.pipeline.options.ExecutorOptions.for_input`): the same steps, the same bytes.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import itertools
import json
import multiprocessing
import os
import pickle
import shutil
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curation.fileio import atomic_writer
from curation.ingest import IngestError, IngestSettings, find_pages
from curation.pipeline.options import ExecutorOptions, PipelineFailed
from curation.pipeline.steps import ERRORS, SUMMARY, MergeUnits, ReadPages, Segment, WriteUnitShards
from curation.pipeline.workfolder import disown, make_work_folder, tidy_abandoned
from curation.progress import SILENT, Progress, tallied
from curation.settings import Settings


@dataclass(slots=True)
class SegmentRun:
    """What a run produced: counts per unit kind and the inputs it could not read (empty when
    the run was only submitted, on Slurm)."""

    output: Path
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[IngestError] = field(default_factory=list)
    warnings: list[IngestError] = field(default_factory=list)  # read, but worth telling (a .txt that is HTML)
    submitted: bool = False
    work_dir: Path | None = None
    in_process: bool = False  # a small input, segmented here rather than on an executor
    tidied: list[tuple[Path, int]] = field(default_factory=list)  # killed runs' work folders removed, with their bytes


def make_executor(
    options: ExecutorOptions, pipeline: list[Any], tasks: int, logs: Path, name: str, depends: Any = None, rank_per_process: bool = False
) -> Any:
    """A datatrove executor of ``options``' kind for ``pipeline``: the one place segment's and
    dedup's jobs get their executors, so both run the same way on a laptop, Ray or Slurm.
    ``workers=0`` is a worker per core locally (a job of more tasks than cores, as a build's
    writers, queues them) and no limit on a cluster. ``rank_per_process``: locally, every rank in
    a new process (:mod:`curation.pipeline.fresh`), not a worker that goes on to the next."""
    workers = min(options.workers or ((os.cpu_count() or 1) if options.executor == "local" else tasks), tasks)
    common = {"tasks": tasks, "logging_dir": str(logs), "skip_completed": False, "depends": depends}
    if options.executor == "local":
        from datatrove.executor import LocalPipelineExecutor

        from curation.pipeline.fresh import RankPerProcessExecutor

        start = "fork" if _fork_is_safe() else "forkserver"
        kind = RankPerProcessExecutor if rank_per_process and depends is None else LocalPipelineExecutor
        return kind(pipeline, workers=workers, start_method=start, **common)
    if options.executor == "ray":
        import ray
        from datatrove.executor.ray import RayPipelineExecutor

        if not ray.is_initialized():  # RAY_ADDRESS (or `ray start --head` on this machine) joins a running cluster
            ray.init(log_to_driver=options.verbose)  # the workers' datatrove logs stay in their task logs
        return RayPipelineExecutor(pipeline, workers=workers, mem_per_cpu_gb=options.slurm.get("mem_per_cpu_gb", 2), **common)
    from datatrove.executor.slurm import SlurmPipelineExecutor

    slurm = {"time": "24:00:00", "venv_path": os.path.join(os.environ.get("VIRTUAL_ENV", ""), "bin/activate"), **options.slurm}
    if not os.environ.get("VIRTUAL_ENV"):
        slurm.pop("venv_path")
    return SlurmPipelineExecutor(pipeline, workers=options.workers or -1, job_name=f"curation-{name}", **common, **slurm)


def _fork_is_safe() -> bool:
    """Fork is fast (no re-import), but a forked child inherits the locks other threads held, so
    only while no thread but fsspec's idle event loop (datatrove's file access) runs beside this
    one: a live progress display (``curation build``) makes it spawn instead."""
    return all(t is threading.main_thread() or t.name == "fsspecIO" for t in threading.enumerate())


def _children(parent: int) -> set[int]:
    """Ids of the living child processes of ``parent`` (read from Linux's /proc; empty elsewhere).
    A zombie is dead: a pool that no longer maintains its workers (all tasks handed out, waiting
    for their results) leaves a killed worker unreaped."""
    wanted = str(parent)
    return {int(stat.parent.name) for stat in Path("/proc").glob("[0-9]*/stat") if _living_parent(stat) == wanted}


def _living(pids: set[int], parent: int) -> set[int]:
    """Those of ``pids`` still running as children of ``parent``: a look at their own /proc
    entries, not every process's, as :func:`_children` takes."""
    wanted = str(parent)
    return {pid for pid in pids if _living_parent(Path(f"/proc/{pid}/stat")) == wanted}


def _living_parent(stat: Path) -> str | None:
    """The parent id of the process whose /proc ``stat`` file this is; None when it is gone or a zombie."""
    try:
        state, ppid = stat.read_text().rsplit(")", 1)[1].split()[:2]
    except (OSError, ValueError):
        return None
    return None if state in ("Z", "X") else ppid


POLL_S = 0.5  # how often a watched run is looked at (its known workers alive? how far?)
SCAN_S = 2.0  # how often every process is looked at for its new workers: 6 ms a scan of 150 processes
LOG = "pipeline.log"
"""datatrove's own messages (every rank's INFO lines, the stats tables), kept in the work folder:
they are for whoever debugs a run, and on the terminal they buried a command's summary and broke
``--quiet``. The per-rank logs stay in ``<step>/logs`` as datatrove writes them."""


def _run_logged(run: Callable[[], Any], log: str | None) -> None:
    """``run()`` (in a child process) with its stdout and stderr, and its workers', in ``log``
    (None: left as they are): the file descriptors, which the workers inherit, and the Python
    streams, which loguru's handlers write to (a caller may have replaced them, as pytest does)."""
    if log is not None:
        from datatrove.utils.logging import setup_default_logger

        descriptor = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(descriptor, 1)
        os.dup2(descriptor, 2)
        os.close(descriptor)
        sys.stdout = sys.stderr = open(2, "w", encoding="utf-8", errors="replace", buffering=1, closefd=False)  # noqa: SIM115
        setup_default_logger()  # its handler on the new sys.stderr
    run()


@contextmanager
def loguru_into(log: Path | None) -> Iterator[None]:
    """datatrove's messages in this process into ``log`` (None: left on stderr), for the Ray and
    Slurm executors, whose ``run()`` drives the workers from here."""
    if log is None:
        yield
        return
    from datatrove.utils.logging import setup_default_logger
    from loguru import logger

    logger.remove()
    logger.add(log, level="DEBUG")
    try:
        yield
    finally:
        setup_default_logger()


def run_watched(executor: Any, ranks: Any, log: Path | None = None, watch: Callable[[], None] | None = None) -> None:
    """``executor.run()`` in a child process, watched: when one of its workers dies (kill -9, the
    out-of-memory killer) before every rank of ``ranks`` is done, datatrove's local pool would wait
    forever for the task that worker held, so the child and its workers are stopped and
    :class:`PipelineFailed` raised. (In a child, so that no pool is left behind in this process.)
    ``watch`` is called at every look (twice a second): where a progress display reads the ranks' tallies."""
    method = "fork" if _fork_is_safe() else "spawn"
    if method == "fork":
        give_back_freed_memory()
    arguments = (executor.run, str(log) if log else None)
    context: Any = multiprocessing.get_context(method)  # typeshed's BaseContext lacks Process
    process = context.Process(target=_run_logged, args=arguments, name="curation-pipeline")
    # the objects this process holds (a build's per-article keys, clusters, splits) moved where the
    # children's garbage collector never writes: its passes would copy every page holding one into
    # each forked worker (summed PSS of a 3x ANT build: 669 MB, 1.63x its 1x)
    gc.freeze()
    try:
        process.start()
    finally:
        gc.unfreeze()
    known: set[int] = set()
    scanned = 0.0
    while process.is_alive():
        process.join(POLL_S)
        if watch is not None:
            watch()
        if time.monotonic() - scanned >= SCAN_S:
            alive, scanned = _children(process.pid), time.monotonic()
        else:
            alive = _living(known, process.pid)
        if known - alive and process.is_alive() and not getattr(executor, "watches_its_workers", False) and ranks.get_incomplete_ranks(skip_completed=True):
            for pid in alive | _children(process.pid):  # the pool's workers and manager, then the child: this run's own processes
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
            process.kill()
            process.join()
            raise PipelineFailed(f"a worker process died (killed, or out of memory) before its rank was done; logs: {ranks.logging_dir.path}/logs")
        known |= alive
    if process.exitcode != 0:
        for pid in known & _children(1):  # its workers, orphaned when it stopped: they would go on writing
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        raise PipelineFailed(f"the pipeline stopped (exit code {process.exitcode}); logs: {ranks.logging_dir.path}/logs")


def give_back_freed_memory() -> None:
    """Hand the heap pages this process has freed back to the system before forking workers: a
    forked worker's resident size counts every page it shares with its parent, so pages that
    glibc's allocator keeps after a stage freed them would count again in every worker (about
    20 MB of a build of ANT after its splits, where it is 2 MB on 30% of ANT)."""
    gc.collect()
    trim = getattr(ctypes.CDLL(None), "malloc_trim", None)  # glibc only; elsewhere nothing to do
    if trim is not None:
        trim(0)


def check_done(executor: Any, logs: Path) -> None:
    missing = executor.get_incomplete_ranks(skip_completed=True)
    if missing:
        raise PipelineFailed(f"rank(s) {', '.join(map(str, missing[:10]))} failed; see {logs / 'logs'}")


def run_here(name: str, steps: Sequence[Any], work: Path) -> None:
    """A job's one task in this process, as datatrove's executors run a rank (rank 0 of 1): each
    step called on what the one before it yields, and what the last yields drained. A failure
    leaves its traceback in ``work/name/logs``, where a rank's log would be, and is raised as
    :class:`PipelineFailed` naming it, as a failed rank is."""
    try:
        data = None
        for step in steps:
            data = step(data, 0, 1)
        for _ in data or ():
            pass
    except Exception as exc:
        logs = work / name / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        (logs / "task_00000.log").write_text(traceback.format_exc(), encoding="utf-8")
        reason = f"{exc.filename}: {exc.strerror}" if isinstance(exc, OSError) and exc.filename else f"{type(exc).__name__}: {exc}"
        raise PipelineFailed(f"{name} failed ({reason}); see {logs}") from exc


def count_input_pages(inputs: Sequence[str], ingest: IngestSettings, limit: int) -> int:
    """Pages of the inputs as a run lists them (none is made), counted up to ``limit``."""
    return sum(1 for _ in itertools.islice(find_pages(inputs, [], ingest, []), limit))


def run_jobs(
    jobs: list[tuple[str, list[Any], int]],
    options: ExecutorOptions,
    work: Path,
    watch: Callable[[], None] | None = None,
    on_job: Callable[[str], None] | None = None,
    rank_per_process: bool = False,
) -> bool:
    """Run ``(name, steps, tasks)`` jobs one after the other, each's logs in ``work/name``; False
    when they were only submitted (Slurm). With ``options.in_process`` each job is its one task
    run here (:func:`run_here`). ``on_job`` hears each job's name as it starts (here and locally);
    ``watch`` is called as a local run goes (:func:`run_watched`) and after each job. With
    ``rank_per_process`` a local job runs each rank in a new process (:func:`make_executor`)."""
    log = None if options.verbose else work / LOG
    if options.in_process or options.executor == "local":
        for name, steps, tasks in jobs:
            if on_job is not None:
                on_job(name)
            if options.in_process:
                run_here(name, steps, work)
            else:  # one job at a time, each watched for a worker that dies
                executor = make_executor(options, steps, tasks, work / name, name, rank_per_process=rank_per_process)
                run_watched(executor, executor, log, watch)
                check_done(executor, work / name)
            if watch is not None:
                watch()
        return True
    executors: list[Any] = []  # submitted as a chain: on Slurm each job waits for the one before in the queue
    for name, steps, tasks in jobs:
        executors.append(make_executor(options, steps, tasks, work / name, name, depends=executors[-1] if executors else None))
    with loguru_into(log):
        executors[-1].run()
    if options.executor == "slurm":
        return False
    for (name, _, _), executor in zip(jobs, executors):
        check_done(executor, work / name)
    return True


def save_rank_result(folder: str | Path, rank: int, result: Any) -> None:
    """A rank's result (pickled) where :func:`rank_results` finds it: how a step hands back more than files."""
    with atomic_writer(Path(folder) / f"result-{rank:05d}.pickle", binary=True) as handle:
        pickle.dump(result, handle)


def rank_results(folder: str | Path, ranks: int) -> list[Any]:
    """The results :func:`save_rank_result` left in ``folder``, in rank order."""
    found = []
    for rank in range(ranks):
        with (Path(folder) / f"result-{rank:05d}.pickle").open("rb") as handle:
            found.append(pickle.load(handle))
    return found


def _work_names(output: Path) -> tuple[str, str]:
    """The prefix and suffix of a run's work folder beside ``output``."""
    return f".{output.name}.", ".work"


@contextmanager
def _work_folder(options: ExecutorOptions, output: Path) -> Iterator[Path]:
    """The run's folder for logs and shards: ``--work-dir`` (kept), or a fresh folder beside the
    output, removed after a local or Ray run (kept on Slurm, where jobs still read it; after a
    failure only its logs are kept)."""
    if options.work_dir:
        folder = Path(options.work_dir).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        yield folder
        return
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        folder = make_work_folder(output.parent, *_work_names(output))
    except OSError as exc:  # a read-only folder: named by the output asked for
        raise OSError(exc.errno, exc.strerror, str(output)) from None
    if options.executor == "slurm":
        disown(folder)  # its jobs read it after this process ends
    try:
        yield folder
    except PipelineFailed:
        shutil.rmtree(folder / "shards", ignore_errors=True)  # the logs its message names stay
        disown(folder)
        raise
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    if options.executor != "slurm":
        shutil.rmtree(folder, ignore_errors=True)


def run_segment(
    inputs: Sequence[str],
    output: str | Path,
    settings: Settings | None = None,
    options: ExecutorOptions | None = None,
    progress: Progress = SILENT,
) -> SegmentRun:
    """Pages (files, folders, globs) read with ``settings.ingest`` into a units file (compact when
    it ends in ``.gz``) with its settings recorded beside it; the bytes do not depend on the
    executor or the worker count. ``progress`` hears the pages segmented, counted on every worker."""
    settings, options = settings or Settings(), options or ExecutorOptions()
    output = Path(output).resolve()
    options = options.for_input(lambda limit: count_input_pages(inputs, settings.ingest, limit))
    tasks = options.ranks
    tidied = [] if options.work_dir else tidy_abandoned(output.parent, *_work_names(output))
    with _work_folder(options, output) as work:
        shards, errors_path, tallies = work / "shards", work / ERRORS, work / "progress"
        watching = progress is not SILENT
        if watching:
            progress.start("segmenting", count_input_pages(inputs, settings.ingest, sys.maxsize), "pages")
        read = ReadPages(tuple(inputs), settings.ingest, str(shards), str(tallies) if watching else None)
        segment = [read, Segment(settings), WriteUnitShards(shards)]
        merge = [MergeUnits(shards, tasks, output, settings, errors_path)]
        run = SegmentRun(output, work_dir=work, in_process=options.in_process, tidied=tidied)
        if options.in_process:
            run_here("segment", segment, work)
            progress.update(tallied(tallies))
            run_here("merge", merge, work)
        elif not _segment_on_executor(segment, merge, tasks, options, work, lambda: progress.update(tallied(tallies))):
            run.submitted = True
            return run
        run.counts = json.loads((shards / SUMMARY).read_text(encoding="utf-8"))
        for line in errors_path.read_text(encoding="utf-8").splitlines():
            found = json.loads(line)
            item = IngestError(found["path"], found["reason"], found["line"])
            (run.warnings if found["kind"] == "warning" else run.errors).append(item)
        return run


def _segment_on_executor(
    segment: list[Any], merge: list[Any], tasks: int, options: ExecutorOptions, work: Path, watch: Callable[[], None]
) -> bool:
    """The segment job on ``tasks`` ranks, then the merge, on one executor chain (locally: one
    watched run, ``watch`` called as it goes); False when only submitted (Slurm)."""
    first = make_executor(options, segment, tasks, work / "segment", "segment")
    last = make_executor(options, merge, 1, work / "merge", "merge", depends=first)
    log = None if options.verbose else work / LOG
    if options.executor == "local":
        run_watched(last, first, log, watch)
    else:
        with loguru_into(log):
            last.run()
    if options.executor == "slurm":
        return False
    watch()
    check_done(first, work / "segment")
    check_done(last, work / "merge")
    return True
