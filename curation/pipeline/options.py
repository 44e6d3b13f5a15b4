"""Where pipeline steps run: the executor and its width, or this process for a small input
(light: no datatrove import, so that a command's ``--help`` can name the choices)."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from curation.errors import CurationError

EXECUTORS = ("local", "ray", "slurm")

SMALL_RUN_PAGES = 2_000
"""Below this many pages a run whose executor nobody chose goes in the calling process. Measured
with bench/small_runs.py against 2 local workers on 2 cores shared with other work, 2-3 rounds:
this process was faster at 1,000 ANT pages for segment, dedup and build (1.62x, 1.74x, 1.42x in
wall time at load 3-5), and still at 2,000 under load 6-11 (1.38x, 1.74x, 1.19x), always with
less CPU time (the workers' fixed cost is about 0.5 s) and less memory (16 MB of summed PSS
against 76 segmenting); the two were even at 3,000 pages at load 3-5 (segment 1.12x, build
0.95x, rounds 0.8-1.3x), and at 6,000 the build was faster on the workers (0.88x)."""


class PipelineFailed(CurationError, RuntimeError):
    """Some ranks did not finish; their logs are named."""


@dataclass(frozen=True, slots=True)
class ExecutorOptions:
    """Where and how wide the steps run. ``workers=0`` means automatic: every core of this
    machine (local), or as many tasks at once as the cluster grants (Ray, Slurm); and a local run
    with nothing else chosen (:attr:`automatic`) goes in this process when its input is small
    (:meth:`for_input`). ``tasks`` (the shards; default: the workers) never changes the output,
    only how the work is cut. ``in_process``: every job's single task here, no executor."""

    executor: str = "local"
    workers: int = 0
    tasks: int = 0
    work_dir: str | None = None  # logs and shards; must be shared storage on a cluster
    slurm: dict[str, Any] = field(default_factory=dict)  # partition, time, cpus_per_task, sbatch_args...
    verbose: bool = False  # datatrove's logs on stderr too, not only in the work folder's pipeline.log
    in_process: bool = False

    def __post_init__(self) -> None:
        if self.executor not in EXECUTORS:
            raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, got {self.executor!r}")
        if self.workers < 0 or self.tasks < 0:
            raise ValueError("workers and tasks must be >= 0")
        if self.executor == "slurm" and not self.slurm.get("partition"):
            raise ValueError("the slurm executor needs a partition (--partition)")
        if self.in_process and (self.executor != "local" or self.workers > 1 or self.tasks > 1):
            raise ValueError("in_process runs one task in this process: no other executor, workers or tasks")

    @property
    def ranks(self) -> int:
        if self.in_process:
            return 1
        return self.tasks or self.workers or os.cpu_count() or 1

    @property
    def automatic(self) -> bool:
        """Nobody chose where the run goes: local, with workers and tasks left at 0 and neither a
        work folder nor datatrove's logs asked for (both are the executor's)."""
        return self.executor == "local" and not (self.workers or self.tasks or self.work_dir or self.verbose)

    def for_input(self, pages_up_to: Callable[[int], int]) -> ExecutorOptions:
        """These options for an input whose pages ``pages_up_to(limit)`` counts (it may stop at
        ``limit``): in this process when they are :attr:`automatic` and the input is below
        :data:`SMALL_RUN_PAGES`, where starting workers costs more than they save; else as they are."""
        if self.in_process or not self.automatic or pages_up_to(SMALL_RUN_PAGES) >= SMALL_RUN_PAGES:
            return self
        return replace(self, in_process=True)
