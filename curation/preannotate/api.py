"""``preannotate``: predictions for the units of a units file from a gazetteer and/or any model,
written as a predictions file (what ``curation push --predictions`` reads) and, given a server,
sent to the level's Label Studio project through the bridge's predictions API.

    >>> problems = []
    >>> family = schema.span_family()
    >>> places = load_gazetteer(["places.tsv"], family.values, problems, granularity=family.granularity)
    >>> report = preannotate("units.jsonl", schema, "sentence", gazetteer=places, model=ner,
    ...                      output="pre.jsonl", client=server.client(), url=server.url)
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field, fields
from itertools import islice
from pathlib import Path
from typing import IO, TYPE_CHECKING

from curation.fileio import atomic_writer, dumps
from curation.preannotate.gazetteer import Gazetteer
from curation.preannotate.model import (
    DEFAULT_CALL_TIMEOUT_S,
    Model,
    ModelAnswer,
    ModelTimeout,
    call_with_limit,
    model_spans,
)
from curation.progress import SILENT, Progress, counted
from curation.schema import Schema
from curation.studio import DEFAULT_STUDIO_DIR
from curation.studio.tasks import Prediction, check_level, unit_text

if TYPE_CHECKING:
    from curation.studio.connection import StudioClient
    from curation.studio.push import PushReport


@dataclass
class PreannotateReport:
    """What a run produced: predictions and spans per model version, problems, what was sent."""

    units: int = 0
    predictions: Counter[str] = field(default_factory=Counter)
    spans: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    output: Path | None = None
    sent: PushReport | None = None


def gazetteer_version(gazetteer: Gazetteer) -> str:
    """A model version that changes whenever the gazetteer's names or labels do."""
    return f"gazetteer-{gazetteer.digest[:12]}"


def _model_version(model: Model) -> str:
    return getattr(model, "__qualname__", None) or type(model).__name__


DEFAULT_TIME_LIMIT_S = 4 * 3600.0  # the whole run: hours for a corpus, never for ever
BATCH_UNITS = 2_000  # predictions held, written and sent a batch at a time: memory bounded by a batch


@dataclass(frozen=True, slots=True)
class Limits:
    """How long pre-annotation may take: each model call, and the whole run (None: no limit)."""

    call_s: float = DEFAULT_CALL_TIMEOUT_S
    total_s: float | None = DEFAULT_TIME_LIMIT_S

    def __post_init__(self) -> None:
        for name in ("call_s", "total_s"):
            value = getattr(self, name)
            if value is not None and not 0 < value < float("inf"):
                raise ValueError(f"{name.replace('_s', '')} time limit must be a number of seconds > 0, got {value!r}")


@dataclass(slots=True)
class Source:
    """One pre-annotator under its model version: a gazetteer or a model callable. A model that
    gave no answer within the call limit is stuck: it is not called again in this run."""

    version: str
    gazetteer: Gazetteer | None = None
    model: Model | None = None
    stuck: bool = False

    def spans(
        self, text: str, labels: frozenset[str], label_map: Mapping[str, str], call_s: float
    ) -> tuple[ModelAnswer, list[str]]:
        """What the source finds in ``text`` and the problems (a model's answer may be anything;
        a model that raises, or says nothing within ``call_s`` seconds, is one problem)."""
        if self.model is None:
            return ModelAnswer(tuple(self.gazetteer.match(text)) if self.gazetteer is not None else ()), []
        if self.stuck:
            return ModelAnswer(), []
        problems: list[str] = []
        try:
            answer = model_spans(call_with_limit(self.model, text, call_s), text, labels, label_map, problems)
        except ModelTimeout as exc:
            self.stuck = True
            return ModelAnswer(), [f"{exc} (the call time limit): the model is not called again in this run"]
        except Exception as exc:  # noqa: BLE001 - a user's model may raise anything; the run goes on
            return ModelAnswer(), [f"the model raised {type(exc).__name__}: {exc}"]
        return answer, problems


def _sources(gazetteer: Gazetteer | None, model: Model | None, model_version: str | None) -> list[Source]:
    sources = [Source(gazetteer_version(gazetteer), gazetteer=gazetteer)] if gazetteer is not None else []
    if model is not None:
        sources.append(Source(model_version or _model_version(model), model=model))
    if not sources:
        raise ValueError("give a gazetteer, a model or both")
    return sources


def predict(
    units_path: str | Path,
    schema: Schema,
    level: str,
    *,
    gazetteer: Gazetteer | None = None,
    model: Model | None = None,
    model_version: str | None = None,
    label_map: Mapping[str, str] | None = None,
    report: PreannotateReport,
    limits: Limits = Limits(),
) -> Iterator[Prediction]:
    """One prediction per unit and source that finds something (a unit with no match gets none),
    made as the units are read; past ``limits.total_s`` the rest of the units are left (one problem)."""
    from curation.unitfile import iter_units  # numpy, through the settings: not for --help

    family = schema.span_family(level)
    if family is None:
        raise ValueError(f"schema {schema.name} has no span family asked at the {level} level")
    wanted, labels, label_map = check_level(level), frozenset(family.values), label_map or {}
    sources = _sources(gazetteer, model, model_version)
    errors: list[object] = []
    deadline = None if limits.total_s is None else time.monotonic() + limits.total_s
    for unit in iter_units(units_path, level, errors):
        if not isinstance(unit, wanted):
            continue
        if deadline is not None and time.monotonic() > deadline:
            report.problems.append(f"the time limit of {limits.total_s:g} s was reached after {report.units} unit(s): "
                                   "the rest were not pre-annotated (raise it with --time-limit)")
            break
        report.units += 1
        text = unit_text(unit)
        for source in sources:
            answer, problems = source.spans(text, labels, label_map, limits.call_s)
            report.problems.extend(f"unit {unit.id} (model {source.version}): {problem}" for problem in problems)
            if answer.spans:
                report.predictions[source.version] += 1
                report.spans[source.version] += len(answer.spans)
                yield Prediction(unit.id, {}, answer.spans, source.version, answer.score, answer.span_scores)
    report.problems.extend(str(error) for error in errors)


def preannotate(
    units_path: str | Path,
    schema: Schema,
    level: str,
    *,
    gazetteer: Gazetteer | None = None,
    model: Model | None = None,
    model_version: str | None = None,
    label_map: Mapping[str, str] | None = None,
    output: str | Path | None = None,
    client: StudioClient | None = None,
    url: str | None = None,
    state_dir: Path = DEFAULT_STUDIO_DIR,
    new_tasks: bool = True,
    replace: bool = False,
    limits: Limits = Limits(),
    progress: Progress = SILENT,
) -> PreannotateReport:
    """Pre-annotate the ``level`` units of ``units_path``; write the predictions to ``output``
    and, with ``client`` and ``url``, send them: to the tasks pushed before, and (``new_tasks``)
    as new tasks for units not pushed yet. ``replace`` replaces a task's earlier predictions of
    the same model version instead of adding beside them. Predictions are made, written and sent
    :data:`BATCH_UNITS` at a time (memory bounded by a batch), each model call and the whole run
    under ``limits``; the file is written whole or not at all. ``progress`` hears the
    predictions made (their number is not known before)."""
    report = PreannotateReport(output=Path(output) if output is not None else None)
    progress.start("predicting", None, "predictions")
    made = counted(predict(units_path, schema, level, gazetteer=gazetteer, model=model, model_version=model_version,
                   label_map=label_map, report=report, limits=limits), progress)
    with ExitStack() as stack:
        writer = stack.enter_context(atomic_writer(report.output)) if report.output is not None else None
        for number, batch in enumerate(iter(lambda: tuple(islice(made, BATCH_UNITS)), ())):
            _write(writer, batch)
            if client is not None and url is not None:
                sent = _send(client, url, schema, level, batch, units_path if new_tasks and number == 0 else None,
                             state_dir, replace)
                report.sent = sent if report.sent is None else _added(report.sent, sent)
    if client is not None and url is not None and report.sent is None:  # nothing predicted: the units still go
        report.sent = _send(client, url, schema, level, (), units_path if new_tasks else None, state_dir, replace)
    return report


def _write(writer: IO[str] | None, predictions: Iterable[Prediction]) -> None:
    if writer is not None:
        writer.writelines(dumps(prediction.to_record()) + "\n" for prediction in predictions)


def _send(
    client: StudioClient, url: str, schema: Schema, level: str, predictions: Iterable[Prediction],
    units_path: str | Path | None, state_dir: Path, replace: bool,
) -> PushReport:  # fmt: skip
    """One batch sent; the first (``units_path`` given) also makes the tasks of units not pushed yet."""
    from curation.studio.predictions import send_predictions

    return send_predictions(client, url, schema, level, predictions, units_path=units_path, state_dir=state_dir,
                            replace=replace)


def _added(total: PushReport, batch: PushReport) -> PushReport:
    """The reports of two batches as one: counts added, problems joined (the project is the same)."""
    for item in fields(total):
        mine, theirs = getattr(total, item.name), getattr(batch, item.name)
        if isinstance(mine, int | list):
            setattr(total, item.name, mine + theirs)
    return total
