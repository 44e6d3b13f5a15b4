"""What a push sends: body sentences by default (not titles or bylines, which the task already shows
or which say nothing), a sample that grows without reshuffling, a cap, one source's units."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from curation.cli import main
from curation.errors import UsageError
from curation.pipeline.run import run_segment
from curation.studio.selection import Selection, parse_where
from curation.studio.server import StudioServer
from curation.studio.tasks import read_units_to_push

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
PAGES = [
    {"id": "a1", "source": "BBC", "topic": "sport", "title": "فوز المنتخب في المباراة",
     "text": "فاز المنتخب الوطني في المباراة أمس. وقال المدرب إن الفريق لعب جيدا.\n\nوسيلعب الفريق مرة أخرى الأسبوع المقبل."},
    {"id": "a2", "source": "CNN", "topic": "economy", "title": "ارتفاع الأسعار",
     "text": "ارتفعت أسعار الوقود في المدينة. وقال التجار إن الطلب تراجع.\n\nويتوقع الخبراء استمرار الارتفاع."},
]  # fmt: skip


@pytest.fixture(scope="module")
def seed_units(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("seeds") / "units.jsonl"
    run_segment([str(SEEDS)], target)
    return target


@pytest.fixture(scope="module")
def sourced_units(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("sourced")
    (folder / "pages.jsonl").write_text("".join(json.dumps(page, ensure_ascii=False) + "\n" for page in PAGES), encoding="utf-8")
    run_segment([str(folder / "pages.jsonl")], folder / "units.jsonl")
    return folder / "units.jsonl"


def kept(units: Path, selection: Selection, level: str = "sentence") -> dict[str, object]:
    return selection.apply(level, read_units_to_push(units, level).units, units)  # type: ignore[return-value]


def test_sentence_tasks_default_to_body_sentences(seed_units: Path) -> None:
    every = read_units_to_push(seed_units, "sentence").units
    assert {unit.role for unit in every.values()} == {"title", "heading", "body", "byline"}  # the seeds have them all
    chosen = kept(seed_units, Selection())
    assert chosen and {unit.role for unit in chosen.values()} == {"body"}  # type: ignore[attr-defined]
    assert list(chosen) == [uid for uid, unit in every.items() if unit.role == "body"]  # file order kept
    headed = kept(seed_units, Selection(roles=("body", "heading")))
    assert {unit.role for unit in headed.values()} == {"body", "heading"}  # type: ignore[attr-defined]
    assert len(kept(seed_units, Selection(), "article")) == len(read_units_to_push(seed_units, "article").units)


def test_a_role_the_level_lacks_is_named(seed_units: Path) -> None:
    with pytest.raises(UsageError, match="--roles caption: a sentence is one of title, heading, body, byline"):
        kept(seed_units, Selection(roles=("caption",)))


def test_a_sample_is_the_same_for_a_seed_and_a_larger_one_contains_it(seed_units: Path) -> None:
    small, again = kept(seed_units, Selection(sample=10, seed=7)), kept(seed_units, Selection(sample=10, seed=7))
    larger, other = kept(seed_units, Selection(sample=25, seed=7)), kept(seed_units, Selection(sample=10, seed=8))
    assert len(small) == 10 and list(small) == list(again)
    assert set(small) < set(larger) and len(larger) == 25
    assert set(other) != set(small)
    assert len(kept(seed_units, Selection(sample=10_000))) == len(kept(seed_units, Selection()))


def test_limit_takes_the_first_selected_units(seed_units: Path) -> None:
    assert list(kept(seed_units, Selection(limit=4))) == list(kept(seed_units, Selection()))[:4]
    assert kept(seed_units, Selection(limit=0)) == {}


def test_where_keeps_the_units_of_matching_documents(sourced_units: Path) -> None:
    bbc = kept(sourced_units, Selection(where=parse_where(["source=BBC"])))
    assert [unit.text for unit in bbc.values()] == ["فاز المنتخب الوطني في المباراة أمس.", "وقال المدرب إن الفريق لعب جيدا.",  # type: ignore[attr-defined]
                                                 "وسيلعب الفريق مرة أخرى الأسبوع المقبل."]
    either = kept(sourced_units, Selection(where=parse_where(["source=BBC", "source=CNN"])))
    assert len(either) == 6  # one key twice: either value
    assert kept(sourced_units, Selection(where=parse_where(["source=BBC", "topic=economy"]))) == {}  # two keys: both
    with pytest.raises(UsageError, match="KEY=VALUE"):
        parse_where(["source"])


def test_push_sends_body_sentences_and_says_what_it_left_out(
    studio_server: StudioServer, sourced_units: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", studio_server.api_key)
    monkeypatch.delenv("CURATION_WORKSPACE", raising=False)
    monkeypatch.chdir(tmp_path)
    common = [str(sourced_units), "--level", "sentence", "--url", studio_server.url, "--data-dir", str(tmp_path / "studio")]
    runner = CliRunner()
    sample = runner.invoke(main, ["push", *common, "--where", "source=CNN", "--sample", "2", "--seed", "3", "--json"])
    assert sample.exit_code == 0, sample.output
    summary = json.loads(sample.stdout)
    assert (summary["created"], summary["not_selected"]) == (2, 6)  # 2 titles and 4 other sentences left out
    rest = runner.invoke(main, ["push", *common])
    assert rest.exit_code == 0, rest.output
    assert "pushed 4 new task(s)" in rest.output  # the 6 body sentences in all, no title
    texts = {task.data["text"] for task in studio_server.client().tasks.list(project=summary["project"]["id"], fields="all")}
    assert texts == {"فاز المنتخب الوطني في المباراة أمس.", "وقال المدرب إن الفريق لعب جيدا.", "وسيلعب الفريق مرة أخرى الأسبوع المقبل.",
                     "ارتفعت أسعار الوقود في المدينة.", "وقال التجار إن الطلب تراجع.", "ويتوقع الخبراء استمرار الارتفاع."}
