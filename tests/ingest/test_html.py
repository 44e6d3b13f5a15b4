"""HTML pages and WARC archives: the story through trafilatura, title/author/date from the page's
metadata as header lines the segmenter takes as they are, one clear error per page without text."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from curation.ingest import HEADER_KEY, IngestError, read_documents
from curation.segment.pipeline import segment_document

TITLE = "الحكومة تقر الموازنة العامة"
PARAGRAPHS = [
    "قال وزير المالية إن الحكومة أقرت الموازنة العامة للعام المقبل بعد نقاش طويل استمر عدة أسابيع في مجلس الوزراء.",
    "وأضاف أن الموازنة تتضمن زيادة في الإنفاق على التعليم والصحة، وخفضاً للعجز إلى أربعة في المئة من الناتج المحلي.",
    "وأشار إلى أن البرلمان سيناقش المشروع الأسبوع المقبل قبل التصويت عليه نهائياً في جلسة علنية.",
]


def news_page(title: str = TITLE, paragraphs: list[str] = PARAGRAPHS, charset: str = "utf-8") -> bytes:
    """A page as outlets serve it: scripts, navigation, share buttons, related links, footer."""
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    html = f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="{charset}">
<title>{title} | صحيفة المثال</title><meta property="og:title" content="{title}">
<meta name="author" content="أحمد الريدي"><meta property="article:published_time" content="2025-11-06T10:00:00+03:00">
<link rel="canonical" href="https://example.com/news/1"><script>var tracking = "<p>not text</p>";</script></head>
<body><nav><ul><li><a href="/">الرئيسية</a></li><li><a href="/s">سياسة</a></li><li><a href="/e">اقتصاد</a></li></ul></nav>
<article><h1>{title}</h1>{body}<div class="share">شارك الخبر فيسبوك تويتر واتساب</div></article>
<aside><h3>اقرأ أيضاً</h3><ul><li><a href="/2">البنك المركزي يثبت الفائدة</a></li></ul></aside>
<footer>جميع الحقوق محفوظة © 2025</footer></body></html>"""
    return html.encode(charset)


def read(*inputs: Path) -> tuple[list, list[IngestError], list[IngestError]]:
    errors: list[IngestError] = []
    warnings: list[IngestError] = []
    return list(read_documents(inputs, errors, warnings=warnings)), errors, warnings


def test_an_html_page_becomes_one_clean_article_with_its_metadata(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(news_page())
    (document,), errors, _ = read(path)
    assert errors == []
    assert "<" not in document.text and "tracking" not in document.text and "الرئيسية" not in document.text
    assert document.meta["title"] == TITLE and document.meta["url"] == "https://example.com/news/1"
    assert document.meta["extractor"]["name"] == "trafilatura"
    assert document.meta["extractor"]["settings"]["favor_precision"] is True
    (article,) = segment_document(document).articles
    assert article.title.text == TITLE
    assert article.byline.text == "أحمد الريدي" and article.dateline.text == "2025-11-06"
    assert [p.text for p in article.paragraphs] == PARAGRAPHS
    for span in (article.title, article.byline, article.dateline, *article.paragraphs):
        assert document.text[span.start : span.end] == span.text


def test_the_title_is_not_written_twice_when_the_page_repeats_it_as_its_h1(tmp_path: Path) -> None:
    path = tmp_path / "page.htm"
    path.write_bytes(news_page())
    (document,), _, _ = read(path)
    assert document.text.count(TITLE) == 1
    start, end = document.meta[HEADER_KEY]["title"]
    assert document.text[start:end] == TITLE


def test_a_declared_legacy_charset_is_decoded(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(news_page(charset="windows-1256"))
    (document,), errors, _ = read(path)
    assert errors == [] and PARAGRAPHS[0] in document.text


def test_a_page_without_main_text_is_one_clear_error_and_the_rest_is_read(tmp_path: Path) -> None:
    (tmp_path / "menu.html").write_text("<html><body><nav><a href='/'>الرئيسية</a></nav></body></html>", encoding="utf-8")
    (tmp_path / "empty.html").write_bytes(b"")
    (tmp_path / "page.html").write_bytes(news_page())
    documents, errors, _ = read(tmp_path)
    assert len(documents) == 1
    reasons = {Path(e.path).name: e.reason for e in errors}
    assert reasons["menu.html"].startswith("no main text found")
    assert reasons["empty.html"].startswith("empty")
    assert all("\n" not in str(e) for e in errors)


def test_a_txt_file_that_is_html_is_read_as_html_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "renamed.txt"
    path.write_bytes(news_page())
    (document,), errors, warnings = read(path)
    assert errors == [] and "<!DOCTYPE" not in document.text and PARAGRAPHS[1] in document.text
    (warning,) = warnings
    assert warning.path == str(path) and "HTML" in warning.reason


def test_a_txt_file_about_html_is_still_text(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_text("كيف تكتب <html> في صفحتك الأولى.", encoding="utf-8")
    (document,), errors, warnings = read(path)
    assert document.text.startswith("كيف") and errors == [] and warnings == []


def test_txt_files_that_are_html_are_known_by_content_a_leading_comment_or_a_fragment(tmp_path: Path) -> None:
    commented = tmp_path / "saved.txt"
    commented.write_bytes(b"<!-- saved from url=(0042)https://example.com/news/1 -->\n" + news_page())
    fragment = tmp_path / "fragment.txt"
    fragment.write_text(f"<article><h1>{TITLE}</h1>" + "".join(f"<p>{p}</p>" for p in PARAGRAPHS) + "</article>",
                        encoding="utf-8")
    documents, errors, warnings = read(commented, fragment)
    assert errors == [] and len(warnings) == 2 and all("HTML" in warning.reason for warning in warnings)
    for document in documents:
        assert "<" not in document.text and PARAGRAPHS[1] in document.text


def test_html_entities_are_decoded_in_the_title(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(news_page(title="AT&amp;amp;T &amp;quot;تستحوذ&amp;quot; على تايم وارنر"))
    (document,), errors, _ = read(path)
    (article,) = segment_document(document).articles
    assert errors == [] and "&amp;" not in document.meta["title"] and "&" in article.title.text
    assert "&quot;" not in article.title.text and "&amp;" not in article.title.text


def warc_record(writer: WARCWriter, url: str, payload: bytes, status: str = "200 OK", kind: str = "text/html") -> None:
    headers = StatusAndHeaders(status, [("Content-Type", f"{kind}; charset=utf-8")], protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(payload), http_headers=headers))


def test_a_warc_gives_one_document_per_html_page_with_its_url(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        warc_record(writer, "https://example.com/a", news_page())
        warc_record(writer, "https://example.com/logo.png", b"\x89PNG\x00", kind="image/png")
        warc_record(writer, "https://example.com/gone", b"<html><body>not found</body></html>", status="404 Not Found")
        warc_record(writer, "https://example.com/b", news_page("الأمطار تغمر شوارع المدينة", PARAGRAPHS[::-1]))
        warc_record(writer, "https://example.com/menu", b"<html><body><nav>x</nav></body></html>")
    documents, errors, _ = read(path)
    assert [d.meta["fetched_url"] for d in documents] == ["https://example.com/a", "https://example.com/b"]
    assert [d.provenance.line for d in documents] == [1, 4]
    assert documents[1].meta["title"] == "الأمطار تغمر شوارع المدينة"
    (error,) = errors
    assert error.line == 5 and error.reason.startswith("no main text")


def test_a_damaged_or_empty_warc_is_reported(tmp_path: Path) -> None:
    broken = tmp_path / "broken.warc"
    broken.write_bytes(b"WARC/1.0\r\nthis is not a record\r\n\r\n")
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(gzip.compress(b""))
    documents, errors, _ = read(broken, empty)
    assert documents == []
    assert [Path(e.path).name for e in errors] == ["broken.warc", "empty.warc.gz"]
    assert all("\n" not in str(e) for e in errors)


def test_an_arabic_byline_keeps_the_writer_after_the_city(tmp_path: Path) -> None:
    # trafilatura keeps what precedes a dash ("Name - Site"); Arabic bylines put the city first
    path = tmp_path / "page.html"
    path.write_bytes(news_page().replace("أحمد الريدي".encode(), "القاهرة - أحمد الريدي".encode()))
    (document,), _, _ = read(path)
    (article,) = segment_document(document).articles
    assert article.byline.text == "القاهرة - أحمد الريدي"


def test_without_a_warnings_list_the_html_notice_is_logged(tmp_path: Path, caplog) -> None:
    path = tmp_path / "renamed.txt"
    path.write_bytes(news_page())
    errors: list[IngestError] = []
    (document,) = read_documents([path], errors)
    assert errors == [] and PARAGRAPHS[0] in document.text
    assert str(path) in caplog.text and "HTML" in caplog.text


def test_a_truncated_warc_keeps_its_whole_pages_and_reports_the_cut_one(tmp_path: Path) -> None:
    whole = tmp_path / "whole.warc.gz"
    with whole.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for index in range(3):
            warc_record(writer, f"https://example.com/{index}", news_page())
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(whole.read_bytes()[:-300])
    documents, errors, _ = read(cut)
    assert [d.provenance.line for d in documents] == [1, 2]
    (error,) = errors
    assert error.line == 3 and "cut short" in error.reason


def test_a_warc_record_that_expands_like_a_bomb_is_refused_before_it_is_inflated(tmp_path: Path) -> None:
    """warcio inflates every record, even one it skips: a record of 64 MiB of zeros in a 64 KiB
    archive is refused from its declared length, and the pages before it are kept."""
    path = tmp_path / "bomb.warc.gz"
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        warc_record(writer, "https://example.com/a", news_page())
        zeros = io.BytesIO(bytes(64 << 20))
        writer.write_record(writer.create_warc_record("urn:zeros", "resource", payload=zeros,
                                                      warc_content_type="application/octet-stream"))  # fmt: skip
        warc_record(writer, "https://example.com/b", news_page())
    assert path.stat().st_size < 1 << 20
    documents, errors, _ = read(path)
    assert len(documents) == 1  # the page before the bomb
    assert [(e.line, "decompression bomb" in e.reason) for e in errors] == [(2, True)]
