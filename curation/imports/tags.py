"""BIO tags -> labelled token runs, with every defect reported and never contagious.

A corpus tag is read as ``O`` or ``PREFIX-LABEL`` (prefixes B, I, E, S, plus L and U of BILOU);
labels keep their exact spelling, hyphens included (``B-Population-Center``). A tag that fails
the grammar (``OO``, ``I--ORG``, ``B-PER``` with a stray backquote) is reported and read as
``O``; a label the schema does not know (after the label map) drops only its own span; an ``I-``
that does not continue a span of its label is repaired (``lenient``: it opens a span, as
conlleval does) or dropped (``strict``). The other spans of the sentence are always kept.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

RepairPolicy = Literal["lenient", "strict"]
REPAIR_POLICIES: tuple[str, ...] = ("lenient", "strict")
OUTSIDE = "O"
LABEL_PATTERN = r"[A-Za-z][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*"
_TAG = re.compile(rf"^(?P<prefix>[BIESLU])-(?P<label>{LABEL_PATTERN})$")
_BEGIN, _INSIDE, _END, _SINGLE = frozenset("B"), frozenset("I"), frozenset("EL"), frozenset("SU")


@dataclass(frozen=True, slots=True)
class TagProblem:
    """One defect, located by the position of the token in its sentence."""

    token: int
    message: str


@dataclass(frozen=True, slots=True)
class TokenRun:
    """Tokens ``[first, last]`` (inclusive) form one mention of ``label``."""

    first: int
    last: int
    label: str


def parse_tag(tag: str) -> tuple[str, str] | None:
    """``("B", "PER")`` for ``B-PER``, ``("O", "")`` for ``O``, None for a malformed tag."""
    if tag == OUTSIDE:
        return OUTSIDE, ""
    match = _TAG.match(tag)
    return (match["prefix"], match["label"]) if match else None


def tag_labels(tags: Sequence[str]) -> list[str]:
    """The distinct well-formed labels of ``tags``, in order of first appearance."""
    seen: dict[str, None] = {}
    for tag in tags:
        parsed = parse_tag(tag)
        if parsed and parsed[1]:
            seen.setdefault(parsed[1], None)
    return list(seen)


def decode_tags(
    tags: Sequence[str],
    known: frozenset[str] | set[str],
    label_map: Mapping[str, str] | None = None,
    policy: RepairPolicy = "lenient",
) -> tuple[list[TokenRun], list[TagProblem]]:
    """Spans of one sentence's tags and every problem found, each naming its token."""
    label_map = label_map or {}
    runs: list[TokenRun] = []
    problems: list[TagProblem] = []
    open_run: TokenRun | None = None  # the span the previous token belongs to
    orphan_label: str | None = None  # strict: the label of an I- run being dropped

    def close() -> None:
        nonlocal open_run
        if open_run is not None:
            runs.append(open_run)
            open_run = None

    for index, tag in enumerate(tags):
        parsed = parse_tag(tag)
        if parsed is None:
            problems.append(TagProblem(index, f"malformed tag {tag!r} (expected O or B-/I-LABEL), read as O"))
            close()
            orphan_label = None
            continue
        prefix, source_label = parsed
        if prefix == OUTSIDE:
            close()
            orphan_label = None
            continue
        label = label_map.get(source_label, source_label)
        if label == OUTSIDE:  # the label map drops this label on purpose
            close()
            continue
        continues = open_run is not None and open_run.label == label and open_run.last == index - 1
        if prefix in _INSIDE or prefix in _END:
            if continues:
                assert open_run is not None
                open_run = TokenRun(open_run.first, index, label)
                if prefix in _END:
                    close()
                continue
            if orphan_label == label:
                continue  # rest of an I- run already reported and dropped
            close()
            if policy == "strict":
                problems.append(TagProblem(index, f"{tag!r} without a B-{source_label} before it: span dropped (strict)"))
                orphan_label = label
                continue
            problems.append(TagProblem(index, f"{tag!r} without a B-{source_label} before it: read as B-{source_label}"))
        else:
            close()
        orphan_label = None
        if label not in known:
            shown = source_label if label == source_label else f"{source_label} (mapped to {label})"
            problems.append(TagProblem(index, f"unknown label {shown} in {tag!r}: span dropped"))
            orphan_label = label
            continue
        open_run = TokenRun(index, index, label)
        if prefix in _SINGLE or prefix in _END:
            close()
    close()
    return runs, problems
