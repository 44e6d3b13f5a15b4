"""Export benchmark: the whole ANT corpus (31,523 articles, ANT `topic` as the label, all their
sentences) built into a Hugging Face dataset, side by side with `datasets` doing the same export.

    .venv/bin/python bench/export.py               # whole corpus, three rounds (tens of minutes)
    .venv/bin/python bench/export.py --limit 2000  # quick run on the first 2,000 articles

Each run is its own process, measured by ``bench/measure.py``: wall, CPU seconds of its process
tree and peak PSS summed over the tree, with the load average; the two tools run in turn in each
of ``--rounds`` rounds, and the summaries are medians (min-max).

* build: `curation.export.building.build()` end to end from a recipe (read, segment, rows with tokens,
  dedup, grouped stratified splits, Parquet + card + manifest), streaming: rows become Arrow
  batches as they are made. Target: PSS under 1 GB.
* export only, same rows: both processes first make the same row dicts (segmenter + row builder,
  no dedup) and hold them in a list; then only the export step is timed: the build's own (rows
  encoded into a `RowSpill`, then `_write_outputs` in one process: per split and format a pass
  over the spill into a `SplitWriter` with pinned Parquet options, plus the label counts the card needs) against
  `datasets.Dataset.from_list(rows, features)` + `Dataset.to_parquet` per split. Target: at
  least the rows/s of `datasets`.

The bench-only schema (ANT's six topics plus the news schema's entity family, so sentences get
their `tokens` column) is written to a temporary folder from `schemas/news.yaml`.
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import sys
import tempfile
import time
from pathlib import Path

from measure import Measured, load, measure, spread
from ruamel.yaml import YAML

REPO = Path(__file__).resolve().parents[1]
ANT = REPO.parent / "shared" / "corpora" / "ant-v2.1.jsonl.gz"
ANT_TOPICS = {
    "internationalNews": ("أخبار دولية", "أحداث العالم خارج الشرق الأوسط."),
    "middleEast": ("الشرق الأوسط", "أحداث الدول العربية وإيران وتركيا وإسرائيل."),
    "sport": ("رياضة", "المباريات والبطولات والرياضيون."),
    "economy": ("اقتصاد", "الأسواق والأسعار والطاقة والشركات."),
    "technology": ("تكنولوجيا", "الاتصالات والإنترنت والعلوم."),
    "culture": ("ثقافة", "الأدب والفنون والتراث."),
}


def write_bench_schema(folder: Path) -> Path:
    yaml = YAML()
    news = yaml.load((REPO / "schemas" / "news.yaml").read_text(encoding="utf-8"))
    topic = copy.deepcopy(news["labels"]["topic"])
    topic["multiple"] = False
    topic["values"] = [
        {
            "value": value,
            "ar": ar,
            "description": description,
            "example": description,
            "hotkey": str(i + 1),
            "color": "#777777",
        }
        for i, (value, (ar, description)) in enumerate(ANT_TOPICS.items())
    ]
    schema = {
        "name": "ant_topics",
        "version": 1,
        "description": "ANT v2.1 topics (benchmark only).",
        "labels": {"topic": topic, "entity": news["labels"]["entity"]},
    }
    path = folder / "ant_topics.yaml"
    with path.open("w", encoding="utf-8") as handle:
        yaml.dump(schema, handle)
    return path


def write_inputs(folder: Path, limit: int | None) -> Path:
    """The corpus itself, or its first ``limit`` lines in a file of their own."""
    if not limit:
        return ANT
    path = folder / f"ant-first-{limit}.jsonl"
    with gzip.open(ANT, "rt", encoding="utf-8") as source, path.open("w", encoding="utf-8") as target:
        for number, line in enumerate(source):
            if number >= limit:
                break
            target.write(line)
    return path


def recipe_for(folder: Path, limit: int | None):
    from curation.export.recipe import Recipe

    data = {
        "name": "ant-bench",
        "inputs": [str(write_inputs(folder, limit))],
        "schema": str(write_bench_schema(folder)),
        "labels_from_meta": {"topic": "topic"},
        "split": {"seed": 1, "ratios": {"train": 0.8, "validation": 0.1, "test": 0.1}, "stratify": "topic"},
        "formats": ["huggingface"],
    }
    return Recipe.from_dict(data, base=folder, source="bench recipe")


def child_build(limit: int | None) -> dict:
    from curation.export.building import build

    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        started = time.perf_counter()
        report = build(recipe_for(Path(tmp), limit))
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in report.files)
    return {
        "documents": report.documents,
        "rows": report.articles + report.sentences,
        "articles": report.articles,
        "sentences": report.sentences,
        "seconds": seconds,
        "phases": report.seconds,
        "clusters": report.clusters,
        "problems": len(report.problems),
        "megabytes": size / 1e6,
    }


def make_rows(recipe) -> tuple[dict[str, list[dict]], dict, object, float]:
    """The same row dicts the build makes (no dedup: the cluster column is empty), held in lists
    (what `Dataset.from_list` needs)."""
    from curation.export.annotations import LabelSource
    from curation.export.building import layouts_for
    from curation.export.rowpass import ClusterOf, RowMaker
    from curation.ingest import read_documents
    from curation.schema import load_schema
    from curation.segment.pipeline import segment_documents

    started = time.perf_counter()
    schema = load_schema(recipe.resolve(recipe.schema))
    labels = LabelSource(schema, labels_from_meta=recipe.labels_from_meta)
    layouts = layouts_for(schema, labels)
    maker = RowMaker(layouts, labels, recipe.base, recipe.split.stratify, cluster_of=ClusterOf(None))
    documents = read_documents([recipe.resolve(i) for i in recipe.inputs], [], settings=recipe.ingest)
    rows: dict[str, list[dict]] = {"articles": [], "sentences": []}
    for segmented in segment_documents(documents, recipe.settings.segmenter):
        for config, row in maker.rows(segmented):
            rows[config].append(row)
    return rows, layouts, maker, time.perf_counter() - started


def child_export(tool: str, limit: int | None) -> dict:
    from curation.dedup import DedupResult
    from curation.export.building import BuildReport, _write_outputs, place_articles
    from curation.export.rowpass import CONFIGS
    from curation.export.spill import RowSpill
    from curation.pipeline.options import ExecutorOptions

    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        folder = Path(tmp)
        recipe = recipe_for(folder, limit)
        rows, layouts, maker, rows_seconds = make_rows(recipe)
        placement = place_articles(maker.article_keys, lambda _: None, DedupResult(), recipe)
        names = list(recipe.split.ratios)
        split_of = {key.id: names[code] for key, code in zip(maker.article_keys, placement.splits.tolist(), strict=True)}
        total = sum(len(r) for r in rows.values())
        started = time.perf_counter()
        if tool == "curation":  # the build's own steps: rows encoded into a spill, then one pass per split
            spills = {name: RowSpill(folder / f"{name}.arrow", layouts[name].features()) for name in CONFIGS}
            for name, spill in spills.items():
                for row in rows[name]:
                    spill.add(row)
                spill.finish()
            out = folder / "out"
            one = ExecutorOptions(workers=1)  # the peer writes in one process too
            spilled = {name: [(str(spill.path), spill.num_rows)] for name, spill in spills.items()}
            _write_outputs(recipe, out, spilled, layouts, placement, BuildReport(out), one, folder)
        else:
            from datasets import Dataset, disable_progress_bars

            disable_progress_bars()
            for name, (_, key) in CONFIGS.items():
                features = layouts[name].features()
                for split in recipe.split.ratios:
                    part = [row for row in rows[name] if split_of[row[key]] == split]
                    Dataset.from_list(part, features=features).to_parquet(
                        str(folder / "hf" / name / f"{split}.parquet")
                    )
        seconds = time.perf_counter() - started
        size = sum(p.stat().st_size for p in folder.rglob("*.parquet"))
    return {
        "rows": total,
        "rows_seconds": rows_seconds,
        "seconds": seconds,
        "megabytes": size / 1e6,
    }


def run_child(mode: str, limit: int | None, folder: Path) -> tuple[dict, Measured]:
    """One child process, measured; what it reports of itself comes back through a file."""
    result = folder / f"{mode}.json"
    command = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--result", str(result)] + (["--limit", str(limit)] if limit else [])
    measured = measure(command, folder)
    if measured.refused:
        raise SystemExit(f"{mode}: {measured.refused}")
    return json.loads(result.read_text(encoding="utf-8")), measured


def spreads(runs: list[Measured]) -> str:
    return (
        f"wall {spread([r.wall for r in runs], '{:.1f}'.format)} s, CPU {spread([r.cpu for r in runs], '{:.1f}'.format)} s, "
        f"PSS {spread([r.pss for r in runs], '{:.0f}'.format)} MB"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, help="only the first N ANT articles")
    parser.add_argument("--only", choices=["build", "export"], help="run one section")
    parser.add_argument("--rounds", type=int, default=3, help="rounds (each tool once per round)")
    parser.add_argument("--child", choices=["build", "curation", "datasets"], help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = child_build(args.limit) if args.child == "build" else child_export(args.child, args.limit)
        args.result.write_text(json.dumps(result), encoding="utf-8")
        return
    scope = f"first {args.limit:,} articles" if args.limit else "all articles"
    with tempfile.TemporaryDirectory(prefix="bench-export-runs-") as scratch:
        folder = Path(scratch)
        if args.only in (None, "build"):
            bench_build(args.limit, args.rounds, scope, folder)
        if args.only in (None, "export"):
            bench_export(args.limit, args.rounds, scope, folder)


def bench_build(limit: int | None, rounds: int, scope: str, folder: Path) -> None:
    print(f"\n## curation build: ANT v2.1, {scope}, local executor, {rounds} round(s)\n")
    print(f"{'documents':>10}{'articles':>10}{'sentences':>11}{'rows':>10}{'wall s':>9}{'CPU s':>9}{'PSS MB':>9}{'Parquet MB':>12}")
    runs = []
    for _ in range(rounds):
        r, measured = run_child("build", limit, folder)
        runs.append(measured)
        print(
            f"{r['documents']:10,}{r['articles']:10,}{r['sentences']:11,}{r['rows']:10,}{measured.wall:9.1f}"
            f"{measured.cpu:9.1f}{measured.pss:9.0f}{r['megabytes']:12.1f}  {load()}"
        )
        print("  phases (s): " + ", ".join(f"{k} {v:.1f}" for k, v in r["phases"].items()))
    print(f"build: {spreads(runs)}; near-duplicate clusters: {r['clusters']:,}; problems: {r['problems']:,}")
    print("target: PSS < 1,024 MB")


def bench_export(limit: int | None, rounds: int, scope: str, folder: Path) -> None:
    print(f"\n## export step only, same rows (ANT, {scope}), one process per tool, in turn, {rounds} round(s)\n")
    print(f"{'tool':<44}{'rows':>10}{'step s':>8}{'rows/s':>9}{'wall s':>8}{'CPU s':>8}{'PSS MB':>8}{'Parquet MB':>11}")
    labels = {"curation": "curation spill + SplitWriter + label counts", "datasets": "datasets from_list + to_parquet"}
    runs: dict[str, list[Measured]] = {tool: [] for tool in labels}
    steps: dict[str, list[float]] = {tool: [] for tool in labels}
    for round_ in range(rounds):
        for tool in labels if round_ % 2 == 0 else reversed(labels):
            r, measured = run_child(tool, limit, folder)
            runs[tool].append(measured)
            steps[tool].append(r["seconds"])
            print(
                f"{labels[tool]:<44}{r['rows']:10,}{r['seconds']:8.1f}{r['rows'] / r['seconds']:9.0f}{measured.wall:8.1f}"
                f"{measured.cpu:8.1f}{measured.pss:8.0f}{r['megabytes']:11.1f}  {load()}"
            )
    for tool, label in labels.items():
        print(f"{label}: export step {spread(steps[tool], '{:.1f}'.format)} s; whole process {spreads(runs[tool])}")
    print("both processes first spend the same time making the rows (segmenter + row builder, rows held in a list);")
    print("the whole process's CPU and PSS include those lists, so they are not the build's footprint (see the build)")


if __name__ == "__main__":
    main()
