"""Label Studio regions <-> choices and entity spans, with astral characters in the text."""

from __future__ import annotations

from curation.studio.results import from_results, to_results
from curation.units import EntitySpan

TEXT = "👍🏽 قال مُحَمَّد\u200f إنّ 😀 باماكو"


def test_round_trip_keeps_code_point_spans() -> None:
    name = TEXT.index("مُحَمَّد")
    city = TEXT.index("باماكو")
    spans = (
        EntitySpan(name, name + len("مُحَمَّد"), "PER", "مُحَمَّد"),
        EntitySpan(city, city + len("باماكو"), "GPE", "باماكو"),
    )
    results = to_results(TEXT, {"stance": ("favor",)}, spans, "entity")
    # Label Studio counts the two emoji (and the skin-tone modifier) twice each before the city.
    city_region = next(r for r in results if r["type"] == "labels" and r["value"]["labels"] == ["GPE"])
    assert city_region["value"]["start"] == city + 3
    choices, back, problems = from_results(TEXT, results)
    assert problems == []
    assert choices == {"stance": ("favor",)}
    assert back == spans


def test_region_text_disagreeing_with_unit_is_reported() -> None:
    region = {"id": "x", "from_name": "entity", "type": "labels",
              "value": {"start": 0, "end": 2, "text": "zz", "labels": ["PER"]}}
    _, spans, problems = from_results("abc", [region])
    assert spans == (EntitySpan(0, 2, "PER", "ab"),)
    assert problems and "'zz'" in problems[0] and "'ab'" in problems[0]


def test_unknown_region_type_is_reported_not_dropped() -> None:
    _, _, problems = from_results("abc", [{"id": "r1", "from_name": "note", "type": "textarea", "value": {}}])
    assert problems == ["note region r1: unsupported result type 'textarea'"]
