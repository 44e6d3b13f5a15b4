"""A public-style CoNLL sample (ANERcorp-like tags) with the quirks real files have: UTF-8 BOM,
CRLF line ends, tab and space separators, LRM/RLM marks on tokens, and noisy tags."""

from __future__ import annotations

from pathlib import Path

import pytest

LRM, RLM = "\u200e", "\u200f"

# (token, tag) sentences. Every valid span is listed in VALID_SPANS below; every bad tag in BAD_TAGS.
SENTENCES: list[list[tuple[str, str]]] = [
    [("أعلن", "O"), ("الرئيس", "O"), ("دونالد", "B-PERS"), ("ترامب", "I-PERS"), ("في", "O"),
     (f"واشنطن{LRM}", "B-LOC"), ("عن", "O"), ("خطة", "O"), ("جديدة", "O"), (".", "O")],
    [("وقال", "O"), ("مسؤول", "O"), ("في", "O"), ("الأمم", "B-ORG"), ("المتحدة", "I-ORG"), ("إن", "O"),
     ("باريس", "B-MIS-1"), ("و", "O"), (f"{RLM}القاهرة", "B-LOC"), ("تدعمان", "OO"), ("الخطة", "O"), (".", "O")],
    [("التقى", "O"), ("محمد", "I-PERS"), ("بن", "I-PERS"), ("سلمان", "I-PERS"), ("مع", "O"), ("وفد", "O"),
     ("من", "O"), ("البنك", "I--ORG"), ("الدولي", "I-ORG"), ("في", "O"), ("الرياض", "B-LOC`"), (".", "O")],
    [("ذكرت", "O"), ("وكالة", "B-ORG"), ("رويترز", "I-ORG"), ("أن", "O"), ("شركة", "O"), ("أرامكو", "B-ORG"),
     ("ستفتتح", "O"), ("مكتبا", "O"), ("في", "O"), ("لندن", "B-LOC"), ("و", "O"), ("برلين", "B-LOC"), (".", "O")],
]
LABEL_MAP = "PERS: PER\nLOC: GPE\nMISC: O\n"
# (sentence index, label, surface) of every span a lenient import keeps.
VALID_SPANS = [
    (0, "PER", "دونالد ترامب"), (0, "GPE", "واشنطن"),
    (1, "ORG", "الأمم المتحدة"), (1, "GPE", "القاهرة"),
    (2, "PER", "محمد بن سلمان"), (2, "ORG", "الدولي"),
    (3, "ORG", "وكالة رويترز"), (3, "ORG", "أرامكو"), (3, "GPE", "لندن"), (3, "GPE", "برلين"),
]
STRICT_DROPPED = {(2, "PER", "محمد بن سلمان"), (2, "ORG", "الدولي")}
# Tags a user must hear about, by the token they sit on.
BAD_TAGS = {"B-MIS-1": "باريس", "OO": "تدعمان", "I-PERS": "محمد", "I--ORG": "البنك", "B-LOC`": "الرياض"}


def write_sample(path: Path, *, blank_lines: bool = True) -> dict[str, int]:
    """Write the sample (BOM, CRLF, tab/space separators); returns token surface -> line number."""
    lines: list[str] = ["-DOCSTART- O", ""] if blank_lines else []
    where: dict[str, int] = {}
    for index, sentence in enumerate(SENTENCES):
        for position, (token, tag) in enumerate(sentence):
            separator = "\t" if (index + position) % 2 else " "
            lines.append(f"{token}{separator}{tag}")
            where.setdefault(token.strip(LRM + RLM), len(lines))
        if blank_lines:
            lines.append("")
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    return where


@pytest.fixture
def sample(tmp_path: Path) -> tuple[Path, Path, dict[str, int]]:
    """The sample file, its label map file, and the line of each token."""
    corpus = tmp_path / "sample.conll"
    where = write_sample(corpus)
    label_map = tmp_path / "labels.yaml"
    label_map.write_text(LABEL_MAP, encoding="utf-8")
    return corpus, label_map, where

ENTITY_SCHEMA = """name: {name}
version: 1
description: Entities of the sample corpus.
labels:
  entity:
    kind: span
    levels: [sentence]
    values:
      - {{value: PER, ar: شخص, description: اسم شخص., example: دونالد ترامب, hotkey: "1", color: "#1f77b4"}}
      - {{value: ORG, ar: منظمة, description: اسم منظمة., example: الأمم المتحدة, hotkey: "2", color: "#d62728"}}
      - {{value: GPE, ar: كيان سياسي, description: دولة أو مدينة., example: القاهرة, hotkey: "3", color: "#2ca02c"}}
"""


def entity_schema(folder: Path, name: str = "sample"):
    """An entities-only schema (news.yaml also requires a stance answer, which a NER corpus lacks)."""
    from curation.schema import load_schema

    path = folder / f"{name}.yaml"
    path.write_text(ENTITY_SCHEMA.format(name=name), encoding="utf-8")
    return load_schema(path)
