"""`curation dedup` as datatrove jobs: the outputs are the same bytes for one task, several tasks,
a reused work folder, a Ray cluster and the jobs run in this process (a small units file), and
the same as the stages run in this process."""

from __future__ import annotations

import gzip
import json
import random
from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from curation.dedup import dedup_items, find_duplicates, find_repeated_passages
from curation.dedup.run import find_duplicates_on, run_dedup
from curation.fileio import write_jsonl
from curation.pipeline.options import ExecutorOptions
from curation.pipeline.run import run_segment
from curation.pipeline.steps import BLOCK
from curation.settings import DedupSettings
from curation.unitfile import UnitFile, count_pages, index_path, iter_units, read_index
from tests.dedup.conftest import OTHER_STORY, SEEDS, STORY

LINE = "تابعونا على مواقع التواصل الاجتماعي"


@pytest.fixture(scope="module")
def units(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed pages and eleven more: copies, a near copy, teasers, one shared line."""
    folder = tmp_path_factory.mktemp("units")
    words = STORY.split()
    texts = [STORY, OTHER_STORY, STORY, STORY.replace("ثلاثمئة", "أربعمئة"), " ".join(words[:30]), OTHER_STORY + " وفق الوكالة"]
    texts += [" ".join(words[n:] + words[:n]) for n in (5, 11, 17, 23)] + [" ".join(OTHER_STORY.split()[:25])]
    pages = [{"id": str(n), "topic": f"t{n % 3}", "text": f"{text}\n{LINE}"} for n, text in enumerate(texts)]
    (folder / "pages.jsonl").write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pages), encoding="utf-8")
    for path in SEEDS.glob("*.txt"):
        (folder / path.name).write_bytes(path.read_bytes())
    run_segment([str(folder)], folder / "units.jsonl.gz", options=ExecutorOptions(workers=1))
    return folder / "units.jsonl.gz"


def dedup(units: Path, out: Path, **options: object) -> dict[str, bytes]:
    out.mkdir()
    summary = run_dedup(units, options=ExecutorOptions(**options), clusters=out / "c", contained=out / "t", repeated=out / "r")  # type: ignore[arg-type]
    assert summary is not None and summary.errors == []
    assert summary.compared > 11 and summary.clusters and summary.contained and summary.repeated
    return {path.name: path.read_bytes() for path in sorted(out.iterdir())}


def test_any_number_of_tasks_writes_the_same_bytes_as_the_stages_in_this_process(units: Path, tmp_path: Path) -> None:
    one = dedup(units, tmp_path / "one", workers=1)
    assert dedup(units, tmp_path / "two", workers=2) == one
    assert dedup(units, tmp_path / "three", workers=2, tasks=3) == one
    assert dedup(units, tmp_path / "here", in_process=True) == one
    assert dedup(units, tmp_path / "small") == one  # nothing chosen, a small file: in this process
    found = find_duplicates(dedup_items(UnitFile(units)))
    write_jsonl(tmp_path / "c", (c.to_record() for c in found.clusters))
    write_jsonl(tmp_path / "t", (c.to_record() for c in found.contained))
    write_jsonl(tmp_path / "r", (p.to_record() for p in find_repeated_passages(UnitFile(units))))
    assert one == {name: (tmp_path / name).read_bytes() for name in one}
    assert json.loads(one["r"].splitlines()[0])["text"] == LINE


def test_label_conflicts_and_unreadable_lines_are_the_same_for_any_number_of_tasks_each_line_named_once_in_file_order(
    units: Path, tmp_path: Path
) -> None:
    lines = gzip.decompress(units.read_bytes()).splitlines(keepends=True)
    documents = [n for n, line in enumerate(lines) if b'"level": "document"' in line[:80]]
    lines.insert(documents[3] + 1, b"{broken\n")  # in page 3: only its rank decodes it
    lines.insert(documents[1] + 1, b"\xff not UTF-8\n")  # in page 1: every rank meets it
    damaged = tmp_path / "damaged.jsonl.gz"
    damaged.write_bytes(gzip.compress(b"".join(lines)))
    summaries = [run_dedup(damaged, options=ExecutorOptions(**options)) for options in ({"workers": 1}, {"workers": 2, "tasks": 3})]  # type: ignore[arg-type]
    assert summaries[0] is not None and summaries[0].conflicts and summaries[0] == summaries[1]
    assert [error.split(":")[1] for error in summaries[0].errors] == [str(documents[1] + 2), str(documents[3] + 3)]


def test_a_reused_work_folder_gives_the_same_bytes(units: Path, tmp_path: Path) -> None:
    work = tmp_path / "work"
    many = dedup(units, tmp_path / "many", workers=2, tasks=4, work_dir=str(work))
    assert dedup(units, tmp_path / "few", workers=1, work_dir=str(work)) == many  # rank 1-3's parts are gone


def test_a_second_run_on_a_busy_work_folder_is_refused(units: Path, tmp_path: Path) -> None:
    import fcntl

    with (tmp_path / ".lock").open("w") as held:  # what a running curation dedup holds
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(ValueError, match="another curation dedup is running"):
            run_dedup(units, options=ExecutorOptions(workers=1, work_dir=str(tmp_path)))


def test_slurm_needs_a_shared_work_folder(units: Path) -> None:
    with pytest.raises(ValueError, match="needs --work-dir"):
        run_dedup(units, options=ExecutorOptions("slurm", slurm={"partition": "p"}))


def test_the_ray_executor_writes_the_same_bytes(units: Path, tmp_path: Path, local_ray_cluster: Callable[[], AbstractContextManager[None]]) -> None:
    local = dedup(units, tmp_path / "local", workers=1)
    with local_ray_cluster():
        assert dedup(units, tmp_path / "ray", executor="ray", workers=2) == local


def test_a_builds_dedup_on_ranks_finds_what_the_stages_here_find_even_in_a_reused_folder_and_counts_the_pages(units: Path, tmp_path: Path) -> None:
    here = find_duplicates(dedup_items(UnitFile(units)))
    work = tmp_path / "work"
    find_duplicates_on(units, DedupSettings(), ExecutorOptions(workers=2, tasks=3), work)  # leaves a rank 2
    on_ranks = find_duplicates_on(units, DedupSettings(), ExecutorOptions(workers=2), work)
    assert here.clusters and here.contained
    assert (on_ranks.clusters, on_ranks.contained) == (here.clusters, here.contained)
    assert on_ranks.pages == count_pages(units) == sum(1 for _ in iter_units(units, "document"))
    assert count_pages(units, limit=3) == 3 and count_pages(units, limit=10_000) == on_ranks.pages


@pytest.fixture(scope="module")
def blocks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A units file of more gzip members than ranks (pages beyond three blocks), cut by `curation
    segment`, which writes the members' index beside it: unrelated pages and, every 90th, the story."""
    folder = tmp_path_factory.mktemp("blocks")
    words = (STORY + " " + OTHER_STORY).split()
    texts = [STORY if n % 90 == 0 else " ".join(random.Random(n).sample(words, 40)) for n in range(3 * BLOCK + 40)]
    pages = [{"id": str(n), "topic": f"t{n % 3}", "text": text} for n, text in enumerate(texts)]
    (folder / "pages.jsonl").write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in pages), encoding="utf-8")
    run_segment([str(folder / "pages.jsonl")], folder / "units.jsonl.gz", options=ExecutorOptions(workers=1))
    return folder / "units.jsonl.gz"


def test_with_segments_index_each_rank_reads_its_members_and_the_outputs_are_those_of_the_whole_read(blocks: Path, tmp_path: Path) -> None:
    index = read_index(blocks)
    assert index is not None and len(index) == 4 and count_pages(blocks, index=index) == 3 * BLOCK + 40
    one = dedup_outputs(blocks, tmp_path / "one", workers=1)
    assert dedup_outputs(blocks, tmp_path / "two", workers=2) == one
    assert dedup_outputs(blocks, tmp_path / "three", workers=2, tasks=3) == one
    assert dedup_outputs(blocks, tmp_path / "here", in_process=True) == one
    unindexed = tmp_path / "unindexed" / blocks.name
    unindexed.parent.mkdir()
    unindexed.write_bytes(blocks.read_bytes())
    assert dedup_outputs(unindexed, tmp_path / "whole", workers=2) == one
    assert len(json.loads(one["c"].splitlines()[0])["members"]) == 9  # the story, once a block and more


def test_a_units_file_edited_after_its_index_or_a_damaged_index_is_read_whole(blocks: Path, tmp_path: Path) -> None:
    units = tmp_path / blocks.name
    lines = gzip.decompress(blocks.read_bytes()).splitlines(keepends=True)
    documents = [n for n, line in enumerate(lines) if b'"level": "document"' in line[:80]]
    first_copy = documents[90]  # a copy of the story, in the first member: the pages after it move
    units.write_bytes(gzip.compress(b"".join(lines[:first_copy] + lines[documents[91] :])))
    (tmp_path / index_path(blocks).name).write_bytes(index_path(blocks).read_bytes())  # the index of the file before the edit
    assert read_index(units) is None
    stale = dedup_outputs(units, tmp_path / "stale", workers=2)
    index_path(units).unlink()
    assert dedup_outputs(units, tmp_path / "none", workers=2) == stale
    assert len(json.loads(stale["c"].splitlines()[0])["members"]) == 8  # the copy taken out, nothing else

    units.write_bytes(blocks.read_bytes())
    index_path(units).write_text(index_path(blocks).read_text(encoding="utf-8").replace('"members":[[', '"members":[[1'), encoding="utf-8")
    assert read_index(units) is None
    assert dedup_outputs(units, tmp_path / "damaged", workers=2) == dedup_outputs(blocks, tmp_path / "indexed", workers=2)


def dedup_outputs(units: Path, out: Path, **options: object) -> dict[str, bytes]:
    """The clusters and contained files of a dedup of ``units`` (no repeated passages: not asked)."""
    out.mkdir()
    summary = run_dedup(units, options=ExecutorOptions(**options), clusters=out / "c", contained=out / "t")  # type: ignore[arg-type]
    assert summary is not None and summary.errors == []
    return {path.name: path.read_bytes() for path in sorted(out.iterdir())}
