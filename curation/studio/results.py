"""Label Studio ``result`` lists <-> the data model's choices and entity spans.

Offsets are code points on both sides (what the Label Studio 1.23 web UI stores, see
:mod:`curation.studio.offsets`). Reading is region by region: a region that cannot be trusted
(offsets off the text, shown text that disagrees, a label outside the schema, an unknown result
type) is set aside with its reason and never takes the valid regions of its annotation with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from curation.studio.contract import OBJECT_NAME
from curation.studio.offsets import place_region
from curation.units import EntitySpan, content_id

if TYPE_CHECKING:
    from curation.schema import Schema


@dataclass(frozen=True, slots=True)
class SetAside:
    """One region of an annotation kept out of the store's answer, with why."""

    region: dict[str, Any]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"region": self.region, "reason": self.reason}


@dataclass(slots=True)
class ReadResult:
    """What one annotation's ``result`` list says: choices by family, valid spans, set-aside regions."""

    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    spans: tuple[EntitySpan, ...] = ()
    set_aside: list[SetAside] = field(default_factory=list)
    trimmed: list[str] = field(default_factory=list)  # regions kept without the white space at their edges


def trimmed_span(text: str, start: int, end: int) -> tuple[int, int]:
    """``start``/``end`` moved inside the white space at the edges of ``text[start:end]`` (a mouse
    drag often takes the space after a word): a mention never begins or ends with a space."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def to_results(
    text: str,
    choices: Mapping[str, Sequence[str]],
    spans: Iterable[EntitySpan],
    span_family: str | None,
) -> list[dict[str, Any]]:
    """Regions for a prediction or annotation; span offsets in code points, as the web UI reads them."""
    results: list[dict[str, Any]] = [
        {
            "id": content_id("r", name)[:10],
            "from_name": name,
            "to_name": OBJECT_NAME,
            "type": "choices",
            "value": {"choices": list(values)},
        }
        for name, values in sorted(choices.items())
    ]
    spans = list(spans)
    if spans and span_family is None:
        raise ValueError("spans given but the schema has no span family at this level")
    for span in spans:
        results.append(
            {
                "id": content_id("r", span.start, span.end, span.label)[:10],
                "from_name": span_family,
                "to_name": OBJECT_NAME,
                "type": "labels",
                "value": {"start": span.start, "end": span.end, "text": text[span.start : span.end], "labels": [span.label]},
            }
        )
    return results


def _span_label_problem(schema: Schema | None, level: str | None, label: str) -> str | None:
    if schema is None or level is None:
        return None
    family = schema.span_family(level)
    if family is None:
        return f"no span family is asked at {level} level"
    if label not in family.values:
        return f"unknown {family.name} label {label!r} (known: {', '.join(family.values)})"
    return None


def _labels_problem(schema: Schema | None, level: str | None, labels: list[str]) -> str | None:
    """Why a span region's labels cannot be kept: none chosen, or one the schema does not know."""
    if not labels:
        return "no label chosen"
    return next(filter(None, (_span_label_problem(schema, level, label) for label in labels)), None)


def _span_region(
    text: str, region: Mapping[str, Any], schema: Schema | None, level: str | None, trimmed: list[str]
) -> list[EntitySpan] | SetAside:
    """The spans a ``labels`` region marks (one per label), without white space at their edges
    (noted in ``trimmed``), or the region set aside with why."""
    value = region.get("value") or {}
    place = place_region(text, value.get("start"), value.get("end"), value.get("text"))
    labels = [str(label) for label in value.get("labels") or ()]
    where = f"{region.get('from_name')} region {region.get('id')}"
    problem = place.problem or _labels_problem(schema, level, labels)
    start, end = (place.start, place.end) if problem else trimmed_span(text, place.start, place.end)
    if not problem and start == end:
        problem = "it covers only white space"
    if problem:
        return SetAside(dict(region), f"{where}: {problem}")
    if (start, end) != (place.start, place.end):
        trimmed.append(f"{where}: white space trimmed from [{place.start}, {place.end}) to [{start}, {end}) {text[start:end]!r}")
    return [EntitySpan(start, end, label, text[start:end]) for label in labels]


def from_results(
    text: str, results: Iterable[Mapping[str, Any]], schema: Schema | None = None, level: str | None = None
) -> ReadResult:
    """Read one annotation's regions against the task ``text``; with ``schema`` and ``level`` a
    span whose label the schema does not know is set aside too (choices stay whole: a choice
    outside the schema is the annotation's problem, judged by :meth:`Schema.validate`)."""
    read = ReadResult()
    spans: list[EntitySpan] = []
    for region in results:
        kind, name = region.get("type"), str(region.get("from_name"))
        if kind == "choices":
            chosen = (region.get("value") or {}).get("choices") or ()
            read.choices[name] = read.choices.get(name, ()) + tuple(str(v) for v in chosen)
            continue
        found = (_span_region(text, region, schema, level, read.trimmed) if kind == "labels"
                 else SetAside(dict(region), f"{name} region {region.get('id')}: unsupported result type {kind!r}"))
        if isinstance(found, SetAside):
            read.set_aside.append(found)
        else:
            spans.extend(found)
    read.spans = tuple(sorted(spans, key=lambda s: (s.start, s.end, s.label)))
    return read
