import json
from pathlib import Path

from click.testing import CliRunner

from curation.cli import main
from curation.imports import import_corpus, read_label_map
from curation.studio.store import read_annotations
from curation.unitfile import iter_unit_records

from .conftest import BAD_TAGS, SENTENCES, STRICT_DROPPED, VALID_SPANS, entity_schema, write_sample


def _spans_by_sentence(prefix: Path) -> set[tuple[int, str, str]]:
    """(sentence index, label, surface) of every stored span, checked against its unit text."""
    texts = {r["id"]: r["text"] for r in iter_unit_records(Path(f"{prefix}.units.jsonl"), "sentence")}
    order = {r["id"]: n for n, r in enumerate(iter_unit_records(Path(f"{prefix}.units.jsonl"), "sentence"))}
    found = set()
    for annotation in read_annotations(f"{prefix}.annotations.jsonl"):
        for span in annotation.spans:
            assert texts[annotation.unit_id][span.start : span.end] == span.text
            found.add((order[annotation.unit_id], span.label, span.text))
    return found


def test_noisy_sample_keeps_every_valid_span_and_reports_every_bad_tag(sample, tmp_path: Path) -> None:
    corpus, label_map, line_of = sample
    schema = entity_schema(tmp_path)
    report = import_corpus([corpus], schema, tmp_path / "out", source="sample", label_map=read_label_map(label_map))
    assert report.items == len(SENTENCES) and report.annotations == len(SENTENCES) and report.rejected == 0
    assert _spans_by_sentence(tmp_path / "out") == set(VALID_SPANS)
    reported = {(p.path, p.line) for p in report.problems}
    for tag, token in BAD_TAGS.items():
        assert (str(corpus), line_of[token]) in reported, (tag, token)
    # the second I-ORG after the malformed I--ORG is an orphan too: 6 problems, no more
    assert len(report.problems) == 6
    texts = [r["text"] for r in iter_unit_records(tmp_path / "out.units.jsonl", "sentence")]
    assert texts[0].startswith("أعلن الرئيس دونالد ترامب في واشنطن عن") and all("\u200e" not in t and "\u200f" not in t for t in texts)


def test_strict_repair_drops_orphan_spans_only(sample, tmp_path: Path) -> None:
    corpus, label_map, _ = sample
    report = import_corpus([corpus], entity_schema(tmp_path), tmp_path / "out", policy="strict",
                           label_map=read_label_map(label_map))
    assert _spans_by_sentence(tmp_path / "out") == set(VALID_SPANS) - STRICT_DROPPED
    assert sum("strict" in p.message for p in report.problems) == 2


def test_file_without_blank_lines_is_cut_at_sentence_ends(tmp_path: Path) -> None:
    corpus = tmp_path / "flat.txt"
    write_sample(corpus, blank_lines=False)
    report = import_corpus([corpus], entity_schema(tmp_path), tmp_path / "out", label_map={"PERS": "PER", "LOC": "GPE"})
    assert report.items == len(SENTENCES)
    assert _spans_by_sentence(tmp_path / "out") == set(VALID_SPANS)


def test_tokens_align_to_a_given_text(tmp_path: Path) -> None:
    corpus = tmp_path / "given.conll"
    corpus.write_text("# text = قال  بايدن،\u200f في البيت الأبيض\nقال O\nبايدن B-PER\n، O\nفي O\nالبيت B-ORG\nالأبيض I-ORG\n\n"
                      "# text = نص لا يطابق\nكلمة B-PER\n", encoding="utf-8")
    report = import_corpus([corpus], entity_schema(tmp_path), tmp_path / "out")
    spans = {(s.text, s.start) for a in read_annotations(tmp_path / "out.annotations.jsonl") for s in a.spans}
    assert ("بايدن", 5) in spans and ("البيت الأبيض", 15) in spans and ("كلمة", 0) in spans
    assert [p.line for p in report.problems] == [10] and "not in the '# text'" in report.problems[0].message


def test_reimport_replaces_its_own_records_and_keeps_others(sample, tmp_path: Path) -> None:
    corpus, label_map, _ = sample
    schema = entity_schema(tmp_path)
    import_corpus([corpus], schema, tmp_path / "out", source="a", label_map=read_label_map(label_map))
    import_corpus([corpus], schema, tmp_path / "out", source="b", label_map=read_label_map(label_map))
    import_corpus([corpus], schema, tmp_path / "out", source="b", label_map=read_label_map(label_map))
    annotators = sorted(a.annotator for a in read_annotations(tmp_path / "out.annotations.jsonl"))
    assert annotators == ["a"] * 4 + ["b"] * 4


def test_cli_prints_each_problem_on_one_line_goes_on_and_exits_1(sample, tmp_path: Path) -> None:
    """Like every other command: per-item problems are reported, the valid items still written, exit 1."""
    corpus, label_map, line_of = sample
    entity_schema(tmp_path)
    result = CliRunner().invoke(main, ["import", str(corpus), "-o", str(tmp_path / "cli"), "--schema",
                                       str(tmp_path / "sample.yaml"), "--label-map", str(label_map)])
    assert result.exit_code == 1, result.output
    assert f"{corpus}:{line_of['تدعمان']}: malformed tag 'OO'" in " ".join(result.output.split("\n"))
    assert "imported 4 item(s)" in result.output and "6 problem(s)" in result.output and "Traceback" not in result.output
    assert _spans_by_sentence(tmp_path / "cli") == set(VALID_SPANS)
    bad = tmp_path / "bad.yaml"
    bad.write_text("[not, a, map]\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["import", str(corpus), "-o", str(tmp_path / "x"), "--label-map", str(bad)])
    assert result.exit_code == 1 and "label map" in result.output and "Traceback" not in result.output


def test_cli_clean_import_exits_0(tmp_path: Path) -> None:
    corpus = tmp_path / "clean.conll"
    corpus.write_text("قال O\nبايدن B-PER\nفي O\nالقاهرة B-GPE\n. O\n", encoding="utf-8")
    entity_schema(tmp_path)
    result = CliRunner().invoke(main, ["import", str(corpus), "-o", str(tmp_path / "clean"), "--schema",
                                       str(tmp_path / "sample.yaml"), "--json"])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["problems"] == [] and summary["spans"] == 2


def test_unreadable_file_is_reported_and_the_rest_imported(sample, tmp_path: Path) -> None:
    corpus, label_map, _ = sample
    broken = tmp_path / "latin1.conll"
    broken.write_bytes("caf\xe9 O\n".encode("latin-1"))
    report = import_corpus([broken, corpus], entity_schema(tmp_path), tmp_path / "out", label_map=read_label_map(label_map))
    assert report.items == 4 and str(report.problems[0]).startswith(f"{broken}:1: not UTF-8: byte 0xe9")


def _sentences(prefix: Path) -> list[tuple[list[str], list[tuple[str, str]]]]:
    """(tokens as given, [(label, surface)]) of each imported sentence, in file order."""
    pages = [json.loads(line) for line in Path(f"{prefix}.docs.jsonl").read_text(encoding="utf-8").splitlines()]
    spans = {a.unit_id: [(s.label, s.text) for s in a.spans] for a in read_annotations(f"{prefix}.annotations.jsonl")}
    units = list(iter_unit_records(Path(f"{prefix}.units.jsonl"), "sentence"))
    assert len(units) == len(pages)
    return [(page["tokens"], spans.get(unit["id"], [])) for page, unit in zip(pages, units, strict=True)]


def test_a_file_without_blank_lines_is_not_cut_inside_an_entity(tmp_path: Path) -> None:
    corpus = tmp_path / "ANERCorp.txt"  # ANERcorp's own layout: `word TAG`, no blank line anywhere
    corpus.write_text("التقى O\nمدير O\nشركة O\nإيه B-ORG\n. I-ORG\nبي I-ORG\n. I-ORG\nسي I-ORG\nفي O\nلندن B-GPE\n. O\n"
                      "قال O\nبوش B-PER\n. O\n", encoding="utf-8")
    report = import_corpus([corpus], entity_schema(tmp_path), tmp_path / "out")
    assert report.problems == []
    assert [spans for _, spans in _sentences(tmp_path / "out")] == [[("ORG", "إيه . بي . سي"), ("GPE", "لندن")],
                                                                    [("PER", "بوش")]]


def test_a_conllu_like_file_takes_its_word_column_and_skips_multiword_ranges(tmp_path: Path) -> None:
    corpus = tmp_path / "ner.conllu"
    rows = [("1-2", "وقال", "_"), ("1", "و", "O"), ("2", "قال", "O"), ("3", "محمود", "B-PER"), ("4", "عباس", "I-PER"),
            ("5", "في", "O"), ("6", "غزة", "B-GPE")]
    corpus.write_text("# sent_id = 1\n# text = وقال محمود عباس في غزة\n"
                      + "".join(f"{i}\t{form}\t{form}\tX\t_\t_\t0\tdep\t_\t_\t{tag}\n" for i, form, tag in rows),
                      encoding="utf-8")
    report = import_corpus([corpus], entity_schema(tmp_path), tmp_path / "out")
    assert report.problems == []
    [(tokens, spans)] = _sentences(tmp_path / "out")
    assert tokens == ["و", "قال", "محمود", "عباس", "في", "غزة"]  # the words, not their ids
    assert spans == [("PER", "محمود عباس"), ("GPE", "غزة")]
    [unit] = iter_unit_records(tmp_path / "out.units.jsonl", "sentence")
    assert unit["text"] == "وقال محمود عباس في غزة"  # the sentence's own text


def test_trailing_tabs_make_no_column_and_a_no_break_space_stays_in_its_token(tmp_path: Path) -> None:
    corpus = tmp_path / "quirks.txt"
    corpus.write_bytes("ذهب O\t\r\nعبد\u00a0الله B-PER \r\nإلى O\r\nبيروت B-GPE\t\r\n\r\n".encode())
    report = import_corpus([corpus], entity_schema(tmp_path), tmp_path / "out")
    assert report.problems == []
    assert _sentences(tmp_path / "out") == [(["ذهب", "عبد\u00a0الله", "إلى", "بيروت"],
                                             [("PER", "عبد\u00a0الله"), ("GPE", "بيروت")])]


def test_a_hash_line_inside_a_sentence_is_a_token_and_its_bad_tag_is_reported(tmp_path: Path) -> None:
    corpus = tmp_path / "tweets.txt"
    corpus.write_text("# tweet 1\nوصول O\n#السيسي B-PER`\nإلى O\n#عاجل OO\n# newdoc id = 2\n#الرياض B-GPE\n\n"
                      "#مصر\tB-GPE`\nتفوز\tO\n", encoding="utf-8")
    report = import_corpus([corpus], entity_schema(tmp_path), tmp_path / "out")
    assert [(p.line, p.message) for p in report.problems] == [
        (3, "malformed tag 'B-PER`' (expected O or B-/I-LABEL), read as O"),
        (5, "malformed tag 'OO' (expected O or B-/I-LABEL), read as O"),
        (9, "malformed tag 'B-GPE`' (expected O or B-/I-LABEL), read as O"),  # tab-separated: a token, first or not
    ]
    assert _sentences(tmp_path / "out") == [(["وصول", "#السيسي", "إلى", "#عاجل", "#الرياض"], [("GPE", "#الرياض")]),
                                            (["#مصر", "تفوز"], [])]


def test_an_empty_file_is_reported_not_passed_over(tmp_path: Path) -> None:
    empty, comments = tmp_path / "empty.txt", tmp_path / "comments.txt"
    empty.write_bytes(b"")
    comments.write_text("# sent_id = 1\n\n", encoding="utf-8")
    report = import_corpus([empty, comments], entity_schema(tmp_path), tmp_path / "out")
    assert [str(p) for p in report.problems] == [f"{empty}: empty file: nothing imported",
                                                 f"{comments}: no token line (a token and its tag) read: nothing imported"]


def test_a_legacy_encoding_is_named_at_its_line_and_utf16_with_its_mark_is_read(tmp_path: Path) -> None:
    cp1256, utf16 = tmp_path / "old.txt", tmp_path / "notepad.txt"
    cp1256.write_bytes(b"Obama B-PER\n" + "قال O\n".encode("cp1256"))
    utf16.write_bytes("قال O\r\nبوش B-PER\r\n".encode("utf-16"))
    report = import_corpus([cp1256, utf16], entity_schema(tmp_path), tmp_path / "out")
    assert [str(p) for p in report.problems] == [
        f"{cp1256}:2: not UTF-8: byte 0xde cannot be decoded (a Windows-1256 file? convert it: iconv -f cp1256 -t utf-8)"
        ": file not read"]
    assert _sentences(tmp_path / "out") == [(["قال", "بوش"], [("PER", "بوش")])]


def test_blank_lines_before_the_first_token_or_after_the_last_do_not_make_a_flat_file_one_sentence(tmp_path: Path) -> None:
    flat = "قال O\r\nبوش B-PER\r\n. O\r\nزار O\r\nلندن B-GPE\r\n. O\r\n"
    for name, text in (("trailing.txt", flat + "\r\n\r\n"), ("leading.txt", "\r\n" + flat)):
        (tmp_path / name).write_text(text, encoding="utf-8", newline="")
        report = import_corpus([tmp_path / name], entity_schema(tmp_path), tmp_path / name)
        assert report.problems == []
        assert _sentences(tmp_path / name) == [(["قال", "بوش", "."], [("PER", "بوش")]), (["زار", "لندن", "."], [("GPE", "لندن")])]


def test_lines_with_several_tag_columns_are_named_once_not_read_silently_as_their_last(tmp_path: Path) -> None:
    corpus = tmp_path / "nested.txt"  # a nested layout: the outer entity's tag, then the inner one's
    corpus.write_text("أعلنت O\nوزارة B-ORG\nالصحة I-ORG\nالفلسطينية I-ORG B-GPE\nفي O\nغزة B-GPE B-GPE\n", encoding="utf-8")
    report = import_corpus([corpus], entity_schema(tmp_path), tmp_path / "out")
    assert [(p.line, p.message) for p in report.problems] == [
        (4, "2 token line(s) carry several tags (I-ORG B-GPE: nested entities?): only the last column is read")]


def test_a_file_of_io_tags_reads_each_run_of_a_label_as_one_mention(tmp_path: Path) -> None:
    """CANERCorpus-style tags with no B-/I- prefix: every entity comes through, and `schema new --from` drafts its labels
    instead of calling every tag noise; one bare tag in a BIO file is still malformed."""
    corpus = tmp_path / "io.txt"
    corpus.write_text("قال O\nجو PER\nبايدن PER\nفي O\nواشنطن GPE\nو O\nبغداد GPE\n. O\n", encoding="utf-8")
    report = import_corpus([corpus], entity_schema(tmp_path), tmp_path / "out")
    assert report.problems == [] and _spans_by_sentence(tmp_path / "out") == {(0, "PER", "جو بايدن"), (0, "GPE", "واشنطن"), (0, "GPE", "بغداد")}
    drafted = CliRunner().invoke(main, ["schema", "new", "io", "--from", str(corpus), "-o", str(tmp_path / "io.yaml")])
    assert drafted.exit_code == 0 and "noise" not in drafted.output
    mixed = tmp_path / "mixed.txt"
    mixed.write_text("قال O\nبايدن B-PER\nفي O\nواشنطن GPE\n", encoding="utf-8")
    report = import_corpus([mixed], entity_schema(tmp_path), tmp_path / "mixed")
    assert [(p.line, "malformed tag 'GPE'" in p.message) for p in report.problems] == [(4, True)]


def test_a_file_in_iob1_is_read_as_such_not_reported_at_every_mention(tmp_path: Path) -> None:
    """CoNLL-2003's scheme: I- opens a mention, B- only parts two touching mentions of one label."""
    corpus = tmp_path / "iob1.txt"
    corpus.write_text("قال O\nجو I-PER\nبايدن I-PER\nفي O\nواشنطن I-GPE\nبغداد B-GPE\n. O\n", encoding="utf-8")
    report = import_corpus([corpus], entity_schema(tmp_path), tmp_path / "out")
    assert report.problems == [] and _spans_by_sentence(tmp_path / "out") == {(0, "PER", "جو بايدن"), (0, "GPE", "واشنطن"), (0, "GPE", "بغداد")}
    iob2 = tmp_path / "iob2.txt"  # B- opens mentions here: the lone I- is an error, reported at its line
    iob2.write_text("قال O\nجو B-PER\nبايدن I-PER\nفي O\nواشنطن I-GPE\n. O\n", encoding="utf-8")
    report = import_corpus([iob2], entity_schema(tmp_path), tmp_path / "iob2")
    assert [problem.line for problem in report.problems] == [5]
