"""Label Studio ``result`` lists <-> the data model's choices and entity spans.

Label Studio regions carry UTF-16 offsets into the task's ``text``; the data model keeps code
points into the unit text. Both directions go through :class:`OffsetMap`, and any region that
cannot be read is reported as a reason instead of being dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from curation.studio.offsets import OffsetMap
from curation.units import EntitySpan, content_id

OBJECT_NAME = "text"


def to_results(
    text: str,
    choices: Mapping[str, Sequence[str]],
    spans: Iterable[EntitySpan],
    span_family: str | None,
) -> list[dict[str, Any]]:
    """Regions for a prediction or annotation; span offsets converted to UTF-16."""
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
    offsets = OffsetMap(text)
    for span in spans:
        results.append(
            {
                "id": content_id("r", span.start, span.end, span.label)[:10],
                "from_name": span_family,
                "to_name": OBJECT_NAME,
                "type": "labels",
                "value": {
                    "start": offsets.to_utf16(span.start),
                    "end": offsets.to_utf16(span.end),
                    "text": text[span.start : span.end],
                    "labels": [span.label],
                },
            }
        )
    return results


def from_results(
    text: str, results: Iterable[Mapping[str, Any]]
) -> tuple[dict[str, tuple[str, ...]], tuple[EntitySpan, ...], list[str]]:
    """Choices by family, entity spans in code points, and the reasons any region was unreadable.

    A span whose ``text`` disagrees with the unit text at the converted offsets is still
    returned (with the unit's text) and reported, so validation can keep it aside.
    """
    choices: dict[str, tuple[str, ...]] = {}
    spans: list[EntitySpan] = []
    problems: list[str] = []
    offsets: OffsetMap | None = None
    for region in results:
        kind = region.get("type")
        name = str(region.get("from_name"))
        value = region.get("value") or {}
        if kind == "choices":
            choices[name] = choices.get(name, ()) + tuple(str(v) for v in value.get("choices") or ())
        elif kind == "labels":
            offsets = offsets or OffsetMap(text)
            try:
                start, end = offsets.to_codepoint(int(value["start"])), offsets.to_codepoint(int(value["end"]))
            except (KeyError, TypeError, ValueError) as exc:
                problems.append(f"{name} region {region.get('id')}: unreadable offsets ({exc})")
                continue
            shown = value.get("text")
            if shown is not None and shown != text[start:end]:
                problems.append(
                    f"{name} region {region.get('id')} [{start}:{end}]: Label Studio shows {shown!r} "
                    f"but the unit has {text[start:end]!r} there"
                )
            for label in value.get("labels") or ():
                spans.append(EntitySpan(start, end, str(label), text[start:end]))
        else:
            problems.append(f"{name} region {region.get('id')}: unsupported result type {kind!r}")
    spans.sort(key=lambda s: (s.start, s.end, s.label))
    return choices, tuple(spans), problems
