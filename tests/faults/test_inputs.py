"""Hostile inputs to `curation segment` (and `dedup`, `report`, `agree`, `schema show`): each bad
file or line is one error naming it and what is wrong, the good pages beside it are still
segmented, nothing hangs, nothing is written that other JSON readers reject, no input changes."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import NEWS_SCHEMA, Ran, assert_clean_failure, assert_nothing_lost, run_cli, snapshot, tried

PAGE = "قال المتحدث باسم الحكومة إن الاجتماع سيعقد غدا في العاصمة. وأضاف أن الوزراء سيناقشون الميزانية.\n"
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00\x1f\xf3\xffa"


def _line(**fields: object) -> str:
    return json.dumps(fields, ensure_ascii=False)


def _truncated_gzip() -> bytes:
    whole = gzip.compress(PAGE.encode() * 40)
    return whole[: len(whole) // 2]


# file name -> (bytes, the error expected on one line, naming the file and line)
HOSTILE: dict[str, tuple[bytes, str]] = {
    "surrogate.jsonl": (f'{{"text": "\\ud800 {PAGE[:20]}"}}\n{_line(text=PAGE)}\n'.encode(),
                        "surrogate.jsonl:1: invalid text: lone surrogate \\ud800 is not a Unicode character"),
    "deep.jsonl": (("[" * 5000 + "]" * 5000 + "\n" + _line(text=PAGE) + "\n").encode(),
                   "deep.jsonl:1: invalid JSON: nested too deeply"),
    "array.jsonl": (b"[1, 2]\n", "array.jsonl:1: a JSONL line must be an object"),
    "broken.jsonl": (b"{broken\n", "broken.jsonl:1: invalid JSON: Expecting property name"),
    "truncated.txt.gz": (_truncated_gzip(), "truncated.txt.gz: cannot read: Compressed file ended before the end-of-stream"),
    "damaged.jsonl.gz": (gzip.compress(b"x" * 100)[:12] + b"\xff" * 40, "damaged.jsonl.gz: cannot read:"),
    "image.txt": (PNG, "image.txt: binary content (NUL bytes)"),
    "wide.txt": (PAGE.encode("utf-16"), "wide.txt: UTF-16 text, not UTF-8: read it with --encoding utf-16"),
    "legacy.txt": (PAGE.encode("cp1256"), "legacy.txt: not UTF-8: byte 0xde at offset 0 cannot be decoded; it looks "
                   "like Windows Arabic: read it with --encoding cp1256"),
    "empty.txt": (b"", "empty.txt: empty: no text after decoding"),
}  # fmt: skip


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Ran, dict[str, str]]:
    """One folder of every hostile input beside two good pages, segmented in one run."""
    folder = tmp_path_factory.mktemp("hostile")
    pages = folder / "pages"
    pages.mkdir()
    (pages / "good.txt").write_text(PAGE, encoding="utf-8")
    for name, (raw, _) in HOSTILE.items():
        (pages / name).write_bytes(raw)
    (pages / "meta.jsonl").write_text(f'{{"text": {json.dumps(PAGE)}, "score": NaN, "rank": Infinity}}\n')
    os.mkfifo(pages / "pipe.txt")
    (pages / "zero.txt").symlink_to("/dev/zero")
    with open(os.fsencode(pages) + b"/bad\xffname.txt", "wb") as handle:
        handle.write(PAGE.encode())
    (pages / "new\nline\x1b[31mred.txt").write_text(PAGE, encoding="utf-8")
    tried("hostile page files and lines (segment)", len(HOSTILE) + 5)
    before = snapshot(pages)
    ran = run_cli(["segment", "pages", "-o", "units.jsonl"], folder)
    assert_nothing_lost(before, pages)
    return folder, ran, before


def test_the_run_fails_with_no_traceback_and_segments_every_good_page(hostile: tuple[Path, Ran, dict]) -> None:
    folder, ran, _ = hostile
    assert_clean_failure(ran, 1)
    records = [json.loads(line) for line in (folder / "units.jsonl").read_text(encoding="utf-8").splitlines()]
    documents = sorted(f"{r['source']}:{r['line']}" for r in records if r["level"] == "document")
    # good.txt, the ANSI-named page, meta.jsonl and the good lines after a surrogate and after deep nesting
    assert len(documents) == 5, documents


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_each_bad_file_is_one_line_naming_it(hostile: tuple[Path, Ran, dict], name: str) -> None:
    assert_clean_failure(hostile[1], 1, HOSTILE[name][1])


@pytest.mark.parametrize(
    "message",
    [
        "pipe.txt: not a regular file (a FIFO, device or socket): skipped",
        "zero.txt: not a regular file (a FIFO, device or socket): skipped",
        "bad\\udcffname.txt: file name is not valid UTF-8: rename the file to read it",
    ],
    ids=["fifo", "symlink-to-dev-zero", "non-utf8-name"],
)
def test_special_files_and_undecodable_names_are_refused_in_one_line(hostile: tuple[Path, Ran, dict], message: str) -> None:
    assert_clean_failure(hostile[1], 1, message)


def test_control_characters_in_names_never_reach_the_terminal(hostile: tuple[Path, Ran, dict]) -> None:
    """The page named with a newline and an ANSI escape is read; nowhere is the raw escape printed."""
    output = hostile[1].output
    assert "\x1b[31m" not in output
    assert "new\nline" not in output


def test_nan_in_metadata_is_written_as_valid_json(hostile: tuple[Path, Ran, dict]) -> None:
    def refuse(constant: str) -> None:
        raise AssertionError(f"{constant} written: not JSON")

    text = (hostile[0] / "units.jsonl").read_text(encoding="utf-8")
    metas = [json.loads(line, parse_constant=refuse).get("meta") for line in text.splitlines()]
    assert {"score": None, "rank": None}.items() <= next(m for m in metas if m and "score" in m).items()


@pytest.mark.parametrize("encoding", ["cp1256", "utf-16"])
def test_legacy_pages_are_read_with_encoding(tmp_path: Path, encoding: str) -> None:
    tried(f"{encoding} page with --encoding")
    (tmp_path / "page.txt").write_bytes(PAGE.encode(encoding))
    ran = run_cli(["segment", "page.txt", "--encoding", encoding, "-o", "units.jsonl"], tmp_path)
    assert ran.returncode == 0, ran.output
    document = json.loads((tmp_path / "units.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert document["text"] == PAGE


def test_an_unknown_encoding_is_one_line(tmp_path: Path) -> None:
    tried("unknown --encoding")
    (tmp_path / "page.txt").write_text(PAGE, encoding="utf-8")
    ran = run_cli(["segment", "page.txt", "--encoding", "klingon", "-o", "units.jsonl"], tmp_path)
    assert_clean_failure(ran, 2, "unknown encoding 'klingon' (try utf-8, utf-16, cp1256)")


def test_an_unreadable_sub_folder_is_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    tried("unreadable sub-folder")
    (tmp_path / "pages" / "locked").mkdir(parents=True)
    (tmp_path / "pages" / "locked" / "hidden.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "pages" / "open.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "pages" / "locked").chmod(0)
    try:
        ran = run_cli(["segment", "pages", "-o", str(tmp_path / "units.jsonl")], tmp_path, bound_by_permissions=True)
    finally:
        (tmp_path / "pages" / "locked").chmod(0o755)
    assert_clean_failure(ran, 1, "pages/locked: folder cannot be read: Permission denied; its files were skipped")
    assert (tmp_path / "units.jsonl").read_text(encoding="utf-8").count('"level": "document"') == 1


def test_a_200_mb_line_is_skipped_in_bounded_memory(tmp_path: Path) -> None:
    """Before: one 200 MB line took 3.07 GB. Now it is reported and skipped; the process's peak
    memory (measured by a wrapper around the command) stays far below the line's size x 15."""
    tried("200 MB JSONL line")
    with (tmp_path / "huge.jsonl").open("w", encoding="utf-8") as handle:
        handle.write(_line(text=PAGE) + "\n")
        handle.write('{"text": "')
        chunk = "ا" * (1 << 20)  # 2 MB of UTF-8 a write
        for _ in range(100):
            handle.write(chunk)
        handle.write('"}\n' + _line(text=PAGE + "2") + "\n")
    peak = (
        "import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
        "print('peak_kb', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr); "
        "sys.exit(done.returncode)"
    )
    done = subprocess.run(
        [sys.executable, "-c", peak, str(Path(sys.executable).parent / "curation"), "segment", "huge.jsonl",
         "--workers", "1", "-o", "units.jsonl"],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    ran = Ran(["segment", "huge.jsonl"], done.returncode, done.stdout, done.stderr)
    assert_clean_failure(ran, 1, "huge.jsonl:2: line longer than 67,108,864 bytes: skipped")
    peak_kb = int(done.stderr.rsplit("peak_kb", 1)[1].split()[0])
    assert peak_kb < 1_000_000, f"peak memory {peak_kb} kB"
    assert (tmp_path / "units.jsonl").read_text(encoding="utf-8").count('"level": "document"') == 2


def test_a_png_given_to_dedup_and_report_is_one_line(tmp_path: Path) -> None:
    tried("PNG given to dedup and report", 2)
    (tmp_path / "units.jsonl").write_bytes(PNG)
    before = snapshot(tmp_path)
    dedup = run_cli(["dedup", "units.jsonl", "-o", "clusters.jsonl"], tmp_path)
    assert_clean_failure(dedup, 1, "units.jsonl:1: binary content (NUL bytes), not a JSONL text file")
    report = run_cli(["report", "units.jsonl", "-o", "report.html"], tmp_path)
    assert_clean_failure(report, 1, "units.jsonl:1: binary content (NUL bytes), not a JSONL text file")
    assert_nothing_lost(before, tmp_path)


def test_an_output_over_its_own_input_is_refused_before_any_work(tmp_path: Path) -> None:
    tried("segment X.jsonl -o X.jsonl", 1)
    (tmp_path / "pages.jsonl").write_text(_line(text=PAGE) + "\n", encoding="utf-8")
    before = snapshot(tmp_path)
    ran = run_cli(["segment", "pages.jsonl", "-o", "pages.jsonl"], tmp_path)
    assert_clean_failure(ran, 1, "pages.jsonl: is also an input of this command; write the result to another file")
    assert_nothing_lost(before, tmp_path)


def test_agree_on_an_unreadable_store_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    tried("agree on a store with no readable line", 1)
    (tmp_path / "store.jsonl").write_bytes(b"not json at all\n\xff\xfe garbage\n")
    ran = run_cli(["agree", "store.jsonl", "-o", "agreement.json"], tmp_path)
    assert_clean_failure(ran, 1, "store.jsonl:1: invalid JSON", "(no annotation could be read; nothing written)")
    assert not (tmp_path / "agreement.json").exists()


def test_rich_markup_in_labels_is_shown_as_text(tmp_path: Path) -> None:
    tried("rich markup ([/], [red]) in schema labels", 1)
    schema = yaml.safe_load(NEWS_SCHEMA.read_text(encoding="utf-8"))
    politics = schema["labels"]["topic"]["values"][0]
    politics["ar"] = "سياسة [/] [red]x[/red]"
    politics["description"] = "[bold]bold?[/bold] [/]"
    (tmp_path / "markup.yaml").write_text(yaml.safe_dump(schema, allow_unicode=True), encoding="utf-8")
    ran = run_cli(["schema", "show", "markup.yaml"], tmp_path)
    assert ran.returncode == 0 and "Traceback" not in ran.output, ran.output
    assert "[red]x[/red]" in ran.output and "[/]" in ran.output



@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["build", "zero.yaml"], 1, "zero.yaml: cannot read recipe: not a regular file (a FIFO, device or socket)"),
        (["import", "zero.conll", "-o", "imported"], 1, "zero.conll: not a regular file (a FIFO, device or socket)"),
        (["dedup", "zero.jsonl", "-o", "clusters.jsonl"], 1, "zero.jsonl:1: not a regular file"),
        (["agree", "zero.jsonl", "-o", "agreement.json"], 1, "zero.jsonl:1: not a regular file"),
        (["verify", "/dev/zero"], 1, "/dev/zero/manifest.json: Not a directory"),
    ],
    ids=["build-recipe", "import", "dedup", "agree", "verify"],
)
def test_a_symlink_to_dev_zero_is_refused_by_every_reader(tmp_path: Path, args: list[str], code: int, message: str) -> None:
    """Before: the recipe and import readers filled memory until the kernel killed them."""
    tried("symlink to /dev/zero given to build, import, dedup, agree, verify")
    for name in ("zero.yaml", "zero.conll", "zero.jsonl"):
        (tmp_path / name).symlink_to("/dev/zero")
    assert_clean_failure(run_cli(args, tmp_path), code, message)
