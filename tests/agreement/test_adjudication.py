"""Gold labels by policy chain, and conflicts listed with every answer side by side."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from curation.agreement import adjudicate, collect_answers
from curation.schema import default_schema_path, load_schema
from curation.units import Annotation

SENTENCE = "التقى وزير الخارجية أحمد عطاف نظيره في الجزائر"


def test_majority_picks_the_most_frequent_answer_and_reports_the_disagreement(make_topics):
    annotations = make_topics({"u1": ("pol", "pol", "eco"), "u2": ("eco", "eco", "eco")}, ["a", "b", "c"])
    result = adjudicate(annotations, policy="majority")
    assert result.gold_value("u1", "topic") == ("pol",)
    assert result.gold["u1"]["topic"].source == "majority"
    assert not result.gold["u1"]["topic"].unanimous and result.gold["u2"]["topic"].unanimous
    [conflict] = result.conflicts  # u2 is unanimous, not a conflict
    assert conflict.unit_id == "u1" and conflict.resolved_by == "majority"
    assert conflict.to_dict()["answers"] == {
        "a": {"value": ["pol"], "annotation_id": "u1-a", "ground_truth": False},
        "b": {"value": ["pol"], "annotation_id": "u1-b", "ground_truth": False},
        "c": {"value": ["eco"], "annotation_id": "u1-c", "ground_truth": False},
    }


def test_majority_ties_are_reported_not_broken(make_topics):
    annotations = make_topics({"u1": ("pol", "eco"), "u2": ("spo", "pol")}, ["a", "b"])
    annotations += make_topics({"u3": ("pol", "eco", "pol", "eco")}, ["a", "b", "c", "d"])
    result = adjudicate(annotations, policy="majority")
    assert result.gold == {}
    assert [c.unit_id for c in result.unresolved] == ["u1", "u2", "u3"]
    assert result.unresolved[2].reason == "majority: tie between [eco], [pol] (2 each)"
    assert result.to_dict()["unresolved"] == 3


def test_majority_on_multi_choice_keeps_labels_chosen_by_more_than_half():
    def answer(who: str, *labels: str) -> Annotation:
        return Annotation("u1", "article", who, who, choices={"topic": labels})

    result = adjudicate(
        [answer("a", "politics", "security"), answer("b", "politics"), answer("c", "security", "economy")],
        policy="majority",
    )
    assert result.gold_value("u1", "topic") == ("politics", "security")
    tie = adjudicate([answer("a", "politics", "security"), answer("b", "politics")], policy="majority")
    assert tie.gold == {} and "tie on [security]" in tie.conflicts[0].reason
    schema = load_schema(default_schema_path())  # topic is multi-choice there, whatever the answers look like
    scattered = adjudicate(
        [answer("a", "sport"), answer("b", "economy"), answer("c", "health")], policy="majority", schema=schema
    )
    assert scattered.gold == {}
    assert scattered.unresolved[0].reason == "majority: no label given by more than half of 3 annotators"


def test_majority_on_entities_keeps_mentions_most_annotators_marked(make_span, make_entities):
    person = make_span("أحمد عطاف", SENTENCE, "PER")
    city = make_span("الجزائر", SENTENCE, "LOC")
    padded_city = make_span(" الجزائر", SENTENCE, "LOC")
    annotations = [
        make_entities("s1", "a", [person, city]),
        make_entities("s1", "b", [padded_city]),  # same mention once whitespace is trimmed
        make_entities("s1", "c", [person, make_span("وزير الخارجية", SENTENCE, "PER")]),
    ]
    result = adjudicate(annotations, policy="majority")
    gold = result.gold_value("s1", "entity")
    assert [(s.text, s.label) for s in gold] == [("أحمد عطاف", "PER"), ("الجزائر", "LOC")]
    assert all(SENTENCE[s.start : s.end] == s.text for s in gold)
    assert result.conflicts[0].resolved_by == "majority"
    assert json.loads(json.dumps(result.to_dict(), ensure_ascii=False))["conflict_list"][0]["gold"][1] == {
        "start": city.start,
        "end": city.end,
        "label": "LOC",
        "text": "الجزائر",
    }


def test_reviewer_wins_where_they_answered_and_the_chain_falls_back(make_topics):
    annotations = make_topics(
        {"u1": ("pol", "pol", "eco"), "u2": ("pol", "pol", None), "u3": ("pol", "eco", None)}, ["a", "b", "rev"]
    )
    result = adjudicate(annotations, policy=["reviewer", "majority"], reviewer="rev")
    assert result.gold_value("u1", "topic") == ("eco",) and result.gold["u1"]["topic"].source == "reviewer"
    assert result.gold_value("u2", "topic") == ("pol",) and result.gold["u2"]["topic"].source == "majority"
    assert result.gold_value("u3", "topic") is None
    assert result.unresolved[0].reason == (
        "reviewer: reviewer rev did not answer; majority: tie between [eco], [pol] (1 each)"
    )


def test_ground_truth_flag_wins_unless_ground_truths_disagree():
    def answer(unit: str, who: str, value: str, ground_truth: bool = False) -> Annotation:
        return Annotation(unit, "article", who, f"{unit}{who}", choices={"stance": (value,)}, ground_truth=ground_truth)

    annotations = [
        answer("u1", "a", "pro"),
        answer("u1", "b", "pro"),
        answer("u1", "lead", "against", ground_truth=True),
        answer("u2", "a", "pro", ground_truth=True),
        answer("u2", "b", "against", ground_truth=True),
        answer("u2", "c", "against"),
    ]
    only_flag = adjudicate(annotations, policy="ground-truth")
    assert only_flag.gold_value("u1", "stance") == ("against",)
    assert only_flag.gold_value("u2", "stance") is None
    assert only_flag.unresolved[0].reason == "ground-truth: ground-truth annotations disagree"
    chained = adjudicate(annotations)  # default: ground truth, then majority
    assert chained.policy == ("ground-truth", "majority")
    assert chained.gold["u2"]["stance"].source == "majority" and chained.gold_value("u2", "stance") == ("against",)


def test_unanimous_only_keeps_gold_only_where_everyone_agrees(make_topics):
    annotations = make_topics({"u1": ("pol", "pol", "eco"), "u2": ("eco", "eco", "eco")}, ["a", "b", "c"])
    result = adjudicate(annotations, policy="unanimous-only")
    assert list(result.gold) == ["u2"]
    assert result.unresolved[0].unit_id == "u1"
    assert result.unresolved[0].reason == "unanimous-only: answers are not unanimous"


def test_cancelled_and_deleted_answers_never_vote():
    annotations = [
        Annotation("u1", "article", "a", "1", choices={"topic": ("pol",)}),
        Annotation("u1", "article", "b", "2", choices={"topic": ("eco",)}, deleted=True),
        Annotation("u1", "article", "c", "3", choices={"topic": ("eco",)}, cancelled=True),
    ]
    result = adjudicate(annotations, policy="majority")
    assert result.gold_value("u1", "topic") == ("pol",) and result.gold["u1"]["topic"].answers == 1
    assert result.conflicts == []


@pytest.mark.parametrize(
    ("policy", "reviewer", "message"),
    [
        ("vote", None, "unknown adjudication policy"),
        (["majority", "coin-flip"], None, "coin-flip"),
        ("reviewer", None, "needs review decisions"),
    ],
)
def test_bad_policies_are_refused_with_a_clear_message(make_topics, policy, reviewer, message):
    with pytest.raises(ValueError, match=message):
        adjudicate(make_topics({"u1": ("pol",)}, ["a"]), policy=policy, reviewer=reviewer)


def test_gold_records_are_json_ready_and_name_unit_family_and_source(make_topics):
    result = adjudicate(make_topics({"u2": ("eco", "eco"), "u1": ("pol", "pol")}, ["a", "b"]), policy="majority")
    assert result.gold_records() == [
        {
            "unit_id": "u1",
            "level": "article",
            "family": "topic",
            "value": ["pol"],
            "source": "majority",
            "answers": 2,
            "unanimous": True,
        },
        {
            "unit_id": "u2",
            "level": "article",
            "family": "topic",
            "value": ["eco"],
            "source": "majority",
            "answers": 2,
            "unanimous": True,
        },
    ]


def test_entities_are_decided_mention_by_mention_so_agreed_mentions_survive_a_dispute(make_span, make_entities):
    person, city = make_span("أحمد عطاف", SENTENCE, "PER"), make_span("الجزائر", SENTENCE, "GPE")
    as_loc = make_span("الجزائر", SENTENCE, "LOC")
    three = [
        make_entities("s1", "a", [person, city]),
        make_entities("s1", "b", [person, as_loc]),
        make_entities("s1", "c", [person, city]),
    ]
    result = adjudicate(three, policy="majority")
    assert result.gold_value("s1", "entity") == (person, city)
    outcomes = {(d.span.label, d.outcome, d.marked_by) for d in result.spans}
    assert outcomes == {("PER", "kept", ("a", "b", "c")), ("GPE", "kept", ("a", "c")), ("LOC", "rejected", ("b",))}
    assert result.span_yield()["yield_without_review"] == 1.0

    two = [make_entities("s1", "a", [person, city]), make_entities("s1", "b", [person, as_loc])]
    pair = adjudicate(two, policy="majority")
    assert pair.gold_value("s1", "entity") is None  # two mentions still disputed: no gold yet
    [conflict] = pair.unresolved
    assert conflict.disputed == (city, as_loc)  # the agreed person is not sent to review
    assert "2 of 3 mention(s) disputed" in conflict.reason and "tie: marked by 1 of 2 annotators" in conflict.reason
    assert pair.span_yield() | {"decided_by": None} == {
        "spans": 3, "kept": 1, "rejected": 0, "disputed": 2, "decided_by": None, "decided_without_review": 1,
        "yield_without_review": round(1 / 3, 6), "units_with_spans": 1, "units_with_gold": 0,
    }  # fmt: skip


def test_an_answer_abstains_on_mentions_where_its_regions_were_set_aside(make_span, make_entities):
    """A region kept out of an answer (a label outside the schema) may have been the very mention
    the others marked: there the answer has no vote, elsewhere its silence still says "no"."""
    person, city = make_span("أحمد عطاف", SENTENCE, "PER"), make_span("الجزائر", SENTENCE, "GPE")
    table = collect_answers([
        make_entities("s1", "a", [person, city]),
        make_entities("s1", "b", [city]),
        make_entities("s1", "c", []),
    ])  # fmt: skip
    family = next(f for f in table.families if f.kind == "span")
    answers = table.answers[family.key]["s1"]
    answers["c"] = replace(answers["c"], unread=((city.start, city.end),))  # c's "CITY" region, set aside
    result = adjudicate(table, policy="majority")
    assert result.gold_value("s1", "entity") == (city,)  # city by 2 of 2; person still 1 of 3
    assert {d.span.label: d.outcome for d in result.spans} == {"PER": "rejected", "GPE": "kept"}

    alone = collect_answers([make_entities("s2", "c", []), make_entities("s3", "a", [person])])
    only = alone.answers[family.key]["s2"]
    only["c"] = replace(only["c"], unread=((0, 5),))
    decided = adjudicate(alone, policy="majority")
    assert "s2" not in decided.gold and decided.gold_value("s3", "entity") == (person,)  # s2 is not "no entity here"


def test_review_decisions_settle_only_the_disputed_mentions_and_are_not_answers(make_span, make_entities):
    person, city = make_span("أحمد عطاف", SENTENCE, "PER"), make_span("الجزائر", SENTENCE, "GPE")
    as_loc = make_span("الجزائر", SENTENCE, "LOC")
    two = [make_entities("s1", "a", [person, city]), make_entities("s1", "lead", [person, as_loc])]
    # the reviewer (here the lead, who also annotated) picks GPE and, carelessly, drops the person
    review = [make_entities("s1", "lead", [city])]
    result = adjudicate(two, policy=["majority", "reviewer"], reviews=review)
    assert result.gold_value("s1", "entity") == (person, city)  # the agreed person stays: majority decided it
    assert result.gold["s1"]["entity"].source == "majority+reviewer"
    assert {d.span.label: d.source for d in result.spans} == {"PER": "majority", "GPE": "reviewer", "LOC": "reviewer"}
    assert result.table.units(result.table.families[0])["s1"]["lead"].value == (person, as_loc)  # answer untouched
    assert result.to_dict()["reviews"] == 1 and result.span_yield()["decided_without_review"] == 1
    unreviewed = adjudicate(two, policy=["majority", "reviewer"], reviews=[])
    assert "reviewer: not reviewed" in unreviewed.unresolved[0].reason


def test_two_reviewers_who_disagree_decide_nothing(make_topics):
    answers = make_topics({"u1": ("pol", "eco")}, ["a", "b"])
    reviews = make_topics({"u1": ("pol", "spo")}, ["r1", "r2"])
    result = adjudicate(answers, policy=["majority", "reviewer"], reviews=reviews)
    assert result.gold == {} and result.unresolved[0].reason.endswith("reviewer: review decisions disagree")
    chosen = adjudicate(answers, policy=["majority", "reviewer"], reviews=reviews, reviewer="r2")
    assert chosen.gold_value("u1", "topic") == ("spo",) and chosen.gold["u1"]["topic"].source == "reviewer"
