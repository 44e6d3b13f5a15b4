"""What each :class:`~curation.project.Project` method returns, and how any result becomes JSON.

A result holds figures, paths, timings and ``problems`` (one line each); it never holds a secret
(no key, password or e-mail address). ``curation X --json`` prints :func:`to_json` of the result of
``Project.X`` and nothing else, so a script reads the same object a Python caller gets.
Where a library module already returns a typed report (``SegmentRun``, ``PushReport``,
``BuildReport``...), the result carries it rather than copying its fields.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the reports' modules load the SDK, datasets or numpy: not for `--help`
    from curation.agreement.report import AgreementReport
    from curation.dedup.run import DedupSummary
    from curation.export.building import BuildReport
    from curation.export.verification import Verification
    from curation.imports.materialize import ImportReport
    from curation.learn.issues import AnnotatorQuality, LabelIssue
    from curation.learn.training import TrainReport
    from curation.pipeline.run import SegmentRun
    from curation.preannotate.api import PreannotateReport
    from curation.studio.accounts import Member
    from curation.studio.progress import ProjectProgress
    from curation.studio.pull import PullReport
    from curation.studio.push import PushReport


def jsonable(value: Any) -> Any:
    """``value`` as JSON types: dataclasses by field, paths and unknown objects as text, sets sorted."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {item.name: jsonable(getattr(value, item.name)) for item in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return sorted(jsonable(item) for item in value)
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, enum.Enum):
        return jsonable(value.value)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


@dataclass
class Result:
    """The base of every result: ``problems`` met on the way (the work went on past them)."""

    problems: list[str] = field(default_factory=list, kw_only=True)

    @property
    def exit_code(self) -> int:
        """0 when nothing went wrong, 1 when something was reported (the rest was still done)."""
        return 1 if self.problems else 0

    def to_dict(self) -> dict[str, Any]:
        """The fields as JSON, the wrapped library report's (``report``, ``run``, ``summary``,
        ``verification``) brought to the top level, so a script reads ``spans``, not ``report.spans``."""
        flat: dict[str, Any] = {}
        own: dict[str, Any] = {}
        for item in dataclasses.fields(self):
            value = jsonable(getattr(self, item.name))
            if item.name in _WRAPPED and isinstance(value, dict):
                flat.update(value)
            elif item.repr:
                own[item.name] = value
        return {**flat, **own}


_WRAPPED = ("report", "run", "summary", "verification")


@dataclass
class InitResult(Result):
    workspace: Path
    written: list[Path]
    kept: list[Path]
    next_steps: list[str]


@dataclass
class SchemaResult(Result):
    """A schema as checked (``schema check|show|new``), or its Label Studio config (``schema config``)."""

    path: Path | None  # None: the bundled news schema
    name: str
    version: int
    fingerprint: str
    labels: dict[str, list[str]]  # family -> label values
    migrations: int
    config: str | None = None


@dataclass
class SegmentResult(Result):
    output: Path
    run: SegmentRun
    warnings: list[str] = field(default_factory=list)
    submitted: bool = False


@dataclass
class DedupResult(Result):
    units: Path
    outputs: dict[str, Path]
    summary: DedupSummary | None  # None: submitted to Slurm
    label_field: str = "topic"


@dataclass
class ReportResult(Result):
    output: Path
    counts: dict[str, int]
    clusters: int
    annotations: int
    actions: list[str]


@dataclass
class OverviewResult(Result):
    """``curation status``: what to act on first and where each queue stands, per level and annotator."""

    actions: list[str]
    counts: dict[str, int]  # units per level
    progress: list[dict[str, Any]]  # per level: queue, done, skipped, left, pace a day, forecast finish
    annotators: list[dict[str, Any]]  # per annotator: done per level, skipped, median seconds a task, last day
    days: dict[str, int]  # annotations submitted per day, the last 7 days of work
    cached: bool = False  # True: the answer kept for inputs that have not changed since


@dataclass
class StudioResult(Result):
    """``studio up``, ``down`` and ``status``: the server of a data folder (never its password)."""

    data_dir: Path
    url: str | None
    pid: int | None
    running: bool
    healthy: bool
    username: str | None = None
    started: bool = False
    stopped: bool = False
    seconds: float = 0.0
    credentials: Path | None = None  # the file holding the admin's login (0600), never the password
    warnings: list[str] = field(default_factory=list)
    projects: list[ProjectProgress] = field(default_factory=list)
    team_urls: list[str] = field(default_factory=list)  # where annotators on the network open it


@dataclass
class PushResult(Result):
    level: str
    units_file: Path
    report: PushReport
    annotators_per_task: int | None


@dataclass
class PullResult(Result):
    reports: list[PullReport]
    warnings: list[str] = field(default_factory=list)  # e.g. users who joined another way than `users add`


@dataclass
class AgreeResult(Result):
    annotations: list[Path]
    output: Path | None  # None: written to stdout
    gold: Path | None
    document: dict[str, Any]  # what the JSON file holds: figures, adjudication, unreadable lines
    notes: list[str] = field(default_factory=list)
    agreement: AgreementReport | None = field(default=None, repr=False)  # repr=False: not in the JSON (the document has it)
    annotator_quality: list[AnnotatorQuality] = field(default_factory=list, repr=False)  # in the document too


@dataclass
class ReviewPushResult(Result):
    level: str
    report: PushReport


@dataclass
class ReviewPullResult(Result):
    level: str
    report: PullReport


@dataclass
class PreannotateResult(Result):
    level: str
    names: int | None  # gazetteer size, when one was used
    report: PreannotateReport


@dataclass
class TrainResult(Result):
    report: TrainReport


@dataclass
class IssuesResult(Result):
    """Likely label errors (the worst first), annotator quality, and the review pushes made."""

    model_version: str
    issues: list[LabelIssue]
    annotator_quality: list[AnnotatorQuality]
    notes: list[str] = field(default_factory=list)
    sent: list[PushReport] = field(default_factory=list)


@dataclass
class ImportResult(Result):
    report: ImportReport


@dataclass
class BuildResult(Result):
    report: BuildReport


@dataclass
class VerifyResult(Result):
    export_dir: Path
    verification: Verification
    identical: bool

    @property
    def exit_code(self) -> int:
        return 0 if self.identical and not self.problems else 1


@dataclass
class PublishResult(Result):
    export_dir: Path
    url: str


@dataclass
class UsersResult(Result):
    url: str
    members: list[Member] = field(default_factory=list)
    changed: str | None = None  # the e-mail added or removed
    role: str | None = None


@dataclass
class OverlapResult(Result):
    annotators_per_task: int
    levels: list[str]
    setting: Path  # the file that now holds the setting
    projects: dict[str, bool] = field(default_factory=dict)  # title -> changed on the server
