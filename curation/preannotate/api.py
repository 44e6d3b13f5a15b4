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
from curation.schema import Schema
from curation.studio.projects import DEFAULT_STATE_DIR
from curation.studio.tasks import Prediction, unit_text
from curation.unitfile import iter_unit_records

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio

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
    family = schema.span_family(level)
    if family is None:
        raise ValueError(f"schema {schema.name} has no span family asked at the {level} level")
    labels, label_map = frozenset(family.values), label_map or {}
    sources: list[tuple[str, object]] = []
    if gazetteer is not None:
        sources.append((gazetteer_version(gazetteer), gazetteer))
    if model is not None:
        sources.append((model_version or _model_version(model), model))
    if not sources:
        raise ValueError("give a gazetteer, a model or both")
    errors: list = []
    for record in iter_unit_records(units_path, level, errors):
        report.units += 1
        text, unit_id = unit_text(record), str(record["id"])
        for version, source in sources:
            score = None
            if isinstance(source, Gazetteer):
                spans = tuple(source.match(text))
            else:
                problems: list[str] = []
                try:
                    spans, score = model_spans(source(text), text, labels, label_map, problems)  # type: ignore[operator]
                except Exception as exc:  # noqa: BLE001 - a user's model may raise anything; the run goes on
                    problems, spans = [f"the model raised {type(exc).__name__}: {exc}"], ()
                report.problems.extend(f"unit {unit_id} (model {version}): {problem}" for problem in problems)
            if spans:
                report.predictions[version] += 1
                report.spans[version] += len(spans)
                yield Prediction(unit_id, {}, spans, version, score)
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
    client: LabelStudio | None = None,
    url: str | None = None,
    state_dir: Path = DEFAULT_STATE_DIR,
    new_tasks: bool = True,
    replace: bool = False,
) -> PreannotateReport:
    """Pre-annotate the ``level`` units of ``units_path``; write the predictions to ``output``
    and, with ``client`` and ``url``, send them: to the tasks pushed before, and (``new_tasks``)
    as new tasks for units not pushed yet. ``replace`` replaces a task's earlier predictions of
    the same model version instead of adding beside them."""
    report = PreannotateReport()
    predictions = list(predict(units_path, schema, level, gazetteer=gazetteer, model=model,
                               model_version=model_version, label_map=label_map, report=report))
    if output is not None:
        report.output = Path(output)
        write_jsonl(report.output, ({"unit_id": p.unit_id, "choices": {}, "spans": [s.to_dict() for s in p.spans],
                                     "model_version": p.model_version, "score": p.score} for p in predictions))
    if client is not None and url is not None:
        from curation.studio.predictions import send_predictions

        report.sent = send_predictions(client, url, schema, level, predictions, units_path=units_path if new_tasks else None,
                                       state_dir=state_dir, replace=replace)
    return report
