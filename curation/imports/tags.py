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
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

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
    decoder = _Decoder(known, label_map or {}, policy)
    for index, tag in enumerate(tags):
        decoder.read(index, tag)
    decoder.close()
    return decoder.runs, decoder.problems


class _Tag(NamedTuple):
    token: int  # the position of its token in the sentence
    text: str  # the tag as written
    prefix: str
    source_label: str  # as written
    label: str  # after the label map


@dataclass
class _Decoder:
    """One sentence's tags read token by token: the run the previous token belongs to stays open
    until a tag ends it."""

    known: frozenset[str] | set[str]
    label_map: Mapping[str, str]
    policy: RepairPolicy
    runs: list[TokenRun] = field(default_factory=list)
    problems: list[TagProblem] = field(default_factory=list)
    open_run: TokenRun | None = None  # the span the previous token belongs to
    orphan_label: str | None = None  # strict: the label of an I- run being dropped

    def read(self, index: int, text: str) -> None:
        parsed = parse_tag(text)
        if parsed is None:
            self.problems.append(TagProblem(index, f"malformed tag {text!r} (expected O or B-/I-LABEL), read as O"))
            self._outside()
            return
        prefix, source_label = parsed
        if prefix == OUTSIDE:
            self._outside()
            return
        tag = _Tag(index, text, prefix, source_label, self.label_map.get(source_label, source_label))
        if tag.label == OUTSIDE:  # the label map drops this label on purpose
            self.close()
            return
        if prefix in _INSIDE or prefix in _END:
            if not self._inside(tag):
                return
        else:
            self.close()
        self._begin(tag)

    def close(self) -> None:
        if self.open_run is not None:
            self.runs.append(self.open_run)
            self.open_run = None

    def _outside(self) -> None:
        self.close()
        self.orphan_label = None

    def _inside(self, tag: _Tag) -> bool:
        """An I-/E- tag continues the open run of its label; otherwise it is repaired, which
        returns True for it to begin a span (``lenient``), or dropped with the rest of its run
        (``strict``)."""
        run = self.open_run
        if run is not None and run.label == tag.label and run.last == tag.token - 1:
            self.open_run = TokenRun(run.first, tag.token, tag.label)
            if tag.prefix in _END:
                self.close()
            return False
        if self.orphan_label == tag.label:
            return False  # rest of an I- run already reported and dropped
        self.close()
        missing = f"{tag.text!r} without a B-{tag.source_label} before it"
        if self.policy == "strict":
            self.problems.append(TagProblem(tag.token, f"{missing}: span dropped (strict)"))
            self.orphan_label = tag.label
            return False
        self.problems.append(TagProblem(tag.token, f"{missing}: read as B-{tag.source_label}"))
        return True

    def _begin(self, tag: _Tag) -> None:
        """A span starts at ``tag`` unless the schema does not know its label (then dropped, with
        the rest of its run); S-/E- tags end it at once."""
        self.orphan_label = None
        if tag.label not in self.known:
            shown = tag.source_label if tag.label == tag.source_label else f"{tag.source_label} (mapped to {tag.label})"
            self.problems.append(TagProblem(tag.token, f"unknown label {shown} in {tag.text!r}: span dropped"))
            self.orphan_label = tag.label
            return
        self.open_run = TokenRun(tag.token, tag.token, tag.label)
        if tag.prefix in _SINGLE or tag.prefix in _END:
            self.close()
