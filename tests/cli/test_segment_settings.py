"""`curation segment` and `curation build` read pages with the same ingest settings (JSONL field
names, HTML extractor, encoding), from flags or a recipe; the settings are recorded beside the units
file and in the manifest, and `build` refuses units cut with other ones."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from curation.cli import main
from curation.ingest import read_documents
from curation.unitfile import iter_unit_records

RECORD = {
    "hl": "الحكومة تقر الموازنة العامة",
    "writer": "القاهرة - أحمد الريدي",
    "published_on": "2025-11-06",
    "permalink": "https://example.com/news/1",
    "title": "اسم الموقع",  # a default field name holding something else: must not become the title
    "story": "قال وزير المالية إن الحكومة أقرت الموازنة العامة للعام المقبل.\nوأضاف أن العجز سينخفض إلى أربعة في المئة.",
}
FLAGS = ["--text-field", "story", "--title-field", "hl", "--byline-field", "writer", "--date-field", "published_on", "--url-field", "permalink"]
PAGE = f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><title>{RECORD['hl']} | صحيفة</title>
<meta property="og:title" content="{RECORD['hl']}"></head><body><nav><a href="/">الرئيسية</a></nav>
<article><h1>{RECORD['hl']}</h1>{"".join(f"<p>{line}</p>" for line in RECORD["story"].splitlines())}</article>
<footer>جميع الحقوق محفوظة</footer></body></html>"""
RECIPE_KEYS = {"text_field": "story", "title_field": "hl", "byline_field": "writer", "date_field": "published_on", "url_field": "permalink"}


def write_pages(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "pages.jsonl"
    path.write_text(json.dumps(RECORD, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_recipe(folder: Path, **keys: Any) -> Path:
    recipe = {"name": "fields", "inputs": ["pages"], "dedup": False, "formats": ["jsonl"], "output": "out", **keys}
    path = folder / "recipe.yaml"
    with path.open("w", encoding="utf-8") as handle:
        YAML().dump(recipe, handle)
    return path


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result


def header_of(units: Path) -> tuple[list[str], str]:
    """(title, byline, dateline) of the one article, and the document's URL."""
    (document,) = iter_unit_records(units, "document")
    (article,) = iter_unit_records(units, "article")
    return [article["title_span"]["text"], article["byline"]["text"], article["dateline"]["text"]], document["meta"]["url"]


def manifest(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def test_field_flags_give_the_articles_title_byline_date_and_url(tmp_path: Path) -> None:
    pages = write_pages(tmp_path / "pages")
    invoke("segment", str(pages), *FLAGS, "-o", str(tmp_path / "units.jsonl"), "--workers", "1")
    assert header_of(tmp_path / "units.jsonl") == ([RECORD["hl"], RECORD["writer"], RECORD["published_on"]], RECORD["permalink"])
    recorded = json.loads((tmp_path / "units.jsonl.settings.json").read_text(encoding="utf-8"))["ingest"]
    assert recorded["text_field"] == "story"
    assert recorded["fields"] == {"title": ["hl"], "byline": ["writer"], "date": ["published_on"], "url": ["permalink"]}


def test_an_empty_field_name_turns_a_field_off_and_a_blank_text_field_is_refused(tmp_path: Path) -> None:
    pages = write_pages(tmp_path / "pages")
    invoke("segment", str(pages), "--text-field", "story", "--title-field", "", "--byline-field", "", "--date-field", "",
           "-o", str(tmp_path / "units.jsonl"), "--workers", "1")  # fmt: skip
    (document,) = iter_unit_records(tmp_path / "units.jsonl", "document")
    assert document["text"] == RECORD["story"]
    result = CliRunner().invoke(main, ["segment", str(pages), "--text-field", " ", "-o", str(tmp_path / "u.jsonl")])
    assert result.exit_code == 2 and "text field: a field name" in result.output


def test_a_recipe_names_the_fields_for_segment_and_build_and_build_refuses_units_cut_otherwise(tmp_path: Path) -> None:
    write_pages(tmp_path / "pages")
    recipe = write_recipe(tmp_path, units="units.jsonl.gz", **RECIPE_KEYS)
    invoke("segment", "--recipe", str(recipe), "--workers", "1")  # -o: the recipe's units file
    assert header_of(tmp_path / "units.jsonl.gz") == ([RECORD["hl"], RECORD["writer"], RECORD["published_on"]], RECORD["permalink"])
    invoke("build", str(recipe))
    built = manifest(tmp_path / "out")
    assert built["settings"]["ingest"]["fields"]["title"] == ["hl"] and built["settings"]["ingest"]["text_field"] == "story"
    assert {key: built["recipe"][key] for key in RECIPE_KEYS} == RECIPE_KEYS
    rows = [json.loads(line) for path in sorted((tmp_path / "out").rglob("*.jsonl")) for line in path.read_text(encoding="utf-8").splitlines()]
    assert RECORD["hl"] in {row.get("title") for row in rows}

    invoke("segment", "--recipe", str(recipe), "--title-field", "title", "--workers", "1")
    refused = CliRunner().invoke(main, ["build", str(recipe)])
    assert refused.exit_code == 1
    assert 'other settings than the recipe\'s (recipe vs units: ingest.fields.title: ["hl"] vs ["title"])' in refused.output


def test_build_flags_override_the_recipe_the_manifest_records_them_and_verify_rebuilds_with_them(tmp_path: Path) -> None:
    write_pages(tmp_path / "pages")
    recipe = write_recipe(tmp_path, text_field="story")
    invoke("build", str(recipe), "--title-field", "hl", "--url-field", "permalink")
    built = manifest(tmp_path / "out")
    assert built["settings"]["ingest"]["fields"]["title"] == ["hl"]
    assert (built["recipe"]["title_field"], built["recipe"]["url_field"]) == ("hl", "permalink")
    assert built["extractors"] == []  # no page went through the HTML extractor
    verified = CliRunner().invoke(main, ["verify", str(tmp_path / "out")])  # rebuilt with the recorded fields
    assert verified.exit_code == 0 and "reproducible" in verified.output, verified.output


def test_a_build_from_html_records_the_extractor_in_the_manifest_and_the_rows(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "page.html").write_text(PAGE, encoding="utf-8")
    invoke("build", str(write_recipe(tmp_path)))
    built = manifest(tmp_path / "out")
    (extractor,) = built["extractors"]
    from importlib.metadata import version

    assert extractor == {"name": "trafilatura", "version": version("trafilatura"), "settings": built["settings"]["ingest"]["html"]}
    assert extractor["settings"]["favor_precision"] is True
    rows = [json.loads(line) for path in sorted((tmp_path / "out").rglob("*.jsonl")) for line in path.read_text(encoding="utf-8").splitlines()]
    article = next(row for row in rows if row.get("title") == RECORD["hl"])
    assert json.loads(article["meta"])["extractor"] == extractor
    (document,) = read_documents([tmp_path / "pages"], [])
    assert document.meta["extractor"] == extractor  # the provenance of the page itself


@pytest.mark.parametrize("bad", [{"title_field": 7}, {"encoding": "klingon"}, {"text_field": ""}])
def test_a_bad_ingest_key_in_a_recipe_is_one_line(tmp_path: Path, bad: dict[str, Any]) -> None:
    write_pages(tmp_path / "pages")
    result = CliRunner().invoke(main, ["segment", "--recipe", str(write_recipe(tmp_path, **bad)), "-o", str(tmp_path / "u.jsonl")])
    line = next(n for n, text in enumerate((tmp_path / "recipe.yaml").read_text().splitlines(), 1) if text.startswith(next(iter(bad))))
    assert result.exit_code == 1 and f"recipe.yaml:{line}: {next(iter(bad))}: " in result.output
    assert "Traceback" not in result.output
