"""The page a lead opens every day to see where a corpus stands: what to act on first, the corpus
by source and date, annotation progress per project and annotator, agreement per label with the
disagreements to look at, label distributions, duplicates and conflicts side by side, the last build.

One file, no network: charts are matplotlib SVGs embedded as data URIs (each in its own ``<img>``,
so their internal ids never clash), styles inline, no script. The page is right to left
(``dir="rtl" lang="ar"``); identifiers and figures sit in ``dir="ltr"`` cells.
"""

from __future__ import annotations

import base64
import datetime
import html
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from curation.dedup import (
    Cluster,
    DedupSettings,
    LabelConflict,
    RepeatedPassage,
    annotation_labels,
    dedup_items,
    find_clusters,
    find_repeated_passages,
    label_conflicts,
    meta_labels,
)
from curation.errors import CurationError
from curation.fileio import atomic_writer
from curation.units import Annotation, Article, Document, EntitySpan, Unit

_WORD = re.compile(r"\w+")
# Arabic blocks and presentation forms, less the Arabic-Indic digits (counted as digits).
_ARABIC = re.compile(r"[\u0600-\u065F\u066A-\u06EF\u06FA-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
_DIGIT = re.compile(r"[0-9\u0660-\u0669\u06F0-\u06F9]")
_EXAMPLES = 25  # duplicate clusters shown side by side
_PASSAGES = 25
_EXCERPT = 600  # characters of each text shown
_DISAGREEMENTS = 25  # units shown per label family
_DATE_KEYS = ("date", "published", "published_at", "datetime", "pub_date")
_SOURCE_KEYS = ("source", "site", "outlet", "publisher", "domain")
_TASK_LEVELS = ("article", "sentence")  # what annotators get as tasks; documents only when annotated
_MONTH = re.compile(r"(\d{4})-(\d{2})")


class NotAnInput(CurationError, ValueError):
    """A file given to the report from which nothing at all could be read: not the kind asked for
    (a PNG, a store given as units...). The report is then not written: an empty page would pass
    for a corpus with nothing in it."""


def check_input(path: str | Path, kind: str, read: int, problems: Sequence[object]) -> None:
    """Raise :class:`NotAnInput` (one line naming ``path`` and its first problem) when ``path``
    gave no ``kind`` record and problems; a file with some good records is read, its bad lines reported."""
    if read or not problems:
        return
    more = f", and {len(problems) - 1} more problem(s)" if len(problems) > 1 else ""
    raise NotAnInput(f"{path}: not {kind}, nothing could be read from it ({problems[0]}{more}); nothing written")


@dataclass(slots=True)
class CorpusStats:
    """Everything the page shows, computed once; usable without rendering."""

    counts: Counter[str] = field(default_factory=Counter)
    document_chars: list[int] = field(default_factory=list)
    article_words: list[int] = field(default_factory=list)
    sentence_words: list[int] = field(default_factory=list)
    script_mix: Counter[str] = field(default_factory=Counter)
    clusters: list[Cluster] = field(default_factory=list)
    repeated: list[RepeatedPassage] = field(default_factory=list)
    conflicts: list[LabelConflict] = field(default_factory=list)
    meta_label_counts: Counter[str] = field(default_factory=Counter)
    annotation_label_counts: dict[str, Counter[str]] = field(default_factory=dict)
    progress: dict[str, tuple[int, int]] = field(default_factory=dict)  # level -> (annotated, total)
    annotators: Counter[str] = field(default_factory=Counter)
    annotation_states: Counter[str] = field(default_factory=Counter)
    texts: dict[str, str] = field(default_factory=dict)  # unit id -> text compared by dedup
    sources: Counter[str] = field(default_factory=Counter)  # documents per source
    months: Counter[str] = field(default_factory=Counter)  # documents per YYYY-MM ("unknown" without a date)
    done_by: dict[str, Counter[str]] = field(default_factory=dict)  # level -> annotator -> units annotated
    agreement: list[FamilyFigures] = field(default_factory=list)
    unit_texts: dict[str, str] = field(default_factory=dict)  # article and sentence texts, for disagreements
    build: BuildInfo | None = None


@dataclass(frozen=True, slots=True)
class Disagreement:
    """One unit on which the annotators of a label family answered differently."""

    unit_id: str
    answers: dict[str, str]  # annotator -> answer as shown


@dataclass(frozen=True, slots=True)
class FamilyFigures:
    """Agreement of one label family at one level, per label, with the units to look at."""

    name: str
    level: str
    units: int
    annotators: tuple[str, ...]
    overall: dict[str, Any]
    labels: tuple[dict[str, Any], ...]
    disagreements: tuple[Disagreement, ...]


@dataclass(frozen=True, slots=True)
class BuildInfo:
    """What the last ``curation build`` wrote (its manifest), and when."""

    folder: Path
    built: datetime.datetime
    name: str
    counts: dict[str, Any]
    problems: int
    annotation_records: int | None


def read_build(folder: str | Path) -> BuildInfo | None:
    """The last build in ``folder`` (its ``manifest.json``), or None when there is none or it is unreadable."""
    manifest = Path(folder) / "manifest.json"
    try:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        built = datetime.datetime.fromtimestamp(manifest.stat().st_mtime, tz=datetime.UTC)
    except (OSError, ValueError):
        return None
    annotations = data.get("annotations") or {}
    return BuildInfo(
        Path(folder), built, str(data.get("name", "")), dict(data.get("counts") or {}),
        len(data.get("problems") or []), annotations.get("records"),
    )  # fmt: skip


def document_source(document: Document) -> str:
    """Where a document comes from: a source field of its metadata, else its input file's name."""
    for key in _SOURCE_KEYS:
        value = document.meta.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return Path(document.provenance.path or "unknown").name


def document_month(document: Document) -> str:
    """The YYYY-MM of a document's date in its metadata, or "unknown"."""
    for key in _DATE_KEYS:
        found = _MONTH.search(str(document.meta.get(key) or ""))
        if found:
            return found.group(0)
    return "unknown"


def _shown(value: Sequence[Any]) -> str:
    """An answer as a reviewer reads it: labels, or entity mentions with their label."""
    if not value:
        return "(no entity)"
    return " · ".join(f"{v.text} ({v.label})" if isinstance(v, EntitySpan) else str(v) for v in value)


def family_figures(annotations: Sequence[Annotation]) -> list[FamilyFigures]:
    """Agreement per family and label over the annotators' independent answers, and every unit on
    which they differ (what a review should look at first)."""
    from curation.agreement import (
        agreement_report,  # krippendorff and numpy: only with annotations
    )

    report = agreement_report(annotations)
    figures = []
    for entry in report.families:
        disagreements = [
            Disagreement(unit_id, {annotator: _shown(answer.value) for annotator, answer in sorted(answers.items())})
            for unit_id, answers in sorted(report.table.units(entry.family).items())
            if len(answers) > 1 and len({answer.value for answer in answers.values()}) > 1
        ]
        family = entry.family
        figures.append(FamilyFigures(family.name, family.level, entry.units, tuple(entry.annotators), entry.overall,
                                     tuple(entry.labels), tuple(disagreements)))
    return figures


def script_mix(text: str) -> Counter[str]:
    """Characters by script: Arabic letters and marks, Latin letters, digits (Western and
    Arabic-Indic), and everything else that is not white space."""
    arabic = len(_ARABIC.findall(text))
    latin = len(_LATIN.findall(text))
    digits = len(_DIGIT.findall(text))
    visible = sum(1 for ch in text if not ch.isspace())
    return Counter({"Arabic": arabic, "Latin": latin, "digits": digits, "other": visible - arabic - latin - digits})


def _level(unit: Unit) -> str:
    return "document" if isinstance(unit, Document) else "article" if isinstance(unit, Article) else "sentence"


def _count_unit(stats: CorpusStats, unit: Unit) -> None:
    """Counts, lengths, script, source and month of one unit; the text a disagreement shows."""
    if isinstance(unit, Document):
        stats.counts["documents"] += 1
        stats.document_chars.append(len(unit.text))
        stats.script_mix.update(script_mix(unit.text))
        stats.sources[document_source(unit)] += 1
        stats.months[document_month(unit)] += 1
    elif isinstance(unit, Article):
        stats.counts["articles"] += 1
        stats.counts[f"articles ({unit.role})"] += 1
        stats.article_words.append(len(_WORD.findall(unit.body)))
        stats.unit_texts[unit.id] = "\n".join(filter(None, [unit.title_text, unit.body]))
    else:
        stats.counts["sentences"] += 1
        stats.sentence_words.append(len(_WORD.findall(unit.text)))
        stats.unit_texts[unit.id] = unit.text


def _label_counts(stats: CorpusStats, units: Sequence[Unit], annotations: Sequence[Annotation], label_field: str) -> None:
    """Labels in document metadata and chosen by annotators, and the duplicate clusters whose
    units carry different ones (an annotator's word wins over metadata)."""
    labels = meta_labels(units, label_field)
    compared = set(stats.texts)
    stats.meta_label_counts = Counter(label for unit, values in labels.items() if unit in compared for label in values)
    for family in sorted({family for a in annotations for family in a.choices}):
        chosen = annotation_labels(annotations, family)
        stats.annotation_label_counts[family] = Counter(label for values in chosen.values() for label in values)
    labels.update(annotation_labels(annotations, label_field))
    stats.conflicts = label_conflicts(stats.clusters, labels)


def _levels_done(units_by_level: Mapping[str, set[str]], submitted: Sequence[Annotation]) -> dict[str, tuple[int, int]]:
    """(units annotated, units) per level: task levels always, documents once annotated."""
    progress: dict[str, tuple[int, int]] = {}
    for level, unit_ids in units_by_level.items():
        done = {a.unit_id for a in submitted if a.level == level}
        if unit_ids and (level in _TASK_LEVELS or done):
            progress[level] = (len(done & unit_ids), len(unit_ids))
    return progress


def _done_by(submitted: Sequence[Annotation]) -> dict[str, Counter[str]]:
    """Per level, the units each annotator annotated."""
    by_level: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for annotation in submitted:
        by_level[annotation.level][annotation.annotator].add(annotation.unit_id)
    return {level: Counter({a: len(u) for a, u in people.items()}) for level, people in sorted(by_level.items())}


def _state(annotation: Annotation) -> str:
    return "deleted" if annotation.deleted else "cancelled" if annotation.cancelled else "submitted"


def _annotation_progress(stats: CorpusStats, units_by_level: Mapping[str, set[str]], annotations: Sequence[Annotation]) -> None:
    """Units annotated per level and per annotator, and annotations by state."""
    submitted = [a for a in annotations if not a.cancelled and not a.deleted]
    stats.progress = _levels_done(units_by_level, submitted) if annotations else {}
    stats.done_by = _done_by(submitted)
    stats.annotators.update(annotation.annotator for annotation in annotations)
    stats.annotation_states.update(map(_state, annotations))


def corpus_stats(
    units: Iterable[Unit],
    annotations: Sequence[Annotation] = (),
    *,
    settings: DedupSettings | None = None,
    label_field: str = "topic",
    build_dir: str | Path | None = None,
    on_step: Callable[[str], None] = lambda _step: None,
) -> CorpusStats:
    """Counts, sources, distributions, duplicates, labels, annotation progress and agreement of the
    units of a units file; ``on_step`` hears the name of each step as it starts (for a progress display)."""
    on_step("counting units")
    stats = CorpusStats()
    read = list(units)
    units_by_level: dict[str, set[str]] = {"document": set(), "article": set(), "sentence": set()}
    for unit in read:
        _count_unit(stats, unit)
        units_by_level[_level(unit)].add(unit.id)
    on_step("finding duplicates")
    stats.texts = dict(dedup_items(read, (settings or DedupSettings()).compare))
    stats.clusters = find_clusters(stats.texts.items(), settings)
    on_step("finding repeated passages")
    stats.repeated = find_repeated_passages(read)
    on_step("labels and agreement")
    _label_counts(stats, read, annotations, label_field)
    _annotation_progress(stats, units_by_level, annotations)
    if any(not a.cancelled and not a.deleted for a in annotations):
        stats.agreement = family_figures(annotations)
    if build_dir is not None:
        stats.build = read_build(build_dir)
    return stats


# --- rendering -----------------------------------------------------------------------------


def _chart(draw: Any, width: float = 6.0, height: float = 3.0) -> str:
    """An ``<img>`` holding the figure drawn by ``draw(axes)`` as a base64 SVG data URI."""
    from matplotlib.figure import Figure  # seconds to import: only when a page is drawn

    figure = Figure(figsize=(width, height))
    axes = figure.add_subplot()
    draw(axes)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None})
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img class="chart" alt="chart" src="data:image/svg+xml;base64,{encoded}">'


def _histogram(values: Sequence[int], label: str) -> str:
    if not values:
        return "<p>none</p>"

    def draw(axes: Any) -> None:
        from matplotlib.ticker import MaxNLocator

        axes.hist(values, bins=min(40, max(5, len(set(values)))), color="#4c72b0")
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel(label)
        axes.set_ylabel("units")

    return _chart(draw)


def _bars(counts: Mapping[str, int], label: str, chronological: bool = False) -> str:
    if not counts:
        return "<p>none</p>"
    names = sorted(counts)[-30:][::-1] if chronological else sorted(counts, key=lambda k: -counts[k])[:30]

    def draw(axes: Any) -> None:
        from matplotlib.ticker import MaxNLocator

        axes.barh(names[::-1], [counts[n] for n in names[::-1]], color="#55a868")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel(label)

    return _chart(draw, height=max(2.0, 0.3 * len(names) + 1))


def _esc(value: object) -> str:
    return html.escape(str(value))


def _arabic(text: str) -> str:
    excerpt = text if len(text) <= _EXCERPT else text[:_EXCERPT] + "…"
    return f'<div class="text" dir="rtl" lang="ar">{_esc(excerpt)}</div>'


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], table_id: str = "") -> str:
    head = "".join(f"<th>{_esc(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    id_attr = f' id="{table_id}"' if table_id else ""
    return f"<table{id_attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _number(key: str, value: int | str) -> str:
    return f'<span class="number" id="{key}" dir="ltr">{_esc(value)}</span>'


def _heading(arabic: str, english: str, level: int = 2) -> str:
    return f'<h{level}>{_esc(arabic)} <span class="en" dir="ltr" lang="en">{_esc(english)}</span></h{level}>'


def _ltr(text: object) -> str:
    return f'<bdi dir="ltr">{_esc(text)}</bdi>'


def actions(stats: CorpusStats) -> list[str]:
    """What a lead should do next, most pressing first, as plain sentences (the page's first section)."""
    todo = []
    if stats.conflicts:
        todo.append(f"{len(stats.conflicts):,} duplicate cluster(s) carry different labels: settle them (Duplicates below).")
    for family in stats.agreement:
        if family.disagreements:
            todo.append(
                f"{len(family.disagreements):,} {family.level} unit(s) with differing {family.name} answers: "
                f"`curation review push` them, or read them under Agreement."
            )
    for level, (done, total) in stats.progress.items():
        if done < total:
            todo.append(f"{total - done:,} of {total:,} {level} unit(s) still without an annotation.")
    if stats.build is None:
        todo.append("no build yet: `curation build` once the annotations are in.")
    elif stats.build.problems:
        todo.append(f"the last build reported {stats.build.problems:,} problem(s): see its manifest.json.")
    if not stats.progress:
        todo.append("no annotations yet: `curation push UNITS --level article`, then `curation pull`.")
    return todo


def _actions_section(stats: CorpusStats) -> str:
    todo = actions(stats)
    items = "".join(f'<li dir="ltr" lang="en">{_esc(item)}</li>' for item in todo)
    body = f'<ol id="actions">{items}</ol>' if todo else '<p id="actions">nothing pressing: every unit is annotated and agreed.</p>'
    return _heading("ما يجب فعله", "What to act on") + body


def _counts_section(stats: CorpusStats) -> str:
    rows = [
        (_esc(name), _number("count-" + re.sub(r"[^a-z0-9]+", "-", name).strip("-"), f"{n:,}"))
        for name, n in sorted(stats.counts.items())
    ]
    return _heading("الوحدات", "Units") + _table(["units", "count"], rows, "counts")


def _sources_section(stats: CorpusStats) -> str:
    rows = [(_ltr(source), _number(f"source-{i}", f"{n:,}")) for i, (source, n) in enumerate(stats.sources.most_common(50))]
    more = len(stats.sources) - 50
    return (
        _heading("المصادر والتواريخ", "Corpus by source and date")
        + _table(["source", "documents"], rows, "sources")
        + (f"<p>and {more:,} more sources</p>" if more > 0 else "")
        + "<div class='charts'>"
        + f"<figure>{_bars(stats.sources, 'documents')}<figcaption>documents per source</figcaption></figure>"
        + f"<figure>{_bars(stats.months, 'documents', chronological=True)}<figcaption>documents per month</figcaption></figure>"
        + "</div>"
    )


def _lengths_section(stats: CorpusStats) -> str:
    return (
        _heading("الأطوال", "Lengths") + "<div class='charts'>"
        f"<figure>{_histogram(stats.document_chars, 'characters per document')}<figcaption>documents</figcaption></figure>"
        f"<figure>{_histogram(stats.article_words, 'words per article')}<figcaption>articles</figcaption></figure>"
        f"<figure>{_histogram(stats.sentence_words, 'words per sentence')}<figcaption>sentences</figcaption></figure>"
        "</div>"
    )


def _script_section(stats: CorpusStats) -> str:
    total = sum(stats.script_mix.values()) or 1
    rows = [
        (_esc(name), _number(f"script-{name}", f"{stats.script_mix[name]:,}"), f"{stats.script_mix[name] / total:.1%}")
        for name in ("Arabic", "Latin", "digits", "other")
    ]
    return _heading("الكتابة", "Script mix (document text, white space excluded)") + _table(["script", "characters", "share"], rows)


def _duplicates_section(stats: CorpusStats) -> str:
    by_reason = Counter(c.reason for c in stats.clusters)
    summary = _table(
        ["clusters", "units in clusters", "by reason"],
        [
            (
                _number("dup-clusters", len(stats.clusters)),
                _number("dup-units", sum(len(c.members) for c in stats.clusters)),
                _esc(", ".join(f"{reason}: {n}" for reason, n in sorted(by_reason.items())) or "none"),
            )
        ],
    )
    examples = []
    for cluster in stats.clusters[:_EXAMPLES]:
        other = cluster.members[1]
        examples.append(
            f"<div class='pair'><p class='meta'>cluster {_esc(cluster.id)}: {len(cluster.members)} units, "
            f"{_esc(cluster.reason)}, similarity {cluster.similarity:.2f}</p>"
            "<div class='side-by-side'>"
            f"<div><p class='meta'>representative {_esc(cluster.representative)}</p>{_arabic(stats.texts[cluster.representative])}</div>"
            f"<div><p class='meta'>{_esc(other.reason)} {_esc(other.id)} ({other.similarity:.2f})</p>{_arabic(stats.texts[other.id])}</div>"
            "</div></div>"
        )
    more = len(stats.clusters) - _EXAMPLES
    tail = f"<p>and {more:,} more clusters (see <code>curation dedup -o</code>).</p>" if more > 0 else ""
    return _heading("التكرار", "Duplicate clusters") + summary + "".join(examples) + tail


def _repeated_section(stats: CorpusStats) -> str:
    rows = [
        (_number(f"repeated-{i}", len(p.occurrences)), _esc(p.documents), _arabic(p.text))
        for i, p in enumerate(stats.repeated[:_PASSAGES])
    ]
    heading = _heading("مقاطع متكررة", "Repeated passages (captions, boilerplate)") + f"<p>{_number('repeated-total', len(stats.repeated))}</p>"
    return heading + (_table(["times", "pages", "text"], rows, "repeated") if rows else "<p>none</p>")


def _labels_section(stats: CorpusStats, label_field: str) -> str:
    parts = [_heading("التصنيفات", "Label distributions")]
    if stats.meta_label_counts:
        parts.append(f"<h3>{_esc(label_field)} in document metadata</h3>")
        parts.append(_bars(stats.meta_label_counts, "units"))
    for family, counts in stats.annotation_label_counts.items():
        parts.append(f"<h3>{_esc(family)} chosen by annotators</h3>")
        parts.append(_bars(counts, "units"))
    if len(parts) == 1:
        parts.append("<p>no labels in metadata or annotations</p>")
    rows = [
        (
            _esc(c.cluster.id),
            _esc(c.cluster.reason),
            "<br>".join(f"{_esc(unit)}: {_esc(', '.join(values))}" for unit, values in c.labels.items()),
        )
        for c in stats.conflicts[:100]
    ]
    parts.append(f"<h3>Label conflicts inside duplicate clusters: {_number('conflicts', len(stats.conflicts))}</h3>")
    if rows:
        parts.append(_table(["cluster", "reason", "labels by unit"], rows, "conflicts-table"))
    return "".join(parts)


def _per_annotator(stats: CorpusStats) -> str:
    """Units each annotator annotated per level, with one chart per level."""
    levels = sorted(stats.done_by)
    people = sorted({a for counts in stats.done_by.values() for a in counts})
    table = _table(
        ["annotator", *(f"{level} units" for level in levels), "annotations"],
        [(_ltr(a), *(_esc(f"{stats.done_by[level][a]:,}") for level in levels), _esc(stats.annotators[a])) for a in people],
        "annotators",
    )
    charts = "".join(
        f"<figure>{_bars(stats.done_by[level], 'units annotated')}<figcaption>{_esc(level)} units per annotator</figcaption></figure>"
        for level in levels
    )
    return table + f"<div class='charts'>{charts}</div>"


def _progress_section(stats: CorpusStats) -> str:
    title = _heading("تقدم التوسيم", "Annotation progress per project and annotator")
    if not stats.progress and not stats.annotators:
        return title + "<p>no annotations given</p>"
    rows = [
        (_esc(level), _number(f"progress-{level}", f"{done:,} / {total:,}"), f"{done / total:.1%}")
        for level, (done, total) in stats.progress.items()
    ]
    states = ", ".join(f"{state}: {n}" for state, n in sorted(stats.annotation_states.items()))
    return (
        title
        + _table(["project (level)", "annotated units", "share"], rows, "progress")
        + f"<p>annotations: {_esc(states)}</p>"
        + _per_annotator(stats)
    )


def _figure_cell(value: Any) -> str:
    return "–" if value is None else _esc(f"{value:.2f}" if isinstance(value, float) else value)


_LABEL_FIGURES = ("answers_with_label", "krippendorff_alpha", "cohen_kappa", "observed_agreement", "f1", "precision", "recall")


def _disagreement(item: Disagreement, unit_text: str) -> str:
    """One unit's text with each annotator's answer beside the others."""
    answers = "".join(
        f"<div><p class='meta'>{_ltr(annotator)}</p><div class='answer' dir='rtl' lang='ar'>{_esc(answer)}</div></div>"
        for annotator, answer in item.answers.items()
    )
    return (f"<div class='pair'><p class='meta'>unit {_ltr(item.unit_id)}</p>"
            f"{_arabic(unit_text)}<div class='side-by-side'>{answers}</div></div>")


def _family_agreement(family: FamilyFigures, unit_texts: Mapping[str, str]) -> str:
    """One family's overall figure, its figures per label, and the units to look at."""
    key = f"{family.name}-{family.level}"
    overall = family.overall
    alpha = overall.get("krippendorff_alpha", overall.get("f1"))
    columns = [c for c in _LABEL_FIGURES if any(c in row for row in family.labels)]
    rows = [(_ltr(row["label"]), *(_figure_cell(row.get(c)) for c in columns)) for row in family.labels]
    parts = [
        _heading(f"{family.name} · {family.level}", f"{family.units:,} units, {len(family.annotators)} annotators", 3),
        (
            f"<p dir='ltr' lang='en'>overall: {'α' if 'krippendorff_alpha' in overall else 'F1'} "
            f"{_number(f'agreement-{key}', _figure_cell(alpha))}, observed agreement "
            f"{_figure_cell(overall.get('observed_agreement'))}</p>"
        ),
        _table(["label", *columns], rows, f"labels-{key}"),
        f"<p>units the annotators answered differently: {_number(f'disagreements-{key}', len(family.disagreements))}</p>",
        *(_disagreement(item, unit_texts.get(item.unit_id, "")) for item in family.disagreements[:_DISAGREEMENTS]),
    ]
    if len(family.disagreements) > _DISAGREEMENTS:
        parts.append(f"<p>and {len(family.disagreements) - _DISAGREEMENTS:,} more (`curation agree`).</p>")
    return "".join(parts)


def _agreement_section(stats: CorpusStats) -> str:
    heading = _heading("الاتفاق", "Agreement per label, and the disagreements to look at")
    if not stats.agreement:
        return heading + "<p>no two annotators answered the same unit yet</p>"
    return heading + "".join(_family_agreement(family, stats.unit_texts) for family in stats.agreement)


def _build_section(stats: CorpusStats) -> str:
    title = _heading("آخر بناء", "Last build")
    build = stats.build
    if build is None:
        return title + "<p id='build'>no build found</p>"
    counts = build.counts
    rows = [
        ("folder", _ltr(build.folder)),
        ("built (UTC)", _ltr(build.built.strftime("%Y-%m-%d %H:%M"))),
        ("dataset", _ltr(build.name)),
        *((_esc(k), _ltr(f"{v:,}")) for k, v in counts.items() if isinstance(v, int)),
        *((f"rows {_esc(k)}", _ltr(f"{v:,}")) for k, v in (counts.get("splits") or {}).items()),
        ("annotation records", _ltr("none" if build.annotation_records is None else f"{build.annotation_records:,}")),
        ("problems", _number("build-problems", build.problems)),
    ]
    return title + _table(["", ""], rows, "build")


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.3em .6em;vertical-align:top}
th{background:#f3f3f3}.charts{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}.chart{max-width:100%}
.text{font-family:"Noto Naskh Arabic","Amiri",serif;font-size:1.05em;line-height:1.7;white-space:pre-wrap;text-align:right}
.side-by-side{display:grid;grid-template-columns:1fr 1fr;gap:1em}.pair{border-top:1px solid #ddd;padding:.5em 0}
.meta{color:#666;font-size:.85em;margin:.2em 0}.en{color:#666;font-size:.7em;font-weight:normal}
.answer{background:#f7f7f7;padding:.3em .5em}#actions li{margin:.3em 0}
"""


def render_report(
    units: Iterable[Unit],
    annotations: Sequence[Annotation] = (),
    *,
    settings: DedupSettings | None = None,
    label_field: str = "topic",
    title: str = "Corpus report",
    stats: CorpusStats | None = None,
    on_step: Callable[[str], None] = lambda _step: None,
) -> str:
    """The whole HTML page as a string, what to act on first."""
    stats = stats or corpus_stats(units, annotations, settings=settings, label_field=label_field, on_step=on_step)
    on_step("drawing the page")
    body = "".join(
        [
            _actions_section(stats),
            _counts_section(stats),
            _sources_section(stats),
            _progress_section(stats),
            _agreement_section(stats),
            _labels_section(stats, label_field),
            _duplicates_section(stats),
            _repeated_section(stats),
            _lengths_section(stats),
            _script_section(stats),
            _build_section(stats),
        ]
    )
    return (
        '<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<link rel='icon' href='data:,'>"
        f"<title>{_esc(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1 dir='auto'>{_esc(title)}</h1>{body}</body></html>\n"
    )


def write_report(path: str | Path, html_text: str) -> None:
    """Write the page atomically (a reader never sees half a report)."""
    with atomic_writer(path) as handle:
        handle.write(html_text)
