"""Arabic word lists the segmenter's and the gazetteer's rules read (one entry a line, ``#`` starts a
comment): kept as data so that a corpus can be served by editing a list, not the code."""

from __future__ import annotations

from functools import cache
from importlib.resources import files


@cache
def word_list(name: str) -> tuple[str, ...]:
    """The entries of ``curation/segment/data/<name>.txt`` in file order, comments and blanks dropped."""
    text = files(__name__).joinpath(f"{name}.txt").read_text(encoding="utf-8")
    entries = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return tuple(entry for entry in entries if entry)
