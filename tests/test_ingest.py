"""Ingest: canonical text, provenance, and one clear error per bad input while the rest goes on."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path

from curation.ingest import IngestError, canonical_text, read_documents, read_text_file

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


def read(inputs: list[str | Path]) -> tuple[list, list[IngestError]]:
    errors: list[IngestError] = []
    return list(read_documents(inputs, errors)), errors


def test_canonical_text_drops_bom_normalises_newlines_and_composes() -> None:
    decomposed_alef_madda = "\u0627\u0653"  # NFC composes this into U+0622
    raw = ("\ufeffسطر\r\nثان\rثالث " + decomposed_alef_madda).encode("utf-8")
    assert canonical_text(raw) == "سطر\nثان\nثالث \u0622"


def test_txt_file_provenance_and_stable_id(tmp_path: Path) -> None:
    raw = "عنوان\r\nنص الخبر.".encode()
    page = tmp_path / "page.txt"
    page.write_bytes(raw)
    (doc,), errors = read([page])
    assert errors == []
    assert doc.text == "عنوان\nنص الخبر."
    assert doc.provenance.path == str(page)
    assert doc.provenance.line is None
    assert doc.provenance.sha256 == hashlib.sha256(raw).hexdigest()
    # the id depends on content and file name, not on the folder it was read from
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "page.txt").write_bytes(raw)
    (again,), _ = read([other / "page.txt"])
    assert again.id == doc.id


def test_jsonl_gz_records_carry_metadata_and_line(tmp_path: Path) -> None:
    path = tmp_path / "news.jsonl.gz"
    lines = [
        json.dumps({"id": 7, "topic": "sport", "text": "فاز الفريق."}, ensure_ascii=False),
        "",
        json.dumps({"id": 8, "topic": "economy", "text": "ارتفعت الأسعار."}, ensure_ascii=False),
    ]
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    docs, errors = read([path])
    assert errors == []
    assert [d.meta["topic"] for d in docs] == ["sport", "economy"]
    assert [d.provenance.line for d in docs] == [1, 3]
    assert "text" not in docs[0].meta
    assert docs[0].id != docs[1].id


def test_bad_files_are_reported_by_name_and_the_rest_is_read(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text("خبر سليم.", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("café".encode("latin-1"))
    (tmp_path / "empty.txt").write_bytes(b"  \n")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\x00\x00")
    (tmp_path / "broken.jsonl").write_text('{"text": "سطر جيد"}\n{not json\n{"title": "بلا نص"}\n', encoding="utf-8")
    docs, errors = read([tmp_path, tmp_path / "missing.txt", str(tmp_path / "*.nothing")])
    assert [d.text for d in docs] == ["سطر جيد", "خبر سليم."]
    reasons = {(Path(e.path).name, e.line): e.reason for e in errors}
    assert "binary" in reasons[("binary.txt", None)]
    assert reasons[("empty.txt", None)].startswith("empty")
    assert "not UTF-8" in reasons[("latin1.txt", None)] and "offset 3" in reasons[("latin1.txt", None)]
    assert "invalid JSON" in reasons[("broken.jsonl", 2)]
    assert "no text in field 'text'" in reasons[("broken.jsonl", 3)]
    assert "no such file" in reasons[("missing.txt", None)]
    assert "matches no file" in reasons[("*.nothing", None)]
    assert str(errors[0]).startswith(str(tmp_path))


def test_unreadable_file_is_an_error_not_a_crash(tmp_path: Path) -> None:
    # a folder named like a page cannot be opened as a file, whoever runs the test (root included)
    not_a_file = tmp_path / "page.txt"
    not_a_file.mkdir()
    result = read_text_file(not_a_file)
    assert isinstance(result, IngestError)
    assert result.path == str(not_a_file) and result.reason.startswith("not a regular file")


def test_a_fifo_or_a_device_is_refused_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    endless = tmp_path / "zero.html"
    endless.symlink_to("/dev/zero")
    docs, errors = read([fifo, endless])
    assert docs == []
    assert [(Path(e.path).name, e.reason.split(" (")[0]) for e in errors] == [
        ("pipe.txt", "not a regular file"),
        ("zero.html", "not a regular file"),
    ]


def test_seed_folder_reads_both_pages_in_name_order() -> None:
    docs, errors = read([SEEDS])
    assert errors == []
    assert [Path(d.provenance.path).name for d in docs] == sorted(p.name for p in SEEDS.glob("*.txt"))


def test_legacy_encodings_are_named_and_read_with_an_encoding(tmp_path: Path) -> None:
    """A cp1256 or UTF-16 page is one error naming the encoding to pass; given it, it is read."""
    page = "قال المتحدث باسم الحكومة إن الاجتماع سيعقد غدا."
    (tmp_path / "legacy.txt").write_bytes(page.encode("cp1256"))
    (tmp_path / "legacy.jsonl").write_bytes(f'{{"text": "{page}"}}\n'.encode("cp1256"))
    errors: list[IngestError] = []
    assert list(read_documents([tmp_path], errors)) == []
    assert sorted(e.reason.split("; ")[-1] for e in errors if e.line in (None, 1) and "looks like" in e.reason) == [
        "it looks like Windows Arabic: read it with --encoding cp1256"
    ] * 2
    documents = list(read_documents([tmp_path], errors := [], encoding="cp1256"))
    assert [d.text for d in documents] == [page, page] and errors == []
    (tmp_path / "wide.txt").write_bytes(page.encode("utf-16"))
    assert [d.text for d in read_documents([tmp_path / "wide.txt"], [], encoding="utf-16")] == [page]
