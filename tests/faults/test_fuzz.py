"""Hypothesis-generated inputs for the readers every command starts with (page ingest, the JSONL
reader of units and stores, page decoding, the schema loader): whatever the bytes, the reader
returns documents or one error per bad file or line, never raises anything else, never yields
text that cannot be written as UTF-8. Bounded: a fixed number of examples, no deadline games."""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from curation.fileio import DecodeProblem, JsonlLineError, decode_text, iter_jsonl
from curation.ingest import IngestError, read_documents
from curation.schema import SchemaError, load_schema

from .conftest import tried

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# JSON-ish lines: valid records, records with surrogates and NaN, truncations, raw bytes
json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.text(max_size=20) | st.integers(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
records = st.dictionaries(st.sampled_from(["text", "title", "id", "meta", "score"]), json_values, max_size=5)
lines = st.one_of(
    records.map(lambda r: json.dumps(r).encode()),
    records.map(lambda r: json.dumps(r)[: len(json.dumps(r)) // 2].encode()),
    st.text(max_size=60).map(lambda t: json.dumps({"text": t}).encode()),
    st.sampled_from([b'{"text": "\\udc80x"}', b"[" * 3000, b'{"text": NaN}', b"\xff\xfe\x00", b"\x00" * 10]),
    st.binary(max_size=80),
)
files = st.lists(lines, max_size=8).map(lambda parts: b"\n".join(parts) + b"\n")


def _utf8(text: str) -> bool:
    text.encode("utf-8")  # raises on a lone surrogate
    return True


@FUZZ
@given(files)
def test_jsonl_reader_yields_objects_or_line_errors(raw: bytes) -> None:
    tried("fuzz: JSONL reader (units, stores)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "f.jsonl"
        path.write_bytes(raw)
        errors: list[JsonlLineError] = []
        for number, record in iter_jsonl(path, errors):
            assert isinstance(record, dict) and number >= 1
            assert _utf8(json.dumps(record, ensure_ascii=False))
        assert all(error.line >= 1 and error.reason for error in errors)


@FUZZ
@given(files, st.sampled_from(["page.txt", "pages.jsonl", "page.txt.gz", "pages.jsonl.gz"]), st.booleans())
@example(gzip.compress(b'{"text": "x"}\n' * 20)[:30], "pages.jsonl.gz", False)
def test_ingest_returns_documents_or_errors_naming_the_file(raw: bytes, name: str, truncate: bool) -> None:
    tried("fuzz: page ingest (.txt, .jsonl, gzipped)")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        data = gzip.compress(raw) if name.endswith(".gz") else raw
        path.write_bytes(data[: len(data) // 2] if truncate else data)
        errors: list[IngestError] = []
        for document in read_documents([path], errors):
            assert _utf8(document.text) and _utf8(json.dumps(document.meta, ensure_ascii=False, allow_nan=False))
        assert all(error.path == str(path) and "\n" not in error.reason for error in errors)


@FUZZ
@given(st.binary(max_size=200), st.sampled_from([None, "cp1256", "utf-16", "latin-1"]))
def test_decoding_is_text_or_one_decode_problem(raw: bytes, encoding: str | None) -> None:
    tried("fuzz: page decoding")
    try:
        text = decode_text(raw, encoding)
    except DecodeProblem as problem:
        assert "\n" not in str(problem)
    else:
        assert isinstance(text, str)


yaml_like = st.lists(
    st.sampled_from(["name: x", "version: 1", "labels:", "  topic:", "    kind: choice", "    values: [a, b]",
                     "    levels: [article]", "  - &a [1]", "  - *a", "[[[[", "{", ": :", "\t", "version: NaN",
                     "labels: {x: {kind: span, values: [{value: 1}]}}", "migrations: [{from: 1, topic: {rename: {a: 2}}}]"]),
    max_size=10,
).map("\n".join) | st.text(max_size=200)  # fmt: skip


@FUZZ
@given(yaml_like)
def test_schema_loader_raises_only_schema_errors(source: str) -> None:
    tried("fuzz: schema loader")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "schema.yaml"
        path.write_text(source, encoding="utf-8", errors="surrogatepass")
        try:
            load_schema(path)
        except SchemaError as error:
            assert error.problems and all(isinstance(p, str) for p in error.problems)
