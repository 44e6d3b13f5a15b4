"""Issue 23's figures: replay annotation with a gold corpus as the annotator, in one run.

1. Learning curves, uncertainty order (least sure first, the score `preannotate --trained` sends
   and Label Studio's uncertainty queue sorts by) beside random order, 3 seeds: ANT topics (the
   classifier of `curation train`: char_wb 2-5-grams of normalised text, logistic regression) and
   WikiFANE entities (the CRF tagger of `curation train`, fine types folded into the news schema's
   PER/ORG/GPE/LOC/FAC, the rest O). Printed: the labels each order needs to reach the full pool's
   macro-F1 (span F1 for entities) minus 1 point, and their ratio (target <= 0.6).
2. Classifier features: char_wb 2-5-grams of normalised text (the default) beside word 1-2-grams
   of the raw text (the usual baseline), macro-F1 on held-out ANT.
3. Label issues with 5% injected topic noise, on all of ANT by default: `curation train`'s classifier
   on the noisy labels, then what `curation issues` flags (cleanlab's low self-confidence on the
   5-fold out-of-sample probabilities, under the 5% ceiling), beside cleanlab's estimate without the
   ceiling and the naive rule "the model disagrees with the label"; precision and recall against
   the flipped labels (target precision >= 0.7 at recall >= 0.5).
4. Consensus of three simulated annotators of accuracy 0.95 / 0.8 / 0.6 (a wrong answer is
   another topic at random): cleanlab's CROWDLAB beside majority vote (a three-way tie broken at
   random), accuracy against ANT's topics.
5. Time and memory (bench/measure.py, fresh processes): training the topic classifier on every
   ANT article (with the 5-fold out-of-sample probabilities, as `curation train` does; target
   <= 60 s), the word 1-2-gram peer beside it; the tagger on all of WikiFANE (target <= 5 min);
   predicting 100,000 ANT sentences (target <= 60 s).

    .venv/bin/python bench/learn.py                      # everything, modest sizes
    .venv/bin/python bench/learn.py --sections curves,noise --limit 3000 --seeds 3
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import load, measure, spread

from curation.imports.conll import read_conll
from curation.learn.classify import ClassifierSettings, fit_classifier, make_pipeline_for
from curation.learn.issues import crowdlab, issue_indices
from curation.learn.model import BATCH
from curation.learn.tagger import TaggerSettings, fit_tagger
from curation.units import EntitySpan

HERE = Path(__file__).resolve().parent
ANT = Path("../shared/corpora/ant-v2.1.jsonl.gz")
FANE = Path("../shared/corpora/wikifane-gold-2014.txt.gz")
COARSE = {
    "PER": "Politician Group Religious_PER Artist Other_PER Scientist Police Athlete Businessperson Engineer Lawyer",
    "ORG": "Commercial Non-Governmental Government Educational Media Sports Religious_ORG Medical-Science Entertainment",
    "GPE": "Population-Center Nation State-or-Province Continent GPE-Cluster County-or-District",
    "LOC": "Water-Body Celestial Land-Region-Natural",
    "FAC": "Building-Grounds Airport Path Subarea-Facility",
}
FINE_TO_COARSE = {fine: coarse for coarse, names in COARSE.items() for fine in names.split()}
ACCURACIES = (0.95, 0.8, 0.6)


def read_ant(limit: int | None = None) -> tuple[list[str], list[str]]:
    """(title + text, topic) of ANT's articles, the first ``limit``."""
    texts, topics = [], []
    with gzip.open(ANT, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            texts.append(f"{record.get('title') or ''}\n{record['text']}")
            topics.append(record["topic"])
            if limit and len(texts) == limit:
                break
    return texts, topics


def read_fane(folder: Path) -> list[tuple[str, tuple[EntitySpan, ...]]]:
    """WikiFANE's sentences (tokens joined by spaces, U+200E dropped) and their coarse spans."""
    plain = folder / "wikifane.conll"
    with gzip.open(FANE, "rt", encoding="utf-8-sig") as handle:
        plain.write_text(handle.read().replace("\u200e", ""), encoding="utf-8")
    mapping = {fine: FINE_TO_COARSE.get(fine, "O") for fine in {*FINE_TO_COARSE, *_fine_labels(plain)}}
    items = read_conll(plain, "gold", frozenset(COARSE), label_map=mapping, problems=[])
    return [(item.text, item.answers[0].spans) for item in items]


def _fine_labels(path: Path) -> set[str]:
    from curation.imports.conll import corpus_labels

    return set(corpus_labels(path))


# --- 1. learning curves ------------------------------------------------------------------------


def linear_model(examples: int):
    """The linear model `curation train` fits on ``examples`` examples (its penalty depends on them)."""
    return clone(make_pipeline_for(ClassifierSettings(), False, examples).steps[1][1])


def vectorizer():
    """The features `curation train` reads (normalised text, char_wb 2-5-grams, TF-IDF)."""
    return make_pipeline_for(ClassifierSettings(), multiple=False).steps[0][1]


def labels_to_reach(scores: Sequence[tuple[int, float]], target: float) -> int | None:
    return next((n for n, score in scores if score >= target), None)


def topic_curve(x_pool, y_pool, x_test, y_test, order: str, seed: int, target: float, step: int) -> list[tuple[int, float]]:
    """Macro-F1 after each batch of ``step`` labels, chosen at random or least sure first, until ``target``."""
    rng = np.random.default_rng(seed)
    labelled = list(rng.choice(len(y_pool), size=step, replace=False))
    scores = []
    while True:
        model = linear_model(len(labelled)).fit(x_pool[labelled], y_pool[labelled])
        score = f1_score(y_test, model.predict(x_test), average="macro")
        scores.append((len(labelled), score))
        rest = np.setdiff1d(np.arange(len(y_pool)), labelled)
        if score >= target or not len(rest):
            return scores
        if order == "random":
            chosen = rng.choice(rest, size=min(step, len(rest)), replace=False)
        else:
            sure = model.predict_proba(x_pool[rest]).max(axis=1)
            chosen = rest[np.argsort(sure, kind="stable")[:step]]
        labelled.extend(int(i) for i in chosen)


def curves_topics(limit: int, seeds: int) -> None:
    texts, topics = read_ant()
    rng = np.random.default_rng(0)
    chosen = rng.choice(len(texts), size=min(limit, len(texts)), replace=False)
    texts, y = [texts[i] for i in chosen], np.array([topics[i] for i in chosen])
    cut = int(len(texts) * 0.8)
    x = vectorizer().fit_transform(texts)  # unsupervised: the idf of the whole pool, as `train` sees its open tasks
    x_pool, y_pool, x_test, y_test = x[:cut], y[:cut], x[cut:], y[cut:]
    full = f1_score(y_test, linear_model(cut).fit(x_pool, y_pool).predict(x_test), average="macro")
    print(f"\n1a. ANT topics: pool {cut}, test {len(texts) - cut}; full-pool macro-F1 {full:.4f}, target {full - 0.01:.4f}")
    _curve_table(lambda order, seed: topic_curve(x_pool, y_pool, x_test, y_test, order, seed, full - 0.01, max(20, cut // 15)),
                 seeds, full - 0.01)


def _curve_table(run: Callable[[str, int], list[tuple[int, float]]], seeds: int, target: float) -> None:
    needed: dict[str, list[int | None]] = {"uncertainty": [], "random": []}
    for seed in range(seeds):
        for order in ("uncertainty", "random") if seed % 2 == 0 else ("random", "uncertainty"):  # take turns going first
            scores = run(order, seed)
            needed[order].append(labels_to_reach(scores, target))
            print(f"  seed {seed} {order:<11}: " + " ".join(f"{n}:{s:.3f}" for n, s in scores[:: max(1, len(scores) // 8)] + scores[-1:]))
    ratios = [u / r for u, r in zip(needed["uncertainty"], needed["random"], strict=True) if u and r]
    for order, found in needed.items():
        shown = [n for n in found if n is not None]
        print(f"  labels to reach the target, {order:<11}: {spread([float(n) for n in shown], '{:.0f}'.format) if shown else 'never'}"
              f" ({len(shown)} of {len(found)} seeds reached it)")
    if ratios:
        print(f"  uncertainty / random: {spread(ratios, '{:.2f}'.format)} (target <= 0.60)")


def _span_f1(gold: Sequence[Sequence[EntitySpan]], found: Sequence[Sequence[EntitySpan]]) -> float:
    wanted = {(i, s.start, s.end, s.label) for i, spans in enumerate(gold) for s in spans}
    given = {(i, s.start, s.end, s.label) for i, spans in enumerate(found) for s in spans}
    hits = len(wanted & given)
    return 2 * hits / (len(wanted) + len(given)) if wanted or given else 1.0


def entity_curve(pool, test, order: str, seed: int, target: float | None, steps: Sequence[int], settings: TaggerSettings):
    rng = np.random.default_rng(seed)
    labelled = list(rng.choice(len(pool), size=steps[0], replace=False))
    scores, tagger = [], None
    for size in steps:
        if len(labelled) < size:
            rest = np.setdiff1d(np.arange(len(pool)), labelled)
            want = min(size - len(labelled), len(rest))
            if order == "random" or tagger is None:
                chosen = rng.choice(rest, size=want, replace=False)
            else:
                sure = [confidence for _, confidence in tagger.tag([pool[i][0] for i in rest])]
                chosen = rest[np.argsort(sure, kind="stable")[:want]]
            labelled.extend(int(i) for i in chosen)
        tagger = fit_tagger("entity", [pool[i][0] for i in labelled], [pool[i][1] for i in labelled], settings)
        found = [[span for span, _ in spans] for spans, _ in tagger.tag([text for text, _ in test])]
        scores.append((len(labelled), _span_f1([spans for _, spans in test], found)))
        if target is not None and scores[-1][1] >= target:
            break
    return scores


def curves_entities(limit: int, seeds: int, folder: Path) -> None:
    sentences = read_fane(folder)
    rng = np.random.default_rng(0)
    chosen = rng.choice(len(sentences), size=min(limit, len(sentences)), replace=False)
    data = [sentences[i] for i in chosen]
    cut = int(len(data) * 0.8)
    pool, test = data[:cut], data[cut:]
    settings = TaggerSettings(max_iterations=50)
    steps = [s for s in (100, 200, 400, 800, 1600, 3200, 6400) if s < cut] + [cut]
    full = entity_curve(pool, test, "random", 0, None, [cut], settings)[0][1]
    print(f"\n1b. WikiFANE entities (PER/ORG/GPE/LOC/FAC): pool {cut}, test {len(test)}; full-pool span F1 {full:.4f}, "
          f"target {full - 0.01:.4f}; CRF {settings.max_iterations} iterations")
    _curve_table(lambda order, seed: entity_curve(pool, test, order, seed, full - 0.01, steps, settings), seeds, full - 0.01)


# --- 2, 3, 4: features, label issues, consensus -------------------------------------------------


def _ant_matrix(limit: int):
    texts, topics = read_ant()
    rng = np.random.default_rng(1)
    chosen = rng.choice(len(texts), size=min(limit, len(texts)), replace=False)
    return [texts[i] for i in chosen], np.array([topics[i] for i in chosen])


def features_compared(limit: int) -> None:
    texts, y = _ant_matrix(limit)
    cut = int(len(texts) * 0.8)
    word = TfidfVectorizer(ngram_range=(1, 2), max_features=200_000, sublinear_tf=True)
    print(f"\n2. Topic features, {cut} training / {len(texts) - cut} held-out ANT articles: macro-F1")
    for name, features in (("char_wb 2-5, normalised (default)", vectorizer()), ("word 1-2, raw text (baseline)", word)):
        x = features.fit_transform(texts[:cut])
        model = linear_model(cut).fit(x, y[:cut])
        print(f"  {name:<36} {f1_score(y[cut:], model.predict(features.transform(texts[cut:])), average='macro'):.4f}")


def _out_of_sample(x, y: np.ndarray, seed: int) -> np.ndarray:
    folds = StratifiedKFold(5, shuffle=True, random_state=seed)
    return cross_val_predict(linear_model(len(y)), x, y, cv=folds, method="predict_proba")


def label_issues_with_noise(limit: int, seeds: int) -> None:
    """`curation train` on ANT with 5% of topics flipped, then what `curation issues` flags (cleanlab's
    low self-confidence under the 5% ceiling), beside cleanlab's estimate without the ceiling and the
    naive rule, against the flipped labels."""
    texts, y = _ant_matrix(limit)
    classes = sorted(set(y))
    figures: dict[str, list[tuple[float, float, int]]] = {"curation issues": [], "cleanlab, no ceiling": [], "naive": []}
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        flipped = rng.choice(len(y), size=len(y) // 20, replace=False)
        noisy = y.copy()
        for i in flipped:
            noisy[i] = rng.choice([c for c in classes if c != y[i]])
        labels = [(label,) for label in noisy]
        classifier = fit_classifier("topic", texts, labels, False, ClassifierSettings(seed=seed))
        probabilities = classifier.out_of_sample
        assert probabilities is not None
        if seed == 0:
            truth_f1 = f1_score(y, np.array(classes)[probabilities.argmax(axis=1)], average="macro")
            print(f"\n3. Label issues, {len(y)} ANT articles with 5% of topics flipped, {seeds} seeds; out-of-sample macro-F1 "
                  f"against the true topics {truth_f1:.4f} (seed 0)")
        found = {
            "curation issues": issue_indices(labels, classifier, probabilities),
            "cleanlab, no ceiling": issue_indices(labels, classifier, probabilities, ceiling=1.0),
            "naive": np.flatnonzero(np.array(classes)[probabilities.argmax(axis=1)] != noisy).tolist(),
        }
        truth = set(flipped.tolist())
        for name, flagged in found.items():
            hits = len(set(flagged) & truth)
            figures[name].append((hits / len(flagged) if flagged else 0.0, hits / len(truth), len(flagged)))
        print(f"  seed {seed} done; {load()}", file=sys.stderr)
    for name, rows in figures.items():
        print(f"  {name:<21} precision {spread([p for p, _, _ in rows], '{:.3f}'.format)}  recall {spread([r for _, r, _ in rows], '{:.3f}'.format)}"
              f"  flagged {spread([float(n) for _, _, n in rows], '{:.0f}'.format)} of {len(y) // 20} flipped")
    print("  target: precision >= 0.7 at recall >= 0.5")


def consensus(limit: int, seeds: int) -> None:
    texts, y = _ant_matrix(limit)
    x = vectorizer().fit_transform(texts)
    classes = sorted(set(y))
    truth = np.array([classes.index(label) for label in y])
    accuracy: dict[str, list[float]] = {"majority vote": [], "CROWDLAB": []}
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        answers = np.array([[t if rng.random() < p else rng.choice([c for c in range(len(classes)) if c != t]) for p in ACCURACIES]
                            for t in truth])  # fmt: skip
        majority = np.array([_majority(row, rng) for row in answers])
        probabilities = _out_of_sample(x, majority, seed)
        rows = [{f"a{k}": int(v) for k, v in enumerate(row)} for row in answers]
        found = crowdlab(rows, [f"a{k}" for k in range(len(ACCURACIES))], probabilities)
        accuracy["majority vote"].append(float(np.mean(majority == truth)))
        accuracy["CROWDLAB"].append(float(np.mean(found.consensus == truth)))
    print(f"\n4. Consensus of three simulated annotators (accuracy {' / '.join(map(str, ACCURACIES))}) on {len(y)} ANT articles, "
          f"{seeds} seeds: accuracy against ANT's topics")
    for name, values in accuracy.items():
        print(f"  {name:<14} {spread(values, '{:.4f}'.format)}")


def _majority(row: np.ndarray, rng: np.random.Generator) -> int:
    values, counts = np.unique(row, return_counts=True)
    tied = values[counts == counts.max()]
    return int(rng.choice(tied))


# --- 5. time and memory, each in a fresh process ------------------------------------------------


def run_job(job: str, folder: Path) -> None:
    """One timed job (``--job``), run by :func:`timing` in a fresh process."""
    if job in ("train-ant", "train-ant-word"):
        texts, topics = read_ant()
        if job == "train-ant":
            fit_classifier("topic", texts, [(t,) for t in topics], False, ClassifierSettings())
        else:
            x = TfidfVectorizer(ngram_range=(1, 2), max_features=200_000, sublinear_tf=True).fit_transform(texts)
            y = np.array(topics)
            _out_of_sample(x, y, 0)
            linear_model(len(y)).fit(x, y)
    elif job == "train-fane":
        sentences = read_fane(folder)
        fit_tagger("entity", [t for t, _ in sentences], [s for _, s in sentences], TaggerSettings())
    elif job == "predict-100k":
        texts, topics = read_ant(4000)
        classifier = fit_classifier("topic", texts, [(t,) for t in topics], False, ClassifierSettings(folds=2))
        sentences = [part for text in texts for part in text.split(".") if len(part.strip()) > 20]
        sentences = (sentences * (100_000 // len(sentences) + 1))[:100_000]
        tagger = fit_tagger("entity", sentences[:500], [()] * 500, TaggerSettings(max_iterations=10))
        import time

        started = time.perf_counter()
        for start in range(0, len(sentences), BATCH):  # in the library's batches, as `preannotate --trained` predicts
            classifier.probabilities(sentences[start : start + BATCH])
            tagger.tag(sentences[start : start + BATCH])
        print(f"predicted 100,000 sentences (topic + entities) in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def timing(rounds: int, folder: Path, jobs: Sequence[str]) -> None:
    python = sys.executable
    runs: dict[str, list] = {job: [] for job in jobs}
    for round_ in range(rounds):
        for job in jobs if round_ % 2 == 0 else list(reversed(jobs)):
            runs[job].append(measure([python, str(HERE / "learn.py"), "--job", job], Path.cwd()))
        print(f"  round {round_ + 1} of {rounds} done; {load()}", file=sys.stderr)
    print(f"\n5. Time and memory, {rounds} round(s), fresh processes (wall s, CPU s, peak PSS MB: median (min-max)); {load()}")
    for job, found in runs.items():
        print(f"  {job:<15} wall {spread([r.wall for r in found], '{:.1f}'.format):<22} CPU {spread([r.cpu for r in found], '{:.1f}'.format):<22}"
              f" PSS {spread([r.pss for r in found], '{:.0f}'.format)}")
    print("  targets: train-ant <= 60 s, train-fane <= 300 s, predict-100k <= 60 s (wall includes loading the corpus and fitting)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", default="curves,entities,features,noise,consensus,timing")
    parser.add_argument("--limit", type=int, default=4000, help="ANT articles for sections 1, 2 and 4")
    parser.add_argument("--noise-limit", type=int, default=40_000, help="ANT articles for section 3 (default: all)")
    parser.add_argument("--fane-limit", type=int, default=4000, help="WikiFANE sentences for the entity curve")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the timed jobs")
    parser.add_argument("--jobs", default="train-ant,train-ant-word,train-fane,predict-100k")
    parser.add_argument("--job", help=argparse.SUPPRESS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-learn-") as folder:
        if args.job:
            run_job(args.job, Path(folder))
            return
        sections = args.sections.split(",")
        print(f"bench/learn.py on {os.cpu_count()} cores; {load()}")
        if "curves" in sections:
            curves_topics(args.limit, args.seeds)
        if "entities" in sections:
            curves_entities(args.fane_limit, args.seeds, Path(folder))
        if "features" in sections:
            features_compared(args.limit)
        if "noise" in sections:
            label_issues_with_noise(args.noise_limit, args.seeds)
        if "consensus" in sections:
            consensus(args.limit, args.seeds)
        if "timing" in sections:
            timing(args.rounds, Path(folder), args.jobs.split(","))
        print(f"\ndone; {load()}")


if __name__ == "__main__":
    main()
