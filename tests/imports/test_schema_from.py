"""`schema new --from` drafts the labels a corpus has: noise tags are reported with their first line,
not made labels; several --from files merge; an import with no schema chosen gets one that asks what
the corpus has, so its entity annotations are not set aside for want of a stance."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from curation.cli import main
from curation.project import Project
from curation.schema import load_schema
from curation.studio.store import read_annotations


def _corpus(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_noise_tags_are_reported_with_their_first_line_and_not_made_labels(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "noisy.conll", [
        "باريس\tB-MIS-1", "لندن\tB-LOC", "Windows\tENGLISH", "Linux\tB-ENGLISH", "و\tOO", "مصر\tB-LOC",
        "شركة\tB-ORG", "أبل\tI-ORG", "Mac\tI-ENGLISH"])
    result = CliRunner().invoke(main, ["schema", "new", "noisy", "--from", str(corpus), "-o", str(tmp_path / "s.yaml")])
    assert result.exit_code == 1
    assert load_schema(tmp_path / "s.yaml").span_family().values == ["LOC", "ORG"]
    output = " ".join(result.output.split())
    assert "noisy.conll:1: noise tag 'MIS-1' (a numbered variant of a label; 1 token(s))" in output
    assert "noisy.conll:3: noise tag 'ENGLISH' (not a BIO tag; 1 token(s))" in output
    assert "noisy.conll:4: noise tag 'ENGLISH' (marks a language, not an entity; 2 token(s))" in output
    assert "noisy.conll:5: noise tag 'OO' (not a BIO tag; 1 token(s))" in output


def test_several_from_files_merge_in_the_order_given(tmp_path: Path) -> None:
    first = _corpus(tmp_path / "a.conll", ["القاهرة\tB-Population-Center", "النيل\tB-Water-Body"])
    second = _corpus(tmp_path / "b.conll", ["النيل\tB-Water-Body", "مرسي\tB-Politician", "الأهرام\tB-Building-Grounds"])
    result = CliRunner().invoke(main, ["schema", "new", "merged", "--from", str(first), "--from", str(second),
                                       "-o", str(tmp_path / "s.yaml")])
    assert result.exit_code == 0, result.output
    assert load_schema(tmp_path / "s.yaml").span_family().values == [
        "Population-Center", "Water-Body", "Politician", "Building-Grounds"]


def test_an_import_with_no_schema_chosen_gets_one_that_asks_what_the_corpus_has(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # no workspace, no --schema, no $CURATION_SCHEMA: the bundled news schema
    monkeypatch.delenv("CURATION_SCHEMA", raising=False)
    corpus = _corpus(tmp_path / "fane.conll", ["زار\tO", "القاهرة\tB-Population-Center", "المصري\tB-Nation", "", "جاء\tO"])
    project = Project.open()
    assert project.schema.name == "news"
    result = project.import_([corpus], tmp_path / "out" / "fane")
    assert result.problems == [] and result.report.rejected == 0
    schema = load_schema(result.report.outputs["schema"])
    assert schema.span_family().values == ["Population-Center", "Nation"] and not any(f.required for f in schema.all_families)
    annotations = read_annotations(result.report.outputs["annotations"])
    assert sorted(len(a.spans) for a in annotations) == [0, 2]  # the second sentence: "no entity here", kept too


def test_a_corpus_without_an_entity_label_is_named_and_no_schema_written(tmp_path: Path) -> None:
    empty = _corpus(tmp_path / "empty.txt", [])
    result = CliRunner().invoke(main, ["schema", "new", "x", "--from", str(empty), "-o", str(tmp_path / "s.yaml")])
    assert result.exit_code == 1 and not (tmp_path / "s.yaml").exists()
    assert f"{empty}: no entity label in the tags" in " ".join(result.output.split())


def test_a_file_of_labelled_texts_is_not_surveyed_for_entity_tags(tmp_path: Path) -> None:
    pairs = _corpus(tmp_path / "mawqif.csv", ["ID,text,target,stance", "1,نص,Covid Vaccine,Favor"])
    result = CliRunner().invoke(main, ["schema", "new", "x", "--from", str(pairs), "-o", str(tmp_path / "s.yaml")])
    assert result.exit_code == 1 and not (tmp_path / "s.yaml").exists()
    assert f"{pairs}: a CSV, TSV or JSONL file of labelled texts, not a CoNLL/BIO corpus" in " ".join(result.output.split())


def test_a_corpus_of_whole_tokens_drafts_word_granularity_and_one_with_a_given_text_symbol(tmp_path: Path) -> None:
    """A CoNLL entity is whole tokens, and without a ``# text =`` line the text is the tokens one space apart:
    pre-annotation must then keep to whole words (``وألمانيا``, not ``ألمانيا`` inside it), as the corpus does."""
    tokens = _corpus(tmp_path / "tokens.conll", ["زار\tO", "وألمانيا\tB-LOC"])
    given = _corpus(tmp_path / "given.conll", ["# text = زار وألمانيا", "زار\tO", "و\tO", "ألمانيا\tB-LOC"])
    for corpus, granularity in ((tokens, "word"), (given, "symbol")):
        Project.schema_new("drafted", corpus=corpus, output=tmp_path / f"{corpus.stem}.yaml")
        assert load_schema(tmp_path / f"{corpus.stem}.yaml").span_family().granularity == granularity
    Project.schema_new("listed", ["LOC"], output=tmp_path / "listed.yaml")
    assert load_schema(tmp_path / "listed.yaml").span_family().granularity == "symbol"


def test_token_rows_and_a_dataset_folder_draft_their_labels_and_import_without_a_schema(tmp_path: Path, monkeypatch) -> None:
    """A JSONL file of ``tokens`` + ``ner_tags`` rows, and a dataset saved with ClassLabel tags: `schema new --from`
    drafts their labels, and an import with no schema chosen gets that draft instead of the news schema, which set
    aside every entity annotation for want of a stance."""
    from datasets import ClassLabel, Dataset, Features, Sequence, Value

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CURATION_SCHEMA", raising=False)
    rows = _corpus(tmp_path / "rows.jsonl", ['{"tokens": ["قال", "بايدن", "في", "القاهرة"], "ner_tags": ["O", "B-PER", "O", "B-LOC"]}'])
    features = Features({"tokens": Sequence(Value("string")), "ner_tags": Sequence(ClassLabel(names=["O", "B-ORG", "I-ORG"]))})
    Dataset.from_dict({"tokens": [["الأمم", "المتحدة"]], "ner_tags": [[1, 2]]}, features=features).save_to_disk(tmp_path / "hf")
    drafted = Project.schema_new("both", corpus=[rows, tmp_path / "hf"], output=tmp_path / "s.yaml")
    assert drafted.problems == [] and load_schema(tmp_path / "s.yaml").span_family().values == ["PER", "LOC", "ORG"]
    result = Project.open().import_([rows], tmp_path / "out" / "rows")
    assert result.report.rejected == 0 and result.report.annotations == 1 and result.report.spans == 2


def test_the_cli_drafts_from_a_dataset_folder(tmp_path: Path) -> None:
    from datasets import ClassLabel, Dataset, Features, Sequence, Value

    features = Features({"tokens": Sequence(Value("string")), "ner_tags": Sequence(ClassLabel(names=["O", "B-ORG", "I-ORG"]))})
    Dataset.from_dict({"tokens": [["الأمم", "المتحدة"]], "ner_tags": [[1, 2]]}, features=features).save_to_disk(tmp_path / "hf")
    result = CliRunner().invoke(main, ["schema", "new", "hf", "--from", str(tmp_path / "hf"), "-o", str(tmp_path / "s.yaml")])
    assert result.exit_code == 0, result.output
    assert load_schema(tmp_path / "s.yaml").span_family().values == ["ORG"]
