"""fileio: every hostile JSONL line is one error naming its line, the rest is read; JSON written is valid JSON."""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

import pytest

from curation.fileio import (
    DecodeProblem,
    JsonlLineError,
    decode_text,
    dumps,
    files_under,
    iter_jsonl,
    parse_json_line,
    write_jsonl,
)


def _read(path: Path, **options: object) -> tuple[list[tuple[int, dict]], list[JsonlLineError]]:
    errors: list[JsonlLineError] = []
    return list(iter_jsonl(path, errors, **options)), errors


def test_bad_lines_are_reported_by_number_and_the_rest_is_read(tmp_path: Path) -> None:
    path = tmp_path / "mixed.jsonl"
    deep = "[" * 5000 + "]" * 5000
    lines = ['{"a": 1}', '{"s": "\\ud800"}', deep, "[1, 2]", "{broken", '{"b": 2}']
    path.write_bytes("\n".join(lines).encode() + b"\n\xff\xfe{}\n")
    records, errors = _read(path)
    assert records == [(1, {"a": 1}), (6, {"b": 2})]
    reasons = {error.line: error.reason for error in errors}
    assert "lone surrogate \\ud800" in reasons[2]
    assert reasons[3] in ("invalid JSON: nested too deeply", "a line must be a JSON object")
    assert reasons[4] == "a line must be a JSON object"
    assert reasons[5].startswith("invalid JSON")
    assert reasons[7].startswith("not UTF-8: byte 0xff at column 1")


def test_a_line_over_the_limit_is_skipped_without_being_loaded(tmp_path: Path) -> None:
    path = tmp_path / "long.jsonl"
    path.write_text('{"a": 1}\n{"big": "' + "x" * 5000 + '"}\n{"c": 3}\n')
    records, errors = _read(path, max_line_bytes=1000)
    assert [number for number, _ in records] == [1, 3]
    assert [(e.line, e.reason) for e in errors] == [(2, "line longer than 1,000 bytes, skipped")]


def test_nan_and_infinity_are_read_as_null() -> None:
    assert parse_json_line('{"x": NaN, "y": [Infinity, -Infinity]}') == ({"x": None, "y": [None, None]}, None)


def test_binary_files_fifos_and_devices_are_one_error(tmp_path: Path) -> None:
    png = tmp_path / "image.jsonl"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\n" * 50)
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    zero = tmp_path / "zero.jsonl"
    zero.symlink_to("/dev/zero")
    for path in (png, fifo, zero):
        records, errors = _read(path)
        assert records == [] and len(errors) == 1 and errors[0].line == 1


def test_without_an_errors_list_the_first_bad_line_raises(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"a": 1}\nnope\n')
    with pytest.raises(JsonlLineError) as raised:
        list(iter_jsonl(path))
    assert raised.value.line == 2


def test_dumps_writes_null_for_nan_never_bare_nan(tmp_path: Path) -> None:
    value = {"score": math.nan, "nested": [math.inf, {"x": -math.inf}], "ok": 1.5}
    assert json.loads(dumps(value)) == {"score": None, "nested": [None, {"x": None}], "ok": 1.5}
    path = tmp_path / "out.jsonl"
    write_jsonl(path, [value])
    assert "NaN" not in path.read_text() and "Infinity" not in path.read_text()


ARABIC = "قال المتحدث باسم الحكومة إن الاجتماع سيعقد غدا"


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (ARABIC.encode("utf-16"), "UTF-16 text, not UTF-8: read it with --encoding utf-16"),
        (ARABIC.encode("utf-16-be"), "UTF-16 text, not UTF-8"),
        (ARABIC.encode("cp1256"), "not UTF-8: byte 0xde at offset 0 cannot be decoded; it looks like Windows Arabic: "
         "read it with --encoding cp1256"),
        ("café crème".encode("latin-1") * 3, "not UTF-8: byte 0xe9 at offset 3 cannot be decoded"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content (NUL bytes)"),
    ],
)
def test_undecodable_pages_say_what_they_probably_are(raw: bytes, reason: str) -> None:
    with pytest.raises(DecodeProblem) as raised:
        decode_text(raw)
    assert str(raised.value).startswith(reason)
    if "Windows Arabic" not in reason:
        assert "cp1256" not in str(raised.value)


def test_an_encoding_given_reads_legacy_pages_and_an_unknown_one_is_refused() -> None:
    assert decode_text(ARABIC.encode("cp1256"), "cp1256") == ARABIC
    assert decode_text(ARABIC.encode("utf-16"), "utf-16") == ARABIC
    assert decode_text(b"\xef\xbb\xbf" + ARABIC.encode()) == ARABIC
    with pytest.raises(DecodeProblem, match="unknown encoding 'klingon'"):
        decode_text(b"x", "klingon")
    with pytest.raises(DecodeProblem, match="not utf-16: byte"):
        decode_text(b"\x00\xd8\x00", "utf-16")


def test_files_under_lists_files_and_reports_names_that_are_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "page.txt").write_text("x")
    (tmp_path / "top.txt").write_text("x")
    bad = os.fsencode(tmp_path) + b"/bad\xffname.txt"
    with open(bad, "wb") as handle:
        handle.write(b"x")
    problems: list[tuple[str, str]] = []
    assert files_under(tmp_path, problems) == [tmp_path / "a" / "b" / "page.txt", tmp_path / "top.txt"]
    assert [reason for _, reason in problems] == ["file name is not valid UTF-8: rename the file to read it"]


def test_files_under_keeps_fifos_and_device_links_for_the_reader_to_refuse(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.txt")
    (tmp_path / "zero.txt").symlink_to("/dev/zero")
    assert files_under(tmp_path, []) == [tmp_path / "pipe.txt", tmp_path / "zero.txt"]
