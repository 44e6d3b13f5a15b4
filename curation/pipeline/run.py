"""Running the steps on datatrove's executors: local processes, a Ray cluster or Slurm.

:func:`run_segment` is what ``curation segment`` and ``curation build`` both call, so the two cut
the same units with the same ids. Two jobs: ``--workers`` ranks read and segment into shards, then
one task merges them in input order. Locally and on Ray the call returns when the units file is
written; on Slurm it returns once both jobs are submitted (the merge job depends on the first).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curation.ingest import IngestError
from curation.pipeline.options import ExecutorOptions, PipelineFailed
from curation.pipeline.steps import ERRORS, SUMMARY, MergeUnits, ReadPages, Segment, WriteUnitShards
from curation.settings import Settings

@dataclass(slots=True)
class SegmentRun:
    """What a run produced: counts per unit kind and the inputs it could not read (empty when
    the run was only submitted, on Slurm)."""

    output: Path
    counts: dict[str, int] = field(default_factory=dict)
    errors: list[IngestError] = field(default_factory=list)
    submitted: bool = False
    work_dir: Path | None = None


def _executor(options: ExecutorOptions, pipeline: list[Any], tasks: int, logs: Path, name: str, depends: Any = None) -> Any:
    workers = min(options.workers or tasks, tasks)
    common = {"tasks": tasks, "logging_dir": str(logs), "skip_completed": False, "depends": depends}
    if options.executor == "local":
        from datatrove.executor import LocalPipelineExecutor

        # fork is fast, but only safe while no other thread (a live progress display) may hold a lock
        start = "fork" if threading.active_count() == 1 else "forkserver"
        return LocalPipelineExecutor(pipeline, workers=workers, start_method=start, **common)
    if options.executor == "ray":
        import ray
        from datatrove.executor.ray import RayPipelineExecutor

        if not ray.is_initialized():
            ray.init()  # RAY_ADDRESS (or `ray start --head` on this machine) joins a running cluster
        return RayPipelineExecutor(pipeline, workers=workers, mem_per_cpu_gb=options.slurm.get("mem_per_cpu_gb", 2), **common)
    from datatrove.executor.slurm import SlurmPipelineExecutor

    slurm = {"time": "24:00:00", "venv_path": os.path.join(os.environ.get("VIRTUAL_ENV", ""), "bin/activate"), **options.slurm}
    if not os.environ.get("VIRTUAL_ENV"):
        slurm.pop("venv_path")
    return SlurmPipelineExecutor(pipeline, workers=options.workers or -1, job_name=f"curation-{name}", **common, **slurm)


def _check_done(executor: Any, logs: Path) -> None:
    missing = executor.get_incomplete_ranks(skip_completed=True)
    if missing:
        raise PipelineFailed(f"rank(s) {', '.join(map(str, missing[:10]))} failed; see {logs / 'logs'}")


@contextmanager
def _work_folder(options: ExecutorOptions, output: Path) -> Iterator[Path]:
    """The run's folder for logs and shards: ``--work-dir`` (kept), or a fresh folder beside the
    output, removed after a local or Ray run (kept on Slurm, where jobs still read it)."""
    if options.work_dir:
        folder = Path(options.work_dir).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        yield folder
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".{output.name}.", suffix=".work", dir=output.parent))
    try:
        yield folder
    finally:
        if options.executor != "slurm":
            shutil.rmtree(folder, ignore_errors=True)


def run_segment(
    inputs: Sequence[str],
    output: str | Path,
    settings: Settings | None = None,
    options: ExecutorOptions | None = None,
    text_field: str = "text",
    encoding: str | None = None,
) -> SegmentRun:
    """Pages (files, folders, globs) into a units file (compact when it ends in ``.gz``) with its
    settings recorded beside it; the bytes do not depend on the executor or the worker count."""
    settings, options = settings or Settings(), options or ExecutorOptions()
    output = Path(output).resolve()
    tasks = options.ranks
    with _work_folder(options, output) as work:
        shards, errors_path = work / "shards", work / ERRORS
        read = ReadPages(tuple(inputs), text_field, str(errors_path), encoding)
        first = _executor(options, [read, Segment(settings), WriteUnitShards(shards)], tasks, work / "segment", "segment")
        merge = _executor(options, [MergeUnits(shards, tasks, output, settings)], 1, work / "merge", "merge", depends=first)
        merge.run()
        run = SegmentRun(output, work_dir=work)
        if options.executor == "slurm":
            run.submitted = True
            return run
        _check_done(first, work / "segment")
        _check_done(merge, work / "merge")
        run.counts = json.loads((shards / SUMMARY).read_text(encoding="utf-8"))
        for line in errors_path.read_text(encoding="utf-8").splitlines():
            found = json.loads(line)
            run.errors.append(IngestError(found["path"], found["reason"], found["line"]))
        return run
