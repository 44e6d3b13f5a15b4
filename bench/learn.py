"""Issue 23's figures: replay annotation with a gold corpus as the annotator, in one run.

1. Learning curves, uncertainty order (least sure first, the score `preannotate --trained` sends
   and Label Studio's uncertainty queue sorts by) beside random order, 3 seeds: ANT topics (the
   classifier of `curation train`: char_wb 2-5-grams of normalised text, logistic regression) and
   WikiFANE entities (the CRF tagger of `curation train` with its word clusters, a pool from bench/gazetteer.py's training
   split under its types person/location/organisation, its held-out split judging). Printed: the labels each order needs to reach the full pool's
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
   <= 60 s), the word 1-2-gram peer beside it; predicting 100,000 ANT sentences (target <= 60 s).
6. The trained tagger beside the gazetteer pre-annotation (names of the same training sentences),
   exact-span P/R/F1 on bench/gazetteer.py's WikiFANE split: encyclopaedic text standing in for news,
   which has no entity gold in ../shared (target: +20 points). Dev (the training split cut 80/20)
   is where features are chosen; test is the held-out split. ``--tagger-spelling glued``: the same
   sentences with their clitics glued back as news writes them (WikiFANE writes them apart), at the
   news schema's symbol granularity: the proxy closer to news (test +20.3, dev +19.9; as written +18.8).
7. The tagger's time and memory (bench/measure.py, fresh processes): training on every WikiFANE
   sentence (target <= 5 min), tagging 100,000 ANT sentences in the library's batches (target
   <= 60 s), the gazetteer on the same sentences beside it.

    .venv/bin/python bench/learn.py                      # everything, modest sizes
    .venv/bin/python bench/learn.py --sections curves,noise --limit 3000 --seeds 3
    .venv/bin/python bench/learn.py --sections entities --fane-limit 4000 --fane-step 200 --curve-workers 2
    .venv/bin/python bench/learn.py --sections tagger,entity-timing
    .venv/bin/python bench/learn.py --sections tagger --tagger-variants gazetteer --tagger-spelling glued
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from itertools import chain
from pathlib import Path

import numpy as np
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gazetteer as gazetteer_bench  # WikiFANE's split, entity types and the gazetteer peer
from measure import Measured, load, measure, spread

from curation.learn.classify import ClassifierSettings, fit_classifier, make_pipeline_for
from curation.learn.clusters import WordClusters
from curation.learn.issues import crowdlab, issue_indices
from curation.learn.model import BATCH, certainty
from curation.learn.tagger import EntityTagger, TaggerSettings, fit_tagger, word_clusters
from curation.preannotate import Gazetteer
from curation.segment.sentences import SentenceSplitter
from curation.units import EntitySpan

HERE = Path(__file__).resolve().parent
ANT = HERE.parent.parent / "shared" / "corpora" / "ant-v2.1.jsonl.gz"  # ../shared beside the repo, whatever the working folder
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
        else:  # the score `preannotate --trained` sends: the margin between the two likeliest topics
            sure = [certainty(row, False) for row in model.predict_proba(x_pool[rest])]
            chosen = rest[np.argsort(sure, kind="stable")[:step]]
        labelled.extend(int(i) for i in chosen)


def curves_topics(limit: int, seeds: int, step: int | None) -> None:
    texts, topics = read_ant()
    rng = np.random.default_rng(0)
    chosen = rng.choice(len(texts), size=min(limit, len(texts)), replace=False)
    texts, y = [texts[i] for i in chosen], np.array([topics[i] for i in chosen])
    cut = int(len(texts) * 0.8)
    x = vectorizer().fit_transform(texts)  # unsupervised: the idf of the whole pool, as `train` sees its open tasks
    x_pool, y_pool, x_test, y_test = x[:cut], y[:cut], x[cut:], y[cut:]
    full = f1_score(y_test, linear_model(cut).fit(x_pool, y_pool).predict(x_test), average="macro")
    step = step or max(20, cut // 32)
    print(f"\n1a. ANT topics: pool {cut}, test {len(texts) - cut}, a first {step} at random then batches of {step}; "
          f"full-pool macro-F1 {full:.4f}, target {full - 0.01:.4f}")
    _curve_table(lambda order, seed: topic_curve(x_pool, y_pool, x_test, y_test, order, seed, full - 0.01, step), seeds, full - 0.01)


_CURVE: Callable[[str, int], list[tuple[int, float]]] | None = None  # the curve forked workers run


def _timed_curve(order: str, seed: int) -> tuple[list[tuple[int, float]], float]:
    """The curve and the CPU seconds of the process that ran it (a forked worker runs one at a time)."""
    assert _CURVE is not None
    started = time.process_time()
    return _CURVE(order, seed), time.process_time() - started


def _curve_table(run: Callable[[str, int], list[tuple[int, float]]], seeds: int, target: float, workers: int = 1) -> None:
    """Each order's curve per seed (in ``workers`` forked processes when more than one), the labels each
    needed to reach ``target``, their ratio and the CPU seconds of it all (the workers' included)."""
    global _CURVE
    started = _cpu()
    runs = [(order, seed) for seed in range(seeds) for order in (("uncertainty", "random") if seed % 2 == 0 else ("random", "uncertainty"))]
    _CURVE = run
    if workers > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            curves = _printed(runs, pool.map(_timed_curve, *zip(*runs, strict=True)))
    else:
        curves = _printed(runs, (_timed_curve(order, seed) for order, seed in runs))
    needed: dict[str, list[int | None]] = {"uncertainty": [], "random": []}
    for (order, _), scores in zip(runs, curves, strict=True):
        needed[order].append(labels_to_reach(scores, target))
    ratios = [u / r for u, r in zip(needed["uncertainty"], needed["random"], strict=True) if u and r]
    print("  labels needed per seed (uncertainty / random): "
          + ", ".join(f"{u or 'never'} / {r or 'never'}" for u, r in zip(needed["uncertainty"], needed["random"], strict=True)))
    for order, found in needed.items():
        shown = [n for n in found if n is not None]
        print(f"  labels to reach the target, {order:<11}: {spread([float(n) for n in shown], '{:.0f}'.format) if shown else 'never'}"
              f" ({len(shown)} of {len(found)} seeds reached it)")
    if ratios:
        print(f"  uncertainty / random: {spread(ratios, '{:.2f}'.format)} (target <= 0.60)")
    print(f"  {_cpu() - started:.0f} CPU s for the {2 * seeds} curves; {load()}")


def _printed(runs: Sequence[tuple[str, int]], timed: Iterable[tuple[list[tuple[int, float]], float]]) -> list[list[tuple[int, float]]]:
    """Each curve as it comes (a long run shows its progress) with its CPU seconds; the curves."""
    curves = []
    for (order, seed), (scores, seconds) in zip(runs, timed, strict=True):
        curves.append(scores)
        print(f"  seed {seed} {order:<11} ({seconds:.0f} CPU s): " + " ".join(f"{n}:{s:.3f}" for n, s in scores[:: max(1, len(scores) // 8)] + scores[-1:]),
              flush=True)
    return curves


def _cpu() -> float:
    """CPU seconds (user + system) of this process and its finished children so far."""
    return sum(usage.ru_utime + usage.ru_stime for usage in map(resource.getrusage, (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)))


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


# --- 1b, 6, 7: entities, on WikiFANE as bench/gazetteer.py splits and types it ---------------------

FANE_CORPORA = ANT.parent
CURVE_ITERATIONS = 50  # the curves' CRF: half the library's iterations, so that 3 seeds x 2 orders fit the machine
GAZETTEER_FOLDS = 5
Gold = gazetteer_bench.Sentence  # (text, {(start, end, label)})


def fane_split() -> tuple[list[Gold], list[Gold]]:
    """bench/gazetteer.py's 80/20 split of WikiFANE by sentence (seed 24) under its types (person,
    location, organisation): the gazetteer's figures and the tagger's are on the same sentences."""
    return gazetteer_bench.held_out(FANE_CORPORA)


def _spans(sentence: Gold) -> list[EntitySpan]:
    text, spans = sentence
    return [EntitySpan(start, end, label, text[start:end]) for start, end, label in sorted(spans)]


def fit_fane(sentences: Sequence[Gold], settings: TaggerSettings, gazetteers=None, clusters: WordClusters | None = None) -> EntityTagger:
    return fit_tagger("entity", [text for text, _ in sentences], [_spans(s) for s in sentences], settings, gazetteers, clusters)


def unlabelled_clusters(sentences: Sequence[Gold], settings: TaggerSettings, judged: Sequence[Gold] = ()) -> tuple[WordClusters | None, float]:
    """The word clusters `curation train` would learn with these sentences as gold and ANT's articles (news
    from another source than WikiFANE) plus the ``judged`` sentences' text (never their spans) as the
    workspace's unlabelled units, and the CPU seconds it took. The judged text comes before ANT so that
    ``max_pieces`` never cuts it off."""
    started = time.process_time()
    clusters = word_clusters([*(text for text, _ in sentences), *(text for text, _ in judged), *read_ant()[0]], settings)
    return clusters, time.process_time() - started


def entity_scores(tagger: EntityTagger, test: Sequence[Gold], gazetteer: Gazetteer | None = None) -> tuple[float, float, float]:
    """Exact-span precision, recall and F1 (points) of the tagger on ``test``, as bench/gazetteer.py counts them."""
    found = [{(span.start, span.end, span.label) for span, _ in spans} for spans, _ in tagger.tag([text for text, _ in test], gazetteer)]
    precision, recall, f1, *_ = gazetteer_bench.scores(found, [spans for _, spans in test])
    return precision, recall, f1


def jackknifed(sentences: Sequence[Gold], granularity: str = "word") -> list[Gazetteer]:
    """Per training sentence, the gazetteer of the names in the other folds: the CRF sees the list miss
    names and mislabel some, as it will on new text, instead of learning that a listed name is always right."""
    folds = [gazetteer_bench.names_gazetteer(gazetteer_bench.train_names([s for i, s in enumerate(sentences) if i % GAZETTEER_FOLDS != fold]),
                                             granularity=granularity)
             for fold in range(GAZETTEER_FOLDS)]  # fmt: skip
    return [folds[i % GAZETTEER_FOLDS] for i in range(len(sentences))]


def entity_curve(pool: Sequence[Gold], test: Sequence[Gold], order: str, seed: int, target: float | None, steps: Sequence[int],
                 clusters: WordClusters | None):
    """Span F1 (0-1) after each step of labelled sentences, chosen at random or least sure first, until ``target``.
    ``clusters``: learned once from the pool's and the unlabelled text: `curation train` relearns them at every fit,
    but from every unit (labelled or not) and the same unlabelled text, so they do not change along the curve."""
    settings = TaggerSettings(max_iterations=CURVE_ITERATIONS)
    rng = np.random.default_rng(seed)
    labelled = list(rng.choice(len(pool), size=steps[0], replace=False))
    scores: list[tuple[int, float]] = []
    tagger = None
    for size in steps:
        rest = np.setdiff1d(np.arange(len(pool)), labelled)
        want = min(size - len(labelled), len(rest))
        if want > 0 and (order == "random" or tagger is None):
            labelled.extend(int(i) for i in rng.choice(rest, size=want, replace=False))
        elif want > 0:
            sure = [confidence for _, confidence in tagger.tag([pool[i][0] for i in rest])]  # the score `preannotate --trained` sends
            labelled.extend(int(i) for i in rest[np.argsort(sure, kind="stable")[:want]])
        tagger = fit_fane([pool[i] for i in labelled], settings, None, clusters)
        scores.append((len(labelled), entity_scores(tagger, test)[2] / 100))
        if target is not None and scores[-1][1] >= target:
            break
    return scores


def curves_entities(limit: int, step: int, seeds: int, workers: int) -> None:
    train, test = fane_split()
    pool = train[:limit]
    steps = [*range(step, len(pool), step), len(pool)]
    clusters, learning = unlabelled_clusters(pool, TaggerSettings())
    full = entity_curve(pool, test, "random", 0, None, [len(pool)], clusters)[0][1]
    print(f"\n1b. WikiFANE entities (person/location/organisation): pool {len(pool)} of the training split, a first {step} at random "
          f"then batches of {step}, the held-out split ({len(test)}) judges; CRF {CURVE_ITERATIONS} iterations, no gazetteer, word clusters "
          f"of the pool's text and ANT's articles ({learning:.0f} CPU s, once); full-pool span F1 {full:.4f}, target {full - 0.01:.4f}", flush=True)
    _curve_table(lambda order, seed: entity_curve(pool, test, order, seed, full - 0.01, steps, clusters), seeds, full - 0.01, workers)


def tagger_against_gazetteer(splits: Sequence[str], variants: Sequence[str], judged_text: bool = True, tuned: TaggerSettings | None = None,
                             spelling: str = "apart") -> None:
    """Item 2: the trained tagger's spans beside the gazetteer pre-annotation's on the same sentences.
    Dev: the first 80% of the training split fits, the rest judges (where the features were chosen);
    test: the whole training split fits, the held-out split judges (bench/gazetteer.py's figure).
    Variants: ``plain`` (no gazetteer feature, no clusters), ``unclustered`` (the gazetteer feature, no word
    clusters), ``gazetteer`` (the library's tagger: the gazetteer feature and word clusters of ANT + the fit text).
    ``judged_text``: the judged sentences' text (not their spans) is among the clusters' unlabelled text, as in
    `curation train`, which clusters every unit of the workspace, the ones it will pre-annotate included.
    ``tuned``: the settings of the clustered variant (default: the library's). ``spelling``: ``apart`` (WikiFANE as
    written, clitics apart; word granularity), ``glued`` (its clitics glued back as news writes them,
    bench/gazetteer.py's ``glued``; the news schema's symbol granularity for the gazetteer and the tagger's feature)."""
    train, test = fane_split()
    granularity = "word"
    if spelling == "glued":
        train, test, granularity = [gazetteer_bench.glued(s) for s in train], [gazetteer_bench.glued(s) for s in test], "symbol"
    cut = int(len(train) * 0.8)
    print(f"\n6. Trained tagger vs gazetteer pre-annotation, exact spans, person/location/organisation (WikiFANE, clitics {spelling}, "
          f"{granularity} granularity: a proxy for news)")
    print(f"  {'split':<34}{'pre-annotation':<46}{'P':>6}{'R':>6}{'F1':>6}")
    for name, fit_on, judged in (("dev", train[:cut], train[cut:]), ("test", train, test)):
        if name not in splits:
            continue
        split = f"{name} ({len(fit_on):,} fit / {len(judged):,} judged)"
        names = gazetteer_bench.names_gazetteer(gazetteer_bench.train_names(fit_on), granularity=granularity)
        listed = [{(span.start, span.end, span.label) for span in names.match(text)} for text, _ in judged]
        precision, recall, f1, *_ = gazetteer_bench.scores(listed, [spans for _, spans in judged])
        print(f"  {split:<34}{'gazetteer of the fit names':<46}{precision:>6.1f}{recall:>6.1f}{f1:>6.1f}")
        for variant in variants:
            settings = (tuned or TaggerSettings()) if variant == "gazetteer" else TaggerSettings(clusters=None)
            clusters, learning = unlabelled_clusters(fit_on, settings, judged if judged_text else ()) if variant == "gazetteer" else (None, 0.0)
            gazetteers = jackknifed(fit_on, granularity) if variant != "plain" else None
            started = time.process_time()
            tagger = fit_fane(fit_on, settings, gazetteers, clusters)
            fitting = time.process_time() - started
            precision, recall, tagged = entity_scores(tagger, judged, names if gazetteers else None)
            clustered = f"tagger + gazetteer feature + word clusters ({'judged text in' if judged_text else 'judged text out'}; c1 {settings.c1:g}, c2 {settings.c2:g})"
            title = {"plain": "tagger", "unclustered": "tagger + gazetteer feature", "gazetteer": clustered}[variant]
            print(f"  {'':<34}{title:<46}{precision:>6.1f}{recall:>6.1f}{tagged:>6.1f}  ({tagged - f1:+.1f} over the gazetteer; "
                  f"CPU s: clusters {learning:.0f}, fit {fitting:.0f})")
    print("  target: the tagger >= the gazetteer + 20 points")


# --- 5. time and memory, each in a fresh process ------------------------------------------------


def run_job(job: str, folder: Path, train_limit: int | None = None) -> None:
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
    elif job.startswith("fane-"):
        run_entity_job(job, folder, train_limit)
    elif job == "predict-100k":
        texts, topics = read_ant(4000)
        classifier = fit_classifier("topic", texts, [(t,) for t in topics], False, ClassifierSettings(folds=2))
        sentences = [part for text in texts for part in text.split(".") if len(part.strip()) > 20]
        sentences = (sentences * (100_000 // len(sentences) + 1))[:100_000]
        tagger = fit_tagger("entity", sentences[:500], [()] * 500, TaggerSettings(max_iterations=10))
        started = time.perf_counter()
        for start in range(0, len(sentences), BATCH):  # in the library's batches, as `preannotate --trained` predicts
            classifier.probabilities(sentences[start : start + BATCH])
            tagger.tag(sentences[start : start + BATCH])
        print(f"predicted 100,000 sentences (topic + entities) in {time.perf_counter() - started:.1f} s", file=sys.stderr)


ENTITY_JOBS = ("fane-clusters", "fane-train", "fane-tag-100k", "fane-match-100k")  # in this order: each reads what the one before kept
TAGGED_SENTENCES = 100_000


def news_sentences(count: int) -> list[str]:
    """The first ``count`` sentences of ANT's articles, cut by the library's sentence splitter."""
    splitter = SentenceSplitter()
    found: list[str] = []
    with gzip.open(ANT, "rt", encoding="utf-8") as handle:
        for line in handle:
            found.extend(splitter.split(json.loads(line)["text"]))
            if len(found) >= count:
                return found[:count]
    return found


def run_entity_job(job: str, folder: Path, train_limit: int | None = None) -> None:
    """fane-clusters: the word clusters of the training sentences' text and ANT's articles (the unlabelled
    pass of `curation train`), kept in ``folder``; fane-train: the tagger (library settings, gazetteer
    feature, those clusters) on every WikiFANE sentence, kept in ``folder`` for the others; fane-tag-100k:
    it tags 100,000 ANT sentences in the library's batches; fane-match-100k (the peer): the gazetteer
    pre-annotates the same sentences. Seconds of the step alone go to ``folder/<job>.json``."""
    import pickle

    kept, clustered = folder / "fane-tagger.pkl", folder / "fane-clusters.pkl"
    everything = [*chain(*fane_split())][:train_limit] if job in ("fane-clusters", "fane-train") else []
    if job == "fane-clusters":
        started = time.perf_counter()
        clusters, _ = unlabelled_clusters(everything, TaggerSettings())
        seconds = time.perf_counter() - started
        clustered.write_bytes(pickle.dumps(clusters))
    elif job == "fane-train":
        names = gazetteer_bench.names_gazetteer(gazetteer_bench.train_names(everything))
        clusters = pickle.loads(clustered.read_bytes())
        started = time.perf_counter()
        tagger = fit_fane(everything, TaggerSettings(), jackknifed(everything), clusters)
        seconds = time.perf_counter() - started
        kept.write_bytes(pickle.dumps((tagger, names)))
    else:
        tagger, names = pickle.loads(kept.read_bytes())
        sentences = news_sentences(TAGGED_SENTENCES)
        started = time.perf_counter()
        for at in range(0, len(sentences), BATCH):
            batch = sentences[at : at + BATCH]
            if job == "fane-tag-100k":
                tagger.tag(batch, names)
            else:
                for text in batch:
                    names.match(text)
        seconds = time.perf_counter() - started
    (folder / f"{job}.json").write_text(json.dumps({"seconds": seconds}))


def entity_timing(rounds: int, folder: Path, train_limit: int | None) -> None:
    """Item 3: each job in a fresh process (bench/measure.py), rounds interleaved, the peer beside."""
    python = sys.executable
    runs: dict[str, list[tuple[Measured, float]]] = {job: [] for job in ENTITY_JOBS}
    for round_ in range(rounds):
        for job in ENTITY_JOBS:
            limit = ["--fane-train-limit", str(train_limit)] if train_limit else []
            measured = measure([python, str(HERE / "learn.py"), "--job", job, "--job-folder", str(folder), *limit], folder)
            runs[job].append((measured, json.loads((folder / f"{job}.json").read_text())["seconds"]))
        print(f"  entity timing round {round_ + 1} of {rounds} done; {load()}", file=sys.stderr)
    print(f"\n7. Entity tagger time and memory, {rounds} round(s), fresh processes: the step alone (wall s), the whole process "
          f"(wall s, CPU s of the tree, peak summed PSS MB), median (min-max); {load()}")
    for job, found in runs.items():
        print(f"  {job:<16} step {spread([step for _, step in found], '{:.1f}'.format):<20} process wall {spread([m.wall for m, _ in found], '{:.1f}'.format):<20}"
              f" CPU {spread([m.cpu for m, _ in found], '{:.1f}'.format):<20} PSS {spread([m.pss for m, _ in found], '{:.0f}'.format)}")
    print(f"  targets: fane-train (all {sum(map(len, fane_split())):,} WikiFANE sentences; here {train_limit or 'all'}) <= 300 s, fane-clusters "
          f"(their text and ANT's {len(read_ant()[0]):,} articles, unlabelled) measured apart; fane-tag-100k <= 60 s "
          f"(batches of {BATCH}, as `preannotate --trained` sends them); fane-match-100k is the gazetteer on the same sentences")


def timing(rounds: int, folder: Path, jobs: Sequence[str]) -> None:
    python = sys.executable
    runs: dict[str, list] = {job: [] for job in jobs}
    for round_ in range(rounds):
        for job in jobs if round_ % 2 == 0 else list(reversed(jobs)):
            runs[job].append(measure([python, str(HERE / "learn.py"), "--job", job], folder))
        print(f"  round {round_ + 1} of {rounds} done; {load()}", file=sys.stderr)
    print(f"\n5. Time and memory, {rounds} round(s), fresh processes (wall s, CPU s, peak PSS MB: median (min-max)); {load()}")
    for job, found in runs.items():
        print(f"  {job:<15} wall {spread([r.wall for r in found], '{:.1f}'.format):<22} CPU {spread([r.cpu for r in found], '{:.1f}'.format):<22}"
              f" PSS {spread([r.pss for r in found], '{:.0f}'.format)}")
    print("  targets: train-ant <= 60 s, train-fane <= 300 s, predict-100k <= 60 s (wall includes loading the corpus and fitting)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", default="curves,entities,tagger,features,noise,consensus,timing,entity-timing")
    parser.add_argument("--limit", type=int, default=4000, help="ANT articles for sections 1, 2 and 4")
    parser.add_argument("--topic-step", type=int, help="articles labelled between two points of the topic curve (default: the pool / 32)")
    parser.add_argument("--noise-limit", type=int, default=40_000, help="ANT articles for section 3 (default: all)")
    parser.add_argument("--fane-limit", type=int, default=4000, help="WikiFANE training sentences in the entity curve's pool")
    parser.add_argument("--fane-step", type=int, default=400, help="sentences labelled between two points of the entity curve")
    parser.add_argument("--curve-workers", type=int, default=1, help="processes the entity curves run in (each seed and order is one)")
    parser.add_argument("--tagger-splits", default="dev,test", help="where section 6 fits and judges the tagger")
    parser.add_argument("--tagger-variants", default="plain,unclustered,gazetteer",
                        help="section 6's taggers: neither gazetteer feature nor clusters, the gazetteer feature alone, both (the library's)")
    parser.add_argument("--judged-text", choices=("in", "out"), default="in",
                        help="section 6: the judged sentences' text among the clusters' unlabelled text (in: as `curation train` does with the units it will pre-annotate)")
    parser.add_argument("--tagger-spelling", choices=("apart", "glued"), default="apart",
                        help="section 6: WikiFANE as written (clitics apart) or with its clitics glued back as news writes them")
    parser.add_argument("--tagger-c1", type=float, help="section 6: the clustered variant's c1 (default: the library's)")
    parser.add_argument("--tagger-c2", type=float, help="section 6: the clustered variant's c2 (default: the library's)")
    parser.add_argument("--fane-train-limit", type=int, help="WikiFANE sentences section 7 trains on (default: all)")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the timed jobs")
    parser.add_argument("--jobs", default="train-ant,train-ant-word,predict-100k")
    parser.add_argument("--job", help=argparse.SUPPRESS)
    parser.add_argument("--job-folder", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-learn-") as folder:
        if args.job:
            run_job(args.job, args.job_folder or Path(folder), args.fane_train_limit)
            return
        sections = args.sections.split(",")
        print(f"bench/learn.py on {os.cpu_count()} cores; {load()}")
        if "curves" in sections:
            curves_topics(args.limit, args.seeds, args.topic_step)
        if "entities" in sections:
            curves_entities(args.fane_limit, args.fane_step, args.seeds, args.curve_workers)
        if "tagger" in sections:
            library = TaggerSettings()
            tuned = replace(library, c1=library.c1 if args.tagger_c1 is None else args.tagger_c1,
                            c2=library.c2 if args.tagger_c2 is None else args.tagger_c2)
            tagger_against_gazetteer(args.tagger_splits.split(","), args.tagger_variants.split(","), args.judged_text == "in", tuned,
                                     args.tagger_spelling)
        if "features" in sections:
            features_compared(args.limit)
        if "noise" in sections:
            label_issues_with_noise(args.noise_limit, args.seeds)
        if "consensus" in sections:
            consensus(args.limit, args.seeds)
        if "timing" in sections:
            timing(args.rounds, Path(folder), args.jobs.split(","))
        if "entity-timing" in sections:
            entity_timing(args.rounds, Path(folder), args.fane_train_limit)
        print(f"\ndone; {load()}")


if __name__ == "__main__":
    main()
