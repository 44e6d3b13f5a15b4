"""`curation schema check|show|config`, run through the real click group."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from curation.cli import main
from curation.schema import load_schema

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def run(*args: str):
    # wide terminal so that rich does not wrap long problem lines
    return CliRunner(env={"COLUMNS": "400"}).invoke(main, ["schema", *args], catch_exceptions=False)


def test_check_reports_ok_for_the_default_schema() -> None:
    result = run("check")
    assert result.exit_code == 0
    assert "news v2" in result.output and load_schema().fingerprint[:16] in result.output


def test_check_lists_every_problem_and_fails(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    text = (SCHEMAS / "news.yaml").read_text(encoding="utf-8")
    text = text.replace("value: economy", "value: politics").replace('color: "#bcbd22"', "color: yellow")
    bad.write_text(text, encoding="utf-8")
    result = run("check", str(bad))
    assert result.exit_code == 1
    lines = text.splitlines()
    duplicate_line = [n for n, line in enumerate(lines, 1) if "value: politics" in line][1]
    colour_line = next(n for n, line in enumerate(lines, 1) if "color: yellow" in line)
    output = result.output
    assert f"bad.yaml:{duplicate_line}: labels.topic.values[4]: duplicate value 'politics'" in output
    assert f"bad.yaml:{colour_line}: labels.topic.values[9].color: must be #rrggbb, got 'yellow'" in output
    assert "2 problem(s)" in output


def test_show_prints_every_label_with_its_arabic_name() -> None:
    result = run("show", str(SCHEMAS / "news.yaml"))
    assert result.exit_code == 0
    schema = load_schema()
    for family in schema.all_families:
        for label in family.labels:
            assert label.value in result.output and label.ar in result.output
    assert "military -> security" in result.output and "MISC retired" in result.output


def test_config_prints_the_label_studio_xml_for_a_level() -> None:
    result = run("config", "--level", "sentence")
    assert result.exit_code == 0
    assert result.output == load_schema().label_config("sentence")
    nothing = run("config", "--level", "document")
    assert nothing.exit_code == 1 and "asks nothing at 'document' level" in nothing.output
