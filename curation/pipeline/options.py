"""Where pipeline steps run: the executor and its width (light: no datatrove import, so that a
command's ``--help`` can name the choices)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from curation.errors import CurationError

EXECUTORS = ("local", "ray", "slurm")


class PipelineFailed(CurationError, RuntimeError):
    """Some ranks did not finish; their logs are named."""


@dataclass(frozen=True, slots=True)
class ExecutorOptions:
    """Where and how wide the steps run. ``workers=0`` means every core of this machine (local)
    or as many tasks at once as the cluster grants (Ray, Slurm). ``tasks`` (the shards; default:
    the workers) never changes the output, only how the work is cut."""

    executor: str = "local"
    workers: int = 0
    tasks: int = 0
    work_dir: str | None = None  # logs and shards; must be shared storage on a cluster
    slurm: dict[str, Any] = field(default_factory=dict)  # partition, time, cpus_per_task, sbatch_args...
    verbose: bool = False  # datatrove's logs on stderr too, not only in the work folder's pipeline.log

    def __post_init__(self) -> None:
        if self.executor not in EXECUTORS:
            raise ValueError(f"executor must be one of {', '.join(EXECUTORS)}, got {self.executor!r}")
        if self.workers < 0 or self.tasks < 0:
            raise ValueError("workers and tasks must be >= 0")
        if self.executor == "slurm" and not self.slurm.get("partition"):
            raise ValueError("the slurm executor needs a partition (--partition)")

    @property
    def ranks(self) -> int:
        return self.tasks or self.workers or os.cpu_count() or 1
