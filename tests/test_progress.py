"""Progress on long commands: a total and a count gathered from every worker, a live bar with an
ETA on a terminal, one line per stage in a log, nothing under --quiet or --json, and no thread
left behind (a live thread makes datatrove spawn its workers instead of forking them)."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from curation.cli import main
from curation.cli._progress import LineProgress, LiveProgress
from curation.dedup.run import run_dedup
from curation.export.building import build
from curation.export.recipe import load_recipe
from curation.pipeline.options import ExecutorOptions
from curation.pipeline.run import _fork_is_safe, run_segment
from curation.progress import Progress, RankTally, tallied
from curation.studio.server import StudioServer

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
REPO_SCHEMA = Path(__file__).resolve().parents[1] / "schemas" / "news.yaml"


class Heard(Progress):
    """Every stage and count the library reports, in order (totals asked for, as a bar asks)."""

    shows_totals = True

    def __init__(self) -> None:
        self.stages: list[tuple[str, int | None, str]] = []
        self.counts: dict[str, list[int]] = {}

    def start(self, stage: str, total: int | None = None, unit: str = "") -> None:
        self.stages.append((stage, total, unit))
        self.counts[stage] = []

    def advance(self, amount: int = 1) -> None:
        counts = self.counts[self.stages[-1][0]]
        counts.append((counts[-1] if counts else 0) + amount)

    def update(self, done: int) -> None:
        self.counts[self.stages[-1][0]].append(done)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """120 pages in one JSONL file and a broken line: more than one block per worker."""
    folder = tmp_path_factory.mktemp("pages")
    text = next(SEEDS.glob("*.txt")).read_text(encoding="utf-8")
    lines = [json.dumps({"id": f"p{n}", "text": f"{text}\n\nالصفحة {n}"}, ensure_ascii=False) for n in range(120)]
    lines.insert(7, "{broken")
    (folder / "pages.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder / "pages.jsonl"


def test_segment_counts_the_pages_of_every_worker_against_their_total(pages: Path, tmp_path: Path) -> None:
    heard = Heard()
    run = run_segment([str(pages)], tmp_path / "units.jsonl", options=ExecutorOptions(workers=2), progress=heard)
    assert not run.in_process and len(run.errors) == 1
    assert heard.stages == [("segmenting", 121, "pages")]  # the broken line is a page too: it is looked at
    counts = heard.counts["segmenting"]
    assert counts == sorted(counts) and counts[-1] == 121  # never backwards, every page of both workers
    assert _fork_is_safe()  # no thread left that would make the next run spawn its workers


def test_a_rank_tally_is_summed_while_written(tmp_path: Path) -> None:
    first, second = RankTally(tmp_path, 0), RankTally(tmp_path, 1)
    assert tallied(tmp_path) == 0
    first.add(3)  # the first add is written at once, later ones at most twice a second
    second.add(2)
    first.close()
    second.close()
    assert tallied(tmp_path) == 5


def test_build_tells_each_stage_with_its_total(tmp_path: Path) -> None:
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(f"name: seeds\ninputs: [{SEEDS}]\nschema: {REPO_SCHEMA}\nsplit: {{seed: 1, ratios: {{train: 0.5, test: 0.5}}}}\n",
                      encoding="utf-8")  # fmt: skip
    heard = Heard()
    build(load_recipe(recipe), tmp_path / "out", heard, executor=ExecutorOptions(workers=2))
    assert [stage for stage, _, _ in heard.stages] == ["segmenting", "finding duplicates", "making rows", "writing the export"]
    pages = len(list(SEEDS.glob("*.txt")))
    assert heard.stages[0][1:] == heard.stages[2][1:] == (pages, "pages")
    assert heard.counts["segmenting"][-1] == heard.counts["making rows"][-1] == pages


def test_the_command_line_shows_one_line_per_stage_in_a_log_and_nothing_when_quiet(pages: Path, tmp_path: Path) -> None:
    runner = CliRunner()  # its output is not a terminal, as a log or a pipe
    shown = runner.invoke(main, ["segment", str(pages), "-o", str(tmp_path / "a.jsonl"), "--workers", "2"])
    assert shown.exit_code == 1, shown.output  # the broken line
    (line,) = [line for line in shown.output.splitlines() if line.startswith("segmenting:")]
    assert line.startswith("segmenting: 121 / 121 pages in ") and line.endswith(" s")
    quiet = runner.invoke(main, ["segment", str(pages), "-o", str(tmp_path / "b.jsonl"), "--workers", "2", "-q"])
    assert "segmenting" not in quiet.output
    as_json = runner.invoke(main, ["segment", str(pages), "-o", str(tmp_path / "c.jsonl"), "--workers", "2", "--json"])
    assert "segmenting" not in as_json.output and json.loads(as_json.stdout)["command"] == "segment"
    assert _fork_is_safe()  # no thread left that would make the next run spawn its workers


def test_on_a_terminal_a_live_bar_shows_count_total_and_eta_without_a_thread() -> None:
    screen = io.StringIO()
    live = LiveProgress(Console(file=screen, force_terminal=True, width=120))
    live.start("segmenting", 3000, "pages")
    live.update(1500)
    assert _fork_is_safe()  # no thread left that would make the next run spawn its workers
    live.finish()
    drawn = screen.getvalue()
    assert "segmenting" in drawn and "3000" in drawn and "eta" in drawn
    assert drawn.rstrip().endswith(" s")  # the stage's summary line stays when the bar goes


def test_a_line_per_stage_ends_the_one_before() -> None:
    screen = io.StringIO()
    lines = LineProgress(Console(file=screen, width=200))
    lines.start("making rows", 10, "pages")
    lines.advance(10)
    lines.start("writing the export")
    lines.finish()
    written = screen.getvalue().splitlines()
    assert written[0].startswith("making rows: 10 / 10 pages in ") and written[1].startswith("writing the export in ")  # it counts nothing: no bare 0


def test_dedup_tells_its_three_stages_and_counts_the_pages_of_the_first(pages: Path, tmp_path: Path) -> None:
    units = tmp_path / "units.jsonl"
    run_segment([str(pages)], units, options=ExecutorOptions(workers=2))
    heard = Heard()
    run_dedup(units, options=ExecutorOptions(workers=2), clusters=tmp_path / "clusters.jsonl", progress=heard)
    assert heard.stages == [("reading pages and their signatures", 120, "pages"), ("pairing similar pages", None, ""),
                            ("clusters, teasers and passages", None, "")]  # fmt: skip
    assert heard.counts["reading pages and their signatures"][-1] == 120
    untotalled = Heard()
    untotalled.shows_totals = False  # a display without totals: the pages are not counted beforehand
    run_dedup(units, options=ExecutorOptions(workers=2), clusters=tmp_path / "clusters.jsonl", progress=untotalled)
    assert untotalled.stages[0] == ("reading pages and their signatures", None, "pages")
    assert untotalled.counts["reading pages and their signatures"][-1] == 120
    shown = CliRunner().invoke(main, ["dedup", str(units), "-o", str(tmp_path / "c.jsonl"), "--workers", "2"])
    assert shown.exit_code == 0, shown.output
    assert "reading pages and their signatures: 120 pages in " in shown.output  # a line has no use for the total
    assert _fork_is_safe()


def test_push_and_pull_tell_the_tasks_they_make_and_read(studio_server: StudioServer, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", studio_server.api_key)
    monkeypatch.delenv("CURATION_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)  # the stores go to .curation/ here
    units = tmp_path / "units.jsonl"
    run_segment([str(next(SEEDS.glob("*.txt")))], units)
    common = ["--url", studio_server.url, "--data-dir", str(tmp_path / "studio"), "--schema", str(REPO_SCHEMA)]
    runner = CliRunner()
    pushed = runner.invoke(main, ["push", str(units), "--level", "article", *common])
    assert pushed.exit_code == 0, pushed.output
    created = int(re.search(r"pushed (\d+) new task", pushed.output).group(1))  # type: ignore[union-attr]
    assert created > 0 and f"creating tasks: {created} / {created} tasks in " in pushed.output
    again_pushed = runner.invoke(main, ["push", str(units), "--level", "article", *common])
    assert "creating tasks: 0 / 0 tasks in " in again_pushed.output  # all there already: nothing to create
    first = runner.invoke(main, ["pull", *common])
    assert first.exit_code == 0, first.output
    assert "pulling article annotations: 0 tasks in " in first.output  # nothing annotated: the export is empty
    again = runner.invoke(main, ["pull", *common])
    assert "pulling article annotations: 0 / 0 tasks in " in again.output  # nothing changed since: counted first
    assert "pulling" not in runner.invoke(main, ["pull", *common, "-q"]).output


def test_a_failed_command_says_why_and_nothing_of_its_progress(tmp_path: Path) -> None:
    (tmp_path / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    result = CliRunner().invoke(main, ["report", str(tmp_path / "image.png"), "-o", str(tmp_path / "r.html")])
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert "not a units file" in line


def test_preannotate_counts_its_predictions(tmp_path: Path) -> None:
    units = tmp_path / "units.jsonl"
    run_segment([str(SEEDS)], units)
    (tmp_path / "g.tsv").write_text("واشنطن\tGPE\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["preannotate", str(units), "--gazetteer", str(tmp_path / "g.tsv"), "-o", str(tmp_path / "p.jsonl"),
                                       "--schema", str(REPO_SCHEMA)])  # fmt: skip
    assert result.exit_code == 0, result.output
    made = len((tmp_path / "p.jsonl").read_text(encoding="utf-8").splitlines())
    assert made > 0 and f"predicting: {made} predictions in " in result.output


def test_import_counts_the_items_it_reads(tmp_path: Path) -> None:
    corpus = tmp_path / "two.conll"
    corpus.write_text("قال O\nبايدن B-PER\n. O\n\nفي O\nالقاهرة B-GPE\n. O\n", encoding="utf-8")
    starter = REPO_SCHEMA.with_name("starter.yaml")  # stance optional: sentences with entities only are complete
    result = CliRunner().invoke(main, ["import", str(corpus), "-o", str(tmp_path / "two"), "--schema", str(starter)])
    assert result.exit_code == 0, result.output
    assert "importing: 2 items in " in result.output
