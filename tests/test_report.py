"""The report a lead opens daily: its numbers, what it says to act on, the CLI around it (workspace
defaults included), and the page in a real headless Chromium, looked at through screenshots."""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser

from curation.cli import main
from curation.ingest import read_documents
from curation.report import actions, corpus_stats, document_month, document_source, script_mix
from curation.segment.pipeline import segment_document
from curation.units import Annotation, Document, Provenance, unit_from_record

SEEDS = Path(__file__).resolve().parents[1] / "seeds"


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


def _nigeria(seed_records: list[dict]) -> dict[str, str]:
    return {r["role"]: r["id"] for r in seed_records if r["level"] == "article" and "نيجيريا" in (r["title"] or "")}


def _annotations(seed_records: list[dict]) -> list[Annotation]:
    nigeria = _nigeria(seed_records)
    other = next(r["id"] for r in seed_records if r["level"] == "article" and r["id"] not in nigeria.values())
    return [
        Annotation(nigeria["main"], "article", "mona", "1", choices={"topic": ("security",)}),
        Annotation(nigeria["teaser"], "article", "omar", "2", choices={"topic": ("politics",)}),
        Annotation(nigeria["main"], "article", "omar", "5", choices={"topic": ("politics",)}),
        Annotation(other, "article", "mona", "3", choices={"topic": ("politics",)}),
        Annotation(other, "article", "omar", "4", cancelled=True),
    ]


def test_script_mix_counts_each_script() -> None:
    mix = script_mix("قال Reuters إن ٣ و 42 قتلوا!")
    assert mix == Counter({"Arabic": 11, "Latin": 7, "digits": 3, "other": 1})


def test_stats_count_units_and_progress(seed_records: list[dict]) -> None:
    stats = corpus_stats(map(unit_from_record, seed_records), _annotations(seed_records))
    levels = Counter(r["level"] for r in seed_records)
    assert stats.counts["documents"] == levels["document"] == 2
    assert stats.counts["articles"] == levels["article"]
    assert stats.counts["sentences"] == levels["sentence"]
    assert stats.progress["article"] == (3, levels["article"])
    assert stats.annotation_states == Counter({"submitted": 4, "cancelled": 1})
    assert stats.annotation_label_counts["topic"] == Counter({"politics": 3, "security": 1})
    assert stats.done_by == {"article": Counter({"mona": 2, "omar": 2})}
    # the Nigeria teaser is contained in its article (a relation apart), not a cluster member
    assert stats.conflicts == []


def test_agreement_lists_the_units_annotators_answered_differently(seed_records: list[dict]) -> None:
    stats = corpus_stats(map(unit_from_record, seed_records), _annotations(seed_records))
    (topic,) = stats.agreement
    assert (topic.name, topic.level, topic.annotators) == ("topic", "article", ("mona", "omar"))
    (disagreement,) = topic.disagreements
    assert disagreement.unit_id == _nigeria(seed_records)["main"]
    assert disagreement.answers == {"mona": "security", "omar": "politics"}
    assert {row["label"] for row in topic.labels} >= {"politics", "security"}


def test_actions_name_what_to_do_first(seed_records: list[dict]) -> None:
    todo = actions(corpus_stats(map(unit_from_record, seed_records), _annotations(seed_records)))
    articles = sum(r["level"] == "article" for r in seed_records)
    assert todo[0].startswith("1 article unit(s) with differing topic answers: `curation review push`")
    assert f"{articles - 3} of {articles} article unit(s) still without an annotation." in todo
    assert "no build yet: `curation build` once the annotations are in." in todo


def test_documents_by_source_and_month_come_from_metadata_else_the_file() -> None:
    def page(source: str, meta: dict[str, str]) -> Document:
        return Document("d1", "نص", Provenance(source, None, "0" * 64), meta)

    assert document_source(page("pages/a/x.txt", {})) == "x.txt"
    assert document_source(page("ant.jsonl", {"source": "Hespress"})) == "Hespress"
    assert document_month(page("ant.jsonl", {"date": "2025-11-06T10:00"})) == "2025-11"
    assert document_month(page("ant.jsonl", {})) == "unknown"


def test_report_renders_in_headless_chromium(
    browser: Browser, units_file: Path, seed_records: list[dict], tmp_path: Path
) -> None:
    annotations = tmp_path / "ann.jsonl"
    annotations.write_text(
        "".join(json.dumps(a.to_record(), ensure_ascii=False) + "\n" for a in _annotations(seed_records)),
        encoding="utf-8",
    )
    page_path = tmp_path / "report.html"
    build = tmp_path / "build"
    build.mkdir()
    manifest = {"name": "seed_news", "counts": {"documents": 2, "splits": {"articles/train": 9}}, "problems": ["x"]}
    (build / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["report", str(units_file), "--annotations", str(annotations), "--build", str(build), "-o", str(page_path)],
    )
    assert result.exit_code == 0, result.output
    articles = sum(r["level"] == "article" for r in seed_records)
    problems: list[str] = []
    page = browser.new_page()
    try:
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.on("requestfailed", lambda r: problems.append(f"failed request {r.url}"))
        page.on("request", lambda r: None if r.url.startswith(("file:", "data:")) else problems.append(r.url))
        page.goto(page_path.as_uri())
        number = lambda key: page.inner_text(f"#{key}")  # noqa: E731
        assert number("count-documents") == "2"
        assert number("count-articles") == str(articles)
        assert number("count-sentences") == str(sum(r["level"] == "sentence" for r in seed_records))
        assert number("dup-clusters") == "0"
        assert number("conflicts") == "0"
        assert number("progress-article") == f"3 / {articles}"
        assert number("disagreements-topic-article") == "1"
        assert number("build-problems") == "1"
        assert page.inner_text("#actions li:first-child").startswith("1 article unit(s) with differing topic")
        assert page.inner_text("#sources").count(".txt") == 2  # the two seed pages, one source each
        assert "mona" in page.inner_text("#annotators") and "omar" in page.inner_text("#annotators")
        assert page.eval_on_selector("html", "e => getComputedStyle(e).direction") == "rtl"
        assert int(number("script-Arabic").replace(",", "")) > 10_000
        assert int(number("repeated-0")) >= 4
        charts = page.eval_on_selector_all("img.chart", "imgs => imgs.map(i => i.complete && i.naturalWidth > 0)")
        assert len(charts) >= 4 and all(charts)
        directions = page.eval_on_selector_all(
            "div.text", "els => els.map(e => getComputedStyle(e).direction)"
        )
        assert directions and set(directions) == {"rtl"}
        # what a reader sees: every chart drawn (more than a blank box), the page itself not blank
        for index, chart in enumerate(page.query_selector_all("img.chart")):
            chart.scroll_into_view_if_needed()
            assert _colours(chart.screenshot(path=tmp_path / f"chart-{index}.png")) > 2, f"chart {index} is empty"
        assert _colours(page.screenshot(path=tmp_path / "page.png", full_page=True)) > 10
        # the first line of the first Arabic excerpt (a short title) hugs the right edge of its box
        edges = page.eval_on_selector(
            "div.text",
            "e => { const r = document.createRange(); r.selectNodeContents(e);"
            " const t = [...r.getClientRects()].find(rect => rect.width > 0);"
            " const b = e.getBoundingClientRect(); return [b.right - t.right, t.left - b.left]; }",
        )
        assert edges[0] < 2 and edges[1] > 50
    finally:
        page.close()
    assert problems == []


def _colours(png: bytes) -> int:
    """How many distinct colours a screenshot holds (1 for a blank box)."""
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return len(image.convert("RGB").getcolors(maxcolors=1 << 20) or [])


def test_in_a_workspace_report_needs_no_argument(
    seed_records: list[dict], units_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("CURATION_WORKSPACE", "CURATION_SCHEMA"):
        monkeypatch.delenv(name, raising=False)
    assert CliRunner().invoke(main, ["init", str(tmp_path / "ws"), "--name", "mine"]).exit_code == 0
    data = tmp_path / "ws" / "data"
    (data / "annotations").mkdir(parents=True, exist_ok=True)  # curation init made it
    (data / "units.jsonl").write_bytes(units_file.read_bytes())
    (data / "annotations" / "mine-article.jsonl").write_text(
        "".join(json.dumps(a.to_record(), ensure_ascii=False) + "\n" for a in _annotations(seed_records)),
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path / "ws" / "pages")
    result = CliRunner().invoke(main, ["report", "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["output"] == str(data / "report.html") and summary["annotations"] == 5
    assert summary["actions"][-1] == "no build yet: `curation build` once the annotations are in."
    assert "mona" in (data / "report.html").read_text(encoding="utf-8")


def test_outside_a_workspace_report_asks_for_its_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CURATION_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["report"])
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


def test_dedup_command_refuses_an_unusable_threshold(units_file: Path) -> None:
    result = CliRunner().invoke(main, ["dedup", str(units_file), "--threshold", "1.5"])
    assert result.exit_code == 2 and "threshold must be in (0, 1]" in result.output


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
