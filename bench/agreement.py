"""Agreement and adjudication at corpus scale, side by side with computing the same figures
directly with the packages a user would call instead (krippendorff, statsmodels, scikit-learn).

ANT's topic of each article is taken as annotator "ant"; two simulated annotators relabel a
fixed share of articles at random (seeded), so every figure is reproducible and the direct
computation must give the same numbers.

    .venv/bin/python bench/agreement.py                # all 31,523 ANT articles, 3 annotators
    .venv/bin/python bench/agreement.py --limit 5000   # quick
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import resource
import time
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Any

import krippendorff
import numpy as np
from sklearn.metrics import cohen_kappa_score
from statsmodels.stats.inter_rater import aggregate_raters, fleiss_kappa

from curation.agreement import adjudicate, agreement_report
from curation.units import Annotation

ANT = Path("/work/shared/corpora/ant-v2.1.jsonl.gz")
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, default=None, help="first N ANT articles (default: all)")
    parser.add_argument("--seed", type=int, default=13)
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
        f"{'full report (overall, {0} labels, {1} pairs, vs-rest)'.format(len(topic.labels), len(topic.pairs)):<52}"
        f"{t_report:>10.2f}{'':>10}"
    )
    print(f"{'majority adjudication + conflict list':<52}{t_adjudicate:>10.2f}{'':>10}")
    summary = adjudication.to_dict()
    print(
        f"\ngold {summary['gold']:,}, conflicts {summary['conflicts']:,}, unresolved ties {summary['unresolved']:,}; "
        f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()
