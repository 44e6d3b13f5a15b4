"""Pre-annotations in a REAL Label Studio: gazetteer matches of clitic-attached names reach tasks
pushed earlier through the bridge's predictions API and are drawn in the web UI (headless
Chromium) on exactly the name, never on the clitic; a model callable and the CLI's --push make
new tasks with their predictions. No offset is posted by the test: the DOM is read."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Page

from curation.cli import main
from curation.imports.model import ImportProblem
from curation.preannotate import MatchRules, gazetteer_version, load_gazetteer, preannotate
from curation.studio.push import TaskMap, push_units
from curation.studio.server import StudioServer
from tests.studio.conftest import named_schema, unit_records
from tests.studio.test_studio_ui import annotator, highlighted, page, units_file  # noqa: F401 (fixtures)

GAZETTEER = "القاهرة\tGPE\nالولايات المتحدة\tGPE\nمصر\tGPE\nلبنان\tGPE\nفلسطين\tGPE\nالأمم المتحدة\tORG\n"
# sentence -> the names a gazetteer pre-annotation must cover, and nothing more
CASES: dict[str, list[str]] = {
    "وصل الوفد وبالقاهرة أمس.": ["القاهرة"],
    "قال الوزير للقاهرة إن الاتفاق قائم.": ["لقاهرة"],  # ل + القاهرة: the article's alef is not written
    "وَبِالْقَاهِرَةِ اجتمع وزراء من الولايات المتحدة ومصر.": ["الْقَاهِرَةِ", "الولايات المتحدة", "مصر"],
    "👍🏽 زار الرئيس لبنان وفلسطين.": ["لبنان", "فلسطين"],
    "\u200fأعلنـــت الحكومة في بـالقاهرة خطتها مع الامم المتحده.": ["القاهرة", "الامم المتحده"],
}


def places(folder: Path) -> Path:
    path = folder / "places.tsv"
    path.write_text(GAZETTEER, encoding="utf-8")
    return path


def test_gazetteer_predictions_on_existing_tasks_are_exact_in_the_ui(
    studio_server: StudioServer, page: Page, tmp_path: Path  # noqa: F811
) -> None:
    schema = named_schema(tmp_path, "h14_preannotate_ui")
    units = units_file(tmp_path, list(CASES))
    client = studio_server.client()
    pushed = push_units(client, studio_server.url, units, "sentence", schema, state_dir=tmp_path)
    assert (pushed.created, pushed.problems) == (len(CASES), [])

    problems: list[ImportProblem] = []
    every_clitic = MatchRules(prepositions=True, bare_prepositions=True)  # spans inside words: the offsets at stake
    gazetteer = load_gazetteer([places(tmp_path)], schema.span_family().values, problems, rules=every_clitic)
    assert problems == []
    report = preannotate(units, schema, "sentence", gazetteer=gazetteer, output=tmp_path / "pre.jsonl",
                         client=client, url=studio_server.url, state_dir=tmp_path, new_tasks=False)
    assert report.sent is not None and (report.sent.created, report.sent.predictions, report.sent.problems) == (0, 5, [])
    version = gazetteer_version(gazetteer)
    task_of, unit_of = TaskMap(pushed.project.folder).ids, {r["text"]: r["id"] for r in unit_records(units, "sentence")}
    for sentence, names in CASES.items():
        (stored,) = client.predictions.list(task=task_of[unit_of[sentence]])
        assert stored.model_version == version
        regions = [(r["value"]["start"], r["value"]["end"], r["value"]["text"]) for r in stored.result]
        assert [text for _, _, text in regions] == names and all(sentence[s:e] == t for s, e, t in regions), sentence

    again = preannotate(units, schema, "sentence", gazetteer=gazetteer, client=client, url=studio_server.url,
                        state_dir=tmp_path, new_tasks=False)
    assert again.sent is not None and (again.sent.predictions, again.sent.predictions_unchanged) == (0, 5)

    for sentence, names in CASES.items():
        shown = highlighted(studio_server, page, pushed.project.id, task_of[unit_of[sentence]])
        assert shown == sorted(names), sentence


def test_cli_push_makes_new_tasks_with_gazetteer_and_model_predictions(
    studio_server: StudioServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    schema = named_schema(tmp_path, "h14_preannotate_cli")
    sentences = ["التقى محمد بن سلمان وفدا والقاهرة.", "لا أسماء هنا."]
    units = units_file(tmp_path, sentences)
    model = tmp_path / "ner.py"
    model.write_text("def ner(text):\n"
                     "    name = 'محمد بن سلمان'\n"
                     "    at = text.find(name)\n"
                     "    return [] if at < 0 else [{'entity_group': 'PERS', 'score': 0.875, 'start': at, 'end': at + len(name)},\n"
                     "                              {'entity_group': 'CITY', 'score': 0.5, 'start': 0, 'end': 5}]\n",
                     encoding="utf-8")
    label_map = tmp_path / "map.yaml"
    label_map.write_text("PERS: PER\n", encoding="utf-8")
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", studio_server.api_key)
    arguments = ["preannotate", str(units), "--gazetteer", str(places(tmp_path)), "--model", f"{model}:ner",
                 "--model-version", "ner@3", "--label-map", str(label_map), "--push", "--schema", str(schema.path),
                 "--url", studio_server.url, "--data-dir", str(tmp_path)]
    result = CliRunner().invoke(main, arguments)
    output = " ".join(result.output.split())
    assert result.exit_code == 1, output  # the model's CITY span is a problem; the rest is sent
    assert "label 'CITY' is not a value" in output and "2 new task(s); predictions 2 sent" in output

    client = studio_server.client()
    task_of = TaskMap(next((tmp_path).rglob("project.json")).parent).ids
    unit_of = {r["text"]: r["id"] for r in unit_records(units, "sentence")}
    stored = {p.model_version: p for p in client.predictions.list(task=task_of[unit_of[sentences[0]]])}
    assert stored["ner@3"].score == pytest.approx(0.875)
    assert [r["value"]["text"] for r in stored["ner@3"].result] == ["محمد بن سلمان"]
    (gazetteer_version_,) = set(stored) - {"ner@3"}
    assert [r["value"]["text"] for r in stored[gazetteer_version_].result] == ["القاهرة"]
    assert client.predictions.list(task=task_of[unit_of[sentences[1]]]) == []

    rerun = CliRunner().invoke(main, [*arguments, "--replace"])  # the same answers: kept, nothing sent or deleted
    assert rerun.exit_code == 1 and "0 new task(s); predictions 0 sent, 0 replaced, 2 already there" in " ".join(rerun.output.split())
    assert len(client.predictions.list(task=task_of[unit_of[sentences[0]]])) == 2
    model.write_text(model.read_text(encoding="utf-8").replace("0.875", "0.75"), encoding="utf-8")
    rescored = CliRunner().invoke(main, [*arguments, "--replace"])  # a new score: the model's one is replaced
    assert rescored.exit_code == 1 and "predictions 1 sent, 1 replaced, 1 already there" in " ".join(rescored.output.split())
    (model_prediction,) = [p for p in client.predictions.list(task=task_of[unit_of[sentences[0]]]) if p.model_version == "ner@3"]
    assert model_prediction.score == pytest.approx(0.75)


def test_new_tasks_from_a_push_of_predictions_are_the_units_a_push_takes(
    studio_server: StudioServer, tmp_path: Path, sentence_units: Callable[[Path, list[str]], Path]
) -> None:
    """Before: `preannotate --push` made a task of every sentence, titles and bylines too, which a
    plain `curation push` leaves out; the title's prediction is counted, not sent, and is no problem."""
    schema = named_schema(tmp_path, "hygiene_preannotate_roles")
    title, *body = ["القاهرة تستضيف القمة", "وصل الوفد إلى القاهرة أمس.", "زار الرئيس لبنان."]
    units = sentence_units(tmp_path / "units.jsonl", [title, *body])
    records = [json.loads(line) for line in units.read_text(encoding="utf-8").splitlines()]
    records[1]["role"] = "title"  # s0, after the document's record
    units.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    problems: list[ImportProblem] = []
    gazetteer = load_gazetteer([places(tmp_path)], schema.span_family().values, problems)
    client = studio_server.client()
    report = preannotate(units, schema, "sentence", gazetteer=gazetteer, client=client, url=studio_server.url, state_dir=tmp_path)
    assert report.sent is not None and report.sent.problems == []
    assert (report.sent.created, report.sent.not_selected) == (2, 1)
    assert (report.sent.predictions, report.sent.predictions_not_selected) == (2, 1)
    tasks = client.tasks.list(project=report.sent.project.id, fields="all")
    assert sorted(task.data["text"] for task in tasks) == sorted(body)
