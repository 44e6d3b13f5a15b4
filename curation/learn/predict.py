"""The trained model's predictions for the units of a units file, in the shape every prediction
path takes (:class:`~curation.studio.tasks.Prediction`: choices, spans, score, model version)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from curation.learn.model import BATCH, TrainedModel
from curation.studio.tasks import check_level, unit_text

if TYPE_CHECKING:
    from curation.studio.tasks import Prediction


def unit_predictions(
    model: TrainedModel, units: Path, level: str, errors: list[object], parents: dict[str, str] | None = None
) -> Iterator[Prediction]:
    """One prediction per ``level`` unit, batch by batch (unreadable lines go to ``errors``);
    ``parents``, when given, is filled with each sentence's article id in the same read."""
    from curation.unitfile import iter_units
    from curation.units import Sentence

    wanted = check_level(level)
    ids: list[str] = []
    texts: list[str] = []
    for unit in iter_units(units, level, errors):
        if isinstance(unit, wanted):
            ids.append(unit.id)
            texts.append(unit_text(unit))
        if parents is not None and isinstance(unit, Sentence):
            parents[unit.id] = unit.article_id
        if len(ids) == BATCH:
            yield from model.predict(ids, texts, level)
            ids, texts = [], []
    if ids:
        yield from model.predict(ids, texts, level)
