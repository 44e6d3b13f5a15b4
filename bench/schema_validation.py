"""Annotation validation: ``Schema.validate`` side by side with what a Label Studio user would
call instead, ``label_studio_sdk``'s ``LabelInterface.validate_prediction`` on the same config.

Sentence annotations are built on the 1,637 real sentences of sentences-dev-nc15: a few
entity spans on word boundaries and a stance. A seeded share of them gets exactly one defect of
each kind; the table shows throughput and, per defect kind, how many each validator caught
(and how many clean annotations it wrongly rejected).

    .venv/bin/python bench/schema_validation.py             # 1,637 sentences x 4 rounds
    .venv/bin/python bench/schema_validation.py --rounds 1  # quick
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from label_studio_sdk.label_interface import LabelInterface

from curation.schema import Schema, load_schema
from curation.units import Annotation, EntitySpan

SENTENCES = Path("/work/shared/corpora/sentences-dev-nc15.jsonl")
DEFECTS = (
    "unknown_label",
    "text_mismatch",
    "outside_unit",
    "overlap",
    "two_single_choices",
    "missing_required",
    "clean",
)


def load_sentences() -> list[str]:
    sentences: list[str] = []
    with SENTENCES.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            sentences.extend(record["text"][start:end] for start, end in record["sents"])
    return [s for s in sentences if len(s.split()) >= 4]


def clean_annotation(schema: Schema, text: str, number: int, rng: random.Random) -> Annotation:
    words = [m.span() for m in re.finditer(r"\S+", text)]
    chosen = sorted(rng.sample(words, k=min(len(words), rng.randint(1, 3))))
    labels = schema.family("entity").values
    spans = tuple(EntitySpan(s, e, rng.choice(labels), text[s:e]) for s, e in chosen)
    stance = (rng.choice(schema.family("stance").values),)
    return Annotation(
        f"s{number}", "sentence", "bench", str(number), {"stance": stance}, spans, schema_version=schema.version
    )


def with_defect(annotation: Annotation, defect: str, text: str) -> Annotation:
    first = annotation.spans[0]
    others = annotation.spans[1:]
    changes: dict[str, object] = {}
    if defect == "unknown_label":
        changes["spans"] = (EntitySpan(first.start, first.end, "PERSON", first.text), *others)
    elif defect == "text_mismatch":
        changes["spans"] = (EntitySpan(first.start, first.end, first.label, first.text[::-1] + "x"), *others)
    elif defect == "outside_unit":
        changes["spans"] = (*annotation.spans, EntitySpan(len(text), len(text) + 5, first.label, "خارج"))
    elif defect == "overlap":
        changes["spans"] = (*annotation.spans, EntitySpan(first.start, first.end, first.label, first.text))
    elif defect == "two_single_choices":
        changes["choices"] = {"stance": ("favor", "against")}
    elif defect == "missing_required":
        changes["choices"] = {}
    return dataclasses.replace(annotation, **changes)  # type: ignore[arg-type]


def as_label_studio(annotation: Annotation) -> dict:
    """The same annotation as a Label Studio result, the SDK validator's input."""
    result = [
        {
            "from_name": "entity",
            "to_name": "text",
            "type": "labels",
            "value": {"start": s.start, "end": s.end, "text": s.text, "labels": [s.label]},
        }
        for s in annotation.spans
    ]
    result += [
        {"from_name": name, "to_name": "text", "type": "choices", "value": {"choices": list(values)}}
        for name, values in annotation.choices.items()
    ]
    return {"result": result}


Case = tuple[str, str, Annotation, dict]


def timed(check: Callable[[Case], bool], cases: list[Case]) -> tuple[float, list[bool]]:
    started = time.perf_counter()
    flagged = [check(case) for case in cases]
    return time.perf_counter() - started, flagged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=4, help="annotations per sentence")
    args = parser.parse_args()
    schema = load_schema()
    interface = LabelInterface(schema.label_config("sentence"))
    rng = random.Random(20251123)
    cases: list[Case] = []
    for round_number in range(args.rounds):
        for number, text in enumerate(load_sentences()):
            defect = DEFECTS[(number + round_number) % len(DEFECTS)]
            annotation = with_defect(clean_annotation(schema, text, number, rng), defect, text)
            cases.append((defect, text, annotation, as_label_studio(annotation)))

    ours_s, ours = timed(lambda c: bool(schema.validate(c[2], c[1])), cases)
    sdk_s, sdk = timed(lambda c: bool(interface.validate_prediction(c[3], return_errors=True)), cases)

    totals = Counter(defect for defect, *_ in cases)
    caught_ours = Counter(defect for (defect, *_), hit in zip(cases, ours) if hit)
    caught_sdk = Counter(defect for (defect, *_), hit in zip(cases, sdk) if hit)
    print(f"{len(cases):,} sentence annotations on {len(cases) // args.rounds:,} real sentences (sentences-dev-nc15)")
    print(f"{'':24}{'Schema.validate':>18}{'SDK validate_prediction':>26}")
    print(f"{'annotations / s':24}{len(cases) / ours_s:>18,.0f}{len(cases) / sdk_s:>26,.0f}")
    print(f"{'total seconds':24}{ours_s:>18.2f}{sdk_s:>26.2f}")
    for defect in DEFECTS:
        label = "clean (false alarms)" if defect == "clean" else f"caught {defect}"
        ours_cell = f"{caught_ours[defect]}/{totals[defect]}"
        sdk_cell = f"{caught_sdk[defect]}/{totals[defect]}"
        print(f"{label:24}{ours_cell:>18}{sdk_cell:>26}")


if __name__ == "__main__":
    main()
