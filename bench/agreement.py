"""Agreement and adjudication at corpus scale, side by side with computing the same figures
directly with the packages a user would call instead (krippendorff, statsmodels, scikit-learn).

ANT's topic of each article is taken as annotator "ant"; two simulated annotators relabel a
fixed share of articles at random (seeded), so every figure is reproducible and the direct
computation must give the same numbers.

The second part measures span-level gold on entity mentions: reference mentions are the names of a
place gazetteer found in ANT sentences; each simulated annotator changes about 10% of the mentions
(drops one, moves a boundary, changes its label, or marks a spurious one). It prints the gold yield
of span-by-span adjudication beside the sentence-level policy (one disputed mention costs the whole
sentence), for three annotators and for two (where only disputed mentions may go to review).

    .venv/bin/python bench/agreement.py                # all 31,523 ANT articles, 3 annotators
    .venv/bin/python bench/agreement.py --limit 5000   # quick
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import resource
import time
from collections.abc import Callable
from dataclasses import replace
from itertools import islice
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

from curation.agreement import adjudicate, agreement_report
from curation.agreement.answers import ENTITY_FAMILY, Family, collect_answers
from curation.export.annotations import AnnotationSnapshot, LabelSource, MentionTally
from curation.schema import load_schema
from curation.units import Annotation, Document, EntitySpan, Provenance

ANT = Path(__file__).resolve().parents[1].parent / "shared" / "corpora" / "ant-v2.1.jsonl.gz"
ANNOTATORS = ("ant", "noisy10", "noisy30")
NOISE = {"ant": 0.0, "noisy10": 0.10, "noisy30": 0.30}


def load_topics(limit: int | None) -> list[tuple[str, str]]:
    with gzip.open(ANT, "rt", encoding="utf-8") as handle:
        return [(str(r["id"]), r["topic"]) for r in map(json.loads, islice(handle, limit))]


def simulate(articles: list[tuple[str, str]], seed: int) -> dict[str, list[str]]:
    rng = random.Random(seed)
    topics = sorted({t for _, t in articles})
    return {
        who: [rng.choice(topics) if rng.random() < NOISE[who] else topic for _, topic in articles] for who in ANNOTATORS
    }


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    start = time.process_time()
    result = call()
    return result, time.process_time() - start


def direct(labels: dict[str, list[str]]) -> dict[str, float]:
    """What a user would write by hand with the packages: one matrix, three calls."""
    topics = sorted({t for column in labels.values() for t in column})
    code = {t: i for i, t in enumerate(topics)}
    matrix = np.array([[code[t] for t in labels[who]] for who in ANNOTATORS])
    table, _ = aggregate_raters(matrix.T, n_cat=len(topics))
    return {
        "krippendorff_alpha": krippendorff.alpha(reliability_data=matrix, level_of_measurement="nominal"),
        "fleiss_kappa": fleiss_kappa(table),
        "cohen ant x noisy10": cohen_kappa_score(labels["ant"], labels["noisy10"]),
    }


PLACES = {
    "GPE": ("مصر", "سوريا", "العراق", "لبنان", "الأردن", "فلسطين", "السعودية", "اليمن", "ليبيا", "تونس",
            "الجزائر", "المغرب", "السودان", "قطر", "الكويت", "إيران", "تركيا", "روسيا", "الصين", "فرنسا",
            "ألمانيا", "بريطانيا", "واشنطن", "موسكو", "القاهرة", "بيروت", "دمشق", "بغداد", "الرياض", "طهران"),
    "LOC": ("الخليج", "البحر المتوسط", "سيناء", "الشرق الأوسط", "أوروبا", "أفريقيا", "آسيا", "البحر الأحمر"),
}
SPAN_NOISE = 0.10


def reference_mentions(limit: int, seed: int) -> list[tuple[str, tuple[EntitySpan, ...]]]:
    """Up to ``limit`` ANT sentences holding a gazetteer name, with every occurrence as a mention."""
    pattern = re.compile("|".join(sorted((re.escape(n) for names in PLACES.values() for n in names), key=len)[::-1]))
    label_of = {name: label for label, names in PLACES.items() for name in names}
    found = []
    with gzip.open(ANT, "rt", encoding="utf-8") as handle:
        for record in map(json.loads, handle):
            for sentence in re.split(r"(?<=[.!؟?])\s+", record["text"]):
                spans = tuple(EntitySpan(m.start(), m.end(), label_of[m.group()], m.group()) for m in pattern.finditer(sentence))
                if spans:
                    found.append((sentence, spans))
            if len(found) >= limit:
                break
    random.Random(seed).shuffle(found)
    return found[:limit]


def noisy(sentence: str, spans: tuple[EntitySpan, ...], rng: random.Random) -> tuple[EntitySpan, ...]:
    """One annotator's version: each mention changed with probability SPAN_NOISE."""
    out = []
    for span in spans:
        if rng.random() >= SPAN_NOISE:
            out.append(span)
            continue
        change = rng.randrange(4)
        if change == 1:  # boundary moved by one character
            end = min(len(sentence), span.end + 1)
            out.append(EntitySpan(span.start, end, span.label, sentence[span.start : end]))
        elif change == 2:
            out.append(EntitySpan(span.start, span.end, "LOC" if span.label == "GPE" else "GPE", span.text))
        elif change == 3:  # kept, plus a spurious mention on the word before or after
            out.append(span)
            words = [m for m in re.finditer(r"\S+", sentence) if m.end() <= span.start or m.start() >= span.end]
            if words:
                word = rng.choice(words)
                out.append(EntitySpan(word.start(), word.end(), "PER", word.group()))
        # change == 0: dropped
    return tuple(out)


def span_gold(sentences: list[tuple[str, tuple[EntitySpan, ...]]], annotators: int, seed: int) -> dict[str, Any]:
    """Span-by-span adjudication vs the sentence-level rule, on one simulated team."""
    rng = random.Random(seed)
    annotations = [
        Annotation(f"s{i}", "sentence", f"annotator_{k + 1}", f"s{i}-{k}", spans=noisy(text, spans, rng))
        for i, (text, spans) in enumerate(sentences)
        for k in range(annotators)
    ]
    table = collect_answers(annotations)
    result, seconds = timed(lambda: adjudicate(table, policy="majority"))
    figures = result.span_yield()
    family = Family(ENTITY_FAMILY, "sentence", "span")
    # The sentence-level rule: a unit keeps gold only when every one of its mentions is decided.
    by_unit: dict[str, list[str]] = {}
    for decision in result.spans:
        by_unit.setdefault(decision.unit_id, []).append(decision.outcome)
    sentence_level = sum(len(o) for o in by_unit.values() if "disputed" not in o)
    changed = sum(
        1 for unit in table.units(family).values() for span in {s for a in unit.values() for s in a.value}
        if 0 < sum(span in a.value for a in unit.values()) < len(unit)
    )
    exported = export_tally(sentences, annotations)
    return figures | {"seconds": seconds, "sentence_level_decided": sentence_level, "marked_by_some_not_all": changed,
                      "export": exported}


def export_tally(sentences: list[tuple[str, tuple[EntitySpan, ...]]], annotations: list[Annotation]) -> MentionTally:
    """What a build makes of these sentences (its own label source, the news schema checking every
    answer: a simulated answer with overlapping spans keeps only its valid ones): mentions marked,
    decided before review as `agree` counts them, and decided in the export (kept ones in
    ``entities``, rejected ones left out, disputed ones in ``disputed_entities``)."""
    schema = load_schema()
    by_unit: dict[str, list[Annotation]] = {}
    for annotation in annotations:  # stance is required by the schema: every simulated answer gives one
        by_unit.setdefault(annotation.unit_id, []).append(replace(annotation, choices={"stance": ("neutral",)}))
    source = LabelSource(schema, AnnotationSnapshot(by_unit=by_unit), policy=("majority",))
    page = Document("bench", "", Provenance("bench", None, ""))
    for index, (text, _) in enumerate(sentences):
        source.labels(f"s{index}", "sentence", text, page, f"s{index}")
    return source.mentions


def print_span_gold(limit: int, seed: int) -> None:
    sentences = reference_mentions(limit, seed)
    mentions = sum(len(spans) for _, spans in sentences)
    print(f"\nspan-level gold: {len(sentences):,} ANT sentences, {mentions:,} reference mentions, "
          f"each annotator changes ~{SPAN_NOISE:.0%} of them")
    print(f"{'annotators':<12}{'mentions':>10}{'span-level, no review':>24}{'sentence-level rule':>22}"
          f"{'to review':>12}{'disagreed':>11}{'CPU s':>8}   export (schema-checked): decided by agree | in the export")
    for annotators in (3, 2):
        f = span_gold(sentences, annotators, seed)
        total = f["spans"]
        print(f"{annotators:<12}{total:>10,}{f['decided_without_review']:>12,} ({f['yield_without_review']:>7.2%})"
              f"{f['sentence_level_decided']:>12,} ({f['sentence_level_decided'] / total:>6.2%})"
              f"{f['disputed']:>12,}{f['marked_by_some_not_all']:>11,}{f['seconds']:>8.2f}   "
              + " | ".join(f"{n:,} of {f['export'].marked:,} ({n / f['export'].marked:.2%})"
                           for n in (f["export"].decided_without_review, f["export"].exported_decided)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="first N ANT articles (default: all)")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--sentences", type=int, default=20_000, help="ANT sentences for the span-level part")
    args = parser.parse_args()

    articles = load_topics(args.limit)
    labels = simulate(articles, args.seed)
    annotations = [
        Annotation(aid, "article", who, f"{aid}-{who}", choices={"topic": (labels[who][i],)})
        for who in ANNOTATORS
        for i, (aid, _) in enumerate(articles)
    ]
    print(f"{len(articles):,} ANT articles x {len(ANNOTATORS)} annotators = {len(annotations):,} annotations")

    reference, t_direct = timed(lambda: direct(labels))
    report, t_report = timed(lambda: agreement_report(annotations))
    adjudication, t_adjudicate = timed(lambda: adjudicate(annotations, policy="majority"))
    topic = report.family("topic")
    ours = {
        "krippendorff_alpha": topic.overall["krippendorff_alpha"],
        "fleiss_kappa": topic.overall["fleiss_kappa"],
        "cohen ant x noisy10": next(p["cohen_kappa"] for p in topic.pairs if p["annotators"] == ["ant", "noisy10"]),
    }

    print(f"\n{'figure':<22}{'curation.agreement':>20}{'direct packages':>18}")
    for name, value in reference.items():
        print(f"{name:<22}{ours[name]:>20.6f}{value:>18.6f}")
    print(f"\n{'CPU seconds':<52}{'curation':>10}{'direct':>10}")
    print(f"{'overall alpha + Fleiss + one Cohen':<52}{'':>10}{t_direct:>10.2f}")
    print(
        f"{f'full report (overall, {len(topic.labels)} labels, {len(topic.pairs)} pairs, vs-rest)':<52}"
        f"{t_report:>10.2f}{'':>10}"
    )
    print(f"{'majority adjudication + conflict list':<52}{t_adjudicate:>10.2f}{'':>10}")
    summary = adjudication.to_dict()
    print(
        f"\ngold {summary['gold']:,}, conflicts {summary['conflicts']:,}, unresolved ties {summary['unresolved']:,}; "
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )
    print_span_gold(args.sentences, args.seed)


if __name__ == "__main__":
    main()
