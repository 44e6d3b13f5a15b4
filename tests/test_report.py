"""The corpus report: its numbers, the CLI around it, and the page in a real headless Chromium."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import sync_playwright

from curation.cli.dedup import dedup_command, report_command
from curation.ingest import read_documents
from curation.report import corpus_stats, script_mix
from curation.segment.pipeline import segment_document
from curation.units import Annotation

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


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
        Annotation(other, "article", "mona", "3", choices={"topic": ("politics",)}),
        Annotation(other, "article", "omar", "4", cancelled=True),
    ]


def test_script_mix_counts_each_script() -> None:
    mix = script_mix("قال Reuters إن ٣ و 42 قتلوا!")
    assert mix == Counter({"Arabic": 11, "Latin": 7, "digits": 3, "other": 1})


def test_stats_count_units_and_progress(seed_records: list[dict]) -> None:
    stats = corpus_stats(seed_records, _annotations(seed_records))
    levels = Counter(r["level"] for r in seed_records)
    assert stats.counts["documents"] == levels["document"] == 2
    assert stats.counts["articles"] == levels["article"]
    assert stats.counts["sentences"] == levels["sentence"]
    assert stats.progress["article"] == (3, levels["article"])
    assert stats.annotation_states == Counter({"submitted": 3, "cancelled": 1})
    assert stats.annotation_label_counts["topic"] == Counter({"politics": 2, "security": 1})
    # the Nigeria teaser is contained in its article (a relation apart), not a cluster member
    assert stats.conflicts == []


def test_report_renders_in_headless_chromium(units_file: Path, seed_records: list[dict], tmp_path: Path) -> None:
    annotations = tmp_path / "ann.jsonl"
    annotations.write_text(
        "".join(json.dumps(a.to_record(), ensure_ascii=False) + "\n" for a in _annotations(seed_records)),
        encoding="utf-8",
    )
    page_path = tmp_path / "report.html"
    result = CliRunner().invoke(
        report_command, [str(units_file), "--annotations", str(annotations), "-o", str(page_path)]
    )
    assert result.exit_code == 0, result.output
    articles = sum(r["level"] == "article" for r in seed_records)
    assert CHROMIUM.exists(), "install Debian chromium: apt-get install -y chromium"
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("requestfailed", lambda r: problems.append(f"failed request {r.url}"))
            page.goto(page_path.as_uri())
            number = lambda key: page.inner_text(f"#{key}")  # noqa: E731
            assert number("count-documents") == "2"
            assert number("count-articles") == str(articles)
            assert number("count-sentences") == str(sum(r["level"] == "sentence" for r in seed_records))
            assert number("dup-clusters") == "0"
            assert number("conflicts") == "0"
            assert number("progress-article") == f"3 / {articles}"
            assert int(number("script-Arabic").replace(",", "")) > 10_000
            assert int(number("repeated-0")) >= 4
            charts = page.eval_on_selector_all("img.chart", "imgs => imgs.map(i => i.complete && i.naturalWidth > 0)")
            assert len(charts) >= 4 and all(charts)
            directions = page.eval_on_selector_all(
                "div.text", "els => els.map(e => getComputedStyle(e).direction)"
            )
            assert directions and set(directions) == {"rtl"}
        finally:
            browser.close()
    assert problems == []


def test_dedup_command_reports_bad_lines_and_still_writes_clusters(units_file: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    lines = units_file.read_text(encoding="utf-8").splitlines()
    broken.write_text("\n".join([lines[0], "{not json", '{"id": "x"}', *lines[1:]]) + "\n", encoding="utf-8")
    clusters, contained = tmp_path / "clusters.jsonl", tmp_path / "contained.jsonl"
    result = CliRunner().invoke(dedup_command, [str(broken), "-o", str(clusters), "--contained", str(contained)])
    assert result.exit_code == 1
    assert f"{broken}:2:" in result.output and f"{broken}:3:" in result.output
    assert clusters.read_text(encoding="utf-8") == ""
    written = [json.loads(line) for line in contained.read_text(encoding="utf-8").splitlines()]
    assert len(written) == 1 and written[0]["share"] >= 0.8


def test_dedup_command_refuses_an_unusable_threshold(units_file: Path) -> None:
    result = CliRunner().invoke(dedup_command, [str(units_file), "--threshold", "1.5"])
    assert result.exit_code == 2 and "threshold must be in (0, 1]" in result.output
