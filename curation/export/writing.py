"""The write phase of a build: the export's files made from the spilled rows, one job per format
of one split of one config, run on the executor's ranks.

Every file is written by one job, from the same rows in the same batches, so its bytes do not
depend on how many jobs run at once or where. Jobs go to the ranks largest first, so that two
workers finish together rather than one waiting on the last big file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pyarrow as pa
from datasets import Features
from datatrove.pipeline.base import PipelineStep

from curation.errors import CurationError
from curation.export.codec import batch_rows, row_decoder
from curation.export.conll import ConllWriter
from curation.export.huggingface import SplitWriter, WrittenSplit
from curation.export.jsonl import JsonlWriter
from curation.export.rows import BIO_COLUMN
from curation.export.spill import spilled_batches
from curation.pipeline.options import ExecutorOptions
from curation.pipeline.run import rank_results, run_jobs, save_rank_result

NO_LABEL = "(none)"
SMALL_EXPORT_ROWS = 20_000


@dataclass(frozen=True, slots=True)
class SpilledConfig:
    """What the writers need of one config's rows: where they wait, their features, each row's
    split (its index in the recipe's splits, in spill order: a byte a row, not a set of article
    ids, so that it stays small however large the corpus) and the gold columns to count."""

    name: str
    paths: tuple[str, ...]  # the spills of the rows pass's parts, in page order
    features: Features
    row_splits: np.ndarray  # uint8, one per spilled row
    gold_columns: tuple[str, ...]

    @property
    def rows(self) -> int:
        return len(self.row_splits)


@dataclass(frozen=True, slots=True)
class SplitFile:
    """One job: one format (None: none, only the counts) of one split of one config; the split's
    gold label counts ride with its first job."""

    config: str
    split: str
    code: int  # the split's index in the recipe's splits, as ``SpilledConfig.row_splits`` holds it
    format: str | None
    rows: int
    counts_labels: bool


@dataclass(frozen=True, slots=True)
class SplitFileResult:
    written: WrittenSplit | None  # Parquet shards
    label_counts: dict[str, dict[str, int]] | None


class _BatchSink(Protocol):
    def write(self, batch: pa.RecordBatch) -> None: ...


@dataclass(frozen=True, slots=True)
class FormatWriter:
    """How one export format is written: ``open`` makes the sink that one job's rows go to (its
    files closed with the job's stack); ``cost`` is the relative cost of a row, measured on ANT
    (JSONL and CoNLL encode every row in Python, Parquet in Arrow's C++); ``needs_column`` is the
    column a config must have for the format to apply."""

    open: Callable[[ExitStack, Path, SplitFile, SpilledConfig, int], _BatchSink]
    cost: int
    needs_column: str | None = None

    def applies_to(self, config: SpilledConfig) -> bool:
        return self.needs_column is None or self.needs_column in config.features


def _parquet(stack: ExitStack, staging: Path, job: SplitFile, config: SpilledConfig, shard_rows: int) -> SplitWriter:
    schema = config.features.arrow_schema
    return SplitWriter(stack, staging, job.config, job.split, job.rows, schema, shard_rows)


def _jsonl(stack: ExitStack, staging: Path, job: SplitFile, config: SpilledConfig, shard_rows: int) -> JsonlWriter:
    return JsonlWriter(stack, staging, job.config, job.split, config.features)


def _conll(stack: ExitStack, staging: Path, job: SplitFile, config: SpilledConfig, shard_rows: int) -> ConllWriter:
    return ConllWriter(stack, staging, job.split, config.features)


# the writers by format name, in the order an export's jobs are planned
WRITERS: dict[str, FormatWriter] = {
    "huggingface": FormatWriter(_parquet, cost=1),
    "jsonl": FormatWriter(_jsonl, cost=5),
    "conll": FormatWriter(_conll, cost=4, needs_column=BIO_COLUMN),
}
FORMATS = tuple(WRITERS)


class LabelCounter:
    """Gold label counts per column of one split, as its batches go by; spans count their entity labels."""

    def __init__(self, features: Features, columns: Sequence[str]) -> None:
        self.columns = list(columns)
        self._decode = row_decoder(Features({column: features[column] for column in columns}))
        self._counters: dict[str, Counter[str]] = {column: Counter() for column in columns}

    def write(self, batch: pa.RecordBatch) -> None:
        for row in batch_rows(batch.select(self.columns)):
            for column, value in self._decode(row).items():
                if value is None or value == []:
                    self._counters[column][NO_LABEL] += 1
                elif isinstance(value, str):
                    self._counters[column][value] += 1
                else:
                    self._counters[column].update(v["label"] if isinstance(v, dict) else v for v in value)

    def counts(self) -> dict[str, dict[str, int]]:
        return {column: dict(sorted(counter.items())) for column, counter in self._counters.items()}


def plan_split_files(formats: Sequence[str], configs: Mapping[str, SpilledConfig], splits: Sequence[str]) -> list[SplitFile]:
    """The jobs in the export's order: per config, per split that has rows, per format."""
    jobs: list[SplitFile] = []
    for name, config in configs.items():
        chosen = _formats_of(config, formats)
        sizes = np.bincount(config.row_splits, minlength=len(splits)).tolist()
        for code, split in ((c, s) for c, s in enumerate(splits) if sizes[c]):
            jobs.extend(SplitFile(name, split, code, f, sizes[code], i == 0) for i, f in enumerate(chosen))
    return jobs


def _formats_of(config: SpilledConfig, formats: Sequence[str]) -> list[str | None]:
    """The formats written for ``config``; ``[None]`` when none applies, so that one job still
    counts its splits' labels."""
    chosen: list[str | None] = [f for f, writer in WRITERS.items() if f in formats and writer.applies_to(config)]
    return chosen or [None]


def write_split_file(job: SplitFile, config: SpilledConfig, staging: Path, shard_rows: int) -> SplitFileResult:
    """The job's file(s) from the rows of ``config`` in the job's split."""
    with ExitStack() as stack:
        writer = WRITERS[job.format].open(stack, staging, job, config, shard_rows) if job.format else None
        counter = LabelCounter(config.features, config.gold_columns) if job.counts_labels else None
        outputs = [output for output in (writer, counter) if output is not None]
        for rows in _rows_in(config, job.code):
            for output in outputs:
                output.write(rows)
        written = writer.close() if isinstance(writer, SplitWriter) else None  # only Parquet shards are listed
    return SplitFileResult(written, counter.counts() if counter is not None else None)


def _rows_in(config: SpilledConfig, code: int) -> Iterator[pa.RecordBatch]:
    """The spilled batches of ``config``, each filtered to the rows of split ``code``."""
    done = 0
    for path in config.paths:
        for batch in spilled_batches(path):
            yield batch.filter(pa.array(config.row_splits[done : done + batch.num_rows] == code))
            done += batch.num_rows
    if done != config.rows:
        raise CurationError(f"{config.name}: {done:,} rows spilled, {config.rows:,} placed in splits")


class WriteSplitFiles(PipelineStep):
    """Rank ``r`` does job ``r`` and leaves its result (what it wrote, the counts) in ``results``."""

    name = "write split files"
    type = "WRITER"

    def __init__(
        self,
        jobs: list[SplitFile],
        configs: dict[str, SpilledConfig],
        staging: Path,
        shard_rows: int,
        results: Path,
    ) -> None:
        super().__init__()
        self.jobs, self.configs, self.staging = jobs, configs, staging
        self.shard_rows, self.results = shard_rows, results

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Any:
        job = self.jobs[rank]
        result = write_split_file(job, self.configs[job.config], self.staging, self.shard_rows)
        save_rank_result(self.results, rank, result)
        pa.default_memory_pool().release_unused()  # on Ray a worker takes job after job: what Arrow freed goes back now
        return iter(())


def write_split_files(
    jobs: list[SplitFile],
    configs: dict[str, SpilledConfig],
    staging: Path,
    shard_rows: int,
    executor: ExecutorOptions | None,
    work: Path,
) -> list[SplitFileResult]:
    """Every job's result, in the order of ``jobs``: on the executor's ranks (locally or on Ray),
    or one after the other here with one rank, on Slurm (whose queue the build cannot wait in),
    or for a small export (fewer than :data:`SMALL_EXPORT_ROWS` rows and ``tasks`` not given:
    starting the workers would cost more than they save)."""
    options = executor or ExecutorOptions()
    if _writes_here(options, jobs, configs):
        return [write_split_file(job, configs[job.config], staging, shard_rows) for job in jobs]
    order = sorted(range(len(jobs)), key=lambda i: -_cost(jobs[i], configs))  # largest first
    results = work / "results"
    results.mkdir(parents=True, exist_ok=True)
    step = WriteSplitFiles([jobs[i] for i in order], configs, staging, shard_rows, results)
    run_jobs([("write", [step], len(jobs))], options, work, rank_per_process=True)  # what a job leaves ends with it
    result_of = dict(zip(order, rank_results(results, len(jobs)), strict=True))  # job index -> its rank's result
    return [result_of[index] for index in range(len(jobs))]


def _writes_here(options: ExecutorOptions, jobs: Sequence[SplitFile], configs: Mapping[str, SpilledConfig]) -> bool:
    """Whether the jobs run one after the other in this process rather than on the executor's ranks."""
    if options.ranks == 1 or options.executor == "slurm" or len(jobs) < 2:
        return True
    return not options.tasks and sum(config.rows for config in configs.values()) < SMALL_EXPORT_ROWS


def _cost(job: SplitFile, configs: Mapping[str, SpilledConfig]) -> float:
    """A job's expected time: its share of its config's spill (bytes on disk) times its format's cost."""
    config = configs[job.config]
    size = sum(Path(path).stat().st_size for path in config.paths)
    return job.rows / max(config.rows, 1) * size * (WRITERS[job.format].cost if job.format else 0)
