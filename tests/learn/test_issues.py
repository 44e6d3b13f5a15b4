"""`curation issues` and annotator quality: cleanlab flags gold that the careful annotators both got
wrong, and weighs the careless annotator below the careful ones."""

from __future__ import annotations

import json
import re

from click.testing import CliRunner

from curation.cli import main
from curation.project import Project

from .conftest import make_topic_gold


def test_flagged_label_errors_are_gold_the_careful_annotators_both_got_wrong(tmp_path):
    gold = make_topic_gold(tmp_path / "corpus", per_topic=20, flipped=2)
    project = Project.open(None)
    model = project.train([gold.store], units=gold.units, output=tmp_path / "models").report.model_file
    result = project.issues([gold.store], model=model, units=gold.units)
    flagged = [issue for issue in result.issues if issue.family == "topic"]
    assert flagged and {issue.unit_id for issue in flagged} <= set(gold.flipped)
    for issue in flagged:  # the model suggests the topic the text is about
        assert issue.suggested == (gold.truth[issue.unit_id],) != issue.gold
    assert [i.label_quality for i in result.issues] == sorted(i.label_quality for i in result.issues)


def test_the_careless_annotator_weighs_least_and_agree_shows_it_beside_the_agreement(tmp_path):
    gold = make_topic_gold(tmp_path / "corpus")
    project = Project.open(None)
    model = project.train([gold.store], units=gold.units, output=tmp_path / "models").report.model_file
    quality = {q.annotator: q.quality for q in project.issues([gold.store], model=model, units=gold.units).annotator_quality
               if q.family == "topic"}  # fmt: skip
    assert quality["ziad"] < min(quality["amal"], quality["badr"])

    shown = CliRunner().invoke(main, ["agree", str(gold.store), "--units", str(gold.units), "--model", str(model),
                                      "-o", str(tmp_path / "agreement.json")])  # fmt: skip
    assert shown.exit_code == 0, shown.output
    ziad = json.loads((gold.store.parent / "pseudonyms.json").read_text(encoding="utf-8"))["ziad"]  # agree names nobody
    assert "annotator quality" in shown.output and ziad in shown.output and "ziad" not in shown.output
    written = json.loads((tmp_path / "agreement.json").read_text(encoding="utf-8"))
    by_name = {row["annotator"]: row for row in written["annotator_quality"]["annotators"] if row["family"] == "topic"}
    assert by_name[ziad]["quality"] == quality["ziad"] and "agreement" in written


def test_cli_lists_issues_and_quality_and_json_is_the_result(tmp_path):
    gold = make_topic_gold(tmp_path / "corpus")
    models = tmp_path / "models"
    assert CliRunner().invoke(main, ["train", str(gold.store), "--units", str(gold.units), "-o", str(models)]).exit_code == 0
    model = next(models.glob("*.pkl"))
    shown = CliRunner().invoke(main, ["issues", str(gold.store), "--units", str(gold.units), "--model", str(model), "--json"])
    assert shown.exit_code == 0, shown.output
    result = json.loads(shown.stdout)
    assert result["model_version"] == model.stem and {"unit_id", "gold", "suggested", "label_quality"} <= set(result["issues"][0])


def test_the_report_shows_each_annotators_quality_beside_the_agreement_of_its_family(tmp_path):
    gold = make_topic_gold(tmp_path / "corpus")
    project = Project.open(None)
    trained = project.train([gold.store], units=gold.units, output=tmp_path / "models").report
    page = tmp_path / "report.html"
    result = project.report(gold.units, annotations=[gold.store], model=trained.model_file, output=page)
    assert not result.problems
    html = page.read_text(encoding="utf-8")
    quality = {q.annotator: q for q in project.issues([gold.store], model=trained.model_file, units=gold.units).annotator_quality
               if q.family == "topic"}  # fmt: skip
    table = html[html.index('id="quality-topic-article"'):]
    table = table[:table.index("</table>")]
    rows = re.findall(r"<tr><td><bdi[^>]*>(\w+)</bdi></td>(.*?)</tr>", table)
    pseudonyms = json.loads((gold.store.parent / "pseudonyms.json").read_text(encoding="utf-8"))
    named = {pseudonyms[name]: name for name in ("amal", "badr", "ziad")}  # the page names nobody
    assert [name for name, _ in rows] == sorted(named)
    for shown, cells in rows:  # units, quality, agreement with consensus: the figures `curation issues` gives
        name = named[shown]
        assert re.findall(r"class=\"figure\">([\d.,]+)<", cells) == [
            f"{quality[name].units:,}", f"{quality[name].quality:.2f}", f"{quality[name].agreement_with_consensus:.2f}"]
    assert f"annotator quality by the model {trained.model_file.stem}" in html
    assert html.index('id="labels-topic-article"') < html.index('id="quality-topic-article"')  # beside its agreement

    without = project.report(gold.units, annotations=[gold.store], output=tmp_path / "plain.html")  # no workspace, no model
    assert not without.problems and "quality-topic-article" not in (tmp_path / "plain.html").read_text(encoding="utf-8")
