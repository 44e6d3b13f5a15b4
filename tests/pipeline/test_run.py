"""The pipeline steps on datatrove's executors: the units file is the same bytes for one worker,
two workers, a Ray cluster and this process alone (a small input), and a bad input is reported
once whatever the number of ranks."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from curation.ingest import IngestSettings, jsonl
from curation.pipeline.options import SMALL_RUN_PAGES, ExecutorOptions, PipelineFailed
from curation.pipeline.run import count_input_pages, run_jobs, run_segment, run_watched
from curation.pipeline.steps import BLOCK, ReadPages
from curation.segment.pipeline import SegmenterSettings
from curation.settings import DedupSettings, Settings
from curation.unitfile import index_path, iter_unit_records, read_index, read_settings

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
PAGES = 3 * BLOCK + 5


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Pages in one JSONL file (the seeds' paragraphs as separate pages, numbered) plus the seeds
    themselves and three broken lines in three blocks: more blocks of documents than ranks, a
    count no rank count or block size divides."""
    folder = tmp_path_factory.mktemp("pages")
    texts = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    chunks = [chunk for text in texts for chunk in text.split("\n\n\n") if chunk.strip()][:5]
    lines = [
        json.dumps({"id": f"p{i}", "text": f"{chunks[i % len(chunks)]}\n\nالصفحة {i}"}, ensure_ascii=False)
        for i in range(PAGES)
    ]
    lines.insert(2, "{not json")  # a problem in block 0, then in blocks 1 and 2 (other ranks')
    lines.insert(BLOCK + 11, json.dumps({"id": "no-text", "title": "عنوان"}))
    lines.insert(2 * BLOCK + 6, "[1]")
    (folder / "pages.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for path in SEEDS.glob("*.txt"):
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


def segment(pages: Path, output: Path, **options: object) -> bytes:
    run = run_segment([str(pages)], output, options=ExecutorOptions(**options))  # type: ignore[arg-type]
    assert [str(e) for e in run.errors] == [  # in input order, whichever rank found them
        f"{pages / 'pages.jsonl'}:3: invalid JSON: Expecting property name enclosed in double quotes at column 2",
        f"{pages / 'pages.jsonl'}:{BLOCK + 12}: no text in field 'text'",
        f"{pages / 'pages.jsonl'}:{2 * BLOCK + 7}: a JSONL line must be an object",
    ]
    assert run.counts["documents"] == len(list(iter_unit_records(output, "document")))
    return output.read_bytes()


def test_one_and_two_workers_write_the_same_bytes(pages: Path, tmp_path: Path) -> None:
    one = segment(pages, tmp_path / "one.jsonl", workers=1)
    two = segment(pages, tmp_path / "two.jsonl", workers=2)
    three = segment(pages, tmp_path / "three.jsonl.gz", workers=2, tasks=3)
    assert one == two
    assert segment(pages, tmp_path / "one.jsonl.gz", workers=1) == three  # the compact file too
    assert index_path(tmp_path / "one.jsonl.gz").read_bytes() == index_path(tmp_path / "three.jsonl.gz").read_bytes()
    index = read_index(tmp_path / "three.jsonl.gz")  # its gzip members, one a block, for the readers to seek to
    assert index is not None and len(index) == 4 and sum(m.pages for m in index) == PAGES + 2
    assert not index_path(tmp_path / "one.jsonl").exists()  # a plain file is not read in members
    assert b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in iter_unit_records(tmp_path / "three.jsonl.gz")) == one
    documents = [r["id"] for r in iter_unit_records(tmp_path / "one.jsonl", "document")]
    assert len(documents) == PAGES + 2 and len(set(documents)) == len(documents)
    assert not list(tmp_path.glob(".*.work")), "the work folder of a local run is removed"


def test_in_this_process_the_units_file_has_the_bytes_of_two_workers(pages: Path, tmp_path: Path) -> None:
    two = segment(pages, tmp_path / "two.jsonl.gz", workers=2)
    assert segment(pages, tmp_path / "here.jsonl.gz", in_process=True) == two
    assert segment(pages, tmp_path / "here.jsonl", in_process=True) == segment(pages, tmp_path / "two.jsonl", workers=2)
    assert not list(tmp_path.glob(".*.work")), "the work folder of a run in this process is removed"


def small(limit: int) -> int:
    """A page count below SMALL_RUN_PAGES, as ExecutorOptions.for_input asks for one."""
    return min(SMALL_RUN_PAGES - 1, limit)


def test_a_small_input_runs_here_unless_the_executor_or_its_width_was_chosen(pages: Path, tmp_path: Path) -> None:
    assert ExecutorOptions().for_input(small).in_process
    assert not ExecutorOptions().for_input(lambda limit: limit).in_process  # SMALL_RUN_PAGES or more
    chosen = [{"workers": 1}, {"tasks": 2}, {"work_dir": str(tmp_path)}, {"verbose": True}, {"executor": "ray"}]
    assert not any(ExecutorOptions(**options).for_input(small).in_process for options in chosen)  # type: ignore[arg-type]
    assert count_input_pages([str(pages)], IngestSettings(), 10) == 10  # listing stops at the limit
    assert count_input_pages([str(pages)], IngestSettings(), 10_000) == PAGES + 3 + 2  # broken lines are pages too
    one = tmp_path / "one.jsonl"
    run = run_segment([str(pages / "000_1276ca6894bdea22.txt")], one)
    assert run.in_process and run.counts["documents"] == 1
    assert not run_segment([str(pages / "000_1276ca6894bdea22.txt")], tmp_path / "w1.jsonl", options=ExecutorOptions(workers=1)).in_process
    assert (tmp_path / "w1.jsonl").read_bytes() == one.read_bytes()
    with pytest.raises(ValueError, match="in_process runs one task"):
        ExecutorOptions(workers=2, in_process=True)


def test_a_step_that_fails_in_this_process_is_reported_as_a_failed_rank_is(pages: Path, tmp_path: Path) -> None:
    """The units file over a folder: the merge cannot write it, on two workers or here; both
    raise PipelineFailed naming the logs, and here the log holds the traceback."""
    (tmp_path / "units.jsonl").mkdir()
    seed = str(pages / "000_1276ca6894bdea22.txt")
    with pytest.raises(PipelineFailed, match="logs"):
        run_segment([seed], tmp_path / "units.jsonl", options=ExecutorOptions(workers=2))
    with pytest.raises(PipelineFailed, match=r"merge failed \(.*units\.jsonl: Is a directory\); see (.*logs)$") as failed:
        run_segment([seed], tmp_path / "units.jsonl")
    logs = Path(str(failed.value).rsplit("see ", 1)[1])
    assert "Traceback" in (logs / "task_00000.log").read_text(encoding="utf-8")


def test_a_rank_makes_only_the_pages_of_its_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "pages.jsonl"
    path.write_text("".join(json.dumps({"text": f"الصفحة {i}."}, ensure_ascii=False) + "\n" for i in range(2 * BLOCK + 3)), encoding="utf-8")
    made: list[int] = []
    make = jsonl._jsonl_line

    def counted(path: Path, number: int, *rest: object) -> object:
        made.append(number)
        return make(path, number, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(jsonl, "_jsonl_line", counted)
    shares = [list(ReadPages((str(path),), IngestSettings(), str(tmp_path / "problems")).run(rank=rank, world_size=2)) for rank in (0, 1)]
    assert [index for index, _ in shares[0]] == [*range(BLOCK), *range(2 * BLOCK, 2 * BLOCK + 3)]
    assert [index for index, _ in shares[1]] == list(range(BLOCK, 2 * BLOCK))
    assert sorted(made) == list(range(1, 2 * BLOCK + 4))  # every line parsed once, by one rank


def test_settings_are_recorded_beside_the_units_and_change_the_cut(pages: Path, tmp_path: Path) -> None:
    settings = Settings(SegmenterSettings(), DedupSettings(threshold=0.8))
    run_segment([str(pages / "000_1276ca6894bdea22.txt")], tmp_path / "units.jsonl", settings)
    assert read_settings(tmp_path / "units.jsonl") == Settings.from_dict(settings.to_dict())
    assert read_settings(tmp_path / "none.jsonl") is None


def test_ingest_settings_read_the_chosen_fields_and_are_recorded_with_the_units(tmp_path: Path) -> None:
    record = {"hl": "الحكومة تقر الموازنة", "writer": "القاهرة - أحمد الريدي", "published_on": "2025-11-06",
              "permalink": "https://example.com/1", "title": "Site name", "story": "قال الوزير إن الموازنة أقرت.\nوأضاف أن العجز سينخفض."}
    (tmp_path / "pages.jsonl").write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    ingest = IngestSettings(text_field="story").with_options(title="hl", byline="writer", date="published_on", url="permalink")
    settings = Settings(ingest=ingest)
    run_segment([str(tmp_path / "pages.jsonl")], tmp_path / "units.jsonl", settings, ExecutorOptions(workers=1))
    (document,) = iter_unit_records(tmp_path / "units.jsonl", "document")
    (article,) = iter_unit_records(tmp_path / "units.jsonl", "article")
    header = [article["title_span"]["text"], article["byline"]["text"], article["dateline"]["text"]]
    assert header == [record["hl"], record["writer"], record["published_on"]]
    assert document["meta"]["url"] == "https://example.com/1"
    recorded = read_settings(tmp_path / "units.jsonl")
    assert recorded == settings and recorded.ingest.fields.title == ("hl",)
    assert json.loads((tmp_path / "units.jsonl.settings.json").read_text(encoding="utf-8"))["ingest"]["text_field"] == "story"
    assert recorded.differences(Settings()) == [
        'ingest.fields.byline: ["writer"] vs ["byline", "author", "authors"]',
        'ingest.fields.date: ["published_on"] vs ["date", "date_publish", "published", "published_at"]',
        'ingest.fields.title: ["hl"] vs ["title", "headline"]',
        'ingest.fields.url: ["permalink"] vs ["url", "link"]',
        'ingest.text_field: "story" vs "text"',
    ]


def test_a_settings_record_written_before_ingest_settings_existed_reads_as_the_defaults(tmp_path: Path) -> None:
    old = {key: value for key, value in Settings().to_dict().items() if key != "ingest"}
    (tmp_path / "units.jsonl.settings.json").write_text(json.dumps(old), encoding="utf-8")
    assert read_settings(tmp_path / "units.jsonl") == Settings()


def test_the_ray_executor_writes_the_same_bytes(pages: Path, tmp_path: Path, local_ray_cluster: Callable[[], AbstractContextManager[None]]) -> None:
    local = segment(pages, tmp_path / "local.jsonl", workers=1)
    with local_ray_cluster():
        assert segment(pages, tmp_path / "ray.jsonl", executor="ray", workers=2) == local


def die_on_rank_one(data: object, rank: int = 0, world_size: int = 1) -> object:
    """A pipeline step whose rank 1 is killed as the out-of-memory killer would, once it has run a while."""
    if rank == 1:
        time.sleep(5)  # long enough for the watch (once a second) to have seen this worker
        os.kill(os.getpid(), signal.SIGKILL)
    return iter(())


def test_a_killed_worker_stops_the_run_instead_of_leaving_it_waiting(tmp_path: Path) -> None:
    from datatrove.executor import LocalPipelineExecutor

    executor = LocalPipelineExecutor(
        [die_on_rank_one], tasks=2, workers=2, logging_dir=str(tmp_path / "logs"), skip_completed=False, start_method="fork"
    )
    with pytest.raises(PipelineFailed, match="worker process died .* logs: "):
        run_watched(executor, executor)
    assert executor.get_incomplete_ranks(skip_completed=True) == [1]


def write_pid(data: object, rank: int = 0, world_size: int = 1) -> Iterator[object]:
    """A step that says which process ran its rank (in the folder the test names)."""
    Path(os.environ["RANK_PIDS"], str(rank)).write_text(str(os.getpid()))
    return iter(())


def test_a_job_run_a_rank_a_process_gives_every_rank_a_new_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The rows and write jobs of a build: what a rank leaves in memory ends with its process, where
    datatrove's pool would hand the same worker the next rank."""
    monkeypatch.setenv("RANK_PIDS", str(tmp_path))
    (tmp_path / "work").mkdir()
    (tmp_path / "reused").mkdir()
    assert run_jobs([("pids", [write_pid], 6)], ExecutorOptions(workers=2), tmp_path / "work", rank_per_process=True)
    pids = {path.name: path.read_text() for path in tmp_path.glob("[0-9]")}
    assert len(pids) == 6 and len(set(pids.values())) == 6
    assert str(os.getpid()) not in pids.values()
    for path in tmp_path.glob("[0-9]"):
        path.unlink()
    run_jobs([("pids", [write_pid], 6)], ExecutorOptions(workers=2), tmp_path / "reused")  # datatrove's own pool
    assert len({path.read_text() for path in tmp_path.glob("[0-9]")}) <= 2


def test_a_rank_that_dies_in_its_own_process_stops_the_job(tmp_path: Path) -> None:
    """Killed (as by the out-of-memory killer) after the other rank is done: the job fails, naming
    the logs, rather than waiting for the rank."""
    (tmp_path / "work").mkdir()
    with pytest.raises(PipelineFailed, match="exit code"):
        run_jobs([("dies", [die_on_rank_one], 2)], ExecutorOptions(workers=2), tmp_path / "work", rank_per_process=True)
    assert "rank 1 failed (exit code -9)" in (tmp_path / "work" / "pipeline.log").read_text(encoding="utf-8")
