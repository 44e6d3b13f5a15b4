"""HTML body extraction on a public benchmark with gold bodies: Scrapinghub's article-extraction
benchmark (``../shared/corpora/html-extraction/``: 181 real pages, mostly English, each with the
article body a person marked). Ours (trafilatura as ingest runs it, then the segmenter's main
articles) beside trafilatura alone at the same settings and trafilatura's defaults.

    .venv/bin/python bench/html_benchmark.py [--rounds 3] [--show 10]

Metric: the benchmark's own, F1 over word shingles (4 consecutive lowercased ``\\w+`` tokens) of the
extracted body against ``articleBody``, per page; precision, recall and F1 are averaged over pages
(a page with nothing extracted scores 0). Lines ours drops from trafilatura's body are listed with
the segmenter's reason, and the gold lines among them counted: nothing dropped silently.

Speed: each tool in its own process (bench/measure.py: wall, CPU of the tree, peak PSS), rounds
interleaved; the scores are the same every round.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from measure import load, measure, spread

CORPUS = Path("..") / "shared" / "corpora" / "html-extraction"
SHINGLE = 4
TOKEN = re.compile(r"\w+")


def shingles(text: str) -> set[tuple[str, ...]]:
    tokens = TOKEN.findall(text.lower())
    return {tuple(tokens[i:i + SHINGLE]) for i in range(max(1, len(tokens) - SHINGLE + 1))} if tokens else set()


def page_scores(extracted: str, gold: str) -> tuple[float, float, float]:
    got, want = shingles(extracted), shingles(gold)
    if not got or not want:
        return (0.0, 0.0, 0.0) if want else (1.0, 1.0, 1.0)
    hit = len(got & want)
    precision, recall = hit / len(got), hit / len(want)
    return precision, recall, (2 * precision * recall / (precision + recall) if hit else 0.0)


def pages(corpus: Path) -> list[tuple[str, bytes, str]]:
    """(key, raw HTML, gold body) of every page, in key order."""
    with gzip.open(corpus / "ground-truth.json.gz", "rt", encoding="utf-8") as handle:
        truth = json.load(handle)
    return [(key, gzip.decompress((corpus / "html" / f"{key}.html.gz").read_bytes()), truth[key]["articleBody"])
            for key in sorted(truth)]


def trafilatura_defaults(raw: bytes) -> str:
    import trafilatura

    return trafilatura.extract(raw) or ""


def trafilatura_ours(raw: bytes) -> str:
    from curation.ingest import HtmlSettings
    from curation.ingest.html import extract_html

    extracted = extract_html(raw, HtmlSettings())
    return "" if isinstance(extracted, str) else extracted[0]


def ours(raw: bytes) -> str:
    from curation.ingest import HtmlSettings
    from curation.ingest.html import html_document
    from curation.segment.pipeline import segment_document
    from curation.units import Document

    document = html_document(raw, HtmlSettings(), path="page.html", source_key="page.html")
    if not isinstance(document, Document):
        return ""
    return "\n".join(article.body for article in segment_document(document).articles if article.role == "main")


TOOLS: dict[str, Callable[[bytes], str]] = {
    "trafilatura extract() defaults": trafilatura_defaults,
    "trafilatura at ingest's settings": trafilatura_ours,
    "curation (trafilatura + segmenter)": ours,
}


def child(tool: str, corpus: Path, out: Path) -> None:
    out.write_text(json.dumps({key: TOOLS[tool](raw) for key, raw, _ in pages(corpus)}))


def dropped(extractions: dict[str, dict[str, str]], gold: dict[str, str], show: int) -> None:
    """Lines trafilatura kept and the segmenter left out of the main body, and how many are gold. A line
    whose end ours keeps lost only its opening (a dateline or credit, kept as metadata): it is counted
    apart, with what was cut, since the words a reader needs are still in the body."""
    lines = gold_lines = 0
    cut: list[str] = []
    shown: list[str] = []
    for key, before in extractions["trafilatura at ingest's settings"].items():
        after = set(extractions["curation (trafilatura + segmenter)"][key].splitlines())
        for line in before.splitlines():
            line = line.strip()
            if not line or line in after or any(line in kept for kept in after):
                continue
            rest = next((kept for kept in after if len(kept) >= 20 and line.endswith(kept)), None)
            if rest is not None:
                cut.append(line[: -len(rest)].strip())
                continue
            lines += 1
            in_gold = " ".join(line.split()) in " ".join(gold[key].split())
            gold_lines += in_gold
            if in_gold and len(shown) < show:
                shown.append(f"  {key[:8]}: {line[:110]}")
    print(f"\nlines of trafilatura's body whose opening ours keeps as metadata: {len(cut)} "
          f"({', '.join(repr(opening[:30]) for opening in cut[:show])})")
    print(f"lines of trafilatura's body left out of ours whole: {lines}, of which in the gold body: {gold_lines}")
    print("\n".join(shown))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--show", type=int, default=10, help="gold lines ours left out, shown")
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--child", choices=TOOLS, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.corpus, args.out)
        return
    corpus = args.corpus.resolve()
    gold = {key: body for key, _, body in pages(corpus)}
    runs: dict[str, list] = {tool: [] for tool in TOOLS}
    with tempfile.TemporaryDirectory(prefix="bench-html-") as folder:
        for round_number in range(args.rounds):
            print(f"round {round_number + 1}: {load()}", flush=True)
            for tool in TOOLS:
                out = Path(folder) / "out.json"
                measured = measure([sys.executable, str(Path(__file__).resolve()), "--child", tool,
                                    "--corpus", str(corpus), "--out", str(out)], cwd=Path(folder))
                runs[tool].append((measured, json.loads(out.read_text())))
    print(f"\n{len(gold)} pages; shingles of {SHINGLE} words, averaged over pages\n")
    print(f"{'tool':<38}{'P':>7}{'R':>7}{'F1':>7}{'wall s':>18}{'CPU s':>18}{'peak PSS MB':>16}")
    for tool, results in runs.items():
        scored = [page_scores(results[0][1][key], body) for key, body in gold.items()]
        p, r, f = (statistics.mean(column) for column in zip(*scored, strict=True))
        print(f"{tool:<38}{p:>7.3f}{r:>7.3f}{f:>7.3f}{spread([m.wall for m, _ in results], lambda v: f'{v:.1f}'):>18}"
              f"{spread([m.cpu for m, _ in results], lambda v: f'{v:.1f}'):>18}"
              f"{spread([m.pss for m, _ in results], lambda v: f'{v:.0f}'):>16}")
    dropped({tool: results[0][1] for tool, results in runs.items()}, gold, args.show)


if __name__ == "__main__":
    main()
