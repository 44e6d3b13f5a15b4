"""What the daily report and ``curation status`` say, computed without drawing anything: the corpus
by source and day, lengths and script, duplicates and repeated passages (as ``curation dedup``
wrote them), annotation progress per day and annotator with the queue's forecast, agreement per
label over time, and what to act on first.

Memory is bounded by what is shown, never by the corpus: the units file is read once, line by
line, and a line of a unit nobody needs to see is never decoded as JSON (:class:`UnitScan` reads
its level, ids and offsets from the line's head). The page itself is :mod:`curation.report_page`.
"""

from __future__ import annotations

import datetime
import heapq
import json
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curation.dates import read_date
from curation.dedup import Cluster, LabelConflict, RepeatedPassage, label_conflicts
from curation.errors import CurationError
from curation.units import Annotation, EntitySpan

if TYPE_CHECKING:  # cleanlab and scikit-learn: loaded only when a trained model weighs the annotators
    from curation.learn.issues import AnnotatorWeights

_DATE_KEYS = ("date", "published", "published_at", "datetime", "pub_date")
_SOURCE_KEYS = ("source", "site", "outlet", "publisher", "domain")
_TASK_LEVELS = ("article", "sentence")  # what annotators get as tasks; documents only when annotated
# the head every unit line of a units file starts with, as `curation segment` writes it
_HEAD = re.compile(rb'\{"id": "([^"\\]*)", "level": "(document|article|sentence)", "parent": (?:null|"([^"\\]*)"), '
                   rb'"doc_id": "([^"\\]*)", "start": (\d+), "end": (\d+)')  # fmt: skip
_LATIN_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_NOT_LATIN = bytes(b for b in range(256) if b not in _LATIN_BYTES)
_NOT_DIGIT = bytes(b for b in range(256) if not 0x30 <= b <= 0x39)
_NOT_ARABIC_LEAD = bytes(b for b in range(256) if not 0xD8 <= b <= 0xDB)  # U+0600-U+06FF in UTF-8
_NOT_LEAD = bytes(b for b in range(256) if 0x80 <= b <= 0xBF)  # continuation bytes: one per code point left
_WHITE = b" \t\n\r\x0b\x0c"
SHOWN_DISAGREEMENTS = 10  # units shown per label family, with their text
SHOWN_CLUSTERS = 25  # duplicate clusters shown side by side, and label conflicts listed
MIN_PASSAGE_DOCUMENTS = 3  # a passage on fewer pages is not boilerplate worth a look
TREND_DAYS = 14  # agreement over time: the last two weeks of work, a point a day
FORECAST_DAYS = 7  # the pace is the units done per day over the last week of work


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


def script_mix(text: str) -> Counter[str]:
    """Characters by script, from the UTF-8 bytes (fast enough for a whole corpus): the Arabic
    block U+0600-U+06FF (its digits and punctuation included), Latin letters A-Z, Western digits,
    and every other character that is not white space."""
    raw = text.encode("utf-8", "surrogatepass")
    arabic = len(raw.translate(None, _NOT_ARABIC_LEAD))
    latin = len(raw.translate(None, _NOT_LATIN))
    digits = len(raw.translate(None, _NOT_DIGIT))
    visible = len(raw.translate(None, _NOT_LEAD + _WHITE))
    return Counter({"Arabic": arabic, "Latin": latin, "digits": digits, "other": visible - arabic - latin - digits})


def _meta_text(meta: Mapping[str, Any], keys: Sequence[str]) -> str | None:
    for key in keys:
        value = meta.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def document_source(record: Mapping[str, Any]) -> str:
    """Where a document comes from: a source field of its metadata, else its input file's name."""
    meta = record.get("meta") or {}
    return _meta_text(meta, _SOURCE_KEYS) or Path(str(record.get("source") or "unknown")).name


def document_date(record: Mapping[str, Any]) -> tuple[datetime.date | None, str | None]:
    """The date of a document's metadata, and the text it was read from (None: no date given)."""
    meta = record.get("meta") or {}
    for key in _DATE_KEYS:
        value = meta.get(key)
        if value not in (None, ""):
            return read_date(value), str(value)
    return None, None


@dataclass(slots=True)
class UnitScan:
    """The corpus half of the report, filled by one pass over a units file: counts, lengths,
    script, sources, days and titles (the *facts*, which :meth:`facts` can keep and :meth:`known`
    restore while the units file is unchanged), and of the units the page names (``wanted``)
    their article or document, of those it shows (``shown``) their text."""

    wanted: set[bytes] = field(default_factory=set)
    shown: set[bytes] = field(default_factory=set)
    counts: Counter[str] = field(default_factory=Counter)
    lengths: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))  # level -> chars -> units
    script: Counter[str] = field(default_factory=Counter)
    sources: Counter[str] = field(default_factory=Counter)
    days: Counter[str] = field(default_factory=Counter)  # ISO day -> documents
    undated: int = 0
    unreadable_dates: Counter[str] = field(default_factory=Counter)  # the text of each date no form reads
    titles: dict[str, str] = field(default_factory=dict)  # article id -> title
    doc_labels: dict[str, list[str]] = field(default_factory=dict)  # document -> labels of its metadata
    parents: dict[str, str] = field(default_factory=dict)  # wanted sentence -> its article
    documents: dict[str, str] = field(default_factory=dict)  # wanted article -> its document
    texts: dict[str, str] = field(default_factory=dict)  # shown unit -> its text
    label_field: str = "topic"
    facts_known: bool = False  # True: only the wanted units are read
    _sentence_lengths: list[int] = field(default_factory=list)  # read by take(), counted by finish()

    def want(self, wanted: Iterable[str], shown: Iterable[str]) -> None:
        """Name the units whose article or document (``wanted``) and text (``shown``) the page needs."""
        self.shown = {unit_id.encode() for unit_id in shown}
        self.wanted = {unit_id.encode() for unit_id in wanted} | self.shown

    def take(self, raw: bytes) -> bool:
        """Take what the page needs from a line's bytes, never decoding it: True when done. Left
        to be decoded: documents, shown units, lines that do not start as a units file's do, and in
        a compact file (no texts on the line) articles, whose titles are in their document's text."""
        if self.facts_known:
            end_of_id = raw.find(b'"', 8)
            if raw[8:end_of_id] not in self.wanted:
                return True
        head = _HEAD.match(raw)
        if head is None:
            return False
        unit_id, level, parent, doc_id, start, end = head.groups()
        if unit_id in self.wanted:
            if unit_id in self.shown or level == b"document":
                return False
            self._wanted(unit_id.decode(), level.decode(), parent.decode() if parent else None, doc_id.decode())
            if self.facts_known:
                return True
        if level == b"sentence":  # most lines: their lengths are counted at the end, in one go
            self._sentence_lengths.append(int(end) - int(start))
            return True
        if level == b"document":
            return False
        if not raw.startswith(b'"text": "', head.end() + 2):
            return False
        self.lengths["article"][int(end) - int(start)] += 1
        if b'"role": "teaser"' in raw:
            self.counts["articles (teaser)"] += 1
        title_at = raw.find(b'"title": "')
        title_end = raw.find(b'", "title_span": ', title_at)
        if title_at > 0 and title_end > 0:
            self.titles[unit_id.decode()] = json.loads(raw[title_at + 9:title_end + 1])
        return True

    def _wanted(self, unit_id: str, level: str, parent: str | None, doc_id: str) -> None:
        if level == "article":
            self.documents[unit_id] = doc_id
        elif parent:
            self.parents[unit_id] = parent

    def add(self, record: Mapping[str, Any]) -> None:
        """A decoded unit record: a document, or a unit whose line :meth:`take` did not read."""
        unit_id, level = str(record.get("id")), str(record.get("level"))
        text = str(record.get("text") or "")
        if unit_id.encode() in self.wanted:
            self._wanted(unit_id, level, record.get("parent"), str(record.get("doc_id")))
            if unit_id.encode() in self.shown:
                self.texts[unit_id] = text
        if self.facts_known:
            return
        self.lengths[level][len(text)] += 1
        if level == "article":
            self.titles[unit_id] = str(record.get("title") or "")
            self.counts["articles (teaser)"] += record.get("role") == "teaser"
        if level != "document":
            return
        self.script.update(script_mix(text))
        self.sources[document_source(record)] += 1
        day, said = document_date(record)
        if day is not None:
            self.days[day.isoformat()] += 1
        elif said is None:
            self.undated += 1
        else:
            self.unreadable_dates[said[:80]] += 1
        value = (record.get("meta") or {}).get(self.label_field)
        labels = [value] if isinstance(value, str) else [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
        if labels:
            self.doc_labels[unit_id] = labels

    def finish(self) -> None:
        """The counts of units per level, from their lengths."""
        self.lengths["sentence"].update(self._sentence_lengths)
        self._sentence_lengths.clear()
        for level in ("document", "article", "sentence"):
            self.counts[level + "s"] = sum(self.lengths[level].values())

    def facts(self) -> dict[str, Any]:
        """What the units file alone says, as JSON (kept while the file is unchanged)."""
        return {
            "counts": self.counts, "lengths": {level: list(c.items()) for level, c in self.lengths.items()},
            "script": self.script, "sources": self.sources, "days": self.days, "undated": self.undated,
            "unreadable_dates": self.unreadable_dates, "titles": self.titles, "doc_labels": self.doc_labels,
        }  # fmt: skip

    def known(self, facts: Mapping[str, Any]) -> bool:
        """Take the facts kept from an unchanged units file (the next pass reads only the wanted
        units); False, and nothing taken, when they are not what :meth:`facts` writes."""
        try:
            taken = (
                Counter(facts["counts"]), Counter(facts["script"]),
                defaultdict(Counter, {str(level): Counter({int(n): int(c) for n, c in pairs}) for level, pairs in facts["lengths"].items()}),
                Counter(facts["sources"]), Counter(facts["days"]), int(facts["undated"]), Counter(facts["unreadable_dates"]),
                {str(k): str(v) for k, v in facts["titles"].items()}, {str(k): list(v) for k, v in facts["doc_labels"].items()},
            )  # fmt: skip
        except (KeyError, TypeError, ValueError, AttributeError):
            return False
        (self.counts, self.script, self.lengths, self.sources, self.days, self.undated, self.unreadable_dates,
         self.titles, self.doc_labels) = taken  # fmt: skip
        self.facts_known = True
        return True


@dataclass(frozen=True, slots=True)
class Disagreement:
    """One unit on which the annotators of a label family answered differently."""

    unit_id: str
    answers: dict[str, str]  # annotator -> answer as shown
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)  # annotator -> labels chosen (choice families)


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
    if not isinstance(data, dict):
        return None
    annotations = data.get("annotations") or {}
    return BuildInfo(
        Path(folder), built, str(data.get("name", "")), dict(data.get("counts") or {}),
        len(data.get("problems") or []), annotations.get("records") if isinstance(annotations, dict) else None,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class LevelProgress:
    """Where one level's queue stands: units with an answer, skipped (cancelled only), left."""

    level: str
    queue: int  # units pushed (or, with no push recorded, units of the level)
    done: int
    skipped: int
    pushed: bool  # True: ``queue`` counts pushed tasks

    @property
    def left(self) -> int:
        return max(0, self.queue - self.done - self.skipped)


@dataclass(frozen=True, slots=True)
class Forecast:
    """When the queue empties at the pace of the last week of work (None: no pace yet)."""

    level: str
    pace: float  # units a day
    days: float | None
    finish: datetime.date | None


@dataclass(slots=True)
class Activity:
    """Annotation work over time: per day and annotator, what was done and skipped, and how long a task took."""

    days: list[str] = field(default_factory=list)
    done: dict[str, Counter[str]] = field(default_factory=dict)  # annotator -> day -> annotations submitted
    skipped: dict[str, Counter[str]] = field(default_factory=dict)  # annotator -> day -> tasks skipped
    seconds: dict[str, list[float]] = field(default_factory=dict)  # annotator -> lead time of each submitted task
    undated: int = 0


@dataclass(slots=True)
class CorpusStats:
    """Everything the page and ``curation status`` show, computed once; usable without rendering."""

    scan: UnitScan = field(default_factory=UnitScan)
    clusters: list[Cluster] = field(default_factory=list)
    repeated: list[PassageGroup] = field(default_factory=list)  # the most widespread of those worth a look
    repeated_kept: int = 0  # groups worth a look
    repeated_dropped: Counter[str] = field(default_factory=Counter)  # why passages were left out
    dedup_found: bool = False
    conflicts: list[LabelConflict] = field(default_factory=list)
    annotation_label_counts: dict[str, Counter[str]] = field(default_factory=dict)
    progress: list[LevelProgress] = field(default_factory=list)
    forecasts: list[Forecast] = field(default_factory=list)
    activity: Activity = field(default_factory=Activity)
    annotators: Counter[str] = field(default_factory=Counter)
    annotation_states: Counter[str] = field(default_factory=Counter)
    done_by: dict[str, Counter[str]] = field(default_factory=dict)  # level -> annotator -> units annotated
    agreement: list[FamilyFigures] = field(default_factory=list)
    agreement_trend: dict[str, dict[str, list[float | None]]] = field(default_factory=dict)  # family -> label -> per day
    trend_days: list[str] = field(default_factory=list)
    annotator_weights: AnnotatorWeights | None = None  # by a trained model, when there is one
    build: BuildInfo | None = None
    today: datetime.date = field(default_factory=lambda: datetime.datetime.now(datetime.UTC).date())

    @property
    def counts(self) -> Counter[str]:
        return self.scan.counts


def _shown(value: Sequence[Any]) -> str:
    """An answer as a reviewer reads it: labels, or entity mentions with their label."""
    if not value:
        return "(no entity)"
    return " · ".join(f"{v.text} ({v.label})" if isinstance(v, EntitySpan) else str(v) for v in value)


def family_figures(annotations: Sequence[Annotation]) -> list[FamilyFigures]:
    """Agreement per family and label over the annotators' independent answers, and every unit on
    which they differ (what a review should look at first)."""
    from curation.agreement import agreement_report  # krippendorff and numpy: only with annotations

    report = agreement_report(annotations)
    figures = []
    for entry in report.families:
        choice = entry.family.kind == "choice"
        disagreements = [
            Disagreement(unit_id, {annotator: _shown(answer.value) for annotator, answer in sorted(answers.items())},
                         {a: tuple(map(str, answer.value)) for a, answer in sorted(answers.items())} if choice else {})
            for unit_id, answers in sorted(report.table.units(entry.family).items())
            if len(answers) > 1 and len({answer.value for answer in answers.values()}) > 1
        ]  # fmt: skip
        family = entry.family
        figures.append(FamilyFigures(family.name, family.level, entry.units, tuple(entry.annotators), entry.overall,
                                     tuple(entry.labels), tuple(disagreements)))  # fmt: skip
    return figures


def _day(stamp: str | None) -> str | None:
    if not stamp:
        return None
    day = read_date(stamp)
    return day.isoformat() if day else None


def live(annotations: Iterable[Annotation]) -> list[Annotation]:
    return [a for a in annotations if not a.cancelled and not a.deleted]


def activity(annotations: Sequence[Annotation]) -> Activity:
    """Per annotator and day (of ``created_at``), annotations submitted and tasks skipped; lead times."""
    found = Activity()
    done: dict[str, Counter[str]] = defaultdict(Counter)
    skipped: dict[str, Counter[str]] = defaultdict(Counter)
    seconds: dict[str, list[float]] = defaultdict(list)
    for annotation in annotations:
        if annotation.deleted:
            continue
        day = _day(annotation.created_at)
        if day is None:
            found.undated += 1
            continue
        (skipped if annotation.cancelled else done)[annotation.annotator][day] += 1
        if not annotation.cancelled and annotation.lead_time is not None and annotation.lead_time >= 0:
            seconds[annotation.annotator].append(annotation.lead_time)
    days = sorted({day for counts in (*done.values(), *skipped.values()) for day in counts})
    if days:
        first, last = datetime.date.fromisoformat(days[0]), datetime.date.fromisoformat(days[-1])
        found.days = [(first + datetime.timedelta(n)).isoformat() for n in range((last - first).days + 1)]
    found.done, found.skipped, found.seconds = dict(done), dict(skipped), dict(seconds)
    return found


def level_progress(level: str, units: int, queue: set[str] | None, annotations: Sequence[Annotation]) -> LevelProgress:
    """Done, skipped and left of one level: ``queue`` the pushed units (None: all ``units`` of the level)."""
    done = {a.unit_id for a in annotations if a.level == level and not a.cancelled and not a.deleted}
    skipped = {a.unit_id for a in annotations if a.level == level and a.cancelled and not a.deleted} - done
    if queue is None:
        return LevelProgress(level, max(units, len(done | skipped)), len(done), len(skipped), False)
    return LevelProgress(level, len(queue), len(done & queue), len(skipped & queue), True)


def forecast(progress: LevelProgress, annotations: Sequence[Annotation], today: datetime.date) -> Forecast:
    """Units first answered per day over the last :data:`FORECAST_DAYS` days of work, and the days left at that pace."""
    first: dict[str, str] = {}
    for annotation in annotations:
        day = _day(annotation.created_at)
        if annotation.level == progress.level and day and not annotation.cancelled and not annotation.deleted:
            first[annotation.unit_id] = min(day, first.get(annotation.unit_id, day))
    if not first:
        return Forecast(progress.level, 0.0, None, None)
    last = datetime.date.fromisoformat(max(first.values()))
    since = (last - datetime.timedelta(FORECAST_DAYS - 1)).isoformat()
    start = max(since, min(first.values()))
    span = (last - datetime.date.fromisoformat(start)).days + 1
    pace = sum(1 for day in first.values() if day >= start) / span
    if not progress.left:
        return Forecast(progress.level, pace, 0.0, today)
    days = progress.left / pace if pace else None
    finish = today + datetime.timedelta(days=int(-(-days // 1))) if days is not None else None
    return Forecast(progress.level, pace, days, finish)


def agreement_trend(annotations: Sequence[Annotation], days: Sequence[str]) -> dict[str, dict[str, list[float | None]]]:
    """Per choice family and label, Krippendorff's alpha of every answer given up to each of ``days``:
    how agreement moves as the work goes on (entity spans are in the table, not the trend)."""
    from curation.agreement.answers import collect_answers
    from curation.agreement.measures import krippendorff_alpha, to_ratings

    by_id = {(a.annotator, a.annotation_id): _day(a.created_at) or "" for a in annotations}
    table = collect_answers(annotations)
    trend: dict[str, dict[str, list[float | None]]] = {}
    for family in table.families:
        if family.kind != "choice":
            continue
        units = table.units(family)
        labels = sorted({str(label) for unit in units.values() for answer in unit.values() for label in answer.value})
        series: dict[str, list[float | None]] = {label: [] for label in labels}
        for day in days:
            upto = {unit: {a: answer for a, answer in answers.items() if by_id.get((a, answer.annotation_id), "") <= day}
                    for unit, answers in units.items()}  # fmt: skip
            for label in labels:
                ratings = to_ratings(upto, lambda value, label=label: label in value)  # type: ignore[misc]
                series[label].append(krippendorff_alpha(ratings))
        trend[f"{family.name} · {family.level}"] = series
    return trend


@dataclass(frozen=True, slots=True)
class PassageGroup:
    """Repeated passages that differ only in punctuation, dashes and spaces (``دبي - العربية.نت``
    and ``دبي ـ العربية.نت``): one row, with how many pages hold any of its spellings."""

    text: str  # the spelling on most pages
    pages: int  # documents holding it; the pages of a duplicate cluster count once
    spellings: int
    kind: str  # where it occurs most: line, sentence or caption


@dataclass(slots=True)
class _Spellings:
    pages: set[str] = field(default_factory=set)
    spellings: Counter[str] = field(default_factory=Counter)
    kinds: Counter[str] = field(default_factory=Counter)


_SPELLING = re.compile(r"[\W_\u0640]+")  # punctuation, spaces and the tatweel


def passages_worth_showing(
    passages: Iterable[RepeatedPassage], clusters: Sequence[Cluster], documents: Mapping[str, str], dropped: Counter[str],
    limit: int = SHOWN_CLUSTERS,
) -> tuple[list[PassageGroup], int]:
    """The ``limit`` groups of repeated passages on most pages, and how many groups are worth a
    look: on :data:`MIN_PASSAGE_DOCUMENTS` pages or more, not a date line, and not repeated only
    because their pages are duplicates already shown as clusters (the pages of one cluster count once)."""
    same_story: dict[str, str] = {}
    for cluster in clusters:
        for member in cluster.member_ids:
            if member in documents:
                same_story[documents[member]] = cluster.id
    groups: dict[str, _Spellings] = defaultdict(_Spellings)
    for passage in passages:
        if len(passage.text) < 60 and read_date(passage.text) is not None:
            dropped["date lines"] += 1
            continue
        stories = {same_story.get(o.doc_id, o.doc_id) for o in passage.occurrences}
        group = groups[_SPELLING.sub("", passage.text) or passage.text]
        group.pages |= stories
        group.spellings[passage.text] += len(stories)
        group.kinds.update(o.kind for o in passage.occurrences)
    worth = []
    for group in groups.values():
        if len(group.pages) < MIN_PASSAGE_DOCUMENTS:
            dropped[f"on fewer than {MIN_PASSAGE_DOCUMENTS} pages (a cluster's pages counted once)"] += len(group.spellings)
        else:
            text = group.spellings.most_common(1)[0][0]
            worth.append(PassageGroup(text, len(group.pages), len(group.spellings), group.kinds.most_common(1)[0][0]))
    return heapq.nsmallest(limit, worth, key=lambda g: (-g.pages, g.text)), len(worth)


def annotation_stats(stats: CorpusStats, annotations: Sequence[Annotation], queues: Mapping[str, set[str] | None]) -> None:
    """Progress per level, day and annotator, the forecast, agreement now and over time."""
    submitted = live(annotations)
    stats.annotators.update(a.annotator for a in annotations)
    stats.annotation_states.update("deleted" if a.deleted else "cancelled" if a.cancelled else "submitted" for a in annotations)
    by_level: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for annotation in submitted:
        by_level[annotation.level][annotation.annotator].add(annotation.unit_id)
    stats.done_by = {level: Counter({a: len(u) for a, u in people.items()}) for level, people in sorted(by_level.items())}
    for family in sorted({family for a in submitted for family in a.choices}):
        stats.annotation_label_counts[family] = Counter(label for a in submitted for label in a.choices.get(family, ()))
    if annotations:
        levels = [level for level in _TASK_LEVELS if level in queues or level in by_level]
        levels += sorted(level for level in by_level if level not in levels)
        for level in levels:
            progress = level_progress(level, stats.counts[level + "s"], queues.get(level), annotations)
            stats.progress.append(progress)
            stats.forecasts.append(forecast(progress, annotations, stats.today))
    stats.activity = activity(annotations)
    if submitted:
        stats.trend_days = stats.activity.days[-TREND_DAYS:]
        stats.agreement_trend = agreement_trend(submitted, stats.trend_days)


def shown_units(stats: CorpusStats) -> set[str]:
    """The units whose text the page shows: the first disagreements of each family, the first clusters' pairs."""
    shown = {item.unit_id for family in stats.agreement for item in family.disagreements[:SHOWN_DISAGREEMENTS]}
    return shown | {m.id for cluster in stats.clusters[:SHOWN_CLUSTERS] for m in cluster.members[:2]}


def conflicts(stats: CorpusStats, annotations: Sequence[Annotation], label_field: str) -> None:
    """Duplicate clusters whose units carry different labels (an annotator's word wins over metadata)."""
    from curation.dedup import annotation_labels

    labels: dict[str, tuple[str, ...]] = {}
    for article, document in stats.scan.documents.items():
        if document in stats.scan.doc_labels:
            labels[article] = tuple(stats.scan.doc_labels[document])
    labels.update(annotation_labels(annotations, label_field))
    stats.conflicts = label_conflicts(stats.clusters, labels)


def median_seconds(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


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
    for level in stats.progress:
        if level.left:
            todo.append(f"{level.left:,} of {level.queue:,} {level.level} unit(s) still without an annotation.")
    if not stats.dedup_found:
        todo.append("no duplicates found yet: `curation dedup`.")
    if stats.build is None:
        todo.append("no build yet: `curation build` once the annotations are in.")
    elif stats.build.problems:
        todo.append(f"the last build reported {stats.build.problems:,} problem(s): see its manifest.json.")
    if not stats.progress:
        todo.append("no annotations yet: `curation push --level article`, then `curation pull`.")
    return todo


def read_clusters(path: Path, errors: list[Any]) -> list[Cluster]:
    """The clusters ``curation dedup`` wrote; a record that is not one is reported."""
    from curation.dedup.clusters import ClusterMember
    from curation.fileio import iter_jsonl

    found = []
    for number, record in iter_jsonl(path, errors):
        try:
            members = tuple(ClusterMember(str(m["id"]), m["reason"], float(m["similarity"])) for m in record["members"])
            found.append(Cluster(str(record["cluster_id"]), str(record["representative"]), members))
        except (KeyError, TypeError, ValueError) as exc:
            errors.append(f"{path}:{number}: not a duplicate cluster ({type(exc).__name__}: {exc})")
    return found


def read_passages(path: Path, errors: list[Any]) -> Iterator[RepeatedPassage]:
    """The repeated passages ``curation dedup`` wrote, one at a time; a record that is not one is reported."""
    from curation.dedup.passages import Occurrence
    from curation.fileio import iter_jsonl

    for number, record in iter_jsonl(path, errors):
        try:
            occurrences = tuple(
                Occurrence(str(o["unit_id"]), str(o["doc_id"]), int(o["start"]), int(o["end"]), o["kind"])
                for o in record["occurrences"]
            )
            yield RepeatedPassage(str(record["text"]), occurrences)
        except (KeyError, TypeError, ValueError) as exc:
            errors.append(f"{path}:{number}: not a repeated passage ({type(exc).__name__}: {exc})")
