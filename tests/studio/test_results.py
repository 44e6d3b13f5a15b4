"""Label Studio regions <-> choices and entity spans, region by region."""

from __future__ import annotations

from curation.schema import load_schema
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
    city_region = next(r for r in results if r["type"] == "labels" and r["value"]["labels"] == ["GPE"])
    assert city_region["value"]["start"] == city  # code points, as the 1.23 web UI stores them
    read = from_results(TEXT, results)
    assert read.set_aside == []
    assert read.choices == {"stance": ("favor",)}
    assert read.spans == spans


def test_a_bad_region_is_set_aside_and_the_others_kept() -> None:
    schema = load_schema()
    city = TEXT.index("باماكو")
    good = {"id": "g", "from_name": "entity", "type": "labels",
            "value": {"start": city, "end": city + 6, "text": "باماكو", "labels": ["GPE"]}}
    shifted = {"id": "s", "from_name": "entity", "type": "labels",
               "value": {"start": city + 3, "end": city + 9, "text": "باماكو", "labels": ["GPE"]}}
    unknown = {"id": "u", "from_name": "entity", "type": "labels",
               "value": {"start": city, "end": city + 6, "text": "باماكو", "labels": ["CITY"]}}
    note = {"id": "n", "from_name": "note", "type": "textarea", "value": {}}
    read = from_results(TEXT, [good, shifted, unknown, note], schema, "sentence")
    assert read.spans == (EntitySpan(city, city + 6, "GPE", "باماكو"),)
    reasons = {item.region["id"]: item.reason for item in read.set_aside}
    assert set(reasons) == {"s", "u", "n"}
    assert "UTF-16" in reasons["s"]
    assert "unknown entity label 'CITY'" in reasons["u"]
    assert reasons["n"] == "note region n: unsupported result type 'textarea'"


def test_white_space_at_a_region_edge_is_trimmed_with_a_notice() -> None:
    """A drag that takes the space after a word (or a no-break space before it) still marks the word."""
    city = TEXT.index("باماكو")
    wide = {"id": "w", "from_name": "entity", "type": "labels",
            "value": {"start": city - 1, "end": city + 6, "text": " باماكو", "labels": ["GPE"]}}
    blank = {"id": "b", "from_name": "entity", "type": "labels",
             "value": {"start": city - 1, "end": city, "text": " ", "labels": ["GPE"]}}
    read = from_results(TEXT, [wide, blank])
    assert read.spans == (EntitySpan(city, city + 6, "GPE", "باماكو"),)
    assert read.trimmed == [f"entity region w: white space trimmed from [{city - 1}, {city + 6}) to [{city}, {city + 6}) 'باماكو'"]
    [aside] = read.set_aside
    assert aside.reason == "entity region b: it covers only white space"
