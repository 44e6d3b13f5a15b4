"""Helpers for the Label Studio tests: units files, schema copies with their own project titles."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from curation.ingest import read_documents
from curation.schema import Schema, default_schema_path, load_schema
from curation.segment.pipeline import segment_document
from curation.studio.contract import TASKS_ENDPOINT, StudioGateway
from curation.studio.server import StudioServer
from curation.unitfile import iter_unit_records, write_unit_records
from curation.units import Document, Provenance, Sentence, sha256_hex

if TYPE_CHECKING:
    from playwright.sync_api import Page

# Diacritics, a right-to-left mark, an embedding and emoji before the names annotators mark.
TRICKY_SENTENCES = [
    "👍🏽 قال مُحَمَّدٌ إنّ الوضع في باماكو صعب.",
    "\u200fأعلنت وزارة الخارجية 😀😀 أن \u202bكريستوفر لانداو\u202c سيزور مالي.",
    "رحّبت باماكو ضمنيًا بالتوجه الجديد لواشنطن.",
]


def named_schema(folder: Path, name: str, *, drop_label: str | None = None) -> Schema:
    """news.yaml under another name (so each test gets its own Label Studio project),
    optionally without one entity label."""
    text = default_schema_path().read_text(encoding="utf-8")
    text = re.sub(r"^name: .*$", f"name: {name}", text, count=1, flags=re.M)
    if drop_label:
        text = re.sub(rf"\n      - value: {drop_label}\n(        .*\n)+?(?=      - value)", "\n", text, count=1)
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return load_schema(path)


@pytest.fixture(scope="session")
def seed_units(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``curation segment`` output for the bundled seeds."""
    errors: list = []
    records = [r for doc in read_documents([Path(__file__).parents[2] / "seeds"], errors)
               for r in segment_document(doc).records()]
    assert not errors
    path = tmp_path_factory.mktemp("units") / "seeds.jsonl"
    write_unit_records(path, records)
    return path


@pytest.fixture(scope="session")
def tricky_units(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Sentence units whose text has emoji, diacritics and bidi controls."""
    text = "\n".join(TRICKY_SENTENCES)
    doc = Document(Document.make_id(text, "tricky.txt"), text, Provenance("tricky.txt", None, sha256_hex(text)))
    records = [doc.to_record()]
    start = 0
    for index, sentence in enumerate(TRICKY_SENTENCES):
        end = start + len(sentence)
        records.append(Sentence(Sentence.make_id(doc.id, start, end), doc.id, "a-none", start, end, sentence, "body", index).to_record())
        start = end + 1
    path = tmp_path_factory.mktemp("units") / "tricky.jsonl"
    write_unit_records(path, records)
    return path


def unit_records(path: Path, level: str) -> list[dict]:
    return list(iter_unit_records(path, level))


def tasks_on_server(server: StudioServer, project_id: int) -> list[dict]:
    """Every task of a project as the server holds it (``id``, ``data`` and the rest), one page."""
    gateway = StudioGateway(server.client(), server.url)
    body = gateway.get_json(TASKS_ENDPOINT, {"project": project_id, "fields": "all", "page_size": 10_000}, what="listing tasks")
    return body["tasks"] if isinstance(body, dict) else body


def submit_in_browser(page: Page) -> None:
    """Press Submit and wait for the server to store the answer: the page may close only after that POST."""
    with page.expect_response(
        lambda r: r.request.method == "POST" and "/annotations" in r.url and r.status < 300
    ):
        page.get_by_role("button", name="Submit").click()
