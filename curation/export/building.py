"""``curation build``: ingest, segment, label, deduplicate, split and export, from one recipe.

The build writes into a staging folder beside the target and swaps it in at the end, so an
export folder is always a complete build (never a mix of two) and stale shards cannot linger.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from curation.dedup import (
    DEDUP_LEVELS,
    DedupResult,
    cluster_ids,
    dedup_items,
    find_duplicates,
    label_conflicts,
    leaking_groups,
)
from curation.dedup.run import find_duplicates_on
from curation.export.annotations import AnnotationSnapshot, LabelSource, read_stores, store_files
from curation.export.card import CardFacts, card_text
from curation.export.huggingface import WrittenSplit
from curation.export.manifest import file_sha256, input_hashes, package_versions, relative, write_manifest
from curation.export.output import check_output_folder, staging_folder, swap_in
from curation.export.pseudonyms import mapping_path, pseudonymize
from curation.export.recipe import Recipe, RecipeError
from curation.export.rowpass import CONFIGS, ArticleKey, ClusterOf, RowsJob, rows_pass
from curation.export.rows import BIO_COLUMN, LevelLayout
from curation.export.splits import SplitItem, assign_splits
from curation.export.writing import SpilledConfig, plan_split_files, write_split_files
from curation.fileio import atomic_writer
from curation.ingest import expand_inputs
from curation.pipeline.options import ExecutorOptions, PipelineFailed
from curation.pipeline.run import run_segment
from curation.schema import Schema, load_schema
from curation.settings import Settings
from curation.unitfile import PageSelector, iter_units, read_settings



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


def _split_items(
    keys: list[ArticleKey], cluster_of: Callable[[str], str | None], found: DedupResult, group_by: str
) -> list[SplitItem]:
    """A teaser joins its container's group for the split (never its cluster), so the two stay
    in one split without chaining clusters."""
    container = {pair.inner: cluster_of(pair.outer) for pair in found.contained}
    items = []
    for key in keys:
        group = [key.doc_id if group_by == "document" else key.id]
        group.extend(k for k in (cluster_of(key.id), container.get(key.id)) if k)
        items.append(SplitItem(key.id, tuple(group), key.stratum))
    return items


def _units(
    recipe: Recipe, settings: Settings, executor: ExecutorOptions | None, work: Path, report: BuildReport
) -> Path:
    """The units the build exports: the recipe's ``units:`` file, which must have been cut with the
    recipe's settings (else its ids are not the ones pushed), or the inputs segmented now by the
    same pipeline steps as ``curation segment``."""
    if recipe.units:
        path = recipe.resolve(recipe.units)
        if not path.is_file():
            raise RecipeError(f"{recipe.source_file}: units: no such file {path}")
        recorded = read_settings(path)
        differences = settings.differences(recorded) if recorded is not None else []
        if recorded is None or differences:
            shown = "; ".join(differences[:3]) + (f"; {len(differences) - 3} more" if len(differences) > 3 else "")
            what = "no settings record beside it" if recorded is None else f"other settings than the recipe's (recipe vs units: {shown})"
            raise RecipeError(
                f"{path}: {what}, so its unit ids may not be the recipe's; cut it with "
                f"`curation segment --recipe {recipe.source_file} -o {recipe.units}`"
            )
        return path
    if executor is not None and executor.executor == "slurm":
        raise RecipeError(
            "build waits for its units: on Slurm, run `curation segment --recipe RECIPE --executor slurm -o units.jsonl.gz`, "
            "then name that file under 'units:' in the recipe"
        )
    output = work / "units.jsonl.gz"
    run = run_segment([str(recipe.resolve(entry)) for entry in recipe.inputs], output, settings, executor)
    for found, kept in ((run.errors, report.problems), (run.warnings, report.warnings)):
        kept.extend(f"{relative(Path(e.path), recipe.base)}{f':{e.line}' if e.line else ''}: {e.reason}" for e in found)
    return output


def _duplicates(units: Path, settings: Settings, executor: ExecutorOptions | None, work: Path) -> DedupResult:
    """The units' near-duplicates, signed on the executor's ranks; with one rank, or on Slurm
    (the rows wait for the clusters, so the build cannot leave them in a queue), in this process."""
    options = executor or ExecutorOptions()
    if options.ranks == 1 or options.executor == "slurm":
        return find_duplicates(dedup_items(iter_units(units, keep=PageSelector(levels=DEDUP_LEVELS)), settings.dedup.compare), settings.dedup, work)
    return find_duplicates_on(units.resolve(), settings.dedup, options, work)


def build(
    recipe: Recipe,
    out_dir: Path | None = None,
    on_documents: Callable[[int], None] | None = None,
    allow_problems: bool = False,
    annotator_names: bool = False,
    executor: ExecutorOptions | None = None,
) -> BuildReport:
    """Build the recipe into ``out_dir`` (default: the recipe's output folder); the result replaces
    it only when the build found no problems or ``allow_problems`` (see :mod:`curation.export.output`).
    Segmentation runs on ``executor`` (default: local processes, one per core)."""
    target = Path(out_dir) if out_dir is not None else recipe.output_dir
    check_output_folder(target, _read_paths(recipe))
    schema = _load_schema(recipe)
    settings = recipe.settings
    report = BuildReport(out_dir=target)
    work = Path(tempfile.mkdtemp(prefix="curation-build-", dir=executor.work_dir if executor else None))
    kept = False
    try:
        return _build(recipe, target, schema, settings, report, work, executor, on_documents, allow_problems, annotator_names)
    except PipelineFailed:
        _keep_only_logs(work)  # the error names them
        kept = True
        raise
    finally:
        if not kept:
            shutil.rmtree(work, ignore_errors=True)


def _keep_only_logs(work: Path) -> None:
    """Remove the work folder's data (spills, shards, signatures), keep the ranks' ``logs`` folders."""
    for path in sorted(work.rglob("*"), reverse=True):  # files before their folders
        if "logs" in path.relative_to(work).parts:
            continue
        if path.is_dir():
            with contextlib.suppress(OSError):  # a folder holding logs stays
                path.rmdir()
        else:
            path.unlink(missing_ok=True)


def _build(
    recipe: Recipe,
    target: Path,
    schema: Schema,
    settings: Settings,
    report: BuildReport,
    work: Path,
    executor: ExecutorOptions | None,
    on_documents: Callable[[int], None] | None,
    allow_problems: bool,
    annotator_names: bool,
) -> BuildReport:

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
    labels = LabelSource(schema, snapshot, recipe.adjudication, reviewer, recipe.labels_from_meta, reviews)
    layouts = layouts_for(schema, labels)
    clock = time.perf_counter()
    paths = expand_inputs([recipe.resolve(entry) for entry in recipe.inputs], [])
    units = _units(recipe, settings, executor, work, report)
    report.seconds["segment"] = time.perf_counter() - clock
    clock = time.perf_counter()
    found = _duplicates(units, settings, executor, work / "dedup") if recipe.dedup else DedupResult()
    if found.too_short:
        report.warnings.append(
            f"dedup: {found.too_short:,} article(s) of fewer than {settings.dedup.min_words} words "
            f"(dedup.min_words) compared with nothing: in no duplicate cluster"
        )
    clustered = cluster_ids(found.clusters)  # members only: a unit alone gets its id when asked
    cluster_of = ClusterOf(clustered if recipe.dedup else None)
    report.seconds["dedup"] = time.perf_counter() - clock

    clock = time.perf_counter()
    job = RowsJob(
        str(units.resolve()), layouts, labels, recipe.base, recipe.split.stratify,
        cluster_of, str(work / "rows"), os.getcwd(),
    )
    rows = rows_pass(job, executor, on_documents, found.pages)
    report.documents, report.extractors = rows.documents, rows.extractors
    report.problems.extend(rows.unreadable)
    report.problems.extend(labels.finish())
    report.articles, report.sentences = (sum(n for _, n in rows.spills[name]) for name in ("articles", "sentences"))
    if recipe.dedup:
        report.clusters = len(found.clusters)
        report.label_conflicts = {
            column: len(label_conflicts(found.clusters, gold)) for column, gold in rows.clustered_gold.items()
        }
    report.seconds["rows"] = time.perf_counter() - clock

    clock = time.perf_counter()
    items = _split_items(rows.article_keys, cluster_of, found, recipe.group_by)
    split_of = assign_splits(items, recipe.split)
    leaks = leaking_groups(((item.unit_id, item.group_keys) for item in items), split_of)
    if leaks:
        raise RuntimeError(f"split leakage: groups in several splits: {sorted(leaks)[:5]}")
    del items
    report.seconds["splits"] = time.perf_counter() - clock
    clock = time.perf_counter()
    staging = staging_folder(target)
    try:
        _write_outputs(recipe, staging, rows.spills, layouts, split_of, rows.article_keys, report, executor, work)
        report.boundary_splits = rows.tally.boundary_splits
        report.problems.extend(
            f"sentence {sentence_id}: entity {span.label} {span.start}-{span.end} overlaps another; kept in "
            f"'entities' only, not in ner_tags"
            for sentence_id, span in rows.tally.overlapping
        )
        facts = CardFacts(
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
            boundary_splits=rows.tally.boundary_splits,
            overlapping_spans=len(rows.tally.overlapping),
            clusters=report.clusters,
            label_conflicts=report.label_conflicts,
            labels_from_meta=recipe.labels_from_meta,
            problems=len(report.problems),
            split_rule=_split_rule(recipe),
        )
        if "huggingface" in recipe.formats:
            with atomic_writer(staging / "README.md") as handle:
                handle.write(card_text(facts))
        write_manifest(staging, _manifest(recipe, schema, settings, snapshot, paths, units, report))
        swap_in(staging, target, report.problems, allow_problems)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    report.seconds["write"] = time.perf_counter() - clock
    report.files = sorted(p for p in target.rglob("*") if p.is_file())
    return report


def _read_paths(recipe: Recipe) -> list[Path]:
    """Everything a build reads, which its output folder must never hold."""
    named = [recipe.schema, *recipe.annotations, *recipe.inputs]
    return [recipe.resolve(p) for p in named if p] + ([Path(recipe.source_file)] if recipe.source_file else [])


def _write_outputs(
    recipe: Recipe,
    staging: Path,
    spills: dict[str, list[tuple[str, int]]],
    layouts: dict[str, LevelLayout],
    split_of: dict[str, str],
    keys: list[ArticleKey],
    report: BuildReport,
    executor: ExecutorOptions | None,
    work: Path,
) -> None:
    """Every file of the export from the spilled rows (:mod:`curation.export.writing`), with the
    gold label counts per split that the card shows."""
    sizes: dict[str, Counter[str]] = {"articles": Counter(), "sentences": Counter()}
    for key in keys:
        sizes["articles"][split_of[key.id]] += 1
        sizes["sentences"][split_of[key.id]] += key.sentences
    configs = {
        name: SpilledConfig(
            name, tuple(path for path, _ in files), layouts[name].features(), CONFIGS[name][1],
            tuple(c for c in layouts[name].labels if c != BIO_COLUMN), sum(rows for _, rows in files),
        )
        for name, files in spills.items()
    }
    jobs = plan_split_files(recipe.formats, configs, sizes, list(recipe.split.ratios))
    results = write_split_files(jobs, configs, staging, split_of, recipe.shard_rows, executor, work)
    report.label_counts = {name: {} for name in configs}
    for job, result in zip(jobs, results, strict=True):
        if result.written is not None:
            report.written.append(result.written)
        for column, by_label in (result.label_counts or {}).items():
            report.label_counts[job.config].setdefault(column, {})[job.split] = by_label


def _annotation_summary(snapshot: AnnotationSnapshot | None, labels: LabelSource) -> dict[str, Any]:
    if snapshot is None:
        return {}
    return {
        "annotation records": snapshot.total,
        "annotations used (valid)": len(labels.used),
        "annotators": len({a.annotator for a in labels.used}),
        "units with disagreement": labels.conflicts,
        "units left without gold (unresolved)": labels.unresolved,
        "adjudication policy": " > ".join(labels.policy),
        "annotations rejected at pull": snapshot.rejections.annotations,
        "regions set aside at pull": snapshot.rejections.regions,
        "units flagged (a region set aside)": len(snapshot.rejections.flagged_units),
    }


def _split_rule(recipe: Recipe) -> str:
    ratios = ", ".join(f"{name} {share:.0%}" for name, share in recipe.split.shares().items())
    stratified = f", stratified by `{recipe.split.stratify}`" if recipe.split.stratify else ""
    return (
        f"Splits ({ratios}) are deterministic from seed {recipe.split.seed}{stratified}; articles are grouped by "
        f"{recipe.group_by} and by near-duplicate cluster, and no group is in two splits."
    )


def _manifest(
    recipe: Recipe,
    schema: Schema,
    settings: Settings,
    snapshot: AnnotationSnapshot | None,
    paths: list[Path],
    units: Path,
    report: BuildReport,
) -> dict[str, Any]:
    annotations = None
    if recipe.annotations and snapshot is not None:
        annotations = {
            "stores": {name: file_sha256(path) if path.is_file() else None for name, path in snapshot.stores},
            "fingerprint": snapshot.fingerprint,
            "records": snapshot.total,
            "rejections": snapshot.rejections.to_dict(),
        }
    return {
        "name": recipe.name,
        "recipe_file": Path(recipe.source_file).name if recipe.source_file else None,
        # where `curation verify EXPORT` finds the recipe, from the recipe's own output folder
        "recipe_path": os.path.relpath(recipe.source_file, recipe.output_dir) if recipe.source_file else None,
        "recipe": recipe.to_dict(),
        "inputs": input_hashes(paths, recipe.base),
        "schema": {"name": schema.name, "version": schema.version, "fingerprint": schema.fingerprint},
        "annotations": annotations,
        **({"units": {"path": recipe.units, "sha256": file_sha256(units)}} if recipe.units else {}),
        "settings": settings.to_dict(),
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
