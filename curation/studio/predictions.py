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
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from curation.studio.contract import TEXT_KEY, StudioGateway
from curation.studio.projects import DEFAULT_STATE_DIR, ProjectRef
from curation.studio.tasks import Prediction, unit_text
from curation.units import Annotation

if TYPE_CHECKING:
    from label_studio_sdk import LabelStudio

    from curation.schema import Schema
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


def _same_result(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    def canonical(result: list[dict[str, Any]]) -> list[str]:
        return sorted(json.dumps({k: r.get(k) for k in ("from_name", "to_name", "type", "value")}, sort_keys=True) for r in result)

    return canonical(a) == canonical(b)


def _same_prediction(stored: dict[str, Any], payload: dict[str, Any], with_score: bool) -> bool:
    """``stored`` (from the server) already says what ``payload`` would; replacing also asks the same score."""
    same = _same_result(stored.get("result") or [], payload["result"])
    return same and (not with_score or stored.get("score") == payload.get("score"))


class PredictionSender:
    """Sorts one push's predictions into those riding with new tasks and those for existing
    tasks, validates them, and sends the latter (``problems`` collects what is not sent)."""

    def __init__(self, gateway: StudioGateway, ref: ProjectRef, schema: Schema, problems: list[str], *, replace: bool) -> None:
        self.gateway, self.ref, self.schema, self.problems, self.replace = gateway, ref, schema, problems, replace
        span_family = schema.span_family(ref.level)
        self.span_family = span_family.name if span_family else None
        self.existing: list[Prediction] = []
        self.sent = self.replaced = self.unchanged = 0

    def split(
        self,
        predictions: Iterable[Prediction],
        new_units: Mapping[str, Mapping[str, Any]],
        mapped: Mapping[str, int],
        known_units: set[str],
    ) -> dict[str, list[Prediction]]:
        """Valid predictions of ``new_units`` by unit id; keeps those of mapped units for later."""
        inline: dict[str, list[Prediction]] = defaultdict(list)
        for prediction in predictions:
            uid = prediction.unit_id
            if uid in new_units:
                problems = prediction_problems(prediction, unit_text(new_units[uid]), self.schema, self.ref.level)
                self.problems.extend(problems)
                if not problems:
                    inline[uid].append(prediction)
            elif uid in mapped:
                self.existing.append(prediction)
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
        wanted = {mapped[p.unit_id] for p in self.existing}
        texts = {int(t["id"]): str(t["data"].get(TEXT_KEY) or "") for t in self.gateway.iter_tasks(self.ref.id, "id,data")
                 if int(t["id"]) in wanted}
        on_server: dict[tuple[int, str | None], list[dict[str, Any]]] = defaultdict(list)
        for item in self.gateway.project_predictions(self.ref.id):
            on_server[(int(item["task"]), item.get("model_version") or None)].append(item)
        outgoing: list[dict[str, Any]] = []
        stale: list[int] = []  # with replace: the earlier predictions of the versions sent, deleted last
        for prediction in self.existing:
            task_id = mapped[prediction.unit_id]
            if task_id not in texts:
                self.problems.append(f"prediction for unit {prediction.unit_id}: task {task_id} is gone from project {self.ref.id}")
                continue
            problems = prediction_problems(prediction, texts[task_id], self.schema, self.ref.level)
            if problems:
                self.problems.extend(problems)
                continue
            payload = prediction.to_task_prediction(texts[task_id], self.span_family)
            key = (task_id, prediction.model_version)
            earlier = on_server.pop(key, []) if self.replace else on_server.get(key, [])
            same = next((old for old in earlier if _same_prediction(old, payload, self.replace)), None)
            if self.replace:
                stale.extend(int(old["id"]) for old in earlier if old is not same)
            if same is not None:
                self.unchanged += 1
                continue
            outgoing.append({"task": task_id, **payload})
        if outgoing:
            self.gateway.import_predictions(self.ref.id, outgoing)
            self.sent += len(outgoing)
        for prediction_id in stale:  # only once the new ones are stored: a task is never left without any
            self.gateway.delete_prediction(prediction_id)
            self.replaced += 1


def send_predictions(
    client: LabelStudio,
    url: str,
    schema: Schema,
    level: str,
    predictions: Iterable[Prediction],
    *,
    units_path: str | Path | None = None,
    state_dir: Path = DEFAULT_STATE_DIR,
    replace: bool = False,
) -> PushReport:
    """Send ``predictions`` (offsets in code points of the unit text) to the ``level`` project
    of ``schema`` on the server at ``url``.

    * Units of ``units_path`` (``curation segment`` output) that have no task yet become tasks
      with their predictions; without ``units_path`` only tasks pushed before are reached.
    * For tasks pushed before, predictions are added; with ``replace=True`` they replace the
      task's predictions of the same ``model_version`` (None is a version of its own).
    * Invalid predictions (unknown label, span text not the unit's, family not asked) are not
      sent; each is one line in ``report.problems`` naming the unit and label.

    Returns the :class:`~curation.studio.push.PushReport` (``predictions`` = how many were sent).
    Serialised with pushes of the same project, so it is safe beside a running ``curation push``.
    """
    from curation.studio.push import push_tasks

    return push_tasks(StudioGateway(client, url), units_path, level, schema, list(predictions), state_dir, replace_predictions=replace)
