"""How a push reads its units file. A sentence push reads a full file's lines from their bytes
(sentences parsed, articles' titles picked out, documents that show nothing passed over): it must
find what the plain reader finds, name each damaged sentence line as the plain reader does, and
no longer parse the rest of the articles and documents it makes no task of. No server: the reading alone."""

from __future__ import annotations

import json
from pathlib import Path

from curation.segment.pipeline import segment_document
from curation.studio.tasks import UnitsToPush, read_units_to_push
from curation.unitfile import iter_unit_records, iter_units, write_unit_records
from curation.units import Document, Provenance, sha256_hex

QUOTED = 'عنوان "مقتبس" \\ هنا\n\nقال المتحدث "نعم" اليوم في المدينة. ثم أضاف \\ شيئاً آخر.\n\nوقال آخرون إن الأمر "صعب" جداً.'


def _seen(found: UnitsToPush) -> tuple:
    """What a push makes tasks from, comparable across two readings."""
    contexts = {uid: (c.title, c.before, c.after) for uid, c in found.contexts.items()}
    return {uid: unit.to_record() for uid, unit in found.units.items()}, contexts, found.fields, found.problems


def _records(seed_units: Path) -> list[dict]:
    """The seeds' records, then an imported pair's page (its headline and claim shown) whose title
    and sentences quote with '"' and '\\', and one seed article made untitled."""
    records = list(iter_unit_records(seed_units))
    untitled = next(r for r in records if r["level"] == "article")
    untitled.update(title=None, title_span=None)
    pair = Document(Document.make_id(QUOTED, "pair.txt"), QUOTED, Provenance("pair.txt", None, sha256_hex(QUOTED)),
                    {"fields": {"title": "عنوان الزوج", "target": "ادعاء"}})  # fmt: skip
    return [*records, *segment_document(pair).records()]


def test_a_sentence_push_reads_a_full_file_as_the_plain_reader_reads_its_compact_twin(seed_units: Path, tmp_path: Path) -> None:
    """A compact file (texts rebuilt from the document's) is read line by line as before: the full
    file, read from its bytes, gives the same units, contexts and shown fields."""
    records = _records(seed_units)
    full, compact = tmp_path / "units.jsonl", tmp_path / "units.jsonl.gz"
    write_unit_records(full, records)
    write_unit_records(compact, records)
    read = read_units_to_push(full, "sentence")
    assert _seen(read) == _seen(read_units_to_push(compact, "sentence"))
    assert len(read.units) == sum(r["level"] == "sentence" for r in records) and read.problems == []
    pair = records[-1]["doc_id"]
    assert read.fields == {pair: {"title": "عنوان الزوج", "target": "ادعاء"}}
    assert {c.title for uid, c in read.contexts.items() if read.units[uid].doc_id == pair} == {'عنوان "مقتبس" \\ هنا'}
    assert read.contexts[records[-1]["id"]].before == "ثم أضاف \\ شيئاً آخر."
    untitled = next(r for r in records if r["level"] == "article" and r["title"] is None)["id"]
    assert {c.title for uid, c in read.contexts.items() if read.units[uid].article_id == untitled} == {""}


def test_damaged_sentence_lines_are_named_as_the_plain_reader_names_them(seed_units: Path, tmp_path: Path) -> None:
    """Torn JSON, a lone surrogate, bytes that are not UTF-8, a sentence without its text: each
    is one problem naming file and line (or unit), worded as the plain reader words it; a NaN
    offset is read as null, as the plain reader reads it; the other sentences are read."""
    lines = [json.dumps(r, ensure_ascii=False).encode("utf-8") for r in iter_unit_records(seed_units)]
    at = next(i for i, line in enumerate(lines) if b'"level": "sentence"' in line)
    good = lines[at]
    damaged = [
        good[: len(good) // 2],
        good.replace(b'"id": "s', b'"id": "nan-s', 1).replace(b'"start": ', b'"start": NaN, "was": ', 1),
        good.replace(b'"text": "', b'"text": "\\ud800', 1),
        good.replace(b'"text": "', b'"text": "\xff', 1),
        json.dumps({"id": "s-no-text", "level": "sentence", "parent": "a", "doc_id": "d", "start": 0, "end": 1}).encode(),
    ]
    path = tmp_path / "damaged.jsonl"
    path.write_bytes(b"\n".join([*lines[: at + 1], *damaged, *lines[at + 1 :]]) + b"\n")
    plain: list[object] = []
    plain_ids = list(dict.fromkeys(unit.id for unit in iter_units(path, "sentence", plain)))
    read = read_units_to_push(path, "sentence")
    assert read.problems == [f"{error}: not read" for error in plain] and len(plain) == 4
    assert read.problems[0].startswith(f"{path}:{at + 2}: invalid JSON") and "unit s-no-text" in read.problems[-1]
    assert list(read.units) == plain_ids and read.units[plain_ids[1]].start is None


def test_a_sentence_push_no_longer_parses_articles_after_their_title_nor_plain_documents(
    seed_units: Path, tmp_path: Path
) -> None:
    """An article torn after its title and a torn document make no sentence task: a sentence push
    reports nothing of them (an article push names both). An article torn before its title is
    read as before, and named."""
    records = list(iter_unit_records(seed_units))
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    first, second = [i for i, r in enumerate(records) if r["level"] == "article" and r["title"]][:2]
    document = max(i for i, r in enumerate(records) if r["level"] == "document")
    lines[first] = lines[first][: lines[first].index('"body": ') + 20]
    lines[document] = lines[document][:200]
    path = tmp_path / "units.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    read = read_units_to_push(path, "sentence")
    assert read.problems == [] and len(read.units) == sum(r["level"] == "sentence" for r in records)
    titles = {c.title for uid, c in read.contexts.items() if read.units[uid].article_id == records[first]["id"]}
    assert titles == {records[first]["title"]}
    named = [problem.split(": ")[0] for problem in read_units_to_push(path, "article").problems]
    assert named == [f"{path}:{line + 1}" for line in sorted((first, document))]
    lines[second] = lines[second][: lines[second].index('"title": ')]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    (problem,) = read_units_to_push(path, "sentence").problems
    assert problem.startswith(f"{path}:{second + 1}: invalid JSON")
