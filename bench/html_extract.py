"""HTML main-text extraction: ours (trafilatura as ingest runs it, then the segmenter) beside
trafilatura's defaults, jusText (the paragraph classifier trafilatura falls back on) and the page
read as if it were a ``.txt`` file (what happened before ingest knew HTML), in one run.

    .venv/bin/python bench/html_extract.py              # 400 pages
    .venv/bin/python bench/html_extract.py --pages 100  # quick

Pages: real articles of the ANT corpus (``../shared/corpora``: title, author, date, body) laid
out in four page templates of the kinds news sites are built with (a WordPress-style theme, a
``<div>`` soup with inline scripts, an AMP page with JSON-LD, a portal with a comment thread).
The chrome around the story is real Arabic text too: menus, a breaking-news ticker, share
buttons, related headlines and reader comments taken from *other* ANT articles, so a tool that
keeps chrome is penalised with text that looks like news; inside the story stand an inline
"read also" link and a photo caption, and every page carries about 5 KB of loader script. The templates are not the held-out
pages; they measure the tools on the same footing.

Scores, per page then micro-averaged over words: precision and recall of the extracted body's
words (multiset) against the story's words; "paragraphs" is the share of story paragraphs found
whole; "title" and "byline" count pages whose title/author came out exactly (ours only: the
others return text). Throughput counts the HTML bytes read, extraction and segmentation included.
The gold is ANT's body as published, which keeps CNN's datelines (``دبي، الإمارات العربية المتحدة
(CNN)-- ...``) and BBC's inline ``اقرأ أيضا: ...`` links: ours moves those to metadata, and they
count against its recall and whole-paragraph score here.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import justext
import trafilatura

from curation.ingest import HtmlSettings
from curation.ingest.base import canonical_text
from curation.ingest.html import html_document
from curation.segment.pipeline import segment_document
from curation.units import Document, Provenance, sha256_hex

ANT = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "ant-v2.1.jsonl.gz"


@dataclass
class Page:
    html: bytes
    title: str
    author: str
    paragraphs: list[str]


def load_records(count: int, seed: int) -> list[dict]:
    """Every 20th ANT record with a body of 3+ paragraphs, up to ``count`` stories plus chrome."""
    records = []
    with gzip.open(ANT, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle):
            if number % 20:
                continue
            record = json.loads(line)
            if len([p for p in record["text"].split("\n") if p.strip()]) >= 3 and record["title"].strip():
                records.append(record)
            if len(records) >= count * 2:
                break
    random.Random(seed).shuffle(records)
    return records


_SCRIPT = ";".join(
    f'!function(e,t){{var n=e.createElement("script");n.src="https://cdn.example.com/a{i}.js";t.appendChild(n)}}(document,document.head)'
    for i in range(40)
)
"""About 5 KB of minified loader script, as news pages carry many times over."""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _chrome(rng: random.Random, others: list[dict]) -> dict[str, str]:
    picks = rng.sample(others, 6)
    related = "".join(f'<li><a href="/n/{i}">{_e(r["title"])}</a></li>' for i, r in enumerate(picks[:4]))
    comments = "".join(
        f'<div class="comment"><span class="who">قارئ {i}</span><p>{_e(r["text"].split(chr(10))[0])}</p></div>'
        for i, r in enumerate(picks[4:])
    )
    menu = "".join(f'<li><a href="/{w}">{w}</a></li>' for w in ("الرئيسية", "سياسة", "اقتصاد", "رياضة", "ثقافة", "تكنولوجيا"))
    return {
        "menu": f"<ul>{menu}</ul>",
        "ticker": f'<div class="ticker">عاجل: {_e(picks[0]["title"])}</div>',
        "share": '<div class="share"><a>فيسبوك</a> <a>تويتر</a> <a>واتساب</a> <a>نسخ الرابط</a></div>',
        "related": f"<h3>اقرأ أيضاً</h3><ul>{related}</ul>",
        "comments": f'<section class="comments"><h3>التعليقات</h3>{comments}</section>',
        "script": "<script>" + _SCRIPT + "</script>",
        "footer": "<footer><p>جميع الحقوق محفوظة © 2018</p><a href='/about'>من نحن</a> <a href='/ads'>أعلن معنا</a></footer>",
    }


def render(record: dict, template: int, rng: random.Random, others: list[dict]) -> Page:
    paragraphs = [p.strip() for p in record["text"].split("\n") if p.strip()]
    title, author, date = record["title"].strip(), (record.get("author") or "").strip(), record.get("date") or ""
    c = _chrome(rng, others)
    inline = rng.choice(others)  # noise inside the story: an inline "read also" link and a photo caption
    extras = [
        f'<p><strong>اقرأ أيضاً:</strong> <a href="/n/x">{_e(inline["title"])}</a></p>',
        f'<figure><img src="/p.jpg" alt=""><figcaption>{_e(inline["title"])} (أ ف ب)</figcaption></figure>',
    ]
    blocks = [f"<p>{_e(p)}</p>" for p in paragraphs]
    body = "".join(blocks[:1] + extras + blocks[1:])
    head = f'<meta charset="utf-8"><title>{_e(title)} | موقع الأخبار</title>'
    if template == 0:  # WordPress-style theme: og/article meta, entry-content, sidebar widgets
        doc = f"""<!DOCTYPE html><html lang="ar" dir="rtl"><head>{head}
<meta property="og:title" content="{_e(title)}"><meta name="author" content="{_e(author)}">
<meta property="article:published_time" content="{_e(date)}"></head><body>
<header><nav class="main-menu">{c['menu']}</nav>{c['ticker']}</header>
<main><article class="post"><h1 class="entry-title">{_e(title)}</h1>
<div class="entry-meta"><span class="author">{_e(author)}</span> <time>{_e(date)}</time></div>
<div class="entry-content">{body}</div>{c['share']}</article>
<aside class="sidebar">{c['related']}</aside></main>{c['footer']}{c['script']}</body></html>"""
    elif template == 1:  # div soup, inline scripts and styles, no semantic tags, metadata in <meta name>
        paras = "".join(f'<div class="txt">{_e(p)}</div><br>' for p in paragraphs[:1]) + extras[0] + "".join(
            f'<div class="txt">{_e(p)}</div><br>' for p in paragraphs[1:])
        doc = f"""<html><head>{head}<meta name="title" content="{_e(title)}"><style>.txt{{font-size:16px}}</style>
<script>window.dataLayer=[{{"page":"article"}}];</script></head><body><div id="top">{c['menu']}{c['ticker']}</div>
<div id="wrap"><div class="col-right"><div class="headline"><b>{_e(title)}</b></div>
<div class="by">{_e(author)}</div><div class="story">{paras}</div>{c['share']}</div>
<div class="col-left">{c['related']}{c['script']}</div></div>{c['footer']}</body></html>"""
    elif template == 2:  # AMP page with JSON-LD NewsArticle
        ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                         "author": {"@type": "Person", "name": author}, "datePublished": date}, ensure_ascii=False)
        doc = f"""<!doctype html><html ⚡ lang="ar" dir="rtl"><head>{head}<script type="application/ld+json">{ld}</script>
<style amp-custom>body{{margin:0}}</style></head><body><amp-sidebar id="s">{c['menu']}</amp-sidebar>
<article><header><h1>{_e(title)}</h1><p class="byline">{_e(author)}</p></header>{body}
<amp-social-share type="twitter"></amp-social-share>{c['share']}</article>{c['related']}{c['footer']}{c['script']}</body></html>"""
    else:  # portal with a reader comment thread under the story
        doc = f"""<!DOCTYPE html><html lang="ar"><head>{head}<meta property="og:title" content="{_e(title)}">
<meta name="author" content="{_e(author)}"></head><body><nav>{c['menu']}</nav>{c['ticker']}
<div class="article"><h1>{_e(title)}</h1><div class="meta">{_e(author)} - {_e(date)}</div>
<div class="article-body">{body}</div>{c['share']}</div>{c['comments']}{c['related']}{c['footer']}{c['script']}</body></html>"""
    def seen(text: str) -> str:  # HTML shows runs of white space as one space: so does the gold
        return " ".join(text.split())

    return Page(doc.encode("utf-8"), seen(title), seen(author), [seen(p) for p in paragraphs])


# --- the tools ----------------------------------------------------------------------------------


@dataclass
class Output:
    body: str
    title: str | None = None
    byline: str | None = None


def ours(raw: bytes) -> Output:
    document = html_document(raw, HtmlSettings(), path="page.html", source_key="page.html")
    if not isinstance(document, Document):
        return Output("")
    articles = [a for a in segment_document(document).articles if a.role == "main"]
    return Output(
        "\n".join(a.body for a in articles),
        articles[0].title_text if articles else None,
        articles[0].byline.text if articles and articles[0].byline else None,
    )


def trafilatura_default(raw: bytes) -> Output:
    return Output(trafilatura.extract(raw) or "")


_STOPLIST = justext.get_stoplist("Arabic")


def jusText(raw: bytes) -> Output:
    paragraphs = justext.justext(raw, _STOPLIST, encoding="utf-8")
    return Output("\n".join(p.text for p in paragraphs if not p.is_boilerplate))


def as_txt(raw: bytes) -> Output:
    """The page given to ingest as a ``.txt`` file, as before: markup taken for text."""
    text = canonical_text(raw)
    document = Document(Document.make_id(text, "page.txt"), text, Provenance("page.txt", None, sha256_hex(raw)))
    articles = segment_document(document).articles
    return Output("\n".join(a.body for a in articles if a.role == "main"))


TOOLS: dict[str, Callable[[bytes], Output]] = {
    "curation (trafilatura precision + segmenter)": ours,
    "trafilatura extract() defaults": trafilatura_default,
    "jusText (Arabic stoplist)": jusText,
    "page read as .txt (before)": as_txt,
}


@dataclass
class Score:
    hit: int = 0
    predicted: int = 0
    gold: int = 0
    paragraphs_found: int = 0
    paragraphs: int = 0
    titles: int = 0
    bylines: int = 0
    seconds: float = 0.0
    per_template: Counter = field(default_factory=Counter)

    def add(self, out: Output, page: Page) -> None:
        got, want = Counter(out.body.split()), Counter(" ".join(page.paragraphs).split())
        self.hit += sum((got & want).values())
        self.predicted += sum(got.values())
        self.gold += sum(want.values())
        lines = {line.strip() for line in out.body.split("\n")}
        self.paragraphs_found += sum(p in lines or p in out.body for p in page.paragraphs)
        self.paragraphs += len(page.paragraphs)
        self.titles += out.title == page.title
        self.bylines += bool(page.author) and out.byline == page.author

    def row(self, name: str, pages: int, megabytes: float) -> str:
        p = 100 * self.hit / max(1, self.predicted)
        r = 100 * self.hit / max(1, self.gold)
        f = 2 * p * r / max(1e-9, p + r)
        para = 100 * self.paragraphs_found / max(1, self.paragraphs)
        return (f"{name:46s} {p:6.1f} {r:6.1f} {f:6.1f} {para:7.1f} {self.titles:6d} {self.bylines:6d}"
                f" {pages / self.seconds:8.1f} {megabytes / self.seconds:6.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=400)
    parser.add_argument("--seed", type=int, default=12)
    args = parser.parse_args()
    records = load_records(args.pages, args.seed)
    stories, chrome = records[: args.pages], records[args.pages :]
    rng = random.Random(args.seed)
    pages = [render(record, index % 4, rng, chrome) for index, record in enumerate(stories)]
    megabytes = sum(len(p.html) for p in pages) / 1e6
    with_author = sum(bool(p.author) for p in pages)
    print(f"\n## HTML extraction: {len(pages)} ANT articles in 4 page templates, {megabytes:.1f} MB of HTML")
    print(f"{len(pages)} titles, {with_author} authors in the pages' metadata; words scored as multisets\n")
    print(f"{'tool':46s} {'P':>6s} {'R':>6s} {'F1':>6s} {'paras%':>7s} {'title':>6s} {'byline':>6s} {'pages/s':>8s} {'MB/s':>6s}")
    for name, tool in TOOLS.items():
        tool(pages[0].html)  # imports and first-call set-up (dateparser, lxml) are not timed
        score = Score()
        for page in pages:
            started = time.perf_counter()
            out = tool(page.html)
            score.seconds += time.perf_counter() - started
            score.add(out, page)
        print(score.row(name, len(pages), megabytes), flush=True)


if __name__ == "__main__":
    main()
