"""What dedup compares of an article (``DedupSettings.compare``: its body by default, or its headline
and body) and what it never compares (texts of fewer than ``min_words`` words): in process, through
`curation dedup` on a units file, and through a recipe into a build and its manifest."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from curation.cli import main
from curation.dedup import DedupSettings, dedup_items, find_clusters, find_duplicates, jaccard, text_shingles
from curation.dedup.run import run_dedup
from curation.export.building import build
from curation.export.recipe import RecipeError, load_recipe
from curation.pipeline.options import ExecutorOptions
from curation.pipeline.run import run_segment
from curation.settings import Settings
from curation.unitfile import UnitFile
from curation.units import Article, Span
from tests.dedup.conftest import OTHER_STORY, STORY
from tests.export.conftest import write_recipe

BODY = " ".join(STORY.split()[:30])  # one wire story...
HEADLINES = (  # ...under two outlets' headlines
    "الحكومة تفتتح مستشفى جديدا للأطفال في الجيزة بتكلفة مئة مليون",
    "ثلاثمئة سرير في أحدث مستشفيات الأطفال بمصر هذا العام",
)
DISCLAIMER = "** جميع المقالات المنشورة تمثل رأي كتابها فقط."  # 7 words: all that is left of two ANT columns
PAGES = [
    {"id": "wire-1", "title": HEADLINES[0], "text": BODY},
    {"id": "wire-2", "title": HEADLINES[1], "text": BODY},
    {"id": "other", "title": "فوز المغرب على تونس وديا", "text": OTHER_STORY},
    # a page whose only line is its headline: the article's body is empty
    {"id": "empty-1", "title": "أنباء عن احتجاز رهائن داخل متجر جنوبي فرنسا", "text": "أنباء عن احتجاز رهائن داخل متجر جنوبي فرنسا"},
    {"id": "empty-2", "title": "زلزال بقوة ست درجات يضرب جزيرة في اليابان", "text": "زلزال بقوة ست درجات يضرب جزيرة في اليابان"},
    {"id": "column-1", "title": "غازي القصيبي وبياض الحياة الثلجي", "text": DISCLAIMER},
    {"id": "column-2", "title": "شعراء يعشقون أنديتهم", "text": DISCLAIMER},
]


def article(unit_id: str, title: str, body: str) -> Article:
    text = f"{title}\n{body}"
    paragraphs = (Span(len(title) + 1, len(text), body),) if body else ()
    return Article(unit_id, f"d-{unit_id}", 0, len(text), text, Span(0, len(title), title), "main", paragraphs)


def test_the_same_body_under_two_headlines_is_one_cluster_unless_headlines_are_compared() -> None:
    units = [article("a", HEADLINES[0], BODY), article("b", HEADLINES[1], BODY), article("c", "فوز المغرب", OTHER_STORY)]
    (cluster,) = find_clusters(dedup_items(units), DedupSettings())
    assert cluster.member_ids == ("a", "b") and cluster.reason == "exact"
    titled = DedupSettings(compare="title+body")
    texts = dict(dedup_items(units, titled.compare))
    assert texts["a"].startswith(HEADLINES[0])
    assert jaccard(text_shingles(texts["a"]), text_shingles(texts["b"])) < titled.threshold  # the headlines set them apart
    assert find_clusters(texts.items(), titled) == []


def test_empty_and_near_empty_texts_are_never_clustered_and_are_counted() -> None:
    units = [article(f"empty{n}", f"عنوان رقم {n}", "") for n in range(3)]
    units += [article(f"column{n}", f"مقال رقم {n}", DISCLAIMER) for n in range(2)]
    units += [article("a", HEADLINES[0], BODY), article("b", HEADLINES[1], BODY)]
    found = find_duplicates(dedup_items(units))
    assert [c.member_ids for c in found.clusters] == [("a", "b")]
    assert found.too_short == 5 and found.contained == []


def test_a_text_of_min_words_is_compared_and_one_word_less_is_not() -> None:
    eight = "وزير الصحة يفتتح مستشفى الأطفال الجديد في الجيزة"
    assert len(eight.split()) == DedupSettings().min_words
    items = [("a", eight), ("b", eight), ("c", " ".join(eight.split()[:-1])), ("d", " ".join(eight.split()[:-1]))]
    found = find_duplicates(items)
    assert [c.member_ids for c in found.clusters] == [("a", "b")] and found.too_short == 2
    stricter = find_duplicates(items, DedupSettings(min_words=9))
    assert stricter.clusters == [] and stricter.too_short == 4


@pytest.fixture(scope="module")
def units(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("compare")
    pages = folder / "pages.jsonl"
    pages.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in PAGES), encoding="utf-8")
    run_segment([str(pages)], folder / "units.jsonl.gz", options=ExecutorOptions(workers=1))
    return folder / "units.jsonl.gz"


def test_curation_dedup_compares_bodies_and_counts_the_empty_ones(units: Path, tmp_path: Path) -> None:
    ids = {unit_id: page["id"] for (unit_id, _), page in zip(dedup_items(UnitFile(units)), PAGES)}
    by_body = run_dedup(units, DedupSettings(), ExecutorOptions(workers=2), clusters=tmp_path / "body.jsonl")
    assert by_body is not None and by_body.compared == len(PAGES) and by_body.too_short == 4
    (cluster,) = [json.loads(line) for line in (tmp_path / "body.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(ids[m["id"]] for m in cluster["members"]) == ["wire-1", "wire-2"]
    titled = run_dedup(units, DedupSettings(compare="title+body"), clusters=tmp_path / "titled.jsonl")
    assert titled is not None and titled.clusters == {} and titled.too_short == 0
    assert (tmp_path / "titled.jsonl").read_text(encoding="utf-8") == ""


def test_the_compare_option_and_an_unknown_value(units: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["dedup", str(units), "-o", str(tmp_path / "c.jsonl"), "--compare", "title+body"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "c.jsonl").read_text(encoding="utf-8") == ""
    row = next(line for line in result.output.splitlines() if "too short" in line)
    assert row.split()[-2] == "0"
    result = runner.invoke(main, ["dedup", str(units), "-o", str(tmp_path / "c.jsonl")])
    row = next(line for line in result.output.splitlines() if "too short" in line)
    assert result.exit_code == 0 and row.split()[-2] == "4"
    bad = runner.invoke(main, ["dedup", str(units), "--compare", "headline"])
    assert bad.exit_code == 2 and "'headline' is not one of 'body', 'title+body'" in bad.output
    assert "Traceback" not in bad.output


def test_an_unknown_compare_value_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"^compare must be one of body, title\+body, got 'headline'$"):
        DedupSettings.from_dict({"compare": "headline"})
    with pytest.raises(RecipeError) as refused:
        load_recipe(write_recipe(tmp_path, dedup={"compare": "headline"}))
    assert "\n" not in str(refused.value) and "dedup.compare: must be one of body, title+body" in str(refused.value)
    assert "seed-test.yaml" in str(refused.value)


def test_the_setting_round_trips_through_a_recipe_into_the_manifest(tmp_path: Path) -> None:
    pages = tmp_path / "pages.jsonl"
    pages.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in PAGES), encoding="utf-8")
    recipe = load_recipe(write_recipe(tmp_path / "titled", inputs=[str(pages)], dedup={"compare": "title+body", "min_words": 9}))
    assert recipe.to_dict()["dedup"] == {"compare": "title+body", "min_words": 9}
    again = load_recipe(write_recipe(tmp_path / "again", **{k: v for k, v in recipe.to_dict().items() if v is not None}))
    assert again.settings.dedup == recipe.settings.dedup == DedupSettings(compare="title+body", min_words=9)
    report = build(recipe, allow_problems=True)
    manifest = json.loads((report.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["settings"]["dedup"]["compare"] == "title+body" and manifest["settings"]["dedup"]["min_words"] == 9
    assert Settings.from_dict(manifest["settings"]).dedup == recipe.settings.dedup
    assert report.clusters == 0
    # with their headlines, only the two empty bodies (8-word headlines) are under 9 words
    assert [w for w in report.warnings if w.startswith("dedup:")] == [
        "dedup: 2 article(s) of fewer than 9 words (dedup.min_words) compared with nothing: in no duplicate cluster"
    ]

    by_body = build(load_recipe(write_recipe(tmp_path / "body", inputs=[str(pages)], output=str(tmp_path / "out-body"))), allow_problems=True)
    manifest = json.loads((by_body.out_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["settings"]["dedup"]["compare"] == "body"
    assert by_body.clusters == 1
    assert [w for w in by_body.warnings if w.startswith("dedup:")] == [
        "dedup: 4 article(s) of fewer than 8 words (dedup.min_words) compared with nothing: in no duplicate cluster"
    ]
