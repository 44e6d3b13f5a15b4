"""JSONL metadata first: a record's title, byline and date fields are the article's, never guessed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from curation.ingest import IngestError, IngestSettings, MetadataFields, read_documents
from curation.ingest.page import compose_page, one_line
from curation.segment.pipeline import segment_document
from curation.units import Document, Provenance

BODY = "يبدو أن الصراع بين المدربين سيشهد تحدياً من نوع خاص.\nوشهدت حلقة السبت تكوين تحالف نسائي."


def documents(tmp_path: Path, records: list[dict], fields: MetadataFields | None = None) -> list:
    path = tmp_path / "pages.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    errors: list[IngestError] = []
    found = list(read_documents([path], errors, **({"fields": fields} if fields else {})))
    assert errors == []
    return found


def test_title_author_and_date_fields_become_the_articles_title_byline_and_dateline(tmp_path: Path) -> None:
    record = {"id": 7, "title": "أحلام وإليسا في تحالف", "author": "القاهرة - أحمد الريدي",
              "date": "Sun, 18 Feb 2018 21:35:43 +0400", "url": "https://example.com/7", "text": BODY}
    (document,) = documents(tmp_path, [record])
    (article,) = segment_document(document).articles
    assert (article.title.text, article.byline.text, article.dateline.text) == (
        "أحلام وإليسا في تحالف", "القاهرة - أحمد الريدي", "Sun, 18 Feb 2018 21:35:43 +0400")
    assert article.body == BODY
    assert document.meta["url"] == "https://example.com/7" and document.meta["author"] == record["author"]


def test_a_title_that_no_rule_would_guess_is_still_the_title(tmp_path: Path) -> None:
    # a headline with a comma and a final question mark reads like a sentence to the guesser
    title = "هل تنجح الحكومة، بعد عامين، في خفض العجز؟"
    (document,) = documents(tmp_path, [{"headline": title, "text": BODY}])
    (article,) = segment_document(document).articles
    assert article.title.text == title and article.body == BODY


def test_a_body_that_opens_with_its_title_holds_it_once(tmp_path: Path) -> None:
    (document,) = documents(tmp_path, [{"title": "صراع المدربين", "text": "صراع المدربين\n" + BODY}])
    assert document.text.count("صراع المدربين") == 1
    (article,) = segment_document(document).articles
    assert article.title.text == "صراع المدربين" and article.body == BODY


def test_without_a_title_field_the_text_is_the_page_as_given(tmp_path: Path) -> None:
    (document,) = documents(tmp_path, [{"text": BODY, "topic": "culture"}])
    assert document.text == BODY and "header" not in document.meta


def test_field_names_can_be_chosen_or_turned_off(tmp_path: Path) -> None:
    record = {"headline_ar": "عنوان الخبر", "title": "Site title", "author": "CNN", "text": BODY}
    (chosen,) = documents(tmp_path, [record], MetadataFields.only(title="headline_ar", byline=None))
    assert chosen.text.startswith("عنوان الخبر\n\n")
    (off,) = documents(tmp_path, [record], MetadataFields.only(title=None, byline=None, date=None))
    assert off.text == BODY


def test_metadata_values_that_are_not_text_are_ignored_and_numbers_are_kept_as_written(tmp_path: Path) -> None:
    record = {"title": {"ar": "عنوان"}, "author": ["سارة الأحمد", "علي حسن"], "date": 20250101, "text": BODY}
    (document,) = documents(tmp_path, [record])
    (article,) = segment_document(document).articles
    assert article.byline.text == "سارة الأحمد، علي حسن" and article.dateline.text == "20250101"
    (numeric,) = documents(tmp_path, [{"title": 1984, "text": BODY}])
    assert numeric.text.startswith("1984\n\n")


def test_a_title_too_long_for_a_header_line_opens_the_body_instead_of_vanishing(tmp_path: Path) -> None:
    long_title = "عنوان " * 120
    (document,) = documents(tmp_path, [{"title": long_title, "text": BODY}])
    assert document.text == long_title.strip() + "\n" + BODY and "header" not in document.meta


def test_html_entities_are_decoded_in_metadata_values(tmp_path: Path) -> None:
    (document,) = documents(tmp_path, [{"title": "AT&amp;T تستحوذ على &quot;تايم وارنر&quot;", "text": BODY}])
    assert document.text.startswith('AT&T تستحوذ على "تايم وارنر"\n\n')


@pytest.mark.parametrize("opening", ["عنوان  الخبر", "عنوان الخبر ", "عنوانالخبر"])
def test_a_body_opening_with_its_title_spaced_differently_writes_it_once(tmp_path: Path, opening: str) -> None:
    (document,) = documents(tmp_path, [{"title": "عنوان الخبر", "text": f"{opening}\n{BODY}"}])
    assert document.text == "عنوان الخبر\n\n" + BODY


def test_a_title_glued_to_the_first_sentence_is_written_once(tmp_path: Path) -> None:
    (document,) = documents(tmp_path, [{"title": "عنوان الخبر", "text": f"عنوان الخبر {BODY}"}])
    assert document.text == "عنوان الخبر\n\n" + BODY
    (other,) = documents(tmp_path, [{"title": "عنوان", "text": f"عنوانين {BODY}"}])
    assert other.text == "عنوان\n\n" + f"عنوانين {BODY}"  # a title ends at a word's end


def test_ingest_settings_round_trip_through_json_and_drive_the_reader(tmp_path: Path) -> None:
    chosen = IngestSettings(text_field="body", fields=MetadataFields.only(title="headline", byline=None))
    again = IngestSettings.from_dict(json.loads(json.dumps(chosen.to_dict())))
    assert again == chosen
    path = tmp_path / "pages.jsonl"
    path.write_text(json.dumps({"headline": "عنوان", "author": "CNN", "body": BODY}, ensure_ascii=False), encoding="utf-8")
    errors: list[IngestError] = []
    (document,) = read_documents([path], errors, settings=again)
    assert document.text == "عنوان\n\n" + BODY


def test_fields_are_chosen_as_a_command_line_or_a_recipe_says_them() -> None:
    chosen = MetadataFields().choose(title="headline_ar, title", byline=["writer"], date="", url=None)
    assert (chosen.title, chosen.byline, chosen.date, chosen.url) == (("headline_ar", "title"), ("writer",), (), MetadataFields().url)
    with pytest.raises(ValueError, match="unknown metadata field kind"):
        MetadataFields().choose(headline="x")
    with pytest.raises(ValueError, match="title field: a field name"):
        MetadataFields().choose(title=7)  # type: ignore[arg-type]


def test_ingest_settings_take_options_over_their_own_and_refuse_what_they_cannot_use() -> None:
    base = IngestSettings(text_field="body", encoding="cp1256")
    given = base.with_options(title="h", text_field=None, encoding=None)
    assert (given.text_field, given.encoding, given.fields.title) == ("body", "cp1256", ("h",))
    assert base.with_options(text_field="story", encoding="utf-16").text_field == "story"
    for bad, message in (({"encoding": "klingon"}, "unknown encoding"), ({"text_field": " "}, "text field")):
        with pytest.raises(ValueError, match=message):
            base.with_options(**bad)
    with pytest.raises(ValueError, match="unknown ingest setting"):
        IngestSettings.from_dict({"title_field": "h"})
    with pytest.raises(ValueError, match="html: "):
        IngestSettings.from_dict({"html": {"favour_precision": True}})


def test_a_chosen_url_field_wins_and_the_records_own_url_is_kept_aside(tmp_path: Path) -> None:
    record = {"source_link": "https://example.com/canonical", "url": "https://cdn.example.com/x", "text": BODY}
    (document,) = documents(tmp_path, [record], MetadataFields().choose(url="source_link"))
    assert document.meta["url"] == "https://example.com/canonical"
    assert document.meta["record_url"] == "https://cdn.example.com/x"


def test_a_record_holding_an_html_page_is_extracted_its_own_fields_first(tmp_path: Path) -> None:
    paragraphs = BODY.split("\n")
    html = (
        '<!DOCTYPE html><html lang="ar"><head><meta charset="utf-8"><title>صراع المدربين</title>'
        '<meta property="og:title" content="صراع المدربين"></head><body><nav><a href="/">الرئيسية</a></nav>'
        f"<article><h1>صراع المدربين</h1><p>{paragraphs[0]}</p><p>{paragraphs[1]}</p></article>"
        "<footer>جميع الحقوق محفوظة</footer></body></html>"
    )
    records = [{"url": "https://example.com/1", "html": html}, {"title": "عنوان المحرر", "html": html},
               {"html": "<html><body><nav>القائمة</nav></body></html>"}]
    path = tmp_path / "crawl.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    errors: list[IngestError] = []
    first, second = read_documents([path], errors, text_field="html")
    (article,) = segment_document(first).articles
    assert article.title.text == "صراع المدربين" and article.body == BODY
    assert first.meta["extractor"]["name"] == "trafilatura" and "<" not in first.text
    assert segment_document(second).articles[0].title.text == "عنوان المحرر"
    (error,) = errors
    assert error.line == 3 and "holds an HTML page: no main text" in error.reason


_LINE = st.text(st.sampled_from("ابت ثج.،:-()«»\u200f\u00a0\t\n\r"), max_size=40)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=_LINE, byline=_LINE, date=_LINE, body=st.text(st.sampled_from("ابت ثج.،\n"), min_size=1, max_size=200))
def test_header_lines_always_point_at_their_value_and_the_segmenter_keeps_them(title, byline, date, body) -> None:
    header = {k: v for k, v in (("title", one_line(title)), ("byline", one_line(byline)), ("dateline", one_line(date))) if v}
    text, spans = compose_page(body, header)
    for kind, (start, end) in spans.items():
        assert text[start:end] == header[kind]
    document = Document("d", text, Provenance("p", None, "0"), {"header": spans})
    articles = segment_document(document).articles
    if "title" in spans and articles:
        assert articles[0].title is not None and articles[0].title.text == header["title"]
    for article in articles:
        for span in (article.title, article.byline, article.dateline, *article.paragraphs, *article.boilerplate):
            if span is not None:
                assert text[span.start : span.end] == span.text


@pytest.mark.parametrize(
    ("title", "opening"),
    [
        ("هكذا تحالفت أحلام وإليسا", "هكذا تحاـلفت أحلام وإليسا"),
        ('"مصر" تكرم المناضلة جميلة بوحيرد', "«مصر» تكرم المناضلة جميلة بوحيرد"),
        ("إسدال الستار على المهرجان", "إسدال الستار على المهرجان."),
    ],
)
def test_a_body_line_that_is_the_title_written_otherwise_is_dropped(tmp_path: Path, title: str, opening: str) -> None:
    (document,) = documents(tmp_path, [{"title": title, "text": f"{opening}\n{BODY}"}])
    assert document.text == f"{title}\n\n{BODY}"


def test_a_stop_between_the_title_and_a_glued_sentence_goes_with_the_title(tmp_path: Path) -> None:
    (document,) = documents(tmp_path, [{"title": "مبروك", "text": f"مبروك. {BODY}"}])
    assert document.text == "مبروك\n\n" + BODY


def test_a_sentence_opening_with_the_titles_words_but_not_its_marks_keeps_them(tmp_path: Path) -> None:
    (document,) = documents(tmp_path, [{"title": "عبد الله السعيد !", "text": f"عبدالله السعيد لاعب موهوب.\n{BODY}"}])
    assert document.text == f"عبد الله السعيد !\n\nعبدالله السعيد لاعب موهوب.\n{BODY}"
