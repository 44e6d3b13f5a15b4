"""Adjudication: one gold answer per unit and family, by an explicit chain of policies.

Policies are tried in the order given and the first that decides wins, so
``("ground-truth", "reviewer", "majority")`` reads "a Label Studio ground-truth annotation, else the
reviewer's answer, else the majority". A unit no policy can decide gets no gold and is listed as an
unresolved conflict with the reason of every policy; ties are never broken silently. Every unit
where annotators disagree is listed as a conflict with all answers side by side, resolved or not.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from curation.agreement.answers import Answer, AnswerTable, AnswerValue, Family, collect_answers, span_sort_key
from curation.schema import Schema
from curation.units import Annotation, EntitySpan

GROUND_TRUTH = "ground-truth"
REVIEWER = "reviewer"
MAJORITY = "majority"
UNANIMOUS = "unanimous-only"
POLICIES = (GROUND_TRUTH, REVIEWER, MAJORITY, UNANIMOUS)
DEFAULT_POLICY = (GROUND_TRUTH, MAJORITY)


@dataclass(frozen=True, slots=True)
class Gold:
    """The adjudicated answer for one family on one unit and which policy produced it."""

    unit_id: str
    level: str
    family: str
    value: AnswerValue
    source: str
    answers: int
    unanimous: bool

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "level": self.level,
            "family": self.family,
            "value": value_to_json(self.value),
            "source": self.source,
            "answers": self.answers,
            "unanimous": self.unanimous,
        }


@dataclass(frozen=True, slots=True)
class Conflict:
    """A unit and family where the answers differ (or no policy could decide)."""

    unit_id: str
    level: str
    family: str
    answers: tuple[Answer, ...]
    gold: AnswerValue | None
    resolved_by: str | None
    reason: str

    @property
    def resolved(self) -> bool:
        return self.resolved_by is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "level": self.level,
            "family": self.family,
            "answers": {
                a.annotator: {
                    "value": value_to_json(a.value),
                    "annotation_id": a.annotation_id,
                    "ground_truth": a.ground_truth,
                }
                for a in self.answers
            },
            "gold": None if self.gold is None else value_to_json(self.gold),
            "resolved_by": self.resolved_by,
            "reason": self.reason,
        }


@dataclass(slots=True)
class Adjudication:
    """``gold[unit_id][family]`` and every conflict, in unit order."""

    policy: tuple[str, ...]
    reviewer: str | None
    gold: dict[str, dict[str, Gold]]
    conflicts: list[Conflict]
    table: AnswerTable

    @property
    def unresolved(self) -> list[Conflict]:
        return [c for c in self.conflicts if not c.resolved]

    def gold_value(self, unit_id: str, family: str) -> AnswerValue | None:
        """The gold labels (or spans) of a unit, ``None`` when there is no gold for it."""
        gold = self.gold.get(unit_id, {}).get(family)
        return None if gold is None else gold.value

    def gold_records(self) -> list[dict[str, Any]]:
        return [g.to_dict() for unit in self.gold.values() for g in unit.values()]

    def to_dict(self) -> dict[str, Any]:
        sources = Counter(g.source for unit in self.gold.values() for g in unit.values())
        return {
            "policy": list(self.policy),
            "reviewer": self.reviewer,
            "gold": len(self.gold_records()),
            "gold_by_source": dict(sorted(sources.items())),
            "conflicts": len(self.conflicts),
            "unresolved": len(self.unresolved),
            "conflict_list": [c.to_dict() for c in self.conflicts],
        }


def value_to_json(value: AnswerValue) -> list[Any]:
    return [v.to_dict() if isinstance(v, EntitySpan) else v for v in value]


def _describe(value: AnswerValue) -> str:
    return "[" + ", ".join(f"{v.label}:{v.start}-{v.end}" if isinstance(v, EntitySpan) else v for v in value) + "]"


# A policy decides (value, "") or declines (None, why).
Decision = tuple[AnswerValue | None, str]


def _ground_truth(family: Family, answers: Sequence[Answer], reviewer: str | None) -> Decision:
    values = {a.value for a in answers if a.ground_truth}
    if not values:
        return None, "no ground-truth annotation"
    if len(values) > 1:
        return None, "ground-truth annotations disagree"
    return values.pop(), ""


def _reviewer(family: Family, answers: Sequence[Answer], reviewer: str | None) -> Decision:
    for answer in answers:
        if answer.annotator == reviewer:
            return answer.value, ""
    return None, f"reviewer {reviewer} did not answer"


def _unanimous(family: Family, answers: Sequence[Answer], reviewer: str | None) -> Decision:
    values = {a.value for a in answers}
    return (values.pop(), "") if len(values) == 1 else (None, "answers are not unanimous")


def _majority(family: Family, answers: Sequence[Answer], reviewer: str | None) -> Decision:
    """Single-choice families: the most frequent answer, if only one is most frequent. Multi-choice
    and entity families: each label (or mention) kept when more than half the annotators gave it;
    one given by exactly half is a tie. No mention is a valid entity answer, no label is not."""
    if family.kind == "choice" and not family.multiple:
        ranked = Counter(a.value for a in answers).most_common()
        top = [value for value, count in ranked if count == ranked[0][1]]
        if len(top) > 1:
            return None, f"tie between {', '.join(sorted(map(_describe, top)))} ({ranked[0][1]} each)"
        return top[0], ""
    votes = Counter(item for a in answers for item in a.value)
    ties = [
        _describe((item,))
        for item, n in sorted(votes.items(), key=lambda kv: _item_key(kv[0]))
        if 2 * n == len(answers)
    ]
    if ties:
        return None, f"tie on {', '.join(ties)} (given by half of {len(answers)} annotators)"
    kept = tuple(sorted((item for item, n in votes.items() if 2 * n > len(answers)), key=_item_key))
    if not kept and family.kind == "choice":
        return None, f"no label given by more than half of {len(answers)} annotators"
    return kept, ""


def _item_key(item: str | EntitySpan) -> tuple[Any, ...]:
    return span_sort_key(item) if isinstance(item, EntitySpan) else (item,)


POLICY_FUNCTIONS: dict[str, Callable[[Family, Sequence[Answer], str | None], Decision]] = {
    GROUND_TRUTH: _ground_truth,
    REVIEWER: _reviewer,
    MAJORITY: _majority,
    UNANIMOUS: _unanimous,
}


def _check_policy(policy: str | Sequence[str], reviewer: str | None) -> tuple[str, ...]:
    chain = (policy,) if isinstance(policy, str) else tuple(policy)
    if not chain:
        raise ValueError(f"no adjudication policy given; choose from {', '.join(POLICIES)}")
    unknown = [p for p in chain if p not in POLICY_FUNCTIONS]
    if unknown:
        raise ValueError(
            f"unknown adjudication policy {', '.join(map(str, unknown))}; choose from {', '.join(POLICIES)}"
        )
    if REVIEWER in chain and not reviewer:
        raise ValueError("the 'reviewer' policy needs the reviewer's annotator name (reviewer=...)")
    return chain


def adjudicate(
    annotations: Iterable[Annotation] | AnswerTable,
    policy: str | Sequence[str] = DEFAULT_POLICY,
    reviewer: str | None = None,
    schema: Schema | None = None,
) -> Adjudication:
    """Gold for every unit and family that has at least one counted answer.

    ``policy`` is one name from :data:`POLICIES` or a chain tried in order; ``reviewer`` names the
    annotator whose answer wins under the ``reviewer`` policy.
    """
    chain = _check_policy(policy, reviewer)
    table = annotations if isinstance(annotations, AnswerTable) else collect_answers(annotations, schema)
    gold: dict[str, dict[str, Gold]] = {}
    conflicts: list[Conflict] = []
    for family in table.families:
        for unit_id, by_annotator in sorted(table.units(family).items()):
            answers = tuple(by_annotator[a] for a in sorted(by_annotator))
            unanimous = len({a.value for a in answers}) == 1
            value, source, reasons = None, None, []
            for name in chain:
                value, why = POLICY_FUNCTIONS[name](family, answers, reviewer)
                if value is not None:
                    source = name
                    break
                reasons.append(f"{name}: {why}")
            if source is not None:
                gold.setdefault(unit_id, {})[family.name] = Gold(
                    unit_id, family.level, family.name, value, source, len(answers), unanimous
                )
            if not unanimous or source is None:
                reason = f"decided by {source}" if source else "; ".join(reasons)
                conflicts.append(Conflict(unit_id, family.level, family.name, answers, value, source, reason))
    conflicts.sort(key=lambda c: (c.unit_id, c.level, c.family))
    return Adjudication(chain, reviewer, dict(sorted(gold.items())), conflicts, table)
