"""The report a lead opens daily: its numbers (progress per day and annotator, forecast, agreement
over time, dates, repeated passages), what it says to act on, the CLI around it (workspace defaults
included), and the page in a real headless Chromium: what a reader sees, in the order they see it,
and hostile names shown as text."""

from __future__ import annotations

import datetime
import io
import json
import resource
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, Page

from curation.cli import main
from curation.ingest import read_documents
from curation.report import actions, document_date, document_source, script_mix
from curation.reporting import ReportInputs, collect
from curation.segment.pipeline import segment_document
from curation.units import Annotation

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
DAY_1, DAY_2 = "2026-11-23T09:00:00+00:00", "2026-11-24T10:30:00+00:00"
MONA, OMAR = "annotator_1", "annotator_2"  # how the report and status name mona and omar (pseudonyms, in name order)


@pytest.fixture(scope="module")
def seed_records() -> list[dict]:
    errors: list = []
    records = [r for d in read_documents([SEEDS], errors) for r in segment_document(d).records()]
    assert not errors
    return records


@pytest.fixture(scope="module")
def units_file(seed_records: list[dict], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("units") / "seeds.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in seed_records), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def dedup_dir(units_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dedup")
    result = CliRunner().invoke(main, ["dedup", str(units_file), "-o", str(folder / "clusters.jsonl"),
                                       "--contained", str(folder / "contained.jsonl"), "--repeated", str(folder / "repeated.jsonl")])  # fmt: skip
    assert result.exit_code == 0, result.output
    return folder


def _nigeria(seed_records: list[dict]) -> dict[str, str]:
    return {r["role"]: r["id"] for r in seed_records if r["level"] == "article" and "نيجيريا" in (r["title"] or "")}


def _annotations(seed_records: list[dict]) -> list[Annotation]:
    """Two days of work by mona and omar: they differ on two articles, each the other way round
    (a negative alpha); omar skips one task."""
    nigeria = _nigeria(seed_records)
    other, third = [r["id"] for r in seed_records if r["level"] == "article" and r["id"] not in nigeria.values()][:2]
    return [
        Annotation(nigeria["main"], "article", "mona", "1", choices={"topic": ("security",)}, created_at=DAY_1, lead_time=30.0),
        Annotation(nigeria["teaser"], "article", "omar", "2", choices={"topic": ("politics",)}, created_at=DAY_1, lead_time=50.0),
        Annotation(nigeria["main"], "article", "omar", "5", choices={"topic": ("politics",)}, created_at=DAY_2, lead_time=70.0),
        Annotation(other, "article", "mona", "3", choices={"topic": ("politics",)}, created_at=DAY_2, lead_time=40.0),
        Annotation(other, "article", "omar", "6", choices={"topic": ("security",)}, created_at=DAY_2, lead_time=60.0),
        Annotation(third, "article", "omar", "4", cancelled=True, created_at=DAY_2),
    ]


def _store(path: Path, annotations: list[Annotation]) -> Path:
    path.write_text("".join(json.dumps(a.to_record(), ensure_ascii=False) + "\n" for a in annotations), encoding="utf-8")
    return path


@pytest.fixture
def stats_of(units_file: Path, dedup_dir: Path, tmp_path: Path):  # type: ignore[no-untyped-def]
    def made(annotations: list[Annotation]):  # type: ignore[no-untyped-def]
        errors: list = []
        stats, _ = collect(ReportInputs(units_file, (_store(tmp_path / "ann.jsonl", annotations),), dedup_dir), errors=errors)
        assert errors == []
        return stats

    return made


def test_script_mix_counts_each_script() -> None:
    # the Arabic block holds its digits (٣): Arabic 12, Latin 7, Western digits 2, "!" 1
    assert script_mix("قال Reuters إن ٣ و 42 قتلوا!") == Counter({"Arabic": 12, "Latin": 7, "digits": 2, "other": 1})


def test_stats_count_units_and_progress(seed_records: list[dict], stats_of) -> None:  # type: ignore[no-untyped-def]
    stats = stats_of(_annotations(seed_records))
    levels = Counter(r["level"] for r in seed_records)
    assert stats.counts["documents"] == levels["document"] == 2
    assert stats.counts["articles"] == levels["article"]
    assert stats.counts["sentences"] == levels["sentence"]
    (article,) = stats.progress
    assert (article.level, article.queue, article.done, article.skipped) == ("article", levels["article"], 3, 1)
    assert article.left == levels["article"] - 4
    assert stats.annotation_states == Counter({"submitted": 5, "cancelled": 1})
    assert stats.annotation_label_counts["topic"] == Counter({"politics": 3, "security": 2})
    assert stats.done_by == {"article": Counter({MONA: 2, OMAR: 3})}
    assert stats.conflicts == []  # the Nigeria teaser is contained in its article, not a cluster member


def test_progress_per_day_and_annotator_with_time_per_task(seed_records: list[dict], stats_of) -> None:  # type: ignore[no-untyped-def]
    work = stats_of(_annotations(seed_records)).activity
    assert work.days == ["2026-11-23", "2026-11-24"]
    assert work.done == {MONA: Counter({"2026-11-23": 1, "2026-11-24": 1}), OMAR: Counter({"2026-11-23": 1, "2026-11-24": 2})}
    assert work.skipped == {OMAR: Counter({"2026-11-24": 1})}
    assert work.seconds == {MONA: [30.0, 40.0], OMAR: [50.0, 70.0, 60.0]}  # a skipped task has no time


def test_the_forecast_is_the_left_units_at_the_pace_of_the_last_week(seed_records: list[dict], stats_of) -> None:  # type: ignore[no-untyped-def]
    stats = stats_of(_annotations(seed_records))
    (plan,) = stats.forecasts
    assert plan.pace == 1.5  # 3 units first answered over 2 days
    left = stats.progress[0].left
    assert plan.days == left / 1.5 and plan.finish == stats.today + datetime.timedelta(days=-(-left // 1.5))


def test_agreement_lists_the_disagreements_and_moves_day_by_day(seed_records: list[dict], stats_of) -> None:  # type: ignore[no-untyped-def]
    stats = stats_of(_annotations(seed_records))
    (topic,) = stats.agreement
    assert (topic.name, topic.level, topic.annotators) == ("topic", "article", (MONA, OMAR))
    nigeria = next(d for d in topic.disagreements if d.unit_id == _nigeria(seed_records)["main"])
    assert len(topic.disagreements) == 2 and nigeria.answers == {MONA: "security", OMAR: "politics"}
    assert stats.trend_days == ["2026-11-23", "2026-11-24"]
    trend = stats.agreement_trend["topic · article"]
    assert set(trend) == {"politics", "security"}
    assert trend["security"][0] is None  # day 1: no unit had two answers yet
    # day 2: every answer is in, so the trend ends at the figure of the table, below zero
    table = {row["label"]: row["krippendorff_alpha"] for row in topic.labels}
    assert trend["security"][1] == table["security"] < 0


def test_actions_name_what_to_do_first(seed_records: list[dict], stats_of) -> None:  # type: ignore[no-untyped-def]
    todo = actions(stats_of(_annotations(seed_records)))
    articles = sum(r["level"] == "article" for r in seed_records)
    assert todo[0].startswith("2 article unit(s) with differing topic answers: `curation review push`")
    assert f"{articles - 4} of {articles} article unit(s) still without an annotation." in todo
    assert "no build yet: `curation build` once the annotations are in." in todo


def test_repeated_passages_are_grouped_by_spelling_without_date_lines_or_duplicate_pages() -> None:
    from curation.dedup import Cluster, ClusterMember, RepeatedPassage
    from curation.dedup.passages import Occurrence
    from curation.report import passages_worth_showing

    def passage(text: str, *docs: str) -> RepeatedPassage:
        return RepeatedPassage(text, tuple(Occurrence(f"a-{d}", d, 0, len(text), "line") for d in docs))

    twins = Cluster("c1", "a-d1", (ClusterMember("a-d1", "representative", 1.0), ClusterMember("a-d2", "exact", 1.0)))
    dropped: Counter[str] = Counter()
    shown, kept = passages_worth_showing(
        [
            passage("دبي - العربية.نت", "d1", "d3", "d4"), passage("دبي ـ العربية.نت", "d5", "d6"),  # one byline, two spellings
            passage("Sun, 17 Jun 2018 20:13:32 GMT", "d1", "d3", "d4"),  # a date line
            passage("نص مكرر في صفحتين مكررتين", "d1", "d2", "d3"),  # d1 and d2 are one story: 2 pages
        ],
        [twins], {"a-d1": "d1", "a-d2": "d2"}, dropped,
    )  # fmt: skip
    (byline,) = shown
    assert kept == 1 and byline.text == "دبي - العربية.نت" and byline.spellings == 2
    assert byline.pages == 5  # d1 (one story with d2), d3, d4, d5, d6
    assert dropped == Counter({"date lines": 1, "on fewer than 3 pages (a cluster's pages counted once)": 1})


def test_documents_by_source_and_date_come_from_metadata_else_the_file() -> None:
    def page(meta: dict[str, str]) -> dict:
        return {"id": "d1", "level": "document", "text": "نص", "source": "pages/a/x.txt", "meta": meta}

    assert document_source(page({})) == "x.txt"
    assert document_source(page({"source": "Hespress"})) == "Hespress"
    assert document_date(page({"date": "Sun, 17 Jun 2018 20:13:32 GMT"})) == (datetime.date(2018, 6, 17), "Sun, 17 Jun 2018 20:13:32 GMT")
    assert document_date(page({"date": "soon"})) == (None, "soon")  # unreadable: counted apart from undated
    assert document_date(page({})) == (None, None)


def _visual_order(page: Page, selector: str, first: str, second: str) -> tuple[float, float]:
    """The x of ``first`` and of ``second`` (substrings of the element's text) as drawn on screen."""
    return page.eval_on_selector(
        selector,
        """(e, [a, b]) => {
            const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
            const xs = {};
            for (let n = walker.nextNode(); n; n = walker.nextNode()) {
                for (const s of [a, b]) {
                    const at = n.data.indexOf(s);
                    if (at >= 0 && !(s in xs)) {
                        const r = document.createRange(); r.setStart(n, at); r.setEnd(n, at + 1);
                        xs[s] = r.getBoundingClientRect().left;
                    }
                }
            }
            return [xs[a], xs[b]];
        }""",
        [first, second],
    )


def test_report_renders_in_headless_chromium(
    browser: Browser, units_file: Path, dedup_dir: Path, seed_records: list[dict], tmp_path: Path
) -> None:
    annotations = _store(tmp_path / "ann.jsonl", _annotations(seed_records))
    page_path = tmp_path / "report.html"
    build = tmp_path / "build"
    build.mkdir()
    manifest = {"name": "seed_news", "counts": {"documents": 2, "splits": {"articles/train": 9}}, "problems": ["x"]}
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(units_file), "--annotations", str(annotations), "--build", str(build),
                                       "--dedup", str(dedup_dir), "-o", str(page_path)])  # fmt: skip
    assert result.exit_code == 0, result.output
    articles = sum(r["level"] == "article" for r in seed_records)
    problems: list[str] = []
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    try:
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else problems.append(r.url))
        page.goto(page_path.as_uri())
        number = lambda key: page.inner_text(f"#{key}")  # noqa: E731
        assert number("count-documents") == "2"
        assert number("count-articles") == str(articles)
        assert number("dup-clusters") == "0"
        assert number("conflicts") == "0"
        assert (number("done-article"), number("skipped-article"), number("left-article")) == ("3", "1", str(articles - 4))
        assert number("disagreements-topic-article") == "2"
        assert number("build-problems") == "1"
        assert page.inner_text("#actions li:first-child").startswith("2 article unit(s) with differing topic")
        assert MONA in page.inner_text("#annotators") and OMAR in page.inner_text("#annotators")
        assert page.eval_on_selector("html", "e => getComputedStyle(e).direction") == "rtl"
        # the schema's Arabic name beside the stored value, the title beside a unit id
        assert "أمن ونزاعات security" in page.inner_text("#labels-topic-article")
        assert {"سياسة politics", "أمن ونزاعات security"} <= set(page.eval_on_selector_all(".pair .answer", "a => a.map(e => e.innerText)"))
        nigeria_title = next(r["title"] for r in seed_records if r["id"] == _nigeria(seed_records)["main"])
        assert nigeria_title[:30] in page.inner_text("#agreement-section ~ .pair .meta")
        # headers are words, never field names
        assert "krippendorff_alpha" not in page.inner_text("body") and "Krippendorff's α" in page.inner_text("body")
        # what a reader sees, left to right: a negative alpha keeps its sign in front, an English
        # caption its word order, an action its figure first, inside the right-to-left page
        alpha = number("agreement-topic-article")
        assert alpha.startswith("-"), alpha
        minus, digit = _visual_order(page, "#agreement-topic-article", "-", alpha[1])
        assert minus < digit
        left, right = _visual_order(page, ".overall", "overall", "observed")
        assert left < right
        left, right = _visual_order(page, "#progress-section .en", "Annotation", "progress")
        assert left < right
        left, right = _visual_order(page, "#actions li:first-child", "2", "article")
        assert left < right
        charts = page.eval_on_selector_all("svg.chart", "s => s.map(e => e.getBoundingClientRect().width)")
        assert len(charts) >= 4 and all(width > 50 for width in charts)
        # tables use the page's width, not one side of it
        table = page.eval_on_selector("#progress", "t => [t.getBoundingClientRect().width, document.body.clientWidth]")
        assert table[0] > 0.8 * table[1] - 100
        assert _colours(page.screenshot(path=tmp_path / "page.png", full_page=True)) > 10
    finally:
        page.close()
    assert problems == []


def test_hostile_names_render_as_text_and_run_nothing(browser: Browser, units_file: Path, seed_records: list[dict], tmp_path: Path) -> None:
    """Issue 28: a label named ``$\\undefinedmacro$`` crashed the report (matplotlib math text); a
    name holding markup must show as the characters typed and never run."""
    hostile_label, hostile_person = "$\\undefinedmacro$", "<script>window.ran=1</script><img src=x onerror=window.ran=2>"
    nigeria = _nigeria(seed_records)
    store = _store(tmp_path / "ann.jsonl", [
        Annotation(nigeria["main"], "article", hostile_person, "1", choices={"topic": (hostile_label,)}, created_at=DAY_1),
        Annotation(nigeria["main"], "article", "omar", "2", choices={"topic": ("politics",)}, created_at=DAY_2),
    ])  # fmt: skip
    page_path = tmp_path / "report.html"
    result = CliRunner().invoke(main, ["report", str(units_file), "--annotations", str(store), "-o", str(page_path)])
    assert result.exit_code == 0, result.output
    page = browser.new_page()
    dialogs: list[str] = []
    try:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(page_path.as_uri())
        assert page.evaluate("() => [window.ran, document.querySelectorAll('script, img[src=x]').length]") == [None, 0]
        text = page.inner_text("body")
        assert hostile_label in text and hostile_person not in text  # people are shown by pseudonym only
    finally:
        page.close()
    assert dialogs == []


def _colours(png: bytes) -> int:
    """How many distinct colours a screenshot holds (1 for a blank box)."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return len(image.convert("RGB").getcolors(maxcolors=1 << 20) or [])


def test_a_full_disk_is_one_line_and_leaves_no_report(units_file: Path, tmp_path: Path) -> None:
    """The file-size limit of the process (RLIMIT_FSIZE) fails the report's write as a full disk does."""

    def limit_file_size() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    done = subprocess.run(
        [sys.executable, "-c", "from curation.cli import main; main()", "report", str(units_file), "-o", "report.html"],
        cwd=tmp_path, capture_output=True, text=True, preexec_fn=limit_file_size, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    (line,) = [line for line in done.stderr.splitlines() if "report.html" in line]
    assert "report.html: the report could not be written (File too large); nothing written" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_in_a_workspace_report_needs_no_argument_and_status_answers_from_it(
    seed_records: list[dict], units_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("CURATION_WORKSPACE", "CURATION_SCHEMA"):
        monkeypatch.delenv(name, raising=False)
    assert CliRunner().invoke(main, ["init", str(tmp_path / "ws"), "--name", "mine"]).exit_code == 0
    data = tmp_path / "ws" / "data"
    (data / "units.jsonl").write_bytes(units_file.read_bytes())
    store = _store(data / "annotations" / "mine-article.jsonl", _annotations(seed_records))
    monkeypatch.chdir(tmp_path / "ws" / "pages")
    result = CliRunner().invoke(main, ["report", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["output"] == str(data / "report.html") and summary["annotations"] == 6
    assert summary["actions"][-1] == "no build yet: `curation build` once the annotations are in."
    assert MONA in (page := (data / "report.html").read_text(encoding="utf-8")) and "mona" not in page
    # the report left its answer for `curation status`: nothing changed since, so it is reused
    status = json.loads(CliRunner().invoke(main, ["status", "--json"]).stdout)
    assert status["cached"] is True and status["actions"] == summary["actions"]
    assert status["progress"][0]["done"] == 3 and status["progress"][0]["pace_per_day"] == 1.5
    assert {row["annotator"]: row["seconds_per_task"] for row in status["annotators"]} == {MONA: 35.0, OMAR: 60.0}
    # what an older curation kept (no version: annotators by e-mail) is computed again, never shown
    kept = json.loads((data / "status.json").read_text(encoding="utf-8"))
    del kept["version"]
    kept["answer"]["annotators"][0]["annotator"] = "mona@old.example"
    (data / "status.json").write_text(json.dumps(kept), encoding="utf-8")
    recomputed = CliRunner().invoke(main, ["status", "--json"]).stdout
    assert json.loads(recomputed)["cached"] is False and "mona@old.example" not in recomputed
    assert "mona@old.example" not in (data / "status.json").read_text(encoding="utf-8")
    # a new answer changes the store: status computes again, then keeps that
    _store(store, [*_annotations(seed_records), Annotation(_nigeria(seed_records)["teaser"], "article", "mona", "9",
                                                           choices={"topic": ("politics",)}, created_at=DAY_2)])  # fmt: skip
    again = json.loads(CliRunner().invoke(main, ["status", "--json"]).stdout)
    assert again["cached"] is False and again["progress"][0]["done"] == 3  # the teaser was answered already
    assert again["annotators"][0]["done"] == {"article": 3}  # mona
    assert json.loads(CliRunner().invoke(main, ["status", "--json"]).stdout)["cached"] is True
    # a store of another level appears: the folder changed, so the answer is computed again
    _store(data / "annotations" / "mine-sentence.jsonl", [Annotation("s-none", "sentence", "mona", "10", created_at=DAY_2,
                                                                     choices={"stance": ("neutral",)})])  # fmt: skip
    assert json.loads(CliRunner().invoke(main, ["status", "--json"]).stdout)["cached"] is False
    shown = CliRunner().invoke(main, ["status"])
    assert shown.exit_code == 0 and "to do 2 article unit(s) with differing topic answers" in shown.output


def test_outside_a_workspace_report_and_status_ask_for_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CURATION_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    for command in (["report"], ["status"]):
        result = CliRunner().invoke(main, command)
        assert result.exit_code == 2 and "run inside a workspace (`curation init`)" in result.output


def test_dedup_command_reports_bad_lines_and_still_writes_clusters(units_file: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    lines = units_file.read_text(encoding="utf-8").splitlines()
    broken.write_text("\n".join([lines[0], "{not json", '{"id": "x"}', *lines[1:]]) + "\n", encoding="utf-8")
    clusters, contained = tmp_path / "clusters.jsonl", tmp_path / "contained.jsonl"
    result = CliRunner().invoke(main, ["dedup", str(broken), "-o", str(clusters), "--contained", str(contained)])
    assert result.exit_code == 1
    assert f"{broken}:2:" in result.output and f"{broken}:3:" in result.output
    assert clusters.read_text(encoding="utf-8") == ""
    written = [json.loads(line) for line in contained.read_text(encoding="utf-8").splitlines()]
    assert len(written) == 1 and written[0]["share"] >= 0.8


def test_a_broken_units_file_is_reported_line_by_line_and_the_rest_is_shown(units_file: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    lines = units_file.read_text(encoding="utf-8").splitlines()
    broken.write_text("\n".join([lines[0], "{not json", *lines[1:]]) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(broken), "-o", str(tmp_path / "r.html"), "--json"])
    assert result.exit_code == 1 and f"{broken}:2: invalid JSON" in result.output
    assert json.loads(result.stdout)["counts"]["sentences"] == sum('"level": "sentence"' in line for line in lines)


PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06\x00\x00\x00"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("units", "image.png: not a units file, nothing could be read from it (image.png:1: binary content (NUL bytes)"),
        ("annotations", "image.png: not an annotation store, nothing could be read from it (image.png:1: binary content"),
        ("store-as-units", "store.jsonl: not a units file, nothing could be read from it (store.jsonl:1: not a unit record"),
        ("units-as-store", "seeds.jsonl: not an annotation store, nothing could be read from it"),
    ],
)
def test_a_file_that_is_no_input_at_all_writes_nothing(
    given: str, message: str, seed_records: list[dict], units_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: an empty page was written (a corpus with nothing in it, as far as a reader could tell), exit 1."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "image.png").write_bytes(PNG)
    (tmp_path / "store.jsonl").write_text(json.dumps(_annotations(seed_records)[0].to_record()) + "\n", encoding="utf-8")
    arguments = {
        "units": ["image.png"],
        "annotations": [str(units_file), "--annotations", "image.png"],
        "store-as-units": ["store.jsonl"],
        "units-as-store": [str(units_file), "--annotations", str(units_file)],
    }[given]
    result = CliRunner().invoke(main, ["report", *arguments, "-o", "report.html"])
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert message in line and line.endswith("; nothing written") and not (tmp_path / "report.html").exists()


def test_a_store_folder_is_read_without_its_sidecars_and_bad_lines_are_reported(
    seed_records: list[dict], units_file: Path, tmp_path: Path
) -> None:
    """A folder `curation pull` filled holds NAME.rejects.jsonl and NAME.regions.jsonl beside each store:
    they are not stores (before, each of their lines was a 'malformed annotation record')."""
    from curation.studio.results import SetAside
    from curation.studio.store import AnnotationStore, Flagged, Rejected

    folder = tmp_path / "annotations"
    folder.mkdir()
    first, *rest = _annotations(seed_records)
    rejected = Rejected(first, ("topic: 'x' is not a value",), 1)
    flagged = Flagged(first, (SetAside({"id": "r1"}, "topic: 'x' is not a value"),), 1)
    AnnotationStore(folder / "news-article.jsonl").write({a.key: a for a in rest}, {first.key: rejected}, {first.key: flagged})
    with (folder / "news-article.jsonl").open("a", encoding="utf-8") as handle:
        handle.write("{not json\n")
    result = CliRunner().invoke(main, ["report", str(units_file), "--annotations", str(folder), "-o", str(tmp_path / "r.html"), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.stdout)["annotations"] == len(rest)
    assert f"news-article.jsonl:{len(rest) + 1}: invalid JSON" in result.output and "rejects" not in result.output
    assert (tmp_path / "r.html").exists()


def test_what_the_units_file_says_is_kept_and_read_again_only_while_it_is_unchanged(
    seed_records: list[dict], units_file: Path, dedup_dir: Path, tmp_path: Path
) -> None:
    """The daily report re-reads only the units it names when the corpus has not changed: the page's
    figures are those of a full pass, and a kept file that is not what the report wrote is ignored."""
    store = _store(tmp_path / "ann.jsonl", _annotations(seed_records))
    facts = tmp_path / "report-facts.json"

    def stats_now(kept: Path | None):  # type: ignore[no-untyped-def]
        errors: list = []
        stats, _ = collect(ReportInputs(units_file, (store,), dedup_dir, facts=kept), errors=errors)
        assert errors == []
        return stats

    full = stats_now(None)
    first, again = stats_now(facts), stats_now(facts)
    assert facts.is_file() and not first.scan.facts_known and again.scan.facts_known
    for stats in (first, again):
        assert stats.scan.facts() == full.scan.facts()
        assert (stats.scan.texts, stats.scan.parents, stats.scan.documents) == (full.scan.texts, full.scan.parents, full.scan.documents)
        assert stats.scan.texts and [p.level for p in stats.progress] == ["article"]
        assert (stats.repeated, stats.repeated_kept, stats.repeated_dropped) == (full.repeated, full.repeated_kept, full.repeated_dropped)
    facts.write_text(json.dumps({"key": json.loads(facts.read_text())["key"], "answer": {"counts": "no"}}))
    assert not stats_now(facts).scan.facts_known and stats_now(facts).scan.facts() == full.scan.facts()
