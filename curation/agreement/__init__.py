"""Agreement between annotators and adjudication into gold labels.

Two entry points: :func:`agreement_report` (figures per family, label, pair and annotator) and
:func:`adjudicate` (gold per unit and family, plus every conflict). Both take
``curation.units.Annotation`` records; deleted and cancelled annotations never count as answers.
"""

from __future__ import annotations

import importlib
from typing import Any

from curation.agreement.adjudication import (
    DEFAULT_POLICY,
    POLICIES,
    Adjudication,
    Conflict,
    Gold,
    adjudicate,
)
from curation.agreement.answers import (
    COUNTING_RULE,
    Answer,
    AnswerTable,
    Family,
    abstain_where_set_aside,
    collect_answers,
    set_aside_ranges,
)

# The figures need numpy and krippendorff: resolved on first use, so reading a recipe or a store
# (segment --recipe, push, --help) does not pay for them.
_FIGURES = ("AgreementReport", "FamilyAgreement", "agreement_report")


def __getattr__(name: str) -> Any:
    if name not in _FIGURES:
        raise AttributeError(f"module 'curation.agreement' has no attribute {name!r}")
    return getattr(importlib.import_module("curation.agreement.report"), name)

__all__ = [
    "COUNTING_RULE",
    "DEFAULT_POLICY",
    "POLICIES",
    "Adjudication",
    "AgreementReport",
    "Answer",
    "AnswerTable",
    "Conflict",
    "FamilyAgreement",
    "Family",
    "Gold",
    "abstain_where_set_aside",
    "adjudicate",
    "agreement_report",
    "collect_answers",
    "set_aside_ranges",
]
