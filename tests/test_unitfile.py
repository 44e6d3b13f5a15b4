"""The units file: written atomically, read back, bad lines named by number."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from curation.fileio import JsonlLineError
from curation.segment.pipeline import SegmentedDocument, segment_document
from curation.unitfile import PageSelector, iter_unit_records, iter_units, write_unit_records
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
