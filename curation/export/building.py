"""``curation build``: ingest, segment, label, deduplicate, split and export, from one recipe.

The build writes into a staging folder beside the target and swaps it in at the end, so an
export folder is always a complete build (never a mix of two) and stale shards cannot linger.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from curation.dedup import (
    DEDUP_LEVELS,
    DedupResult,
    cluster_ids,
    dedup_items,
    find_duplicates,
    label_conflicts,
)
from curation.dedup.run import find_duplicates_on
from curation.export.annotations import AnnotationSnapshot, LabelSource, read_stores, store_files
from curation.export.card import CardFacts, card_text
from curation.export.huggingface import WrittenSplit
from curation.export.manifest import file_sha256, input_hashes, package_versions, relative, write_manifest
from curation.export.output import check_output_folder, staging_folder, swap_in
from curation.export.pseudonyms import mapping_path, pseudonymize
from curation.export.recipe import Recipe, RecipeError
from curation.export.rowpass import CONFIGS, ArticleKey, ClusterOf, RowsJob, RowsPart, read_article_keys, rows_pass
from curation.export.rows import BIO_COLUMN, LevelLayout
from curation.export.spill import use_returning_memory_pool
from curation.export.splits import SplitItem, split_codes
from curation.export.writing import SpilledConfig, plan_split_files, write_split_files
from curation.fileio import atomic_writer
from curation.ingest import expand_inputs
from curation.pipeline.options import ExecutorOptions, PipelineFailed
from curation.pipeline.run import count_input_pages, run_segment
from curation.pipeline.workfolder import disown, make_work_folder, tidy_abandoned
from curation.progress import SILENT, Progress
from curation.schema import Schema, load_schema
from curation.settings import Settings
from curation.unitfile import PageSelector, count_pages, iter_units, read_settings


@dataclass(slots=True)
class BuildReport:
    """What a build produced and everything worth telling the user about it."""

    out_dir: Path
    documents: int = 0
    articles: int = 0
    sentences: int = 0
    written: list[WrittenSplit] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # read anyway, but worth telling (a .txt that is HTML)
    clusters: int | None = None
    boundary_splits: int = 0
    label_counts: dict[str, dict[str, dict[str, dict[str, int]]]] = field(default_factory=dict)
    label_conflicts: dict[str, int] = field(default_factory=dict)  # per family: clusters with differing gold
    seconds: dict[str, float] = field(default_factory=dict)  # per phase; never written to the outputs
    tidied: list[tuple[Path, int]] = field(default_factory=list)  # killed builds' work folders removed, with their bytes
    rejected_at_pull: dict[str, Any] = field(default_factory=dict)  # curation.studio.store.Rejections.to_dict()
    # every HTML extractor (name, version, settings) a document went through, by its JSON: for the manifest
    extractors: dict[str, dict[str, Any]] = field(default_factory=dict)


def layouts_for(schema: Schema, labels: LabelSource) -> dict[str, LevelLayout]:
    return {
        name: LevelLayout(level, schema.label_features(level), labels.annotators(level))  # type: ignore[arg-type]
        for name, (level, _) in CONFIGS.items()
    }


def _load_schema(recipe: Recipe) -> Schema:
    return load_schema(recipe.resolve(recipe.schema) if recipe.schema else None)


@dataclass(slots=True)
class Placement:
    """Every article's split (its index in the recipe's splits), in page order, with what lines the
    spilled rows of each config up with it: whether the article's own row is exported and how many
    sentence rows it has. A few bytes an article (numpy), not a dict of ids."""

    splits: np.ndarray
    exported: np.ndarray
    sentences: np.ndarray

    def row_splits(self, config: str) -> np.ndarray:
        """The split of each row of ``config``'s spills, in their order."""
        if config == "articles":
            return self.splits[self.exported]
        return np.repeat(self.splits, self.sentences)


def place_articles(
    keys: Iterable[ArticleKey], cluster_of: Callable[[str], str | None], found: DedupResult, recipe: Recipe
) -> Placement:
    """Each article's split (:func:`split_codes`), the articles of a page one after another as the
    rows pass left them. Groups are the page (or the article, by ``group_by``) and the
    near-duplicate cluster; a teaser joins its container's group (never its cluster), so the two
    stay in one split without chaining clusters. Only clusters and containers tie articles of
    different pages, so only they are held in memory."""
    container = {pair.inner: cluster_of(pair.outer) for pair in found.contained}
    shared = {cluster.id for cluster in found.clusters} | {key for key in container.values() if key}
    exported, sentences = array("b"), array("q")

    def items() -> Iterator[SplitItem]:
        for key in keys:
            exported.append(key.exported)
            sentences.append(key.sentences)
            group = [key.doc_id if recipe.group_by == "document" else key.id]
            group.extend(k for k in (cluster_of(key.id), container.get(key.id)) if k)
            yield SplitItem(key.id, tuple(group), key.stratum)

    splits = split_codes(items(), recipe.split, shared)
    return Placement(splits, np.frombuffer(exported, dtype=np.bool_), np.frombuffer(sentences, dtype=np.int64))


def _units(recipe: Recipe, options: ExecutorOptions, work: Path, report: BuildReport, progress: Progress = SILENT) -> Path:
    """The units the build exports: the recipe's ``units:`` file, or its inputs segmented now by
    the same pipeline steps as ``curation segment``."""
    if recipe.units:
        return _recorded_units(recipe, recipe.resolve(recipe.units))
    if options.executor == "slurm":
        raise RecipeError(
            "build waits for its units: on Slurm, run `curation segment --recipe RECIPE --executor slurm -o units.jsonl.gz`, "
            "then name that file under 'units:' in the recipe"
        )
    output = work / "units.jsonl.gz"
    run = run_segment(_inputs(recipe), output, recipe.settings, options, progress)
    for found, kept in ((run.errors, report.problems), (run.warnings, report.warnings)):
        kept.extend(f"{relative(Path(e.path), recipe.base)}{f':{e.line}' if e.line else ''}: {e.reason}" for e in found)
    return output


def _recorded_units(recipe: Recipe, path: Path) -> Path:
    """The recipe's ``units:`` file, which must have been cut with the recipe's settings (else
    its ids are not the ones pushed)."""
    if not path.is_file():
        raise RecipeError(f"{recipe.source_file}: units: no such file {path}")
    recorded = read_settings(path)
    differences = recipe.settings.unit_differences(recorded) if recorded is not None else []
    if recorded is None or differences:
        shown = "; ".join(differences[:3]) + (f"; {len(differences) - 3} more" if len(differences) > 3 else "")
        what = "no settings record beside it" if recorded is None else f"other settings than the recipe's (recipe vs units: {shown})"
        raise RecipeError(
            f"{path}: {what}, so its unit ids may not be the recipe's; cut it with "
            f"`curation segment --recipe {recipe.source_file} -o {recipe.units}`"
        )
    return path


def _inputs(recipe: Recipe) -> list[str]:
    return [str(recipe.resolve(entry)) for entry in recipe.inputs]


def _placed(recipe: Recipe, options: ExecutorOptions) -> ExecutorOptions:
    """Where this build runs: ``options``, or this process for a small input when nobody chose
    (:meth:`ExecutorOptions.for_input`), counted in the recipe's units file or else its inputs.
    Decided once, so that every phase runs where the segmentation did."""
    if recipe.units:
        units = recipe.resolve(recipe.units)
        return options.for_input(lambda limit: count_pages(units, limit))
    inputs = _inputs(recipe)
    return options.for_input(lambda limit: count_input_pages(inputs, recipe.settings.ingest, limit))


def _duplicates(units: Path, settings: Settings, options: ExecutorOptions, work: Path) -> DedupResult:
    """The units' near-duplicates, signed on the executor's ranks; with one rank, or on Slurm
    (the rows wait for the clusters, so the build cannot leave them in a queue), in this process."""
    if options.ranks == 1 or options.executor == "slurm":
        found = iter_units(units, keep=PageSelector(levels=DEDUP_LEVELS))
        return find_duplicates(dedup_items(found, settings.dedup.compare), settings.dedup, work)
    return find_duplicates_on(units.resolve(), settings.dedup, options, work)


def build(
    recipe: Recipe,
    out_dir: Path | None = None,
    progress: Progress = SILENT,
    allow_problems: bool = False,
    annotator_names: bool = False,
    executor: ExecutorOptions | None = None,
) -> BuildReport:
    """Build the recipe into ``out_dir`` (default: the recipe's output folder); the result replaces
    it only when the build found no problems or ``allow_problems`` (see :mod:`curation.export.output`).
    The pipeline runs on ``executor`` (default: local processes, one per core; a small input, in
    this process); ``progress`` hears its stages and the pages each has done."""
    target = Path(out_dir) if out_dir is not None else recipe.output_dir
    use_returning_memory_pool()  # before the workers fork: theirs too
    check_output_folder(target, _read_paths(recipe))
    schema = _load_schema(recipe)
    options = _placed(recipe, executor or ExecutorOptions())
    tidied = tidy_abandoned(options.work_dir, WORK_PREFIX)
    work = make_work_folder(options.work_dir, WORK_PREFIX)
    kept = False
    try:
        report = _build(recipe, target, schema, work, options, progress, allow_problems, annotator_names)
        report.tidied = tidied
        return report
    except PipelineFailed:
        _keep_only_logs(work)  # the error names them
        kept = True
        raise
    finally:
        if not kept:
            shutil.rmtree(work, ignore_errors=True)


WORK_PREFIX = "curation-build-"


def _keep_only_logs(work: Path) -> None:
    """Remove the work folder's data (spills, shards, signatures), keep the ranks' ``logs`` folders
    (and out of any later build's tidying)."""
    disown(work)
    for path in sorted(work.rglob("*"), reverse=True):  # files before their folders
        if "logs" in path.relative_to(work).parts:
            continue
        if path.is_dir():
            with contextlib.suppress(OSError):  # a folder holding logs stays
                path.rmdir()
        else:
            path.unlink(missing_ok=True)


@contextlib.contextmanager
def _phase(report: BuildReport, name: str) -> Iterator[None]:
    """The seconds the block takes, as ``report.seconds[name]``."""
    clock = time.perf_counter()
    yield
    report.seconds[name] = time.perf_counter() - clock


def _build(
    recipe: Recipe,
    target: Path,
    schema: Schema,
    work: Path,
    options: ExecutorOptions,
    progress: Progress,
    allow_problems: bool,
    annotator_names: bool,
) -> BuildReport:
    """The phases in order: labels, segment, dedup, rows, splits, write; each a function of its own."""
    report = BuildReport(out_dir=target)
    recipe, snapshot, labels = _labels(recipe, schema, annotator_names, report)
    layouts = layouts_for(schema, labels)
    with _phase(report, "segment"):
        units = _units(recipe, options, work, report, progress)
    progress.start("finding duplicates")
    with _phase(report, "dedup"):
        found = _duplicates(units, recipe.settings, options, work / "dedup") if recipe.dedup else DedupResult()
        if found.too_short:
            report.warnings.append(
                f"dedup: {found.too_short:,} article(s) of fewer than {recipe.settings.dedup.min_words} words "
                f"(dedup.min_words) compared with nothing: in no duplicate cluster"
            )
        cluster_of = ClusterOf(cluster_ids(found.clusters) if recipe.dedup else None)  # members only
    with _phase(report, "rows"):
        job = RowsJob(
            str(units.resolve()), layouts, labels, recipe.base, recipe.split.stratify,
            cluster_of, str(work / "rows"), os.getcwd(), recipe.annotated_only,
        )
        rows = rows_pass(job, options, progress, found.pages)
        _tell_rows(rows, labels, found if recipe.dedup else None, report)
    with _phase(report, "splits"):
        placement = place_articles(read_article_keys(rows.article_keys), cluster_of, found, recipe)
    progress.start("writing the export")
    with _phase(report, "write"):
        staging = staging_folder(target)
        try:
            _write_outputs(recipe, staging, rows.spills, layouts, placement, report, options, work)
            if "huggingface" in recipe.formats:
                with atomic_writer(staging / "README.md") as handle:
                    handle.write(card_text(_card_facts(recipe, schema, snapshot, labels, layouts, rows, report)))
            write_manifest(staging, _manifest(recipe, schema, snapshot, units, report))
            swap_in(staging, target, report.problems, allow_problems)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    report.files = sorted(p for p in target.rglob("*") if p.is_file())
    return report


def _labels(
    recipe: Recipe, schema: Schema, annotator_names: bool, report: BuildReport
) -> tuple[Recipe, AnnotationSnapshot | None, LabelSource]:
    """The annotations and reviews the recipe names, read and (unless ``annotator_names``) made
    pseudonymous, as the source of every row's labels; the recipe with its reviewer renamed so."""
    snapshot: AnnotationSnapshot | None = None
    reviewer = recipe.reviewer
    reviews = read_stores(store_files(recipe.reviews, recipe.base), schema) if recipe.reviews else None
    if recipe.annotations:
        snapshot = read_stores(store_files(recipe.annotations, recipe.base), schema)
        if not annotator_names:  # annotators are annotator_1... in every output (curation.export.pseudonyms)
            mapping = mapping_path(snapshot)
            ids = pseudonymize(snapshot, mapping).ids
            ids = pseudonymize(reviews, mapping).ids if reviews is not None else ids  # reviewers: same ids
            reviewer = ids.get(reviewer or "", reviewer)
            recipe = replace(recipe, reviewer=reviewer)  # the manifest copies the recipe
        report.problems.extend(snapshot.problems + (reviews.problems if reviews else []))
        report.rejected_at_pull = snapshot.rejections.to_dict()
    return recipe, snapshot, LabelSource(schema, snapshot, recipe.adjudication, reviewer, recipe.labels_from_meta, reviews)


def _tell_rows(rows: RowsPart, labels: LabelSource, found: DedupResult | None, report: BuildReport) -> None:
    """What the rows pass found, into the report: counts, problems, and (with dedup) the
    clusters and those whose members' gold differs."""
    report.documents, report.extractors = rows.documents, rows.extractors
    report.problems.extend(rows.unreadable)
    report.problems.extend(labels.finish())
    report.problems.extend(
        f"sentence {sentence_id}: entity {span.label} {span.start}-{span.end} overlaps another; kept in "
        f"'entities' only, not in ner_tags"
        for sentence_id, span in rows.tally.overlapping
    )
    report.articles, report.sentences = (sum(n for _, n in rows.spills[name]) for name in ("articles", "sentences"))
    report.boundary_splits = rows.tally.boundary_splits
    if found is not None:
        report.clusters = len(found.clusters)
        report.label_conflicts = {
            column: len(label_conflicts(found.clusters, gold)) for column, gold in rows.clustered_gold.items()
        }


def _card_facts(
    recipe: Recipe,
    schema: Schema,
    snapshot: AnnotationSnapshot | None,
    labels: LabelSource,
    layouts: dict[str, LevelLayout],
    rows: RowsPart,
    report: BuildReport,
) -> CardFacts:
    return CardFacts(
        name=recipe.name,
        description=recipe.description,
        license=recipe.license,
        recipe_file=Path(recipe.source_file).name if recipe.source_file else "<recipe>",
        schema=schema,
        features={name: layouts[name].features() for name in CONFIGS if any(w.config == name for w in report.written)},
        written=report.written,
        label_counts=report.label_counts,
        annotation_summary=_annotation_summary(snapshot, labels),
        agreement=labels.agreement(),
        boundary_splits=report.boundary_splits,
        overlapping_spans=len(rows.tally.overlapping),
        clusters=report.clusters,
        label_conflicts=report.label_conflicts,
        labels_from_meta=recipe.labels_from_meta,
        problems=len(report.problems),
        split_rule=_split_rule(recipe),
    )


def _read_paths(recipe: Recipe) -> list[Path]:
    """Everything a build reads, which its output folder must never hold."""
    named = [recipe.schema, *recipe.annotations, *recipe.inputs]
    return [recipe.resolve(p) for p in named if p] + ([Path(recipe.source_file)] if recipe.source_file else [])


def _write_outputs(
    recipe: Recipe,
    staging: Path,
    spills: dict[str, list[tuple[str, int]]],
    layouts: dict[str, LevelLayout],
    placement: Placement,
    report: BuildReport,
    executor: ExecutorOptions,
    work: Path,
) -> None:
    """Every file of the export from the spilled rows (:mod:`curation.export.writing`), with the
    gold label counts per split that the card shows."""
    configs = {
        name: SpilledConfig(
            name, tuple(path for path, _ in files), layouts[name].features(), placement.row_splits(name),
            tuple(c for c in layouts[name].labels if c != BIO_COLUMN),
        )
        for name, files in spills.items()
    }
    jobs = plan_split_files(recipe.formats, configs, list(recipe.split.ratios))
    results = write_split_files(jobs, configs, staging, recipe.shard_rows, executor, work)
    report.label_counts = {name: {} for name in configs}
    for job, result in zip(jobs, results, strict=True):
        if result.written is not None:
            report.written.append(result.written)
        for column, by_label in (result.label_counts or {}).items():
            report.label_counts[job.config].setdefault(column, {})[job.split] = by_label


def _annotation_summary(snapshot: AnnotationSnapshot | None, labels: LabelSource) -> dict[str, Any]:
    if snapshot is None:
        return {}
    models = snapshot.pre_annotated()
    return {
        "annotation records": snapshot.total,
        "annotations used (valid)": len(labels.used),
        "annotators": len({a.annotator for a in labels.used}),
        "units with disagreement": labels.conflicts,
        "units left without gold (unresolved)": labels.unresolved,
        **labels.mentions.shares(),
        "adjudication policy": " > ".join(labels.policy),
        "annotations rejected at pull": snapshot.rejections.annotations,
        "regions set aside at pull": snapshot.rejections.regions,
        "units flagged (a region set aside)": len(snapshot.rejections.flagged_units),
    } | ({"pre-annotated by model (annotations)": ", ".join(f"{v} ({n:,})" for v, n in models.items())} if models else {})


def _split_rule(recipe: Recipe) -> str:
    ratios = ", ".join(f"{name} {share:.0%}" for name, share in recipe.split.shares().items())
    stratified = f", stratified by `{recipe.split.stratify}`" if recipe.split.stratify else ""
    return (
        f"Splits ({ratios}) are deterministic from seed {recipe.split.seed}{stratified}; articles are grouped by "
        f"{recipe.group_by} and by near-duplicate cluster, and no group is in two splits."
    )


def _manifest(
    recipe: Recipe, schema: Schema, snapshot: AnnotationSnapshot | None, units: Path, report: BuildReport
) -> dict[str, Any]:
    annotations = None
    if recipe.annotations and snapshot is not None:
        annotations = {
            "stores": {name: file_sha256(path) if path.is_file() else None for name, path in snapshot.stores},
            "fingerprint": snapshot.fingerprint,
            "records": snapshot.total,
            "rejections": snapshot.rejections.to_dict(),
            "pre_annotated_by": snapshot.pre_annotated(),  # model version -> annotations made beside its prediction
        }
    return {
        "name": recipe.name,
        "recipe_file": Path(recipe.source_file).name if recipe.source_file else None,
        # where `curation verify EXPORT` finds the recipe, from the recipe's own output folder
        "recipe_path": os.path.relpath(recipe.source_file, recipe.output_dir) if recipe.source_file else None,
        "recipe": recipe.to_dict(),
        "inputs": input_hashes(expand_inputs([recipe.resolve(entry) for entry in recipe.inputs], []), recipe.base),
        "schema": {"name": schema.name, "version": schema.version, "fingerprint": schema.fingerprint},
        "annotations": annotations,
        **({"units": {"path": recipe.units, "sha256": file_sha256(units)}} if recipe.units else {}),
        "settings": recipe.settings.to_dict(),
        "extractors": [report.extractors[key] for key in sorted(report.extractors)],
        "packages": package_versions(),
        "counts": {
            "documents": report.documents,
            "articles": report.articles,
            "sentences": report.sentences,
            "clusters": report.clusters,
            "clusters_with_differing_gold": report.label_conflicts,
            "boundary_splits": report.boundary_splits,
            "splits": {f"{w.config}/{w.split}": w.num_rows for w in report.written},
        },
        "problems": report.problems,
    }
