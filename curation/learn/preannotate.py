"""``curation preannotate --trained``: the trained model's predictions, with their confidence as
score and their dedup cluster, through the one prediction path (checked against the schema, one
version's predictions replaced by a newer run of it), and the project's queue set to serve the
least sure task next (:mod:`curation.learn.queue`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from curation.fileio import write_jsonl
from curation.learn.model import TrainedModel
from curation.learn.predict import unit_predictions
from curation.learn.queue import cluster_numbers, serve_by_uncertainty
from curation.preannotate.api import PreannotateReport

if TYPE_CHECKING:
    from curation.schema import Schema
    from curation.studio.server import StudioServer
    from curation.studio.tasks import Prediction


def _with_clusters(predictions: list[Prediction], clusters: Path | None, parents: dict[str, str]) -> list[Prediction]:
    """Each prediction with its unit's dedup cluster (a sentence takes its article's, ``parents``)."""
    if clusters is None or not clusters.is_file():
        return predictions
    numbers = cluster_numbers(clusters)
    found = []
    for prediction in predictions:
        cluster = numbers.get(prediction.unit_id, numbers.get(parents.get(prediction.unit_id, "")))
        found.append(replace(prediction, cluster=cluster) if cluster is not None else prediction)
    return found


def preannotate_trained(
    model_file: Path,
    units: Path,
    schema: Schema,
    level: str,
    *,
    output: Path | None = None,
    server: StudioServer | None = None,
    state_dir: Path,
    clusters: Path | None = None,
    new_tasks: bool = True,
    replace: bool = True,
    serve_uncertain: bool = True,
) -> PreannotateReport:
    """Predict every ``level`` unit, write and/or send; with a server and ``serve_uncertain``,
    the level's project then serves the least sure task first."""
    from curation.errors import CurationError

    model = TrainedModel.load(model_file)
    if model.schema_fingerprint != schema.fingerprint:
        raise CurationError(f"{model_file}: trained on another version of schema {model.schema_name}; run `curation train` again")
    if not model.families(level):
        raise CurationError(f"{model_file}: no family of the {level} level was trained (too little gold?)")
    report = PreannotateReport()
    errors: list[object] = []
    parents: dict[str, str] = {}  # sentence -> article, from the one read of the units the predictions make
    predictions = _with_clusters(list(unit_predictions(model, units, level, errors, parents)), clusters, parents)
    report.problems.extend(str(error) for error in errors)
    report.units = len(predictions)
    report.predictions[model.version] = len(predictions)
    report.spans[model.version] = sum(len(p.spans) for p in predictions)
    if output is not None:
        report.output = output
        write_jsonl(output, (prediction.to_record() for prediction in predictions))
    if server is not None:
        from curation.studio.predictions import send_predictions

        client = server.client()
        report.sent = send_predictions(client, server.url, schema, level, predictions, units_path=units if new_tasks else None,
                                       state_dir=state_dir, replace=replace)  # fmt: skip
        if serve_uncertain and report.sent.predictions + report.sent.predictions_unchanged:
            serve_by_uncertainty(client, server.url, report.sent.project.id, model.version)
    return report
