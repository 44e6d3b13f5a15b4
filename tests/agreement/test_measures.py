"""Agreement figures checked against worked examples from the literature and reference code."""

from __future__ import annotations

import json
import random

import krippendorff
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats import inter_rater

from curation.agreement import agreement_report
from curation.agreement.measures import cohen, fleiss
from curation.schema import default_schema_path, load_schema
from curation.units import Annotation

# Fleiss (1971) as reproduced on Wikipedia ("Fleiss' kappa", worked example): 10 subjects, 14 raters,
# counts per category; kappa = 0.210.
FLEISS_TABLE = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", example C: 4 observers, 12 units,
# missing values; nominal alpha = 0.743.
KRIPPENDORFF_EXAMPLE = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]


def test_cohen_kappa_matches_the_textbook_two_by_two_example(make_topics):
    # 50 items: both yes 20, yes/no 5, no/yes 10, both no 15 -> p_o = 0.7, p_e = 0.5, kappa = 0.4
    pairs = [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15
    rows = {f"u{i:02d}": pair for i, pair in enumerate(pairs)}
    report = agreement_report(make_topics(rows, ["ali", "huda"]))
    topic = report.family("topic")
    assert topic.overall["cohen_kappa"] == pytest.approx(0.4)
    assert topic.pairs == [
        {
            "annotators": ["ali", "huda"],
            "units": 50,
            "observed_agreement": pytest.approx(0.7),
            "cohen_kappa": pytest.approx(0.4),
        }
    ]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.sampled_from("abc")), min_size=2, max_size=40))
def test_pairwise_cohen_kappa_equals_sklearn(pairs):
    annotations = [
        Annotation(f"u{i:02d}", "article", who, f"{i}{who}", choices={"topic": (value,)})
        for i, pair in enumerate(pairs)
        for who, value in zip(("a", "b"), pair, strict=True)
    ]
    figures = agreement_report(annotations).family("topic").pairs[0]
    left, right = zip(*pairs, strict=True)
    if len(set(left) | set(right)) < 2:
        assert figures["cohen_kappa"] is None
    else:
        assert figures["cohen_kappa"] == pytest.approx(cohen_kappa_score(left, right), abs=1e-6)


def test_fleiss_kappa_reproduces_fleiss_1971(make_topics):
    categories = ["c1", "c2", "c3", "c4", "c5"]
    raters = [f"r{i:02d}" for i in range(14)]
    rows = {}
    for subject, counts in enumerate(FLEISS_TABLE):
        answers = [c for c, n in zip(categories, counts, strict=True) for _ in range(n)]
        rows[f"s{subject:02d}"] = answers
    topic = agreement_report(make_topics(rows, raters)).family("topic")
    assert topic.overall["fleiss_kappa"] == pytest.approx(0.210, abs=5e-4)
    assert topic.overall["fleiss_units"] == 10 and topic.overall["fleiss_raters_per_unit"] == 14
    assert "cohen_kappa" not in topic.overall  # more than two annotators


@settings(max_examples=80, deadline=None)
@given(st.lists(st.lists(st.sampled_from("abcd"), min_size=3, max_size=3), min_size=1, max_size=30))
def test_fleiss_kappa_is_the_figure_statsmodels_gives(units):
    """The numpy formula stands in for statsmodels (a second and 130 MB to import): same figure, to the bit."""
    ratings = {f"u{i:02d}": {f"r{j}": value for j, value in enumerate(unit)} for i, unit in enumerate(units)}
    categories = sorted({v for unit in units for v in unit})
    ours = fleiss(ratings).kappa
    if len(categories) < 2:
        assert ours is None
        return
    table = np.array([[unit.count(c) for c in categories] for unit in units])
    theirs = float(inter_rater.fleiss_kappa(table, method="fleiss"))
    assert ours == (None if np.isnan(theirs) else theirs)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abcd"), st.sampled_from("abcd")), min_size=1, max_size=40))
def test_cohen_kappa_is_the_figure_statsmodels_gives(pairs):
    categories = sorted({v for pair in pairs for v in pair})
    ours = cohen(pairs)
    if len(categories) < 2:
        assert ours is None
        return
    table = np.zeros((len(categories), len(categories)))
    for left, right in pairs:
        table[categories.index(left), categories.index(right)] += 1
    assert ours == float(inter_rater.cohens_kappa(table, return_results=False))


def test_agreement_figures_load_neither_statsmodels_nor_scipy_stats():
    """Every report and ``agree`` pays for what the agreement figures import."""
    import subprocess
    import sys

    code = ("import sys; from curation.agreement import agreement_report; from curation.units import Annotation; "
            "agreement_report([Annotation('u', 'article', who, who, choices={'topic': (who,)}) for who in 'ab']); "
            "print(sorted(m for m in ('statsmodels', 'scipy.stats', 'pandas', 'sklearn') if m in sys.modules))")  # fmt: skip
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "[]"


def test_krippendorff_alpha_reproduces_the_worked_example_with_missing_answers(make_topics):
    observers = ["A", "B", "C", "D"]
    rows = {
        f"u{unit:02d}": [None if row[unit] is None else str(row[unit]) for row in KRIPPENDORFF_EXAMPLE]
        for unit in range(12)
    }
    topic = agreement_report(make_topics(rows, observers)).family("topic")
    assert topic.overall["krippendorff_alpha"] == pytest.approx(0.743, abs=5e-4)
    reference = krippendorff.alpha(
        reliability_data=np.array(KRIPPENDORFF_EXAMPLE, dtype=float), level_of_measurement="nominal"
    )
    assert topic.overall["krippendorff_alpha"] == pytest.approx(reference, abs=1e-6)
    # Fleiss needs equal raters per unit: units 2-9 have all four observers, the rest fewer.
    assert (topic.overall["fleiss_units"], topic.overall["fleiss_raters_per_unit"]) == (8, 4)
    assert topic.units == 12


def test_per_label_kappa_is_the_binary_chose_it_or_not_kappa(make_topics):
    rng = random.Random(7)
    rows = {f"u{i:02d}": (rng.choice("xyz"), rng.choice("xyz")) for i in range(40)}
    topic = agreement_report(make_topics(rows, ["a", "b"])).family("topic")
    by_label = {row["label"]: row for row in topic.labels}
    assert sorted(by_label) == ["x", "y", "z"]
    for label, row in by_label.items():
        left = [rows[u][0] == label for u in sorted(rows)]
        right = [rows[u][1] == label for u in sorted(rows)]
        assert row["cohen_kappa"] == pytest.approx(cohen_kappa_score(left, right), abs=1e-6)
        assert row["answers_with_label"] == sum(left) + sum(right)


def test_annotator_against_the_rest_uses_the_others_plurality(make_topics):
    rows = {
        "u1": ("pol", "pol", "pol"),
        "u2": ("eco", "eco", "pol"),
        "u3": ("pol", "eco", "eco"),
        "u4": ("eco", "pol", "spo"),  # for every annotator the other two tie: left out
        "u5": ("spo", "spo", None),  # carol did not answer
    }
    topic = agreement_report(make_topics(rows, ["ann", "bob", "carol"])).family("topic")
    rest = {row["annotator"]: row for row in topic.against_rest}
    # ann vs plurality of (bob, carol): u1 pol/pol, u2 eco/- (tie eco-pol: out), u3 pol/eco, u5 spo/spo
    ann_pairs = [("pol", "pol"), ("pol", "eco"), ("spo", "spo")]
    assert rest["ann"]["units"] == 3
    assert rest["ann"]["observed_agreement"] == pytest.approx(2 / 3)
    assert rest["ann"]["cohen_kappa"] == pytest.approx(cohen_kappa_score(*zip(*ann_pairs, strict=True)), abs=1e-6)
    # carol vs plurality of (ann, bob): u1 pol/pol, u2 pol/eco; u3 (pol, eco tie) and u4 out
    assert rest["carol"]["units"] == 2
    assert rest["carol"]["observed_agreement"] == pytest.approx(0.5)


def test_figures_are_undefined_rather_than_nan_when_everyone_agrees_on_one_label(make_topics):
    rows = {f"u{i}": ("pol", "pol") for i in range(5)}
    topic = agreement_report(make_topics(rows, ["a", "b"])).family("topic")
    assert topic.overall["krippendorff_alpha"] is None
    assert topic.overall["cohen_kappa"] is None
    assert topic.overall["fleiss_kappa"] is None
    assert topic.overall["observed_agreement"] == 1.0
    json.dumps(agreement_report(make_topics(rows, ["a", "b"])).to_dict(), allow_nan=False)


def test_alpha_is_undefined_when_the_units_two_annotators_answered_hold_one_label(make_topics):
    """Before: a unit answered once with another label made the categories two, and krippendorff
    raised "There has to be more than one value in the domain" on the pairable units' one label."""
    rows = {"u0": ("pol", "pol"), "u1": ("pol", "pol"), "u2": ("eco", None)}
    topic = agreement_report(make_topics(rows, ["a", "b"])).family("topic")
    assert topic.overall["krippendorff_alpha"] is None
    assert topic.overall["observed_agreement"] == 1.0


def test_multi_choice_answers_are_compared_as_whole_sets_and_per_label():
    def answer(unit: str, who: str, *labels: str) -> Annotation:
        return Annotation(unit, "article", who, f"{unit}{who}", choices={"topic": labels})

    annotations = [
        answer("u1", "a", "politics", "security"),
        answer("u1", "b", "security", "politics"),  # same set, other order
        answer("u2", "a", "politics", "economy"),
        answer("u2", "b", "politics"),
        answer("u3", "a", "sport"),
        answer("u3", "b", "sport"),
    ]
    topic = agreement_report(annotations).family("topic")
    assert topic.family.multiple
    assert topic.pairs[0]["observed_agreement"] == pytest.approx(2 / 3)
    politics = next(row for row in topic.labels if row["label"] == "politics")
    assert politics["observed_agreement"] == 1.0  # both chose politics on u1 and u2, neither on u3
    economy = next(row for row in topic.labels if row["label"] == "economy")
    assert economy["observed_agreement"] == pytest.approx(2 / 3)


SENTENCE = "استقبل الرئيس عبد الفتاح السيسي في القاهرة وفد البنك الدولي"


def test_span_f1_ignores_span_order_and_surrounding_whitespace(make_span, make_entities):
    person = make_span("عبد الفتاح السيسي", SENTENCE, "PER")
    city = make_span("القاهرة", SENTENCE, "LOC")
    padded_person = make_span(" عبد الفتاح السيسي ", SENTENCE, "PER")
    annotations = [
        make_entities("s1", "a", [person, city]),
        make_entities("s1", "b", [city, padded_person]),
    ]
    entity = agreement_report(annotations).family("entity")
    assert entity.overall == {
        "spans": 4,
        "exact_matches": 2,
        "exact_f1": 1.0,
        "overlap_matches": 2,
        "overlap_f1": 1.0,
    }


def test_overlap_matching_is_one_to_one_and_label_sensitive(make_span, make_entities):
    annotations = [
        make_entities(
            "s1",
            "a",
            [make_span("الرئيس عبد الفتاح السيسي", SENTENCE, "PER"), make_span("البنك الدولي", SENTENCE, "ORG")],
        ),
        make_entities(
            "s1",
            "b",
            [
                make_span("عبد الفتاح", SENTENCE, "PER"),
                make_span("السيسي", SENTENCE, "PER"),
                make_span("البنك الدولي", SENTENCE, "LOC"),
            ],
        ),
    ]
    entity = agreement_report(annotations).family("entity")
    # one long PER overlaps two short ones: a single overlap match; ORG vs LOC never match
    assert entity.overall["spans"] == 5
    assert entity.overall["exact_matches"] == 0 and entity.overall["exact_f1"] == 0.0
    assert entity.overall["overlap_matches"] == 1
    assert entity.overall["overlap_f1"] == pytest.approx(2 * 1 / 5)
    labels = {row["label"]: row for row in entity.labels}
    assert labels["PER"]["overlap_f1"] == pytest.approx(2 * 1 / 3)
    assert labels["ORG"]["spans"] == 1 and labels["ORG"]["overlap_f1"] == 0.0


def test_span_agreement_sums_over_shared_units_per_pair_and_annotator(make_span, make_entities):
    other = "زار الوفد عمان ثم بيروت"
    amman, beirut = make_span("عمان", other, "LOC"), make_span("بيروت", other, "LOC")
    annotations = [
        make_entities("s1", "a", [make_span("القاهرة", SENTENCE, "LOC")]),
        make_entities("s1", "b", [make_span("القاهرة", SENTENCE, "LOC")]),
        make_entities("s1", "c", []),  # c saw no entity: an answer, not a missing one
        make_entities("s2", "a", [amman, beirut]),
        make_entities("s2", "b", [amman]),
    ]
    entity = agreement_report(annotations).family("entity")
    pairs = {tuple(row["annotators"]): row for row in entity.pairs}
    assert pairs[("a", "b")]["units"] == 2
    assert pairs[("a", "b")]["exact_f1"] == pytest.approx(2 * 2 / 5)
    assert pairs[("a", "c")]["exact_f1"] == 0.0 and pairs[("a", "c")]["spans"] == 1
    rest = {row["annotator"]: row for row in entity.against_rest}
    assert rest["c"]["spans"] == 2 and rest["c"]["exact_f1"] == 0.0
    assert rest["a"]["exact_matches"] == 2 and rest["a"]["spans"] == 6


def test_deleted_cancelled_and_superseded_annotations_are_not_counted_but_listed():
    annotations = [
        Annotation("u1", "article", "a", "1", choices={"topic": ("pol",)}, updated_at="2026-01-01T10:00:00"),
        Annotation("u1", "article", "a", "7", choices={"topic": ("eco",)}, updated_at="2026-01-02T10:00:00"),
        Annotation("u1", "article", "b", "2", choices={"topic": ("eco",)}),
        Annotation("u1", "article", "c", "3", choices={"topic": ("pol",)}, deleted=True),
        Annotation("u1", "article", "d", "4", choices={"topic": ("pol",)}, cancelled=True),
    ]
    report = agreement_report(annotations)
    topic = report.family("topic")
    assert topic.annotators == ["a", "b"]
    assert topic.pairs[0]["observed_agreement"] == 1.0  # a's later answer (eco) is the one counted
    data = report.to_dict()
    assert data["annotations"] == {
        "total": 5,
        "counted": 2,
        "not_counted": {"cancelled": 1, "deleted": 1, "superseded": 1},
    }
    assert [(e["annotator"], e["annotation_id"], e["kind"]) for e in data["not_counted"]] == [
        ("a", "1", "superseded"),
        ("c", "3", "deleted"),
        ("d", "4", "cancelled"),
    ]
    assert "never count" in data["counting_rule"]


def test_report_is_identical_whatever_the_input_order(make_topics, make_span, make_entities):
    rng = random.Random(3)
    annotations = make_topics(
        {f"u{i}": (rng.choice("xyz"), rng.choice("xyz"), rng.choice("xyz")) for i in range(30)}, ["a", "b", "c"]
    )
    annotations += [
        make_entities("s1", "a", [make_span("القاهرة", SENTENCE, "LOC")]),
        make_entities("s1", "b", [make_span("السيسي", SENTENCE, "PER")]),
    ]
    expected = json.dumps(agreement_report(annotations).to_dict(), ensure_ascii=False, allow_nan=False)
    for _ in range(3):
        rng.shuffle(annotations)
        assert json.dumps(agreement_report(annotations).to_dict(), ensure_ascii=False) == expected


def test_schema_fixes_the_families_and_unknown_values_are_kept_and_reported():
    schema = load_schema(default_schema_path())
    annotations = [
        Annotation("a1", "article", "a", "1", choices={"stance": ("favor",), "topic": ("politics",)}),
        Annotation("a1", "article", "b", "2", choices={"stance": ("pro",), "topic": ("politics",), "tone": ("calm",)}),
        Annotation("s1", "sentence", "a", "3", choices={"stance": ("against",)}),
        Annotation("s1", "sentence", "b", "4", choices={"stance": ("against",)}),
    ]
    report = agreement_report(annotations, schema)
    keys = [(f.family.name, f.family.level) for f in report.families]
    assert keys == [
        ("stance", "article"),
        ("tone", "article"),
        ("topic", "article"),
        ("entity", "sentence"),
        ("stance", "sentence"),
    ]
    assert report.family("stance", "article").pairs[0]["observed_agreement"] == 0.0  # "pro" kept, disagrees
    assert report.family("stance", "sentence").pairs[0]["observed_agreement"] == 1.0
    # a sentence annotation without spans is an answer "no entity" under a schema with an entity family
    assert report.family("entity").units == 1 and report.family("entity").overall["spans"] == 0
    issues = report.to_dict()["issues"]
    assert any("stance value(s) ['pro'] not in the schema" in issue for issue in issues)
    assert any("family 'tone' at level 'article' is not in the schema" in issue for issue in issues)
    topic_labels = [row["label"] for row in report.family("topic").labels]
    assert topic_labels == sorted(schema.family("topic").values)
