"""``preannotate``: predictions for the units of a units file from a gazetteer and/or any model,
written as a predictions file (what ``curation push --predictions`` reads) and, given a server,
sent to the level's Label Studio project through the bridge's predictions API.

    >>> problems = []
    >>> places = load_gazetteer(["places.tsv"], schema.span_family().values, problems)
    >>> report = preannotate("units.jsonl", schema, "sentence", gazetteer=places, model=ner,
    ...                      output="pre.jsonl", client=server.client(), url=server.url)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from curation.fileio import write_jsonl
from curation.preannotate.gazetteer import Gazetteer
from curation.preannotate.model import Model, model_spans
from curation.progress import SILENT, Progress, counted
from curation.schema import Schema
from curation.studio import DEFAULT_STUDIO_DIR
from curation.studio.tasks import Prediction, check_level, unit_text
from curation.units import EntitySpan

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


@dataclass(frozen=True, slots=True)
class Source:
    """One pre-annotator under its model version: a gazetteer or a model callable."""

    version: str
    gazetteer: Gazetteer | None = None
    model: Model | None = None

    def spans(
        self, text: str, labels: frozenset[str], label_map: Mapping[str, str]
    ) -> tuple[tuple[EntitySpan, ...], float | None, list[str]]:
        """What the source finds in ``text``: spans, their mean score, and problems (a model's
        answer may be anything; a model that raises is one problem and the run goes on)."""
        if self.model is None:
            return tuple(self.gazetteer.match(text)) if self.gazetteer is not None else (), None, []
        problems: list[str] = []
        try:
            spans, score = model_spans(self.model(text), text, labels, label_map, problems)
        except Exception as exc:  # noqa: BLE001 - a user's model may raise anything; the run goes on
            return (), None, [f"the model raised {type(exc).__name__}: {exc}"]
        return spans, score, problems


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
) -> Iterator[Prediction]:
    """One prediction per unit and source that finds something (a unit with no match gets none)."""
    from curation.unitfile import iter_units  # numpy, through the settings: not for --help

    family = schema.span_family(level)
    if family is None:
        raise ValueError(f"schema {schema.name} has no span family asked at the {level} level")
    wanted, labels, label_map = check_level(level), frozenset(family.values), label_map or {}
    sources = _sources(gazetteer, model, model_version)
    errors: list[object] = []
    for unit in iter_units(units_path, level, errors):
        if not isinstance(unit, wanted):
            continue
        report.units += 1
        text = unit_text(unit)
        for source in sources:
            spans, score, problems = source.spans(text, labels, label_map)
            report.problems.extend(f"unit {unit.id} (model {source.version}): {problem}" for problem in problems)
            if spans:
                report.predictions[source.version] += 1
                report.spans[source.version] += len(spans)
                yield Prediction(unit.id, {}, spans, source.version, score)
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
    progress: Progress = SILENT,
) -> PreannotateReport:
    """Pre-annotate the ``level`` units of ``units_path``; write the predictions to ``output``
    and, with ``client`` and ``url``, send them: to the tasks pushed before, and (``new_tasks``)
    as new tasks for units not pushed yet. ``replace`` replaces a task's earlier predictions of
    the same model version instead of adding beside them. ``progress`` hears the predictions made
    (their number is not known before), then the sending."""
    report = PreannotateReport()
    progress.start("predicting", None, "predictions")
    predictions = list(counted(predict(units_path, schema, level, gazetteer=gazetteer, model=model,
                                       model_version=model_version, label_map=label_map, report=report), progress))
    if output is not None:
        report.output = Path(output)
        write_jsonl(report.output, (prediction.to_record() for prediction in predictions))
    if client is not None and url is not None:
        from curation.studio.predictions import send_predictions

        progress.start("sending predictions", len(predictions), "predictions")
        report.sent = send_predictions(client, url, schema, level, predictions, units_path=units_path if new_tasks else None,
                                       state_dir=state_dir, replace=replace)
    return report
