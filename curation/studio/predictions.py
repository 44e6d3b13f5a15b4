"""Pre-annotations (model predictions) for new or existing Label Studio tasks.

Every prediction is checked against the schema and the unit text before anything is sent: a
label the schema does not know, a span whose text is not the unit's at its offsets, a family not
asked at the level: each is one problem naming the unit (and label), and that prediction is not
sent. Predictions of new tasks travel inline with the task import; predictions of tasks pushed
earlier are *added* (an identical prediction of the same model version already there is not
sent twice) or, with ``replace``, *replace* that task's predictions of the same model version:
the new ones are stored before the old ones are deleted, so no task is ever left without one.

    >>> from curation.studio.predictions import send_predictions
    >>> report = send_predictions(server.client(), server.url, schema, "sentence", predictions,
    ...                           units_path="units.jsonl", replace=True)
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curation.studio import DEFAULT_STUDIO_DIR
from curation.studio.contract import StoredPrediction, StudioGateway
from curation.studio.projects import ProjectRef
from curation.studio.selection import Selection
from curation.studio.tasks import Prediction, TaskUnit, UnitsToPush, read_units_to_push, unit_text
from curation.units import Annotation

if TYPE_CHECKING:
    from curation.schema import Schema
    from curation.studio.connection import StudioClient
    from curation.studio.push import PushReport


def prediction_problems(prediction: Prediction, text: str, schema: Schema, level: str) -> list[str]:
    """Why ``prediction`` cannot be shown on a unit whose text is ``text``; ``[]`` if it can.

    The schema judges it as it judges an annotation, except that a prediction need not answer
    every required family (annotators complete it).
    """
    as_answer = Annotation(prediction.unit_id, level, "model", "prediction",  # type: ignore[arg-type]
                           prediction.choices, prediction.spans, cancelled=True)
    who = f"prediction for unit {prediction.unit_id}" + (f" (model {prediction.model_version})" if prediction.model_version else "")
    return [f"{who}: {reason}" for reason in schema.validate(as_answer, text)]


def _same_result(a: Sequence[Mapping[str, Any]], b: Sequence[Mapping[str, Any]]) -> bool:
    def canonical(result: Sequence[Mapping[str, Any]]) -> list[str]:
        return sorted(json.dumps({k: r.get(k) for k in ("from_name", "to_name", "type", "value")}, sort_keys=True) for r in result)

    return canonical(a) == canonical(b)


def _same_prediction(stored: StoredPrediction, payload: dict[str, Any], with_score: bool) -> bool:
    """``stored`` (from the server) already says what ``payload`` would; replacing also asks the same score."""
    same = _same_result(stored.result, payload["result"])
    return same and (not with_score or stored.score == payload.get("score"))


@dataclass
class Outgoing:
    """What sending the predictions of tasks pushed before comes to: predictions to import, earlier
    ones to delete once they are stored (with ``replace``), and how many were there already."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    stale: list[int] = field(default_factory=list)
    unchanged: int = 0


class PredictionSender:
    """Sorts one push's predictions into those riding with new tasks and those for existing
    tasks, validates them, and sends the latter (``problems`` collects what is not sent)."""

    def __init__(self, gateway: StudioGateway, ref: ProjectRef, schema: Schema, problems: list[str], *, replace: bool) -> None:
        self.gateway, self.ref, self.schema, self.problems, self.replace = gateway, ref, schema, problems, replace
        span_family = schema.span_family(ref.level)
        self.span_family = span_family.name if span_family else None
        self.existing: list[Prediction] = []
        self.sent = self.replaced = self.unchanged = self.not_selected = 0

    def _valid(self, prediction: Prediction, text: str) -> bool:
        problems = prediction_problems(prediction, text, self.schema, self.ref.level)
        self.problems.extend(problems)
        return not problems

    def split(
        self,
        predictions: Iterable[Prediction],
        new_units: Mapping[str, TaskUnit],
        mapped: Mapping[str, int],
        known_units: set[str],
        left_out: Collection[str] = (),
    ) -> dict[str, list[Prediction]]:
        """Valid predictions of ``new_units`` by unit id; keeps those of mapped units for later; counts
        those of units a selection ``left_out`` that have no task (no task is made for them)."""
        inline: dict[str, list[Prediction]] = defaultdict(list)
        for prediction in predictions:
            uid = prediction.unit_id
            if uid in new_units:
                if self._valid(prediction, unit_text(new_units[uid])):
                    inline[uid].append(prediction)
            elif uid in mapped:
                self.existing.append(prediction)
            elif uid in left_out:
                self.not_selected += 1
            elif known_units:
                self.problems.append(f"prediction for unit {uid}: no such {self.ref.level} unit in the units file")
            else:
                self.problems.append(f"prediction for unit {uid}: no task for it in project {self.ref.id}; push its units first")
        return dict(inline)

    def send_to_existing(self, mapped: Mapping[str, int]) -> None:
        """Add (or replace, per model version) the predictions of tasks pushed before.

        Replacing imports the new predictions first and deletes the earlier ones of that version
        only then, so a run killed at any point leaves every task with a prediction (old, new or
        both) and a rerun finishes the job: an identical prediction already there is kept, not
        sent again, and every other one of its version is deleted."""
        if not self.existing:
            return
        outgoing = self._outgoing(mapped)
        self.unchanged += outgoing.unchanged
        if outgoing.sent:
            self.gateway.import_predictions(self.ref.id, outgoing.sent)
            self.sent += len(outgoing.sent)
        for prediction_id in outgoing.stale:  # only once the new ones are stored: a task is never left without any
            self.gateway.delete_prediction(prediction_id)
            self.replaced += 1

    def _task_texts(self, task_ids: set[int]) -> dict[int, str]:
        return {task.id: task.text or "" for task in self.gateway.iter_tasks(self.ref.id, "id,data") if task.id in task_ids}

    def _on_server(self) -> dict[tuple[int, str | None], list[StoredPrediction]]:
        """The project's predictions by task and model version."""
        found: dict[tuple[int, str | None], list[StoredPrediction]] = defaultdict(list)
        for stored in self.gateway.project_predictions(self.ref.id):
            found[(stored.task, stored.model_version)].append(stored)
        return found

    def _outgoing(self, mapped: Mapping[str, int]) -> Outgoing:
        texts = self._task_texts({mapped[p.unit_id] for p in self.existing})
        on_server = self._on_server()
        outgoing = Outgoing()
        for prediction in self.existing:
            task_id = mapped[prediction.unit_id]
            if task_id not in texts:
                self.problems.append(f"prediction for unit {prediction.unit_id}: task {task_id} is gone from project {self.ref.id}")
            elif self._valid(prediction, texts[task_id]):
                self._place(prediction, task_id, texts[task_id], on_server, outgoing)
        return outgoing

    def _place(
        self,
        prediction: Prediction,
        task_id: int,
        text: str,
        on_server: dict[tuple[int, str | None], list[StoredPrediction]],
        outgoing: Outgoing,
    ) -> None:
        """Send ``prediction`` unless the task already has the same one of its version; with
        ``replace``, every other prediction of that version becomes stale (taken from ``on_server``,
        so a version predicted twice in one push keeps both)."""
        payload = prediction.to_task_prediction(text, self.span_family)
        key = (task_id, prediction.model_version)
        earlier = on_server.pop(key, []) if self.replace else on_server.get(key, [])
        same = next((old for old in earlier if _same_prediction(old, payload, self.replace)), None)
        if self.replace:
            outgoing.stale.extend(old.id for old in earlier if old is not same)
        if same is not None:
            outgoing.unchanged += 1
        else:
            outgoing.sent.append({"task": task_id, **payload})


DEFAULT_SELECTION = Selection()  # the roles a plain push takes


def send_predictions(
    client: StudioClient,
    url: str,
    schema: Schema,
    level: str,
    predictions: Iterable[Prediction],
    *,
    units_path: str | Path | None = None,
    state_dir: Path = DEFAULT_STUDIO_DIR,
    replace: bool = False,
    selection: Selection | None = DEFAULT_SELECTION,
) -> PushReport:
    """Send ``predictions`` (offsets in code points of the unit text) to the ``level`` project
    of ``schema`` on the server at ``url``.

    * Units of ``units_path`` (``curation segment`` output) that ``selection`` keeps (default:
      what a plain `curation push` takes: body sentences, main articles and teasers; None: every unit) and
      that have no task yet become tasks with their predictions; a prediction of a unit left out
      is counted (``predictions_not_selected``), not sent. Without ``units_path`` only tasks
      pushed before are reached.
    * For tasks pushed before, predictions are added; with ``replace=True`` they replace the
      task's predictions of the same ``model_version`` (None is a version of its own).
    * Invalid predictions (unknown label, span text not the unit's, family not asked) are not
      sent; each is one line in ``report.problems`` naming the unit and label.

    Returns the :class:`~curation.studio.push.PushReport` (``predictions`` = how many were sent).
    Serialised with pushes of the same project, so it is safe beside a running ``curation push``.
    """
    from curation.studio.push import push_tasks

    found = read_units_to_push(units_path, level) if units_path is not None else UnitsToPush()
    if units_path is not None and selection is not None:
        found.select(selection, level, units_path)
    return push_tasks(StudioGateway(client, url), found, level, schema, list(predictions), state_dir, replace_predictions=replace)
