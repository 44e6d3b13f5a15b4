"""The options that choose where pipeline steps run, shared by `curation segment` and `curation build`
(not itself a command module)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from curation.pipeline.options import EXECUTORS, ExecutorOptions


def executor_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """``--workers``, ``--executor``, ``--tasks``, ``--work-dir``, the Slurm options and ``--verbose``."""
    options = [
        click.option("--workers", default=0, show_default=True, help="Tasks run at once (0: every core; on a cluster: no limit)."),
        click.option("--executor", type=click.Choice(EXECUTORS), default="local", show_default=True, help="datatrove executor: local processes, a Ray cluster (RAY_ADDRESS) or Slurm."),
        click.option("--tasks", default=0, help="Shards the input is cut into (default: the workers). Never changes the output."),
        click.option("--work-dir", type=click.Path(file_okay=False), help="Logs and shards (shared storage on a cluster); default: a temporary folder beside the output."),
        click.option("--partition", help="Slurm partition."),
        click.option("--time", "time_limit", default="24:00:00", show_default=True, help="Slurm time limit per task."),
        click.option("--cpus-per-task", default=1, show_default=True, help="Slurm CPUs per task."),
        click.option("--verbose", is_flag=True, help="Show datatrove's logs on stderr (default: only in the work folder's pipeline.log)."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def executor_from(
    workers: int, executor: str, tasks: int, work_dir: str | None, partition: str | None, time_limit: str,
    cpus_per_task: int, verbose: bool = False,
) -> ExecutorOptions:
    slurm = {"partition": partition, "time": time_limit, "cpus_per_task": cpus_per_task} if executor == "slurm" else {}
    try:
        return ExecutorOptions(executor, workers, tasks, work_dir, slurm, verbose)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def pop_executor_args(kwargs: dict[str, Any]) -> ExecutorOptions:
    """The :class:`ExecutorOptions` of a command's keyword arguments, taken out of them."""
    names = ("workers", "executor", "tasks", "work_dir", "partition", "time_limit", "cpus_per_task", "verbose")
    return executor_from(**{name: kwargs.pop(name) for name in names})
