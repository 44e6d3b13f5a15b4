"""The units file: written atomically, read back, bad lines named by number."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from pathlib import Path

import pytest

from curation.fileio import JsonlLineError
from curation.segment.pipeline import SegmentedDocument, segment_document
from curation.unitfile import (
    PageSelector,
    compact_line,
    count_pages,
    gzip_member,
    index_path,
    iter_unit_records,
    iter_units,
    read_index,
    write_index,
    write_unit_records,
)
from curation.units import Document, Provenance


def test_bad_lines_raise_with_line_number_or_are_collected(tmp_path: Path) -> None:
    path = tmp_path / "units.jsonl"
    write_unit_records(path, [{"id": "d1", "level": "document", "text": "نص"}])
    with path.open("a", encoding="utf-8") as handle:
        handle.write("{oops\n[1, 2]\n")
        handle.write('{"id": "a1", "level": "article"}\n')
    with pytest.raises(JsonlLineError, match=r"units.jsonl:2: invalid JSON"):
        list(iter_unit_records(path))
    errors: list[JsonlLineError] = []
    records = list(iter_unit_records(path, errors=errors))
    assert [r["id"] for r in records] == ["d1", "a1"]
    assert [(e.line, e.reason.split(" ")[0]) for e in errors] == [(2, "invalid"), (3, "a")]
    assert [r["id"] for r in iter_unit_records(path, "article", errors=[])] == ["a1"]


def test_written_files_are_readable_by_others(tmp_path: Path) -> None:
    path = tmp_path / "units.jsonl"
    write_unit_records(path, [])
    assert path.stat().st_mode & 0o044 == 0o044
    assert not list(tmp_path.glob(".units.jsonl.*.tmp"))


@pytest.mark.parametrize("name", ["units.jsonl", "units.jsonl.gz"])
def test_ranks_decode_only_their_pages_and_together_read_the_file_as_one_reader(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    pages = [
        segment_document(Document(f"d{page}", f"خبر رقم {page} عن المدينة.\n\nجملة أولى هنا. جملة ثانية هنا.", Provenance("p.jsonl", page + 1, "0" * 64)))
        for page in range(7)
    ]
    write_unit_records(path, (record for page in pages for record in page.records()))
    if name == "units.jsonl":  # a line written by another tool, its keys in another order, is parsed to know its level
        lines = path.read_text(encoding="utf-8").splitlines()
        moved = next(i for i, line in enumerate(lines) if '"id": "d1"' in line)
        lines[moved] = json.dumps(dict(reversed(json.loads(lines[moved]).items())), ensure_ascii=False)
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    decoded: list[str] = []

    def read(selector: PageSelector) -> list[tuple[str, int]]:
        """(unit id, page) of what the reader yields, counting the lines it let through to the JSON parser."""
        def keep(line: str) -> bool:
            kept = selector(line)
            if kept:
                decoded.append(line)
            return kept
        return [(unit.id, selector.page) for unit in iter_units(path, keep=keep)]

    whole = read(PageSelector())
    assert [page for unit_id, page in whole if unit_id.startswith("d") and "-" not in unit_id] == list(range(7))
    decoded.clear()
    shares = [read(PageSelector(rank, 3, levels=("document", "article"))) for rank in range(3)]
    articles = sum(len(page.articles) for page in pages)
    assert len(decoded) == 7 + articles  # no sentence, and no line of another rank's page, was parsed
    assert sorted(unit for share in shares for unit in share) == sorted(u for u in whole if not _is_sentence(u[0], pages))
    assert all(page % 3 == rank for rank, share in enumerate(shares) for _, page in share)

    told: list[int] = []

    def run_of(rank: int) -> list[tuple[str, int]]:
        """(unit id, page) of the rank-th of 3 runs of the 7 pages, counting the lines the selector is told."""
        selector = PageSelector(rank, 3, total=7)
        told.append(0)
        def keep(line: str) -> bool:
            told[-1] += 1
            return selector(line)
        return [(unit.id, selector.page) for unit in iter_units(path, keep=keep)]

    runs = [run_of(rank) for rank in range(3)]
    assert [sorted({page for _, page in run}) for run in runs] == [[0, 1], [2, 3], [4, 5, 6]]
    assert [unit for run in runs for unit in run] == whole  # joined in rank order: the whole file
    lines_before = [sum(1 for _, page in whole if page < first) for first in (2, 4, 7)]
    assert told == [lines_before[0] + 1, lines_before[1] + 1, lines_before[2]]  # reading stops where the run ends


def _is_sentence(unit_id: str, pages: list[SegmentedDocument]) -> bool:
    return any(sentence.id == unit_id for page in pages for sentence in page.sentences)


@pytest.mark.parametrize("levels", [None, ("document", "article")])
def test_a_selector_that_refuses_lines_from_their_bytes_reads_what_it_reads_as_text_and_names_the_same_bad_lines(
    tmp_path: Path, levels: tuple[str, ...] | None
) -> None:
    path = tmp_path / "units.jsonl.gz"
    pages = [
        segment_document(Document(f"d{page}", f"خبر رقم {page} عن المدينة.\n\nجملة أولى هنا. جملة ثانية هنا.", Provenance("p.jsonl", page + 1, "0" * 64)))
        for page in range(5)
    ]
    write_unit_records(path, (record for page in pages for record in page.records()))
    lines = gzip.decompress(path.read_bytes()).splitlines(keepends=True)
    lines[3:3] = [b"\xff not UTF-8\n", b"{broken\n", '{"id": "s\\"x", "level": "sentence", "note": "نص"}\n'.encode()]
    path.write_bytes(gzip.compress(b"".join(lines)))

    def read(rank: int, as_text: bool) -> tuple[list[tuple[str, int]], list[str]]:
        selector, errors = PageSelector(rank, 2, levels), list[object]()
        keep = (lambda line: selector(line)) if as_text else selector  # a plain function has no bytes side
        return [(unit.id, selector.page) for unit in iter_units(path, errors=errors, keep=keep)], [str(e) for e in errors]

    for rank in range(2):
        assert read(rank, as_text=False) == read(rank, as_text=True)
    assert read(0, as_text=False)[1] and read(0, as_text=False)[0]


def _pages(count: int, first: int = 0) -> list[SegmentedDocument]:
    return [
        segment_document(Document(f"d{page}", f"خبر رقم {page} عن المدينة.\n\nجملة أولى هنا. جملة ثانية هنا.", Provenance("p.jsonl", page + 1, "0" * 64)))
        for page in range(first, first + count)
    ]


def _write_members(path: Path, members: list[list[SegmentedDocument]], damaged: int | None = None, broken: int | None = None) -> None:
    """A compact units file of one gzip member per list of pages, as segment's merge joins them,
    with its index; member ``damaged`` is bytes that are no gzip at all (the index describes them),
    member ``broken`` ends with a line that is no JSON."""
    digest, listed = hashlib.sha256(), []
    with path.open("wb") as handle:
        for number, pages in enumerate(members):
            lines = [compact_line(record) for page in pages for record in page.records()] + [b"{broken\n"] * (number == broken)
            member = b"not a gzip member" * 9 if number == damaged else gzip_member(lines)
            handle.write(member)
            digest.update(member)
            listed.append((len(member), len(pages), len(lines)))
    write_index(path, listed, digest)


def test_with_its_index_a_rank_reads_whole_members_numbered_as_in_the_file_and_together_the_ranks_read_it_all(tmp_path: Path) -> None:
    path = tmp_path / "units.jsonl.gz"
    _write_members(path, [_pages(3), _pages(2, 3), _pages(4, 5), _pages(1, 9), _pages(3, 10)], broken=3)
    index = read_index(path)
    assert index is not None and [m.pages for m in index] == [3, 2, 4, 1, 3] and count_pages(path, index=index) == 13

    def read(selector: PageSelector) -> tuple[list[tuple[str, int]], list[str]]:
        errors: list[object] = []
        return [(unit.id, selector.page) for unit in iter_units(path, errors=errors, keep=selector)], [str(e) for e in errors]

    whole, named = read(PageSelector())
    assert len(named) == 1 and named[0].startswith(f"{path}:{index[4].first_line - 1}: invalid JSON")
    shares = [read(PageSelector(rank, 2, index=index)) for rank in range(2)]
    assert sorted({page for _, page in shares[0][0]}) == [0, 1, 2, 5, 6, 7, 8, 10, 11, 12]  # members 0, 2, 4
    assert sorted(shares[0][0] + shares[1][0]) == sorted(whole)
    assert shares[0][1] == [] and shares[1][1] == named  # the bad line of member 3, named by its line in the file
    runs = [read(PageSelector(rank, 3, total=13, index=index))[0] for rank in range(3)]
    assert [unit for run in runs for unit in run] == whole


def test_a_rank_never_inflates_another_ranks_members(tmp_path: Path) -> None:
    path = tmp_path / "units.jsonl.gz"
    _write_members(path, [_pages(2), _pages(2, 2), _pages(2, 4)], damaged=1)
    index = read_index(path)
    assert index is not None
    shares = []
    for rank in range(2):
        errors: list[object] = []
        selector = PageSelector(rank, 2, index=index)
        shares.append(([(unit.id, selector.page) for unit in iter_units(path, errors=errors, keep=selector)], [str(e) for e in errors]))
    pages_read = sorted({page for _, page in shares[0][0]})
    assert pages_read == [0, 1, 4, 5] and shares[0][1] == []  # members 0 and 2, read as if nothing were wrong
    assert shares[1][0] == [] and "cannot read the compact units file" in shares[1][1][0]  # the damage is rank 1's alone
    errors = []
    assert len(list(iter_units(path, errors=errors))) < len(shares[0][0]) and errors  # one reader of the whole file stops at it


def test_an_index_that_does_not_describe_the_files_bytes_is_not_used(tmp_path: Path) -> None:
    path = tmp_path / "units.jsonl.gz"
    _write_members(path, [_pages(2), _pages(2, 2)])
    assert read_index(path) is not None
    record = json.loads(index_path(path).read_text(encoding="utf-8"))

    def index_as(changed: dict[str, object]) -> object:
        index_path(path).write_text(json.dumps({**record, **changed}), encoding="utf-8")
        return read_index(path)

    assert index_as({"members": [[record["members"][0][0], 3, 20], record["members"][1]]}) is None  # a count changed
    assert index_as({"members": [[1, 2, 3]]}) is None and index_as({"format": 2}) is None
    assert index_as({"sha256": "0" * 64}) is None
    index_path(path).write_text("{not json", encoding="utf-8")
    assert read_index(path) is None
    index_as({})
    stat = path.stat()
    edited = bytearray(path.read_bytes())  # a byte changed by hand, the file's size and time kept
    edited[-9] ^= 1
    path.write_bytes(bytes(edited))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert read_index(path) is None
    index_path(path).unlink()
    assert read_index(path) is None
    plain = tmp_path / "units.jsonl"
    write_unit_records(plain, [record for page in _pages(2) for record in page.records()])
    assert read_index(plain) is None
