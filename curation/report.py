"""A self-contained HTML page that shows what a corpus holds before anyone annotates or exports it.

One file, no network: charts are matplotlib SVGs embedded as data URIs (each in its own ``<img>``,
so their internal ids never clash), styles inline, no script. Arabic text sits in elements with
``dir="rtl" lang="ar"`` while the page chrome stays left to right.
"""

from __future__ import annotations

import base64
import html
import io
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
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
from curation.fileio import atomic_writer
from curation.units import Annotation, unit_from_record

_WORD = re.compile(r"\w+")
# Arabic blocks and presentation forms, less the Arabic-Indic digits (counted as digits).
_ARABIC = re.compile(r"[\u0600-\u065F\u066A-\u06EF\u06FA-\u06FF\u0750-\u077F\u08A0-\u08FF\uFB50-\uFDFF\uFE70-\uFEFF]")
_LATIN = re.compile(r"[A-Za-z\u00C0-\u024F]")
_DIGIT = re.compile(r"[0-9\u0660-\u0669\u06F0-\u06F9]")
_EXAMPLES = 25  # duplicate clusters shown side by side
_PASSAGES = 25
_EXCERPT = 600  # characters of each text shown


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


def script_mix(text: str) -> Counter[str]:
    """Characters by script: Arabic letters and marks, Latin letters, digits (Western and
    Arabic-Indic), and everything else that is not white space."""
    arabic = len(_ARABIC.findall(text))
    latin = len(_LATIN.findall(text))
    digits = len(_DIGIT.findall(text))
    visible = sum(1 for ch in text if not ch.isspace())
    return Counter({"Arabic": arabic, "Latin": latin, "digits": digits, "other": visible - arabic - latin - digits})


def corpus_stats(
    records: Sequence[Mapping[str, Any]],
    annotations: Sequence[Annotation] = (),
    *,
    settings: DedupSettings | None = None,
    label_field: str = "topic",
) -> CorpusStats:
    """Counts, distributions, duplicates, labels and annotation progress of a units file."""
    stats = CorpusStats()
    units_by_level: dict[str, set[str]] = {"document": set(), "article": set(), "sentence": set()}
    for record in records:
        level = record.get("level")
        if level == "document":
            stats.counts["documents"] += 1
            stats.document_chars.append(len(record.get("text") or ""))
            stats.script_mix.update(script_mix(record.get("text") or ""))
        elif level == "article":
            stats.counts["articles"] += 1
            stats.counts[f"articles ({record.get('role')})"] += 1
            stats.article_words.append(len(_WORD.findall(record.get("body") or "")))
        elif level == "sentence":
            stats.counts["sentences"] += 1
            stats.sentence_words.append(len(_WORD.findall(record.get("text") or "")))
        if level in units_by_level:
            units_by_level[level].add(record["id"])
    units = [unit_from_record(dict(record)) for record in records]
    stats.texts = dict(dedup_items(units))
    stats.clusters = find_clusters(stats.texts.items(), settings)
    stats.repeated = find_repeated_passages(units)
    labels = meta_labels(units, label_field)
    compared = set(stats.texts)
    stats.meta_label_counts = Counter(label for unit, values in labels.items() if unit in compared for label in values)
    families = sorted({family for a in annotations for family in a.choices})
    for family in families:
        chosen = annotation_labels(annotations, family)
        stats.annotation_label_counts[family] = Counter(label for values in chosen.values() for label in values)
    labels.update(annotation_labels(annotations, label_field))  # annotators' word over metadata
    stats.conflicts = label_conflicts(stats.clusters, labels)
    for level, unit_ids in units_by_level.items():
        done = {a.unit_id for a in annotations if a.level == level and not a.cancelled and not a.deleted}
        if annotations and unit_ids:
            stats.progress[level] = (len(done & unit_ids), len(unit_ids))
    for annotation in annotations:
        stats.annotators[annotation.annotator] += 1
        state = "deleted" if annotation.deleted else "cancelled" if annotation.cancelled else "submitted"
        stats.annotation_states[state] += 1
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
        axes.hist(values, bins=min(40, max(5, len(set(values)))), color="#4c72b0")
        axes.set_xlabel(label)
        axes.set_ylabel("units")

    return _chart(draw)


def _bars(counts: Mapping[str, int], label: str) -> str:
    if not counts:
        return "<p>none</p>"
    names = sorted(counts, key=lambda k: -counts[k])[:30]

    def draw(axes: Any) -> None:
        axes.barh(names[::-1], [counts[n] for n in names[::-1]], color="#55a868")
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
    return f'<span class="number" id="{key}">{_esc(value)}</span>'


def _counts_section(stats: CorpusStats) -> str:
    rows = [
        (_esc(name), _number("count-" + re.sub(r"[^a-z0-9]+", "-", name).strip("-"), f"{n:,}"))
        for name, n in sorted(stats.counts.items())
    ]
    return "<h2>Units</h2>" + _table(["units", "count"], rows, "counts")


def _lengths_section(stats: CorpusStats) -> str:
    return (
        "<h2>Lengths</h2><div class='charts'>"
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
    return "<h2>Script mix (document text, white space excluded)</h2>" + _table(["script", "characters", "share"], rows)


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
    return "<h2>Duplicate clusters</h2>" + summary + "".join(examples) + tail


def _repeated_section(stats: CorpusStats) -> str:
    rows = [
        (_number(f"repeated-{i}", len(p.occurrences)), _esc(p.documents), _arabic(p.text))
        for i, p in enumerate(stats.repeated[:_PASSAGES])
    ]
    heading = f"<h2>Repeated passages (captions, boilerplate): {_number('repeated-total', len(stats.repeated))}</h2>"
    return heading + (_table(["times", "pages", "text"], rows, "repeated") if rows else "<p>none</p>")


def _labels_section(stats: CorpusStats, label_field: str) -> str:
    parts = ["<h2>Labels</h2>"]
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


def _progress_section(stats: CorpusStats) -> str:
    if not stats.progress and not stats.annotators:
        return "<h2>Annotation progress</h2><p>no annotations given</p>"
    rows = [
        (_esc(level), _number(f"progress-{level}", f"{done:,} / {total:,}"), f"{done / total:.1%}")
        for level, (done, total) in stats.progress.items()
    ]
    states = ", ".join(f"{state}: {n}" for state, n in sorted(stats.annotation_states.items()))
    annotators = _table(["annotator", "annotations"], [(_esc(a), _esc(n)) for a, n in stats.annotators.most_common()])
    return (
        "<h2>Annotation progress</h2>"
        + _table(["level", "annotated units", "share"], rows, "progress")
        + f"<p>annotations: {_esc(states)}</p>"
        + annotators
    )


_STYLE = """
body{font-family:system-ui,sans-serif;margin:2em;max-width:1200px;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em}td,th{border:1px solid #ccc;padding:.3em .6em;vertical-align:top}
th{background:#f3f3f3}.charts{display:flex;flex-wrap:wrap;gap:1em}figure{margin:0}.chart{max-width:100%}
.text{font-family:"Noto Naskh Arabic","Amiri",serif;font-size:1.05em;line-height:1.7;white-space:pre-wrap;text-align:right}
.side-by-side{display:grid;grid-template-columns:1fr 1fr;gap:1em}.pair{border-top:1px solid #ddd;padding:.5em 0}
.meta{color:#666;font-size:.85em;margin:.2em 0}
"""


def render_report(
    records: Sequence[Mapping[str, Any]],
    annotations: Sequence[Annotation] = (),
    *,
    settings: DedupSettings | None = None,
    label_field: str = "topic",
    title: str = "Corpus report",
    stats: CorpusStats | None = None,
) -> str:
    """The whole HTML page as a string."""
    stats = stats or corpus_stats(records, annotations, settings=settings, label_field=label_field)
    body = "".join(
        [
            _counts_section(stats),
            _lengths_section(stats),
            _script_section(stats),
            _duplicates_section(stats),
            _repeated_section(stats),
            _labels_section(stats, label_field),
            _progress_section(stats),
        ]
    )
    return (
        '<!DOCTYPE html><html lang="en" dir="ltr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<link rel='icon' href='data:,'>"
        f"<title>{_esc(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{_esc(title)}</h1>{body}</body></html>\n"
    )


def write_report(path: str | Path, html_text: str) -> None:
    """Write the page atomically (a reader never sees half a report)."""
    with atomic_writer(path) as handle:
        handle.write(html_text)
