"""datatrove's local executor with a new worker process for every rank (imported only where a
local job asks for it: datatrove is heavy).

datatrove's :class:`LocalPipelineExecutor` runs the ranks on a pool whose workers live for the
whole job, so what a rank leaves in a worker's memory (the allocator's fragments, Arrow's and
the JSON writers' buffers) stays for every rank after it. Making rows keeps about 2.6 KB a page,
and no allocator setting gives it back: at 10x ANT a build's rows workers reached 186-192 MB and
its write workers 194-241 MB (532 MB of summed PSS against 346 at 1x). Here each rank is a
process forked afresh from the job's process (as the first rank of every worker always was),
and its memory ends with it.
"""

from __future__ import annotations

import contextlib
from typing import Any

import multiprocess
import multiprocess.connection
from datatrove.executor import LocalPipelineExecutor

from curation.pipeline.options import PipelineFailed


class RankPerProcessExecutor(LocalPipelineExecutor):
    """The ranks of a job on ``workers`` processes at once, each rank in a process of its own,
    started when one ends. Only what the build's local jobs use: no ``depends``, every rank of the
    job run, each rank's stats in ``stats/`` (none merged). A rank that fails or whose process
    dies (killed, out of memory) stops the others and the job, which a pool would wait for."""

    watches_its_workers = True  # its workers end after each rank: run_watched must not take that for a death

    def run(self) -> None:
        self._launched = True
        self.save_executor_as_json()
        context = multiprocess.get_context(self.start_method)
        if self.start_method == "forkserver":  # the steps' modules imported once by the server, not by every rank (1.1 s CPU each)
            context.set_forkserver_preload(sorted({type(step).__module__ for step in self.pipeline}))
        waiting = list(reversed(self.get_incomplete_ranks(range(self.tasks))))
        running: dict[int, tuple[Any, int]] = {}  # rank -> (its process, its slot: datatrove's local rank)
        slots = list(range(self.workers))
        try:
            while waiting or running:
                while waiting and slots:
                    rank, slot = waiting.pop(), slots.pop()
                    process = context.Process(target=self._run_for_rank, args=(rank, slot), name=f"rank-{rank}")
                    process.start()
                    running[rank] = (process, slot)
                multiprocess.connection.wait([process.sentinel for process, _ in running.values()])
                for rank, (process, slot) in list(running.items()):
                    if process.exitcode is None:
                        continue
                    process.join()
                    del running[rank]
                    slots.append(slot)
                    if process.exitcode != 0:  # an exception (1) or a signal (negative)
                        raise PipelineFailed(f"rank {rank} failed (exit code {process.exitcode}); logs: {self.logging_dir.path}/logs")
        finally:
            for process, _ in running.values():
                with contextlib.suppress(OSError):
                    process.kill()
                process.join()
