"""Repeated passages: seed captions found, offsets point into the page."""

from __future__ import annotations

import pytest

from curation.dedup import find_repeated_passages
from curation.units import Document, Unit


def test_repeated_captions_on_the_seed_page_are_found(seed_units: list[Unit]) -> None:
    repeated = {p.text: p for p in find_repeated_passages(seed_units)}
    caption = "يجلس سائقو شاحنات الصهاريج المالية على الكراسي في انتظار عبور الحدود بين ساحل العاج ومالي بقرية نيغون بالقرب من تنغريلا... 31 أكتوبر 2025 (أ.ف.ب)"
    assert len(repeated[caption].occurrences) == 4
    nigeria = repeated["من الجماعات الإرهابية في نيجيريا (إعلام محلي)"]
    assert {o.kind for o in nigeria.occurrences} == {"line", "caption"}
    page = next(u for u in seed_units if isinstance(u, Document) and "002_" in u.provenance.path)
    for occurrence in nigeria.occurrences:
        assert page.text[occurrence.start : occurrence.end].endswith("(إعلام محلي)")


def test_a_one_pass_stream_is_refused(seed_units: list[Unit]) -> None:
    with pytest.raises(TypeError, match="reads the units twice"):
        find_repeated_passages(iter(seed_units))
