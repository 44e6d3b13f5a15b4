"""Pre-annotation: predictions from a gazetteer matched the Arabic way (clitics, diacritics,
letter variants) and from any model callable, for annotators to correct rather than start blank.

    >>> from curation.preannotate import load_gazetteer, preannotate
"""

from curation.preannotate.api import Limits, PreannotateReport, gazetteer_version, preannotate, predict
from curation.preannotate.clitics import MatchRules, stems
from curation.preannotate.gazetteer import Gazetteer, load_gazetteer
from curation.preannotate.model import Model, ModelAnswer, load_model, model_spans

__all__ = [
    "Gazetteer",
    "Limits",
    "MatchRules",
    "Model",
    "ModelAnswer",
    "PreannotateReport",
    "gazetteer_version",
    "load_gazetteer",
    "load_model",
    "model_spans",
    "preannotate",
    "predict",
    "stems",
]
