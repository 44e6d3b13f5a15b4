"""Where a Label Studio text region points, checked against the text it claims to cover.

Label Studio 1.23's web UI stores Text region offsets in Unicode code points: its frontend
(``libs/editor/src/utils/selection-tools.js``) turns every DOM range into offsets with
``charsToCodePoints`` (``[...text].length``) before saving, and draws stored regions back the
same way. Python strings index code points too, so offsets go out and come back unchanged; what
this module adds is the check of every region against the ``text`` Label Studio stores with it,
and a reason a person can act on when they disagree (including the tell-tale case of a client
that counted JavaScript UTF-16 units instead, e.g. a script posting ``str.length`` offsets).
The browser tests in ``tests/studio/test_studio_ui.py`` pin this against the real UI.
"""

from __future__ import annotations

from dataclasses import dataclass

SHOWN_CHARS = 40


def _quote(text: str) -> str:
    return repr(text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…")


def utf16_to_codepoint(text: str, utf16_index: int) -> int | None:
    """The code point offset of a JavaScript string index, or None inside a surrogate pair or past the end."""
    units = 0
    for index, char in enumerate(text):
        if units == utf16_index:
            return index
        units += 2 if ord(char) > 0xFFFF else 1
        if units > utf16_index:
            return None
    return len(text) if units == utf16_index else None


@dataclass(frozen=True, slots=True)
class RegionPlace:
    """A region's code point offsets into the task text, or why they cannot be trusted."""

    start: int
    end: int
    problem: str | None = None


def place_region(text: str, start: object, end: object, shown: object) -> RegionPlace:
    """Check a stored region (``value.start``, ``value.end``, ``value.text``) against ``text``.

    The region is valid when its offsets are integers inside the text, start before end, and
    ``text[start:end]`` is exactly what Label Studio says the region shows (``shown``; a region
    without ``text`` is checked for bounds only).
    """
    if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int) or not isinstance(end, int):
        return RegionPlace(0, 0, f"offsets are not integers (start={start!r}, end={end!r})")
    where = f"[{start}:{end}]"
    if not 0 <= start < end <= len(text):
        problem = f"offsets {where} outside the text (0..{len(text)} code points, start before end)"
        return RegionPlace(start, end, problem + _utf16_hint(text, start, end, shown))
    if shown is None or shown == text[start:end]:
        return RegionPlace(start, end)
    problem = f"Label Studio shows {_quote(str(shown))} at {where} but the text has {_quote(text[start:end])} there"
    return RegionPlace(start, end, problem + _utf16_hint(text, start, end, shown))


def _utf16_hint(text: str, start: int, end: int, shown: object) -> str:
    """Explain a mismatch that UTF-16 offsets would resolve, or where the shown text really is."""
    cp_start, cp_end = utf16_to_codepoint(text, start), utf16_to_codepoint(text, end)
    if cp_start is not None and cp_end is not None and cp_start < cp_end and text[cp_start:cp_end] == shown:
        return (
            f"; read as JavaScript UTF-16 units they would cover [{cp_start}:{cp_end}]: the client that wrote this "
            "region counted UTF-16 units, not code points as the Label Studio 1.23 web UI does"
        )
    if isinstance(shown, str) and shown:
        found = text.find(shown)
        if found >= 0:
            return f"; the shown text occurs at [{found}:{found + len(shown)}]"
        return "; the shown text does not occur in the task text (was the task text edited?)"
    return ""


def reach(text: str, start: object, end: object, shown: object) -> tuple[int, int]:
    """The code points a region kept out of an answer may concern: its own span when it is placed
    in ``text``, else the whole text (where the annotator meant it is then unknown)."""
    place = place_region(text, start, end, shown)
    return (0, len(text)) if place.problem else (place.start, place.end)
