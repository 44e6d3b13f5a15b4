"""Adjudication: one gold answer per unit and family, by an explicit chain of policies.

Policies are tried in the order given and the first that decides wins, so
``("ground-truth", "reviewer", "majority")`` reads "a Label Studio ground-truth annotation, else the
reviewer's answer, else the majority". A unit no policy can decide gets no gold and is listed as an
unresolved conflict with the reason of every policy; ties are never broken silently. Every unit
where annotators disagree is listed as a conflict with all answers side by side, resolved or not.

Entity families are decided span by span: each mention anyone marked is kept or rejected on its
own by the same chain, so one disputed mention no longer costs the sentence its agreed ones; a
unit gets gold once none of its mentions is still disputed, and only the disputed mentions need a
reviewer. Review decisions come in separately (``reviews=``, the review project's store): they
decide, but they are never an annotator's answer and never enter the agreement figures.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

from curation.agreement.answers import (
    Answer,
    AnswerTable,
    AnswerValue,
    ChoiceValue,
    Family,
    SpanValue,
    collect_answers,
    span_sort_key,
)
from curation.schema import Schema
from curation.units import Annotation, EntitySpan

GROUND_TRUTH = "ground-truth"
REVIEWER = "reviewer"
MAJORITY = "majority"
UNANIMOUS = "unanimous-only"
POLICIES = (GROUND_TRUTH, REVIEWER, MAJORITY, UNANIMOUS)
DEFAULT_POLICY = (GROUND_TRUTH, MAJORITY)
Outcome = Literal["kept", "rejected", "disputed"]


@dataclass(frozen=True, slots=True)
class Gold:
    """The adjudicated answer for one family on one unit and which policy produced it (for entity
    families, every policy that decided one of its mentions, in chain order, joined by ``+``)."""

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
class SpanDecision:
    """The fate of one mention (offsets and label) that an annotator, reviewer or ground truth marked."""

    unit_id: str
    level: str
    family: str
    span: EntitySpan
    marked_by: tuple[str, ...]
    annotators: int
    outcome: Outcome
    source: str | None
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit_id": self.unit_id,
            "family": self.family,
            "span": self.span.to_dict(),
            "marked_by": list(self.marked_by),
            "annotators": self.annotators,
            "outcome": self.outcome,
            "source": self.source,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class Conflict:
    """A unit and family where the answers differ (or no policy could decide); for entity
    families ``disputed`` holds the mentions still undecided, the only ones a reviewer must judge."""

    unit_id: str
    level: str
    family: str
    answers: tuple[Answer, ...]
    gold: AnswerValue | None
    resolved_by: str | None
    reason: str
    disputed: tuple[EntitySpan, ...] = ()

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
            "disputed": value_to_json(self.disputed),
        }


@dataclass(slots=True)
class Adjudication:
    """``gold[unit_id][family]``, every conflict in unit order, and every mention's decision."""

    policy: tuple[str, ...]
    reviewer: str | None
    gold: dict[str, dict[str, Gold]]
    conflicts: list[Conflict]
    table: AnswerTable
    spans: list[SpanDecision] = field(default_factory=list)
    reviews: AnswerTable | None = None

    @property
    def unresolved(self) -> list[Conflict]:
        return [c for c in self.conflicts if not c.resolved]

    def gold_value(self, unit_id: str, family: str) -> AnswerValue | None:
        """The gold labels (or spans) of a unit, ``None`` when there is no gold for it."""
        gold = self.gold.get(unit_id, {}).get(family)
        return None if gold is None else gold.value

    def gold_records(self) -> list[dict[str, Any]]:
        return [g.to_dict() for unit in self.gold.values() for g in unit.values()]

    def span_yield(self) -> dict[str, Any]:
        """How many marked mentions got a decision, and how many of those needed no reviewer."""
        outcomes = Counter(d.outcome for d in self.spans)
        sources = Counter(d.source for d in self.spans if d.source)
        without_review = sum(n for source, n in sources.items() if source != REVIEWER)
        total = len(self.spans)
        span_units = {(d.unit_id, d.family) for d in self.spans}
        complete = sum(1 for unit, family in span_units if family in self.gold.get(unit, {}))
        return {
            "spans": total,
            "kept": outcomes["kept"],
            "rejected": outcomes["rejected"],
            "disputed": outcomes["disputed"],
            "decided_by": dict(sorted(sources.items())),
            "decided_without_review": without_review,
            "yield_without_review": round(without_review / total, 6) if total else None,
            "units_with_spans": len(span_units),
            "units_with_gold": complete,
        }

    def to_dict(self) -> dict[str, Any]:
        sources = Counter(g.source for unit in self.gold.values() for g in unit.values())
        return {
            "policy": list(self.policy),
            "reviewer": self.reviewer,
            "reviews": 0 if self.reviews is None else self.reviews.total_annotations,
            "gold": len(self.gold_records()),
            "gold_by_source": dict(sorted(sources.items())),
            "conflicts": len(self.conflicts),
            "unresolved": len(self.unresolved),
            "span_yield": self.span_yield(),
            "conflict_list": [c.to_dict() for c in self.conflicts],
            "disputed_spans": [d.to_dict() for d in self.spans if d.outcome == "disputed"],
        }


def value_to_json(value: AnswerValue) -> list[Any]:
    return [v.to_dict() if isinstance(v, EntitySpan) else v for v in value]


def _describe(value: AnswerValue) -> str:
    return "[" + ", ".join(f"{v.label}:{v.start}-{v.end}" if isinstance(v, EntitySpan) else v for v in value) + "]"


@dataclass(frozen=True, slots=True)
class Ballot:
    """Everything a policy may look at for one unit and family."""

    family: Family
    answers: tuple[Answer, ...]
    reviews: tuple[Answer, ...] | None
    reviewer: str | None

    def review_values(self) -> tuple[set[AnswerValue], str]:
        """The reviewed values (review decisions when given, else the named annotator's answer)
        and why there are none."""
        if self.reviews is None:
            values = {a.value for a in self.answers if a.annotator == self.reviewer}
            return values, f"reviewer {self.reviewer} did not answer"
        values = {r.value for r in self.reviews if self.reviewer in (None, r.annotator)}
        return values, "not reviewed" if self.reviewer is None else f"not reviewed by {self.reviewer}"


# A unit policy decides (value, "") or declines (None, why); a span policy keeps (True) or rejects
# (False) one mention, or declines (None, why).
Decision = tuple[AnswerValue | None, str]
SpanVerdict = tuple[bool | None, str]


def _ground_truth(ballot: Ballot) -> Decision:
    values = {a.value for a in ballot.answers if a.ground_truth}
    if not values:
        return None, "no ground-truth annotation"
    if len(values) > 1:
        return None, "ground-truth annotations disagree"
    return values.pop(), ""


def _reviewer(ballot: Ballot) -> Decision:
    values, why = ballot.review_values()
    if not values:
        return None, why
    if len(values) > 1:
        return None, "review decisions disagree"
    return values.pop(), ""


def _unanimous(ballot: Ballot) -> Decision:
    values = {a.value for a in ballot.answers}
    return (values.pop(), "") if len(values) == 1 else (None, "answers are not unanimous")


def _majority(ballot: Ballot) -> Decision:
    """Single-choice families: the most frequent answer, if only one is most frequent. Multi-choice
    families: each label kept when more than half the annotators gave it; one given by exactly
    half is a tie. No label is not an answer."""
    if not ballot.answers:
        return None, "no readable answer (regions set aside)"
    if ballot.family.multiple:
        return _majority_of_labels(ballot.answers)
    return _most_frequent(ballot.answers)


def _most_frequent(answers: tuple[Answer, ...]) -> Decision:
    ranked = Counter(a.value for a in answers).most_common()
    top = [value for value, count in ranked if count == ranked[0][1]]
    if len(top) > 1:
        return None, f"tie between {', '.join(sorted(map(_describe, top)))} ({ranked[0][1]} each)"
    return top[0], ""


def _majority_of_labels(answers: tuple[Answer, ...]) -> Decision:
    """Multi-choice: each label kept when more than half of the annotators gave it."""
    votes = Counter(item for a in answers for item in cast(ChoiceValue, a.value))
    ties = [_describe((item,)) for item, n in sorted(votes.items()) if 2 * n == len(answers)]
    if ties:
        return None, f"tie on {', '.join(ties)} (given by half of {len(answers)} annotators)"
    kept = tuple(sorted(item for item, n in votes.items() if 2 * n > len(answers)))
    if not kept:
        return None, f"no label given by more than half of {len(answers)} annotators"
    return kept, ""


def _decided_span(value: AnswerValue | None, why: str, span: EntitySpan) -> SpanVerdict:
    """A unit-level decision read for one mention: kept if the decided value holds it."""
    return (None, why) if value is None else (span in value, "")


def _span_votes(ballot: Ballot, span: EntitySpan) -> tuple[int, int]:
    """(annotators who marked ``span``, annotators who vote on it: see :meth:`Answer.speaks_for`)."""
    voters = [a for a in ballot.answers if a.speaks_for(span)]
    return sum(span in a.value for a in voters), len(voters)


def _span_majority(ballot: Ballot, span: EntitySpan) -> SpanVerdict:
    votes, voters = _span_votes(ballot, span)
    if 2 * votes == voters:
        return None, f"tie: marked by {votes} of {voters} annotators"
    return 2 * votes > voters, ""


def _span_unanimous(ballot: Ballot, span: EntitySpan) -> SpanVerdict:
    votes, voters = _span_votes(ballot, span)
    if votes in (0, voters):
        return votes > 0, ""
    return None, f"not unanimous: marked by {votes} of {voters} annotators"


UNIT_POLICIES: dict[str, Callable[[Ballot], Decision]] = {
    GROUND_TRUTH: _ground_truth,
    REVIEWER: _reviewer,
    MAJORITY: _majority,
    UNANIMOUS: _unanimous,
}
SPAN_POLICIES: dict[str, Callable[[Ballot, EntitySpan], SpanVerdict]] = {
    GROUND_TRUTH: lambda ballot, span: _decided_span(*_ground_truth(ballot), span),
    REVIEWER: lambda ballot, span: _decided_span(*_reviewer(ballot), span),
    MAJORITY: _span_majority,
    UNANIMOUS: _span_unanimous,
}


def _check_policy(policy: str | Sequence[str], reviewer: str | None, reviews_given: bool) -> tuple[str, ...]:
    chain = (policy,) if isinstance(policy, str) else tuple(policy)
    if not chain:
        raise ValueError(f"no adjudication policy given; choose from {', '.join(POLICIES)}")
    unknown = [p for p in chain if p not in UNIT_POLICIES]
    if unknown:
        raise ValueError(
            f"unknown adjudication policy {', '.join(map(str, unknown))}; choose from {', '.join(POLICIES)}"
        )
    if REVIEWER in chain and not reviewer and not reviews_given:
        raise ValueError(
            "the 'reviewer' policy needs review decisions (reviews=..., --reviews) or the reviewer's annotator name "
            "(reviewer=...)"
        )
    return chain


# What a chain makes of one unit and family: the gold value and the policy (or policies) that gave
# it, or (None, None), with the reason.
Verdict = tuple[AnswerValue | None, str | None, str]


def _decide(chain: tuple[str, ...], ballot: Ballot, unit_id: str) -> tuple[AnswerValue | None, str | None, str, list[SpanDecision]]:
    """The unit's verdict and, for an entity family, the decision on each of its mentions."""
    if ballot.family.kind == "span":
        return _decide_spans(chain, ballot, unit_id)
    value, source, reason = _decide_unit(chain, ballot)
    return value, source, reason, []


def _decide_unit(chain: tuple[str, ...], ballot: Ballot) -> Verdict:
    reasons = []
    for name in chain:
        value, why = UNIT_POLICIES[name](ballot)
        if value is not None:
            return value, name, f"decided by {name}"
        reasons.append(f"{name}: {why}")
    return None, None, "; ".join(reasons)


def _decide_spans(
    chain: tuple[str, ...], ballot: Ballot, unit_id: str
) -> tuple[AnswerValue | None, str | None, str, list[SpanDecision]]:
    """Each mention decided on its own; the unit's gold is the kept mentions once none is disputed."""
    marked = [a.value for a in ballot.answers] + [r.value for r in ballot.reviews or ()]
    candidates = sorted({span for value in marked for span in cast(SpanValue, value)}, key=span_sort_key)
    if not candidates:  # nobody marked anything: "no mention" is decided by the answers that can say so
        readable = Ballot(ballot.family, tuple(a for a in ballot.answers if not a.unread), ballot.reviews, ballot.reviewer)
        value, source, reason = _decide_unit(chain, readable)
        return value, source, reason, []
    decisions = [_decide_mention(chain, ballot, unit_id, span) for span in candidates]
    value, source, reason = _mentions_verdict(chain, decisions)
    return value, source, reason, decisions


def _decide_mention(chain: tuple[str, ...], ballot: Ballot, unit_id: str, span: EntitySpan) -> SpanDecision:
    """One mention kept or rejected by the first policy of the chain that decides it, else
    disputed with every policy's reason."""
    outcome: Outcome = "disputed"
    source, reasons = None, []
    for name in chain:
        kept, why = SPAN_POLICIES[name](ballot, span)
        if kept is not None:
            outcome, source = ("kept" if kept else "rejected"), name
            break
        reasons.append(f"{name}: {why}")
    marked_by = tuple(a.annotator for a in ballot.answers if span in a.value)
    family = ballot.family
    return SpanDecision(
        unit_id, family.level, family.name, span, marked_by, len(ballot.answers),
        outcome, source, "" if source else "; ".join(reasons),
    )  # fmt: skip


def _mentions_verdict(chain: tuple[str, ...], decisions: list[SpanDecision]) -> Verdict:
    """The kept mentions, once none is disputed; the source names every policy that decided one."""
    disputed = [d for d in decisions if d.outcome == "disputed"]
    if disputed:
        listed = ", ".join(f"{_describe((d.span,))} ({d.reason})" for d in disputed)
        return None, None, f"{len(disputed)} of {len(decisions)} mention(s) disputed: {listed}"
    used = {d.source for d in decisions}
    source = "+".join(name for name in chain if name in used)
    kept = tuple(d.span for d in decisions if d.outcome == "kept")
    return kept, source, f"decided mention by mention by {source}"


def adjudicate(
    annotations: Iterable[Annotation] | AnswerTable,
    policy: str | Sequence[str] = DEFAULT_POLICY,
    reviewer: str | None = None,
    schema: Schema | None = None,
    reviews: Iterable[Annotation] | None = None,
) -> Adjudication:
    """Gold for every unit and family that has at least one counted answer.

    ``policy`` is one name from :data:`POLICIES` or a chain tried in order. The ``reviewer`` policy
    reads ``reviews`` (the review project's annotations; ``reviewer`` then picks whose count) or,
    without them, the answer of the annotator named ``reviewer``. Put ``reviewer`` after
    ``majority`` to send only what the majority cannot decide to review.
    """
    chain = _check_policy(policy, reviewer, reviews is not None)
    table = annotations if isinstance(annotations, AnswerTable) else collect_answers(annotations, schema)
    review_table = None if reviews is None else collect_answers(reviews, schema)
    gold: dict[str, dict[str, Gold]] = {}
    conflicts: list[Conflict] = []
    spans: list[SpanDecision] = []
    for unit_id, ballot in _ballots(table, review_table, reviewer):
        family, answers = ballot.family, ballot.answers
        value, source, reason, decisions = _decide(chain, ballot, unit_id)
        spans.extend(decisions)
        unanimous = len({a.value for a in answers}) == 1
        if source is not None and value is not None:  # a source decided a value
            gold.setdefault(unit_id, {})[family.name] = Gold(
                unit_id, family.level, family.name, value, source, len(answers), unanimous
            )
        if not unanimous or source is None:
            disputed = _disputed(decisions)
            conflicts.append(Conflict(unit_id, family.level, family.name, answers, value, source, reason, disputed))
    conflicts.sort(key=lambda c: (c.unit_id, c.level, c.family))
    return Adjudication(chain, reviewer, dict(sorted(gold.items())), conflicts, table, spans, review_table)


def _disputed(decisions: list[SpanDecision]) -> tuple[EntitySpan, ...]:
    return tuple(d.span for d in decisions if d.outcome == "disputed")


def _ballots(table: AnswerTable, review_table: AnswerTable | None, reviewer: str | None) -> Iterator[tuple[str, Ballot]]:
    """Each unit's ballot, family by family and in unit order: its answers by annotator, and its
    review decisions when reviews were given."""
    for family in table.families:
        reviewed = review_table.units(family) if review_table is not None else {}
        for unit_id, by_annotator in sorted(table.units(family).items()):
            answers = tuple(by_annotator[a] for a in sorted(by_annotator))
            unit_reviews = None if review_table is None else tuple(reviewed.get(unit_id, {}).values())
            yield unit_id, Ballot(family, answers, unit_reviews, reviewer)
