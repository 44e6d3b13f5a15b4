"""What a Label Studio task holds for one unit of ``curation segment`` output.

Task data keys (named in :mod:`curation.studio.contract`) are the contract with the schema's labelling config: ``text`` (what annotators
read: an article's ``body``, a sentence's ``text``), ``title`` (articles), ``target`` (stance),
``unit_id`` and ``doc_id``; provenance (level, parent, offsets, role) rides along so a task can
be traced back without the units file.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from curation.fileio import iter_jsonl
from curation.studio.contract import AFTER_KEY, BEFORE_KEY, DOC_KEY, TARGET_KEY, TEXT_KEY, TITLE_KEY, UNIT_KEY
from curation.studio.results import to_results
from curation.units import EntitySpan

PUSHABLE_LEVELS = ("article", "sentence")
CONTEXT_FIELD = "task_context"  # set on a record by add_sentence_context, read by task_data


class UnitRecordError(ValueError):
    """A units or predictions line that cannot become a task, naming file and line."""


def unit_text(record: Mapping[str, Any]) -> str:
    """The text annotators read for a unit record: an article's body, otherwise its text."""
    if record.get("level") == "article":
        return str(record.get("body") or "")
    return str(record.get("text") or "")


def task_data(record: Mapping[str, Any], default_target: str | None) -> dict[str, Any]:
    """Task ``data`` for one unit record (see the module docstring for the keys)."""
    data: dict[str, Any] = {
        TEXT_KEY: unit_text(record),
        UNIT_KEY: record["id"],
        DOC_KEY: record.get("doc_id"),
        "level": record.get("level"),
        "parent": record.get("parent"),
        "start": record.get("start"),
        "end": record.get("end"),
        "role": record.get("role"),
    }
    if record.get("level") == "article":
        data[TITLE_KEY] = record.get("title") or ""
    data.update(record.get(CONTEXT_FIELD) or {})
    target = record.get("target") or default_target
    if target is not None:
        data[TARGET_KEY] = target
    return data


def add_sentence_context(records: Mapping[str, dict[str, Any]], units_path: str | Path) -> None:
    """Give each sentence record (by id) what its task shows around it, read-only: its article's
    title and the sentences just before and after it in that article ("" at either end)."""
    from curation.unitfile import iter_unit_records  # numpy, through the settings: not for `push --help`

    titles: dict[str, str] = {}
    by_article: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for record in iter_unit_records(units_path):
        if record["level"] == "article":
            titles[record["id"]] = record.get("title") or ""
        elif record["level"] == "sentence":
            by_article[str(record.get("parent"))].append((record["id"], record.get("text") or ""))
    for parent, sentences in by_article.items():
        for index, (unit_id, _text) in enumerate(sentences):
            if unit_id in records:
                records[unit_id][CONTEXT_FIELD] = {
                    TITLE_KEY: titles.get(parent, ""),
                    BEFORE_KEY: sentences[index - 1][1] if index > 0 else "",
                    AFTER_KEY: sentences[index + 1][1] if index + 1 < len(sentences) else "",
                }


@dataclass(frozen=True, slots=True)
class Prediction:
    """A model's answer for one unit, offsets in code points of the unit text."""

    unit_id: str
    choices: dict[str, tuple[str, ...]]
    spans: tuple[EntitySpan, ...]
    model_version: str | None = None
    score: float | None = None

    def to_task_prediction(self, text: str, span_family: str | None) -> dict[str, Any]:
        prediction: dict[str, Any] = {"result": to_results(text, self.choices, self.spans, span_family)}
        if self.model_version is not None:
            prediction["model_version"] = self.model_version
        if self.score is not None:
            prediction["score"] = self.score
        return prediction


def read_predictions(path: str | Path) -> Iterator[Prediction]:
    """Predictions JSONL: ``{"unit_id", "choices": {family: [..]}, "spans": [{start, end, label,
    text}], "model_version", "score"}`` one a line; a bad line raises naming file and line."""
    for number, item in iter_jsonl(path):
        try:
            yield Prediction(
                unit_id=str(item["unit_id"]),
                choices={k: tuple(map(str, v)) for k, v in (item.get("choices") or {}).items()},
                spans=tuple(
                    EntitySpan(int(s["start"]), int(s["end"]), str(s["label"]), str(s.get("text", "")))
                    for s in item.get("spans") or ()
                ),
                model_version=item.get("model_version"),
                score=item.get("score"),
            )
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise UnitRecordError(f"{path}:{number}: not a prediction record ({exc!r})") from None
