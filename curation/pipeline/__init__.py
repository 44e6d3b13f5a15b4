"""The pipeline as datatrove steps: read pages -> segment -> write unit shards -> merge.

Every step is a datatrove :class:`~datatrove.pipeline.base.PipelineStep` with one job
(:mod:`curation.pipeline.steps`), run by datatrove's own executors: local processes, Ray or Slurm
(:mod:`curation.pipeline.run`; what to run on is :mod:`curation.pipeline.options`). Rank ``r`` of
``n`` segments documents ``r, r+n, r+2n...`` of the input into its own shard; the merge step deals
the shards' documents back into input order, so the units file is the same bytes whatever the
number of workers or the executor.

This package imports nothing itself: datatrove takes seconds to load, and ``--help`` must not.
"""
