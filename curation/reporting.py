"""Files in, report page out: what ``curation report`` does around :mod:`curation.report`.

Reads the units file and the annotation stores (each bad line reported, the rest used), refuses a
file from which nothing at all could be read (an empty page would pass for an empty corpus), then
has :mod:`curation.report` compute and draw the page, and writes it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curation.settings import DedupSettings
from curation.units import Annotation, Unit

# the steps corpus_stats and render_report announce, and the reading before them
STEPS = 6


@dataclass
class MadeReport:
    counts: dict[str, int]
    clusters: int
    annotations: int
    actions: list[str]
    problems: list[str] = field(default_factory=list)


def read_units(path: Path, errors: list[Any]) -> list[Unit]:
    """Every readable unit; each bad line or malformed unit is added to ``errors``."""
    from curation.unitfile import iter_unit_records
    from curation.units import unit_from_record

    units = []
    for record in iter_unit_records(path, errors=errors):
        try:
            units.append(unit_from_record(record))
        except (KeyError, TypeError, ValueError) as exc:
            errors.append(f"{path}: unit {record.get('id')}: malformed ({type(exc).__name__}: {exc})")
    return units


def read_stores(paths: Sequence[Path], errors: list[Any]) -> list[Annotation]:
    """Every annotation of the stores (files, or folders of stores); a file with none readable is
    not a store (:class:`~curation.report.NotAnInput`)."""
    from curation.report import check_input
    from curation.studio.store import AnnotationStore, store_files

    found = []
    for path in paths:
        for store in store_files(path):
            problems: list[str] = []
            read = AnnotationStore(store).annotations(problems)
            check_input(store, "an annotation store", len(read), problems)
            found.extend(read)
            errors.extend(problems)
    return found


def make_report(
    units: Path,
    stores: Sequence[Path],
    output: Path,
    *,
    build_dir: Path | None = None,
    label_field: str = "topic",
    settings: DedupSettings | None = None,
    on_step: Callable[[str], None] | None = None,
) -> MadeReport:
    """Read, compute, draw and write the page; ``on_step`` hears each step's name as it starts."""
    from curation.report import actions, check_input, corpus_stats, render_report, write_report

    step = on_step or (lambda _name: None)
    errors: list[Any] = []
    step("reading units and annotations")
    read = read_units(units, errors)
    check_input(units, "a units file", len(read), errors)
    found = read_stores(stores, errors)
    stats = corpus_stats(read, found, settings=settings, label_field=label_field, build_dir=build_dir, on_step=step)
    page = render_report(read, found, stats=stats, label_field=label_field, title=f"Report: {units.name}", on_step=step)
    write_report(output, page)
    return MadeReport(dict(stats.counts), len(stats.clusters), len(found), actions(stats), [str(e) for e in errors])
