"""The daily report as one self-contained right-to-left HTML page (no script, no network).

Text a user or annotator wrote (source, label and annotator names, titles, passages) is escaped
once and set in a ``<bdi>`` isolate; figures are left-to-right isolates, so ``-0.50`` never reads
``0.50-`` and an English caption keeps its order inside the Arabic page. Headers are words, label
values are shown with the schema's Arabic name beside the stored value. Charts are
:mod:`curation.charts`.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curation.charts import bars, columns, esc, figure, histogram, isolate, lines, shown_seconds
from curation.errors import CurationError
from curation.fileio import atomic_writer
from curation.report import (
    SHOWN_CLUSTERS,
    SHOWN_DISAGREEMENTS,
    CorpusStats,
    Disagreement,
    FamilyFigures,
    PassageGroup,
    actions,
    median_seconds,
)

if TYPE_CHECKING:
    from curation.schema import Schema

_EXCERPT = 600  # characters of each text shown
_DISAGREEMENT_EXCERPT = 280  # characters of each, enough to recall the unit
_MONTHLY_AFTER = 120  # days: a longer span is drawn per month
# what each figure of the agreement is called on the page
FIGURE_NAMES = {
    "answers_with_label": "answers with this label",
    "krippendorff_alpha": "Krippendorff's α",
    "cohen_kappa": "Cohen's κ",
    "fleiss_kappa": "Fleiss' κ",
    "observed_agreement": "observed agreement",
    "units": "units",
    "f1": "F1",
    "precision": "precision",
    "recall": "recall",
}
LEVEL_NAMES = {"document": "الصفحات (documents)", "article": "المقالات (articles)", "sentence": "الجمل (sentences)"}


class Names:
    """Label values with the schema's Arabic names beside them (the value alone without a schema)."""

    def __init__(self, schema: Schema | None = None) -> None:
        self.arabic: dict[tuple[str, str], str] = {}
        for family in schema.all_families if schema else ():
            for label in family.labels:
                self.arabic[(family.name, label.value)] = label.ar

    def label(self, family: str, value: str) -> str:
        arabic = self.arabic.get((family, value))
        machine = f"<code>{isolate(value, 'ltr')}</code>"
        return f"{isolate(arabic)} {machine}" if arabic and arabic != value else machine

    def all(self, family: str, values: Iterable[str]) -> dict[str, str]:
        return {value: self.label(family, value) for value in values}


def _text(text: str, limit: int = _EXCERPT) -> str:
    excerpt = text if len(text) <= limit else text[:limit] + "…"
    return f'<div class="text" dir="auto">{esc(excerpt)}</div>'


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], table_id: str = "") -> str:
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in rows)
    id_attr = f' id="{table_id}"' if table_id else ""
    return f"<table{id_attr}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _number(key: str, value: int | str) -> str:
    shown = f"{value:,}" if isinstance(value, int) else value
    return f'<bdi class="number" id="{esc(key)}" dir="ltr">{esc(shown)}</bdi>'


def _en(text: str) -> str:
    """An English caption as its own left-to-right isolate."""
    return f'<bdi class="en" dir="ltr" lang="en">{esc(text)}</bdi>'


def _line(content: str, kind: str = "") -> str:
    """A line of English with figures in it (``content`` is HTML already), left to right as a whole."""
    tag, css = ("h3", "") if kind == "h3" else ("p", kind)
    return f"<{tag} dir='ltr' lang='en'{f' class={css!r}' if css else ''}>{content}</{tag}>"


def _heading(arabic: str, english: str, level: int = 2, anchor: str = "") -> str:
    id_attr = f' id="{anchor}"' if anchor else ""
    return f"<h{level}{id_attr}>{esc(arabic)} {_en(english)}</h{level}>"


def _unit(stats: CorpusStats, unit_id: str) -> str:
    """A unit id with the title of its article beside it."""
    scan = stats.scan
    title = scan.titles.get(unit_id) or scan.titles.get(scan.parents.get(unit_id, ""), "")
    shown = f" <span class='title'>{isolate(title[:120])}</span>" if title else ""
    return f"<code>{isolate(unit_id, 'ltr')}</code>{shown}"


def _actions_section(stats: CorpusStats) -> str:
    todo = actions(stats)
    items = "".join(f'<li dir="ltr" lang="en">{esc(item)}</li>' for item in todo)
    body = f'<ol id="actions" dir="ltr">{items}</ol>' if todo else f'<p id="actions">{_en("nothing pressing: every unit is annotated and agreed.")}</p>'
    return _heading("ما يجب فعله أولا", "What to act on first") + body


def _progress_section(stats: CorpusStats) -> str:
    title = _heading("تقدم التوسيم", "Annotation progress", anchor="progress-section")
    if not stats.progress:
        return title + f"<p>{_en('no annotations yet')}</p>"
    forecasts = {f.level: f for f in stats.forecasts}
    rows = []
    for level in stats.progress:
        plan = forecasts[level.level]
        finish = "done" if plan.days == 0 else plan.finish.isoformat() if plan.finish else "no pace yet"
        rows.append((
            esc(LEVEL_NAMES.get(level.level, level.level)),
            _number(f"queue-{level.level}", level.queue) + (" " + _en("pushed") if level.pushed else ""),
            _number(f"done-{level.level}", level.done), _number(f"skipped-{level.level}", level.skipped),
            _number(f"left-{level.level}", level.left),
            f"<bdi dir='ltr'>{level.done / level.queue:.1%}</bdi>" if level.queue else "–",
            figure(plan.pace, 1), f'<bdi dir="ltr" id="forecast-{level.level}">{esc(finish)}</bdi>',
        ))  # fmt: skip
    headers = ["المستوى level", "الطابور queue", "أنجز done", "تخطى skipped", "متبق left", "النسبة share",
               "الوتيرة units a day (last 7 days)", "الانتهاء المتوقع forecast finish"]  # fmt: skip
    return title + _table(headers, rows, "progress") + _per_day(stats) + _per_annotator(stats)


def _per_day(stats: CorpusStats) -> str:
    work = stats.activity
    if not work.days:
        return ""
    done = {name: [counts.get(day, 0) for day in work.days] for name, counts in sorted(work.done.items())}
    skipped = sum(sum(c.values()) for c in work.skipped.values())
    chart = columns(work.days, done, axis=f"annotations submitted per day and annotator; {skipped:,} skipped in all")
    undated = f"<p>{_en(f'{work.undated:,} annotations without a date')}</p>" if work.undated else ""
    return _heading("كل يوم", "Per day", 3) + f"<figure id='per-day'>{chart}</figure>" + undated


def _per_annotator(stats: CorpusStats) -> str:
    work = stats.activity
    levels = sorted(stats.done_by)
    people = sorted(stats.annotators)
    rows = []
    for person in people:
        seconds = median_seconds(work.seconds.get(person, []))
        days = sorted(set(work.done.get(person, Counter())) | set(work.skipped.get(person, Counter())))
        rows.append((
            isolate(person), *(figure(stats.done_by[level].get(person, 0)) for level in levels),
            figure(sum(work.skipped.get(person, Counter()).values())),
            "–" if seconds is None else f'<bdi dir="ltr">{shown_seconds(seconds)} s</bdi>',
            f"<bdi dir='ltr'>{esc(days[-1]) if days else '–'}</bdi>",
        ))  # fmt: skip
    headers = ["الموسم annotator", *(f"{esc(LEVEL_NAMES.get(level, level))} done" for level in levels), "تخطى skipped",
               "الوقت لكل مهمة time per task (median)", "آخر يوم last day"]  # fmt: skip
    return _heading("كل موسم", "Per annotator", 3) + _table(headers, rows, "annotators")


def _agreement_section(stats: CorpusStats, names: Names) -> str:
    heading = _heading("الاتفاق", "Agreement per label, over time, and the disagreements to look at", anchor="agreement-section")
    if not stats.agreement:
        return heading + f"<p>{_en('no two annotators answered the same unit yet')}</p>"
    return heading + "".join(_family_agreement(stats, family, names) for family in stats.agreement)


def _family_agreement(stats: CorpusStats, family: FamilyFigures, names: Names) -> str:
    """One family's overall figure, its figures per label, its trend, and the units to look at."""
    key = f"{family.name}-{family.level}"
    overall = family.overall
    measure = "krippendorff_alpha" if "krippendorff_alpha" in overall else "f1"
    columns_shown = [c for c in FIGURE_NAMES if any(c in row for row in family.labels) and c != "label"]
    rows = [(names.label(family.name, str(row["label"])), *(figure(row.get(c)) for c in columns_shown)) for row in family.labels]
    trend = stats.agreement_trend.get(f"{family.name} · {family.level}", {})
    chart = lines(stats.trend_days, {label: values for label, values in sorted(trend.items())},
                  axis=f"{FIGURE_NAMES[measure]} per label, answers up to each day", names=names.all(family.name, trend))  # fmt: skip
    parts = [
        _heading(f"{family.name} · {family.level}", f"{family.units:,} units, {len(family.annotators)} annotators", 3),
        f"<p dir='ltr' lang='en' class='overall'>overall {esc(FIGURE_NAMES[measure])} "
        f"{_number(f'agreement-{key}', _shown_figure(overall.get(measure)))}, observed agreement "
        f"{figure(overall.get('observed_agreement'))}</p>",
        _table(["التسمية label", *(esc(FIGURE_NAMES[c]) for c in columns_shown)], rows, f"labels-{key}"),
        _annotator_quality(stats, family, key),
        f"<figure class='trend'>{chart}</figure>",  # from the first day: where each label stands, then how it moves
        _line(f"units the annotators answered differently: {_number(f'disagreements-{key}', len(family.disagreements))}"),
    ]
    for item in family.disagreements[:SHOWN_DISAGREEMENTS]:
        answers = "".join(
            f"<div><p class='meta'>{isolate(annotator)}</p><div class='answer' dir='auto'>{_answer(family.name, item, annotator, names)}</div></div>"
            for annotator in item.answers
        )
        parts.append(f"<div class='pair'><p class='meta'>{_unit(stats, item.unit_id)}</p>"
                     f"{_text(stats.scan.texts.get(item.unit_id, ''), _DISAGREEMENT_EXCERPT)}<div class='side-by-side'>{answers}</div></div>")  # fmt: skip
    if len(family.disagreements) > SHOWN_DISAGREEMENTS:
        parts.append(f"<p>{_en(f'and {len(family.disagreements) - SHOWN_DISAGREEMENTS:,} more (`curation agree`).')}</p>")
    return "".join(parts)


def _annotator_quality(stats: CorpusStats, family: FamilyFigures, key: str) -> str:
    """The family's annotators weighed by the trained model (cleanlab CROWDLAB), beside its agreement;
    nothing without a model, a line saying why when the model could not weigh this family."""
    weights = stats.annotator_weights
    if weights is None:
        return ""
    rows = [(isolate(q.annotator), figure(q.units), figure(q.quality), figure(q.agreement_with_consensus))
            for q in weights.qualities if q.family == family.name and q.level == family.level]  # fmt: skip
    caption = f"annotator quality by the model {weights.model_version} (cleanlab CROWDLAB, 0-1: higher is more trusted)"
    if not rows:  # a family the model was not trained on shows nothing; one it could not weigh says why
        why = [note for note in weights.notes if note.startswith(f"{family.name}@{family.level}:")]
        return _line(esc(f"{caption}: not weighed ({why[0]})")) if why else ""
    headers = ["الموسم annotator", "وحدات units", "الجودة quality", "الاتفاق مع الإجماع agreement with consensus"]
    return _line(esc(caption)) + _table(headers, rows, f"quality-{key}")


def _answer(family: str, item: Disagreement, annotator: str, names: Names) -> str:
    """A choice answer with the schema's names; an entity answer as its mentions."""
    chosen = item.choices.get(annotator)
    return " · ".join(names.label(family, value) for value in chosen) if chosen else esc(item.answers[annotator])


def _shown_figure(value: Any) -> str:
    return "–" if value is None else f"{value:.2f}" if isinstance(value, float) else str(value)


def _corpus_section(stats: CorpusStats) -> str:
    scan = stats.scan
    rows = [(esc(name), _number("count-" + re.sub(r"[^a-z0-9]+", "-", name).strip("-"), n)) for name, n in sorted(scan.counts.items())]
    return (
        _heading("المدونة", "The corpus: units, sources, dates")
        + _table(["الوحدات units", "العدد count"], rows, "counts")
        + "<div class='charts'>"
        + f"<figure id='sources'><figcaption>{_en('documents per source')}</figcaption>{bars(scan.sources)}</figure>"
        + f"<figure id='dates'><figcaption>{_en('documents per day of publication')}</figcaption>{_dates_chart(scan.days)}"
        + _undated(stats) + "</figure></div>"
    )


def _dates_chart(days: Mapping[str, int]) -> str:
    """Documents per day, or per month over a longer span; the stray 0.5% at either end (a page
    dated years before the rest) are counted under the chart instead of stretching it."""
    if not days:
        return "<p>none</p>"
    total, seen, first, last = sum(days.values()), 0, "", ""
    for day in sorted(days):
        seen += days[day]
        first = first or (day if seen > 0.005 * total else "")
        last = last or (day if seen >= 0.995 * total else "")
    outside = sum(n for day, n in days.items() if not first <= day <= last)
    start, end = datetime.date.fromisoformat(first), datetime.date.fromisoformat(last)
    note = f", {outside:,} outside {first} to {last}" if outside else ""
    if (end - start).days <= _MONTHLY_AFTER:
        labels = [(start + datetime.timedelta(n)).isoformat() for n in range((end - start).days + 1)]
        return columns(labels, {"documents": [days.get(label, 0) for label in labels]}, axis=f"documents per day{note}")
    months: Counter[str] = Counter()
    for day, n in days.items():
        if first <= day <= last:
            months[day[:7]] += n
    labels = [f"{year}-{month:02d}" for year in range(start.year, end.year + 1) for month in range(1, 13)
              if first[:7] <= f"{year}-{month:02d}" <= last[:7]]  # fmt: skip
    return columns(labels, {"documents": [months.get(label, 0) for label in labels]}, axis=f"documents per month{note}")


def _undated(stats: CorpusStats) -> str:
    scan = stats.scan
    unreadable = sum(scan.unreadable_dates.values())
    examples = ", ".join(isolate(text) for text, _n in scan.unreadable_dates.most_common(3))
    return _line(
        f"dates read: {_number('dates-read', sum(scan.days.values()))}; unreadable: {_number('dates-unreadable', unreadable)}"
        f"{' (' + examples + ')' if examples else ''}; no date: {_number('dates-missing', scan.undated)}", "meta"
    )


def _labels_section(stats: CorpusStats, names: Names, label_field: str) -> str:
    parts = [_heading("التصنيفات", "Labels chosen by annotators")]
    for family, counts in stats.annotation_label_counts.items():
        parts.append(f"<figure><figcaption>{isolate(family)}</figcaption>{bars(counts, names=names.all(family, counts))}</figure>")
    if len(parts) == 1:
        parts.append(f"<p>{_en('no labels chosen yet')}</p>")
    rows = [
        (
            f"<code>{isolate(c.cluster.id, 'ltr')}</code>", esc(c.cluster.reason),
            "<br>".join(f"{_unit(stats, unit)}: {', '.join(names.label(label_field, v) for v in values)}" for unit, values in c.labels.items()),
        )
        for c in stats.conflicts[:SHOWN_CLUSTERS]
    ]  # fmt: skip
    parts.append(_line(f"Label conflicts inside duplicate clusters: {_number('conflicts', len(stats.conflicts))}", "h3"))
    if rows:
        parts.append(_table(["العنقود cluster", "السبب reason", "التسميات labels by unit"], rows, "conflicts-table"))
    if len(stats.conflicts) > SHOWN_CLUSTERS:
        parts.append(_line(f"and {len(stats.conflicts) - SHOWN_CLUSTERS:,} more (`curation dedup` lists them all)"))
    return "".join(parts)


def _duplicates_section(stats: CorpusStats) -> str:
    heading = _heading("التكرار", "Duplicate clusters (from `curation dedup`)")
    if not stats.dedup_found:
        return heading + f"<p id='dup-none'>{_en('not computed yet: run `curation dedup`')}</p>"
    by_reason = Counter(c.reason for c in stats.clusters)
    summary = _table(
        ["العناقيد clusters", "الوحدات units in clusters", "حسب السبب by reason"],
        [(_number("dup-clusters", len(stats.clusters)), _number("dup-units", sum(len(c.members) for c in stats.clusters)),
          isolate(", ".join(f"{reason}: {n:,}" for reason, n in sorted(by_reason.items())) or "none"))],
    )  # fmt: skip
    examples = []
    for cluster in stats.clusters[:SHOWN_CLUSTERS]:
        other = cluster.members[1]
        examples.append(
            f"<div class='pair'><p class='meta'>{_en(f'cluster {cluster.id}: {len(cluster.members)} units, {cluster.reason}, similarity {cluster.similarity:.2f}')}</p>"
            "<div class='side-by-side'>"
            f"<div><p class='meta'>{_unit(stats, cluster.representative)}</p>{_text(stats.scan.texts.get(cluster.representative, ''))}</div>"
            f"<div><p class='meta'>{_unit(stats, other.id)}</p>{_text(stats.scan.texts.get(other.id, ''))}</div>"
            "</div></div>"
        )
    more = len(stats.clusters) - SHOWN_CLUSTERS
    tail = f"<p>{_en(f'and {more:,} more clusters (data/dedup/clusters.jsonl).')}</p>" if more > 0 else ""
    return heading + summary + "".join(examples) + tail


def _repeated_section(stats: CorpusStats) -> str:
    heading = _heading("مقاطع متكررة", "Repeated passages: captions, boilerplate, lines on many pages")
    if not stats.dedup_found:
        return heading + f"<p>{_en('not computed yet: run `curation dedup`')}</p>"
    dropped = "; ".join(f"{reason}: {n:,}" for reason, n in sorted(stats.repeated_dropped.items()))
    parts = [heading, _line(f"groups worth a look: {_number('repeated-total', stats.repeated_kept)}"
                            + (f" <span class='meta'>(left out: {esc(dropped)})</span>" if dropped else ""))]  # fmt: skip
    groups: dict[str, list[PassageGroup]] = {}
    for group in stats.repeated:
        groups.setdefault(group.kind, []).append(group)
    kinds = {"caption": "تعليقات الصور captions", "line": "أسطر lines", "sentence": "جمل sentences"}
    index = 0
    for kind, shown in sorted(groups.items()):
        rows = []
        for group in shown:
            others = group.spellings - 1
            spelled = f"<p class='meta'>{_en(f'and {others} other spelling(s)')}</p>" if others else ""
            rows.append((_number(f"repeated-{index}", group.pages), _text(group.text) + spelled))
            index += 1
        parts.append(f"<h3>{esc(kinds.get(kind, kind))}</h3>" + _table(["الصفحات pages", "النص text"], rows, f"repeated-{kind}"))
    return "".join(parts)


def _lengths_section(stats: CorpusStats) -> str:
    lengths = stats.scan.lengths
    return (
        _heading("الأطوال", "Lengths in characters") + "<div class='charts'>"
        + "".join(f"<figure><figcaption>{esc(LEVEL_NAMES[level])}</figcaption>{histogram(lengths.get(level, {}), 'characters')}</figure>"
                  for level in ("document", "article", "sentence"))
        + "</div>"
    )  # fmt: skip


def _script_section(stats: CorpusStats) -> str:
    mix = stats.scan.script
    total = sum(mix.values()) or 1
    names = {"Arabic": "العربية Arabic (U+0600–U+06FF)", "Latin": "اللاتينية Latin letters", "digits": "الأرقام digits 0-9", "other": "غيرها other"}
    rows = [(esc(names[name]), _number(f"script-{name}", mix[name]), figure(mix[name] / total)) for name in names]
    return _heading("الكتابة", "Script mix (document text, white space excluded)") + _table(["الكتابة script", "المحارف characters", "النسبة share"], rows)


def _build_section(stats: CorpusStats) -> str:
    title = _heading("آخر بناء", "Last build")
    build = stats.build
    if build is None:
        return title + f"<p id='build'>{_en('no build found')}</p>"
    counts = build.counts
    rows = [
        (_en("folder"), isolate(build.folder, "ltr")),
        (_en("built (UTC)"), isolate(build.built.strftime("%Y-%m-%d %H:%M"), "ltr")),
        (_en("dataset"), isolate(build.name)),
        *((_en(k), figure(v)) for k, v in counts.items() if isinstance(v, int)),
        *((_en(f"rows {k}"), figure(v)) for k, v in (counts.get("splits") or {}).items() if isinstance(v, int)),
        (_en("annotation records"), figure(build.annotation_records)),
        (_en("problems"), _number("build-problems", build.problems)),
    ]
    return title + _table(["", ""], rows, "build")


_STYLE = """
body{font-family:system-ui,"Noto Sans Arabic",sans-serif;margin:1.5em auto;max-width:1200px;padding:0 1.5em;color:#222}
table{border-collapse:collapse;margin:.5em 0 1.5em;width:100%}td,th{border:1px solid #ccc;padding:.3em .6em;vertical-align:top;text-align:start}
th{background:#f3f3f3;font-weight:600}.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:1.5em}
figure{margin:0 0 1em}figcaption{font-weight:600;margin-bottom:.3em}
.text{font-family:"Noto Naskh Arabic","Amiri",serif;font-size:1.05em;line-height:1.7;white-space:pre-wrap;text-align:start}
.side-by-side{display:grid;grid-template-columns:1fr 1fr;gap:1em}.pair{border-top:1px solid #ddd;padding:.5em 0}
.meta{color:#666;font-size:.85em;margin:.2em 0}.en{color:#555;font-size:.8em;font-weight:normal}h1 .en,h2 .en{font-size:.6em}
.answer{background:#f7f7f7;padding:.3em .5em}#actions{background:#fff8e1;border:1px solid #f0d58c;padding:.6em 2.2em}
#actions li{margin:.3em 0}.title{color:#333}code{font-size:.85em;color:#555}
.bar-row{display:grid;grid-template-columns:minmax(6em,14em) 1fr 4.5em;gap:.5em;align-items:center;margin:.15em 0}
.bar-track{background:#f0f0f0;height:.9em}.bar{display:block;height:100%;background:#4c72b0}.bar-value{text-align:end}
.chart-box{overflow-x:auto}.chart{max-width:100%;height:auto}.legend{font-size:.85em;margin-top:.2em}
.key{margin-inline-end:1em;white-space:nowrap}.swatch{display:inline-block;width:.8em;height:.8em;margin-inline-end:.3em}
"""


def render_report(stats: CorpusStats, *, schema: Schema | None = None, label_field: str = "topic", title: str = "Corpus report") -> str:
    """The whole HTML page as a string, what to act on first."""
    names = Names(schema)
    body = "".join([
        _actions_section(stats), _progress_section(stats), _agreement_section(stats, names),
        _corpus_section(stats), _labels_section(stats, names, label_field), _duplicates_section(stats),
        _repeated_section(stats), _lengths_section(stats), _script_section(stats), _build_section(stats),
    ])  # fmt: skip
    made = f"{stats.today.isoformat()}"
    return (
        '<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<link rel='icon' href='data:,'>"
        f"<title>{esc(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{isolate(title)} <bdi class='en' dir='ltr'>{esc(made)}</bdi></h1>{body}</body></html>\n"
    )


def write_report(path: str | Path, html_text: str) -> None:
    """Write the page atomically: a reader never sees half a report, a full disk leaves none."""
    try:
        with atomic_writer(path) as handle:
            handle.write(html_text)
    except OSError as exc:
        raise CurationError(f"{path}: the report could not be written ({exc.strerror or exc}); nothing written") from None
