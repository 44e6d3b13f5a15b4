from curation.imports.tags import TokenRun, decode_tags, parse_tag, tag_labels

KNOWN = frozenset({"PER", "ORG", "Population-Center", "Water_Body"})


def test_tags_keep_hyphenated_labels_and_refuse_malformed_ones() -> None:
    assert parse_tag("B-Population-Center") == ("B", "Population-Center")
    assert parse_tag("I-Water_Body") == ("I", "Water_Body")
    assert parse_tag("O") == ("O", "")
    for bad in ("OO", "I--ORG", "B-PER`", "B-", "X-PER", "b-PER", "B-ORG-"):
        assert parse_tag(bad) is None, bad
    assert tag_labels(["O", "B-PER", "I-PER", "OO", "B-Population-Center"]) == ["PER", "Population-Center"]


def test_a_bad_tag_never_takes_the_valid_spans_of_its_sentence() -> None:
    tags = ["B-PER", "I-PER", "OO", "B-MIS-1", "I-MIS-1", "B-ORG", "I--ORG", "B-Population-Center", "I-Population-Center"]
    runs, problems = decode_tags(tags, KNOWN)
    assert runs == [TokenRun(0, 1, "PER"), TokenRun(5, 5, "ORG"), TokenRun(7, 8, "Population-Center")]
    assert [p.token for p in problems] == [2, 3, 6]
    assert "malformed tag 'OO'" in problems[0].message and "unknown label MIS-1" in problems[1].message


def test_orphan_inside_tags_follow_the_repair_policy() -> None:
    tags = ["O", "I-PER", "I-PER", "O", "B-ORG", "I-PER", "B-PER"]
    lenient, reported = decode_tags(tags, KNOWN, policy="lenient")
    assert lenient == [TokenRun(1, 2, "PER"), TokenRun(4, 4, "ORG"), TokenRun(5, 5, "PER"), TokenRun(6, 6, "PER")]
    assert [p.token for p in reported] == [1, 5]
    strict, reported = decode_tags(tags, KNOWN, policy="strict")
    assert strict == [TokenRun(4, 4, "ORG"), TokenRun(6, 6, "PER")]
    assert [p.token for p in reported] == [1, 5] and all("strict" in p.message for p in reported)


def test_label_map_renames_merges_and_drops() -> None:
    runs, problems = decode_tags(["B-PERS", "I-PERS", "B-MISC", "B-GPE"], KNOWN, {"PERS": "PER", "MISC": "O", "GPE": "ORG"})
    assert runs == [TokenRun(0, 1, "PER"), TokenRun(3, 3, "ORG")] and problems == []


def test_bioes_tags() -> None:
    runs, problems = decode_tags(["S-PER", "B-ORG", "I-ORG", "E-ORG", "O"], KNOWN)
    assert runs == [TokenRun(0, 0, "PER"), TokenRun(1, 3, "ORG")] and problems == []
