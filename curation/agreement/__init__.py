"""Agreement between annotators and adjudication into gold labels.

Two entry points: :func:`agreement_report` (figures per family, label, pair and annotator) and
:func:`adjudicate` (gold per unit and family, plus every conflict). Both take
``curation.units.Annotation`` records; deleted and cancelled annotations never count as answers.
"""

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
from curation.agreement.report import AgreementReport, FamilyAgreement, agreement_report

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
