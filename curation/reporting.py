"""Files in, report page out: what ``curation report`` and ``curation status`` do around
:mod:`curation.report`.

Reads the annotation stores and the duplicates ``curation dedup`` wrote (each bad line reported,
the rest used), then the units file once, as a stream, taking from it only what the page shows;
refuses a file from which nothing at all could be read (an empty page would pass for an empty
corpus). ``curation status`` reads the same and keeps its answer in a cache keyed by the inputs'
sizes and times, so that asking again when nothing changed costs a file read.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # curation.report loads numpy and the dedup modules: not for a status answered from its cache
    from curation.learn.issues import AnnotatorWeights
    from curation.report import CorpusStats, UnitScan
    from curation.results import OverviewResult
    from curation.schema import Schema
    from curation.units import Annotation

STEPS = 5  # the steps make_report announces
FACTS_VERSION = 2  # of what UnitScan.facts keeps: a kept file of another version is computed again
STATUS_VERSION = 2  # of what `curation status` keeps (2: annotators by pseudonym): another version is computed again


@dataclass
class MadeReport:
    counts: dict[str, int]
    clusters: int
    annotations: int
    actions: list[str]
    problems: list[str] = field(default_factory=list)
    stats: CorpusStats | None = None


@dataclass(frozen=True)
class ReportInputs:
    """Where the report reads from: the units file, the stores, ``curation dedup``'s folder, the
    last build, Label Studio's folder (what was pushed: the queue), and the schema's file."""

    units: Path
    stores: tuple[Path, ...] = ()
    dedup: Path | None = None
    build: Path | None = None
    studio: Path | None = None
    schema_name: str | None = None
    facts: Path | None = None  # where what the units file says is kept while it is unchanged (None: not kept)
    config: tuple[Path, ...] = ()  # the files that say where the others are (workspace, schema, recipe)

    def files(self) -> list[Path]:
        """Every file whose change changes the answer, and the folders where a new one would
        appear (a folder's time changes when an entry is added): the status cache's key."""
        from curation.studio.store import store_files

        found = [*self.config, self.units, *self.stores, *(store for path in self.stores for store in store_files(path))]
        if self.dedup:
            found += [self.dedup, self.dedup / "clusters.jsonl", self.dedup / "repeated.jsonl"]
        if self.build:
            found += [self.build, self.build / "manifest.json"]
        if self.studio is not None:
            found += [self.studio / "projects", *sorted((self.studio / "projects").glob("*"))]
        found += [queue for _level, queue in self.queue_files()]
        return found

    def queue_files(self) -> list[tuple[str, Path]]:
        """(level, ``tasks.jsonl``) of every project pushed from this schema."""
        if self.studio is None or self.schema_name is None:
            return []
        projects = self.studio / "projects"
        return [
            (level, path / "tasks.jsonl")
            for level in ("article", "sentence")
            for path in sorted(projects.glob(f"{self.schema_name}-{level}*"))
            if (path / "tasks.jsonl").is_file()
        ]


def read_stores(paths: Sequence[Path], errors: list[Any]) -> list[Annotation]:
    """Every annotation of the stores (files, or folders of stores), each annotator under their
    pseudonym (the mapping beside the first store, which builds use too: a page or a status kept on
    disk never names a person); a file with none readable is not a store (:class:`~curation.report.NotAnInput`)."""
    from curation.report import check_input
    from curation.studio.store import AnnotationStore, store_files

    found: list[Annotation] = []
    problems: list[str] = []
    files = [store for path in paths for store in store_files(path)]
    for store in files:
        before = len(problems)
        read = AnnotationStore(store).annotations(problems)
        check_input(store, "an annotation store", len(read), problems[before:])
        found.extend(read)
    if not found:
        errors.extend(problems)
        return found
    from curation.export.pseudonyms import pseudonymous

    found, pseudonyms = pseudonymous(found, files[0])
    errors.extend(pseudonyms.scrub(str(problem)) for problem in problems)  # a bad line may quote a name
    return found


def read_queues(inputs: ReportInputs, errors: list[Any]) -> dict[str, set[str] | None]:
    """The units pushed per level, from each project's unit -> task journal."""
    from curation.fileio import iter_jsonl

    queues: dict[str, set[str] | None] = {}
    for level, path in inputs.queue_files():
        pushed = queues.setdefault(level, set())
        assert pushed is not None
        pushed.update(str(record.get("unit_id")) for _number, record in iter_jsonl(path, errors))
    return queues


def scan_units(path: Path, scan: UnitScan, errors: list[Any]) -> None:
    """One pass over the units file (only over its wanted units when ``scan`` knows its facts
    already); a file that gave no unit is :class:`~curation.report.NotAnInput`."""
    from curation.report import check_input
    from curation.unitfile import iter_unit_records

    before = len(errors)
    for record in iter_unit_records(path, errors=errors, taken=scan.take):
        scan.add(record)
    if not scan.facts_known:
        scan.finish()
        check_input(path, "a units file", sum(scan.counts.values()), errors[before:])


def _facts_key(inputs: ReportInputs, label_field: str) -> list[Any]:
    """What the kept facts depend on: the units file, and for the repeated passages dedup's outputs."""
    dedup = [inputs.dedup / "clusters.jsonl", inputs.dedup / "repeated.jsonl"] if inputs.dedup else []
    return [*fingerprint([inputs.units, *dedup]), label_field, FACTS_VERSION]


def collect(inputs: ReportInputs, *, label_field: str = "topic", on_step: Callable[[str], None] = lambda _s: None,
            errors: list[Any]) -> tuple[CorpusStats, list[Annotation]]:  # fmt: skip
    """Everything the page and ``curation status`` show, each input read once, the units file
    streamed; what the units file and dedup's outputs say is kept in ``inputs.facts`` and, while
    they are unchanged, read from there with only the units the page names read again."""
    from curation.report import (
        CorpusStats,
        UnitScan,
        annotation_stats,
        conflicts,
        family_figures,
        live,
        read_build,
        read_clusters,
        shown_units,
    )
    from curation.unitfile import is_compact

    on_step("reading annotations and duplicates")
    stats = CorpusStats(UnitScan(label_field=label_field))
    annotations = read_stores(inputs.stores, errors)
    clusters_file = inputs.dedup / "clusters.jsonl" if inputs.dedup else None
    if clusters_file is not None and clusters_file.is_file():
        stats.clusters = read_clusters(clusters_file, errors)
        stats.dedup_found = True
    if live(annotations):
        stats.agreement = family_figures(live(annotations))
    stats.scan.want({a.unit_id for a in annotations} | {m for c in stats.clusters for m in c.member_ids}, shown_units(stats))
    key = _facts_key(inputs, label_field)
    kept = cached(inputs.facts, key) if inputs.facts is not None and not is_compact(inputs.units) else None
    known = kept is not None and stats.scan.known(kept) and _known_passages(stats, kept)
    on_step("reading the units")
    before = len(errors)
    scan_units(inputs.units, stats.scan, errors)
    on_step("progress and agreement")
    annotation_stats(stats, annotations, read_queues(inputs, errors))
    conflicts(stats, annotations, label_field)
    if not known:
        _find_passages(stats, inputs, errors)
        if inputs.facts is not None and len(errors) == before:
            keep(inputs.facts, key, {**stats.scan.facts(), "passages": _passages_facts(stats)})
    if inputs.build is not None:
        stats.build = read_build(inputs.build)
    return stats, annotations


def _find_passages(stats: CorpusStats, inputs: ReportInputs, errors: list[Any]) -> None:
    from curation.report import passages_worth_showing, read_passages

    passages = inputs.dedup / "repeated.jsonl" if inputs.dedup else None
    if passages is not None and passages.is_file():
        stats.repeated, stats.repeated_kept = passages_worth_showing(
            read_passages(passages, errors), stats.clusters, stats.scan.documents, stats.repeated_dropped
        )


def _passages_facts(stats: CorpusStats) -> dict[str, Any]:
    return {"shown": [dataclasses.astuple(group) for group in stats.repeated], "kept": stats.repeated_kept,
            "dropped": stats.repeated_dropped}  # fmt: skip


def _known_passages(stats: CorpusStats, kept: dict[str, Any]) -> bool:
    """The repeated passages kept with the facts; False when they are not what was written."""
    from curation.report import PassageGroup, UnitScan

    try:
        passages = kept["passages"]
        shown = [PassageGroup(str(text), int(pages), int(spellings), str(kind)) for text, pages, spellings, kind in passages["shown"]]
        stats.repeated, stats.repeated_kept, stats.repeated_dropped = shown, int(passages["kept"]), Counter(passages["dropped"])
    except (KeyError, TypeError, ValueError):
        stats.scan = UnitScan(wanted=stats.scan.wanted, shown=stats.scan.shown, label_field=stats.scan.label_field)
        return False
    return True


def make_report(
    inputs: ReportInputs,
    output: Path,
    *,
    label_field: str = "topic",
    schema: Schema | None = None,
    weigh: Callable[[list[Annotation]], AnnotatorWeights] | None = None,
    on_step: Callable[[str], None] | None = None,
    corpus: str | None = None,
) -> MadeReport:
    """Read, compute, draw and write the page; ``on_step`` hears each step's name as it starts;
    ``weigh`` (a trained model's) gives each annotator's quality from the submitted annotations.
    The page is titled with ``corpus`` (a workspace's name), else with the units file's name."""
    from curation.report import actions, live
    from curation.report_page import render_report, write_report

    step = on_step or (lambda _name: None)
    errors: list[Any] = []
    stats, annotations = collect(inputs, label_field=label_field, on_step=step, errors=errors)
    if weigh is not None and live(annotations):
        stats.annotator_weights = weigh(live(annotations))
    step("drawing the page")
    page = render_report(stats, schema=schema, label_field=label_field, title=f"Report: {corpus or inputs.units.name}")
    write_report(output, page)
    return MadeReport(dict(stats.counts), len(stats.clusters), len(annotations), actions(stats), [str(e) for e in errors], stats)


def fingerprint(files: Iterable[Path]) -> list[Any]:
    """Each file's path, size and modification time (nanoseconds): what changes when it does."""
    found = []
    for path in files:
        try:
            stat = path.stat()
            found.append([str(path.absolute()), stat.st_size, stat.st_mtime_ns])
        except OSError:
            found.append([str(path.absolute()), None, None])
    return found


def cached(cache: Path, key: list[Any]) -> dict[str, Any] | None:
    """The answer kept in ``cache`` for ``key``, or None (none kept, another key, unreadable)."""
    try:
        kept = json.loads(cache.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return kept.get("answer") if isinstance(kept, dict) and kept.get("key") == key else None


def keep(cache: Path, key: list[Any], answer: dict[str, Any], version: int | None = None) -> None:
    """Keep ``answer`` for ``key`` (as ``version`` of the cache's contents); a cache that cannot be
    written is only a slower next time."""
    from curation.fileio import atomic_writer, dumps

    kept = {"key": key, "answer": answer} if version is None else {"version": version, "key": key, "answer": answer}
    try:
        with atomic_writer(cache) as handle:
            handle.write(dumps(kept))
    except OSError:
        pass


def summary(stats: CorpusStats) -> dict[str, Any]:
    """The act-first list and progress, as ``curation status`` shows and caches them."""
    from curation.report import actions, median_seconds

    progress = [
        {"level": p.level, "queue": p.queue, "pushed": p.pushed, "done": p.done, "skipped": p.skipped, "left": p.left,
         "pace_per_day": round(f.pace, 1), "finish": f.finish.isoformat() if f.finish else None}
        for p, f in zip(stats.progress, stats.forecasts, strict=True)
    ]  # fmt: skip
    work = stats.activity
    people = []
    for person in sorted(stats.annotators):
        seconds = median_seconds(work.seconds.get(person, []))
        days = sorted(set(work.done.get(person, {})) | set(work.skipped.get(person, {})))
        people.append({
            "annotator": person, "done": {level: counts.get(person, 0) for level, counts in stats.done_by.items()},
            "skipped": sum(work.skipped.get(person, {}).values()),
            "seconds_per_task": round(seconds, 1) if seconds is not None else None, "last_day": days[-1] if days else None,
        })  # fmt: skip
    per_day = {day: sum(counts.get(day, 0) for counts in work.done.values()) for day in work.days[-7:]}
    counts = {level: stats.counts[level] for level in ("documents", "articles", "sentences")}
    return {"actions": actions(stats), "counts": counts, "progress": progress, "annotators": people, "days": per_day}


def overview(inputs: Callable[[], ReportInputs], cache: Path, *, fresh: bool = False) -> OverviewResult:
    """``curation status``: the kept answer while none of the files it came from changed (the
    kept key names them, so an unchanged workspace is never parsed again); else computed from
    ``inputs()`` and kept. ``fresh``: computed again whatever was kept."""
    from curation.results import OverviewResult

    answer = None if fresh else unchanged(cache)
    if answer is not None:
        return OverviewResult(**answer, cached=True)
    errors: list[Any] = []
    found = inputs()
    stats, _annotations = collect(found, errors=errors)
    return OverviewResult(**remember(found, cache, stats, [str(e) for e in errors]))


def unchanged(cache: Path) -> dict[str, Any] | None:
    """The answer kept in ``cache`` if every file its key names is as it was (size, time), else None."""
    try:
        kept = json.loads(cache.read_text(encoding="utf-8"))
        key = kept["key"]
        paths = [Path(str(entry[0])) for entry in key]
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None
    if kept.get("version") != STATUS_VERSION:  # kept by an older curation (version 1 named annotators by e-mail)
        return None
    return kept.get("answer") if fingerprint(paths) == key and isinstance(kept.get("answer"), dict) else None


def remember(inputs: ReportInputs, cache: Path, stats: CorpusStats, problems: list[str]) -> dict[str, Any]:
    """Keep the status of ``stats`` for ``inputs`` as they are now (the report does too: a status
    asked after it answers at once); the answer kept."""
    answer = {**summary(stats), "problems": problems}
    keep(cache, fingerprint(inputs.files()), answer, STATUS_VERSION)
    return answer
