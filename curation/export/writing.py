"""The write phase of a build: the export's files made from the spilled rows, one job per format
of one split of one config, run on the executor's ranks.

Every file is written by one job, from the same rows in the same batches, so its bytes do not
depend on how many jobs run at once or where. Jobs go to the ranks largest first, so that two
workers finish together rather than one waiting on the last big file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa
import pyarrow.compute as pc
from datasets import Features
from datatrove.pipeline.base import PipelineStep

from curation.export.codec import batch_rows, row_decoder
from curation.export.conll import ConllWriter
from curation.export.huggingface import SplitWriter, WrittenSplit
from curation.export.jsonl import JsonlWriter
from curation.export.rows import BIO_COLUMN
from curation.export.spill import spilled_batches
from curation.pipeline.options import ExecutorOptions
from curation.pipeline.run import rank_results, run_jobs, save_rank_result

FORMATS = ("huggingface", "jsonl", "conll")
NO_LABEL = "(none)"
SMALL_EXPORT_ROWS = 20_000
# relative cost of a row in each format, measured on ANT: JSONL and CoNLL encode every row in
# Python, Parquet in Arrow's C++
_FORMAT_COST = {"huggingface": 1, "jsonl": 5, "conll": 4}


@dataclass(frozen=True, slots=True)
class SpilledConfig:
    """What the writers need of one config's rows: where they wait, their features, the column
    that names each row's article (whose split is the row's) and the gold columns to count."""

    name: str
    paths: tuple[str, ...]  # the spills of the rows pass's parts, in page order
    features: Features
    article_column: str
    gold_columns: tuple[str, ...]
    rows: int


@dataclass(frozen=True, slots=True)
class SplitFile:
    """One job: one format (None: none, only the counts) of one split of one config; the split's
    gold label counts ride with its first job."""

    config: str
    split: str
    format: str | None
    rows: int
    counts_labels: bool


@dataclass(frozen=True, slots=True)
class SplitFileResult:
    written: WrittenSplit | None  # Parquet shards
    label_counts: dict[str, dict[str, int]] | None


class _BatchSink(Protocol):
    def write(self, batch: pa.RecordBatch) -> None: ...


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


def plan_split_files(
    formats: Sequence[str], configs: Mapping[str, SpilledConfig], sizes: Mapping[str, Counter[str]], splits: Sequence[str]
) -> list[SplitFile]:
    """The jobs in the export's order: per config, per split that has rows, per format."""
    jobs = []
    for name, config in configs.items():
        chosen = [f for f in FORMATS if f in formats and (f != "conll" or BIO_COLUMN in config.features)] or [None]
        for split in (s for s in splits if sizes[name][s]):
            jobs.extend(SplitFile(name, split, f, sizes[name][split], i == 0) for i, f in enumerate(chosen))
    return jobs


def write_split_file(
    job: SplitFile, config: SpilledConfig, staging: Path, article_ids: Sequence[str], shard_rows: int
) -> SplitFileResult:
    """The job's file(s) from the rows of ``config`` whose article is one of ``article_ids`` (the split's)."""
    with ExitStack() as stack:
        outputs: list[_BatchSink] = []
        parquet = None
        if job.format == "huggingface":
            schema = config.features.arrow_schema
            parquet = SplitWriter(stack, staging, job.config, job.split, job.rows, schema, shard_rows)
            outputs.append(parquet)
        elif job.format == "jsonl":
            outputs.append(JsonlWriter(stack, staging, job.config, job.split, config.features))
        elif job.format == "conll":
            outputs.append(ConllWriter(stack, staging, job.split, config.features))
        counter = LabelCounter(config.features, config.gold_columns) if job.counts_labels else None
        if counter is not None:
            outputs.append(counter)
        in_split = pa.array(article_ids, type=pa.string())
        for batch in (batch for path in config.paths for batch in spilled_batches(path)):
            rows = batch.filter(pc.is_in(batch.column(config.article_column), value_set=in_split))
            for output in outputs:
                output.write(rows)
        written = parquet.close() if parquet is not None else None
    return SplitFileResult(written, counter.counts() if counter is not None else None)


class WriteSplitFiles(PipelineStep):
    """Rank ``r`` does job ``r`` and leaves its result (what it wrote, the counts) in ``results``."""

    name = "write split files"
    type = "WRITER"

    def __init__(
        self,
        jobs: list[SplitFile],
        configs: dict[str, SpilledConfig],
        staging: Path,
        article_ids: dict[str, list[str]],
        shard_rows: int,
        results: Path,
    ) -> None:
        super().__init__()
        self.jobs, self.configs, self.staging = jobs, configs, staging
        self.article_ids, self.shard_rows, self.results = article_ids, shard_rows, results

    def run(self, data: Any = None, rank: int = 0, world_size: int = 1) -> Any:
        job = self.jobs[rank]
        result = write_split_file(job, self.configs[job.config], self.staging, self.article_ids[job.split], self.shard_rows)
        save_rank_result(self.results, rank, result)
        pa.default_memory_pool().release_unused()  # a worker takes job after job: what Arrow freed goes back now
        return iter(())


def write_split_files(
    jobs: list[SplitFile],
    configs: dict[str, SpilledConfig],
    staging: Path,
    split_of: Mapping[str, str],
    shard_rows: int,
    executor: ExecutorOptions | None,
    work: Path,
) -> list[SplitFileResult]:
    """Every job's result, in the order of ``jobs``: on the executor's ranks (locally or on Ray),
    or one after the other here with one rank, on Slurm (whose queue the build cannot wait in),
    or for a small export (fewer than :data:`SMALL_EXPORT_ROWS` rows and ``tasks`` not given:
    starting the workers would cost more than they save)."""
    article_ids: dict[str, list[str]] = {}
    for article_id, split in split_of.items():
        article_ids.setdefault(split, []).append(article_id)
    options = executor or ExecutorOptions()
    small = not options.tasks and sum(config.rows for config in configs.values()) < SMALL_EXPORT_ROWS
    if options.ranks == 1 or options.executor == "slurm" or len(jobs) < 2 or small:
        return [write_split_file(job, configs[job.config], staging, article_ids[job.split], shard_rows) for job in jobs]
    order = sorted(range(len(jobs)), key=lambda i: -_cost(jobs[i], configs))  # largest first
    results = work / "results"
    results.mkdir(parents=True, exist_ok=True)
    step = WriteSplitFiles([jobs[i] for i in order], configs, staging, article_ids, shard_rows, results)
    run_jobs([("write", [step], len(jobs))], options, work)
    by_rank = rank_results(results, len(jobs))
    found: list[SplitFileResult | None] = [None] * len(jobs)
    for rank, index in enumerate(order):
        found[index] = by_rank[rank]
    return found  # type: ignore[return-value]


def _cost(job: SplitFile, configs: Mapping[str, SpilledConfig]) -> float:
    """A job's expected time: its share of its config's spill (bytes on disk) times its format's cost."""
    config = configs[job.config]
    size = sum(Path(path).stat().st_size for path in config.paths)
    return job.rows / max(config.rows, 1) * size * _FORMAT_COST.get(job.format or "", 0)
