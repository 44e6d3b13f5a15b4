"""`curation train`: a model per label family from the gold, versioned by its gold and settings."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from curation.cli import main
from curation.errors import CurationError
from curation.fileio import iter_jsonl
from curation.learn.model import LearnSettings, TrainedModel, model_version
from curation.learn.predict import unit_predictions
from curation.learn.tagger import TaggerSettings
from curation.project import Project
from curation.studio.tasks import unit_text
from curation.unitfile import iter_units

from .conftest import make_gold


def _predictions(model_file, units, level):
    errors: list = []
    found = [p.to_record() for p in unit_predictions(TrainedModel.load(model_file), units, level, errors)]
    assert not errors
    return found


def test_train_fits_each_family_with_two_labels_and_records_the_version(gold, tmp_path):
    result = Project.open(None).train(gold.stores, units=gold.units, output=tmp_path / "models")
    report = result.report
    assert result.problems == []
    assert report.rule.startswith("gold = a ground-truth annotation, else the majority of annotators")
    fits = {f"{fit.family}@{fit.level}": fit for fit in report.families}
    assert fits["topic@article"].labels == {"economy": 6, "sport": 6}
    assert fits["topic@article"].cross_validated is not None  # out-of-sample probabilities were made
    assert fits["entity@sentence"].labels["PER"] == 4
    assert any(note.startswith("stance@article: not trained") for note in report.skipped)  # one label only: nothing to learn
    assert report.model_file == tmp_path / "models" / f"{report.version}.pkl"
    recorded = [record for _, record in iter_jsonl(tmp_path / "models" / "models.jsonl")]
    assert [r["version"] for r in recorded] == [report.version]
    assert recorded[0]["gold"]["topic@article"] == 12


def test_the_same_gold_and_settings_give_the_same_version_and_predictions(tmp_path):
    first, second = make_gold(tmp_path / "a"), make_gold(tmp_path / "b")
    one = Project.open(None).train(first.stores, units=first.units, output=tmp_path / "m1").report
    two = Project.open(None).train(second.stores, units=second.units, output=tmp_path / "m2").report
    assert one.version == two.version
    for level in ("article", "sentence"):
        assert _predictions(one.model_file, first.units, level) == _predictions(two.model_file, second.units, level)


def test_another_gold_is_another_version_and_retraining_adds_no_record(tmp_path):
    same, other = make_gold(tmp_path / "a"), make_gold(tmp_path / "b", flipped=2)
    models = tmp_path / "models"
    first = Project.open(None).train(same.stores, units=same.units, output=models).report
    again = Project.open(None).train(same.stores, units=same.units, output=models).report
    changed = Project.open(None).train(other.stores, units=other.units, output=models).report
    assert first.version == again.version != changed.version
    assert [r["version"] for _, r in iter_jsonl(models / "models.jsonl")] == [first.version, changed.version]


def test_predictions_carry_the_version_a_score_and_every_trained_family(gold, tmp_path):
    report = Project.open(None).train(gold.stores, units=gold.units, output=tmp_path / "models").report
    articles = _predictions(report.model_file, gold.units, "article")
    assert {p["unit_id"] for p in articles} >= set(gold.articles)
    assert all(p["model_version"] == report.version and 0 <= p["score"] <= 1 for p in articles)
    assert all(list(p["choices"]) == ["topic"] and p["spans"] == [] for p in articles)
    sentences = _predictions(report.model_file, gold.units, "sentence")
    named = [s for p in sentences for s in p["spans"]]
    assert {"text": "محمد صلاح", "label": "PER"}.items() <= next(s for s in named if s["text"] == "محمد صلاح").items()


def test_an_article_is_scored_by_the_margin_between_its_two_likeliest_topics(gold, tmp_path):
    report = Project.open(None).train(gold.stores, units=gold.units, output=tmp_path / "models").report
    classifier = TrainedModel.load(report.model_file).classifiers["topic@article"]
    texts = {unit.id: unit_text(unit) for unit in iter_units(gold.units, "article")}
    for prediction in _predictions(report.model_file, gold.units, "article"):
        likeliest = np.sort(classifier.probabilities([texts[prediction["unit_id"]]])[0])[::-1]
        assert prediction["score"] == pytest.approx(likeliest[0] - likeliest[1], abs=1e-6)


def test_cli_prints_the_gold_rule_and_the_model_and_json_is_the_result(gold, tmp_path):
    runner = CliRunner()
    args = ["train", str(gold.article_store), str(gold.sentence_store), "--units", str(gold.units), "-o", str(tmp_path / "m")]
    shown = runner.invoke(main, args)
    assert shown.exit_code == 0, shown.output
    assert "gold = a ground-truth annotation, else the majority" in shown.output
    assert "topic@article: 12 example(s)" in shown.output
    as_json = runner.invoke(main, [*args, "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)["version"].startswith("curation-learn-")


def test_no_gold_is_one_line_naming_what_to_do(tmp_path):
    store = tmp_path / "news-article.jsonl"
    store.write_text("", encoding="utf-8")
    units = make_gold(tmp_path / "c").units
    shown = CliRunner().invoke(main, ["train", str(store), "--units", str(units), "-o", str(tmp_path / "m")])
    assert shown.exit_code != 0
    assert "no gold to learn from" in shown.output and "Traceback" not in shown.output


def test_in_a_workspace_train_finds_its_stores_and_preannotate_takes_the_latest_model(gold, tmp_path):
    import shutil

    project, _ = Project.init(tmp_path / "ws")
    missing = CliRunner().invoke(main, ["train"], env={"CURATION_WORKSPACE": str(project.root / "curation.yaml")})
    assert missing.exit_code != 0 and "no units file" in missing.output  # nothing segmented yet: said, no traceback
    shutil.copy(gold.units, project.units_file)
    project.annotations_dir.mkdir(parents=True, exist_ok=True)
    shutil.copy(gold.article_store, project.store_path("article"))
    shutil.copy(gold.sentence_store, project.store_path("sentence"))
    trained = project.train().report
    assert trained.model_file.parent == project.models_dir
    written = project.preannotate("article", trained="latest", output=tmp_path / "pre.jsonl")
    assert dict(written.report.predictions) == {trained.version: len(list(iter_jsonl(tmp_path / "pre.jsonl")))}


def test_a_model_trained_with_a_gazetteer_is_saved_and_loads_to_give_the_same_predictions(gold, tmp_path):
    (tmp_path / "names.tsv").write_text("محمد صلاح\tPER\nكريم بنزيمة\tPER\n", encoding="utf-8")
    result = Project.open(None).train(gold.stores, units=gold.units, gazetteers=[tmp_path / "names.tsv"], output=tmp_path / "models")
    assert result.problems == []
    predicted = _predictions(result.report.model_file, gold.units, "sentence")
    assert predicted and predicted == _predictions(result.report.model_file, gold.units, "sentence")
    assert TrainedModel.load(result.report.model_file).gazetteer is not None


def test_the_taggers_gazetteer_matches_at_the_schemas_granularity(gold, tmp_path):
    """As pre-annotation does: a schema whose spans cover whole words gets whole-word matches as features."""
    schema = tmp_path / "word.yaml"
    news = (Path(__file__).resolve().parents[2] / "schemas" / "news.yaml").read_text(encoding="utf-8")
    assert "granularity: symbol" in news
    schema.write_text(news.replace("granularity: symbol", "granularity: word"), encoding="utf-8")
    (tmp_path / "names.tsv").write_text("محمد صلاح\tPER\n", encoding="utf-8")
    result = Project.open(None, schema=schema).train(gold.stores, units=gold.units, gazetteers=[tmp_path / "names.tsv"], output=tmp_path / "models")
    assert result.problems == []
    assert TrainedModel.load(result.report.model_file).gazetteer.granularity == "word"


def test_another_tagger_feature_set_is_another_version():
    """A tagger of other features predicts otherwise from the same gold: it must not share a version
    (Label Studio replaces predictions per version)."""
    now = LearnSettings()
    before = LearnSettings(tagger=TaggerSettings(features=now.tagger.features - 1))
    assert model_version([], now, "schema", None) != model_version([], before, "schema", None)
    assert model_version([], now, "schema", None) == model_version([], LearnSettings(), "schema", None)


def test_a_model_whose_tagger_has_other_features_is_refused_at_load(gold, tmp_path):
    """Its CRF would meet features it never saw and predict otherwise under its old version."""
    report = Project.open(None).train(gold.stores, units=gold.units, output=tmp_path / "models").report
    model = TrainedModel.load(report.model_file)
    assert model.taggers  # the gold has entities: a tagger was trained
    older = tmp_path / "older.pkl"
    dataclasses.replace(model, settings=LearnSettings(model.settings.classifier, TaggerSettings(features=1))).save(older)
    with pytest.raises(CurationError, match=r"older\.pkl: its entity tagger was trained on feature set 1.*curation train"):
        TrainedModel.load(older)


def test_a_model_of_feature_set_4_whose_clusters_have_no_counts_is_refused_with_its_set_named(gold, tmp_path):
    """Set 5 added the clitic cutter's counts to the clusters; an older pickle lacks them."""
    report = Project.open(None).train(gold.stores, units=gold.units, output=tmp_path / "models").report
    model = TrainedModel.load(report.model_file)
    for tagger in model.taggers.values():
        assert tagger.maker.clusters is not None
        del tagger.maker.clusters.seen  # as set 4 pickled them
    older = tmp_path / "set4.pkl"
    dataclasses.replace(model, settings=LearnSettings(model.settings.classifier, TaggerSettings(features=4))).save(older)
    with pytest.raises(CurationError, match=r"set4\.pkl: its entity tagger was trained on feature set 4.*curation train"):
        TrainedModel.load(older)
