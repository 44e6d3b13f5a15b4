"""Label Studio bridge benchmark: our push and pull beside Label Studio's own bulk calls,
measured in the same run against the same fresh local server.

    .venv/bin/python bench/studio.py                     # 100,000 sentences, 10,000 annotated tasks
    .venv/bin/python bench/studio.py --units 20000 --annotated 2000   # quicker

Units are real: ANT v2.1 articles (../shared/corpora) through `curation segment`'s pipeline.
Targets: push <= 1.1x one raw `projects.import_tasks`; unchanged re-push < 10% of the first push;
first pull <= Label Studio's full JSON export; pull with nothing changed < 5% of the first pull.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from itertools import islice
from pathlib import Path

from curation.ingest import read_documents
from curation.schema import default_schema_path, load_schema
from curation.segment.pipeline import segment_document
from curation.studio.contract import StudioGateway, export_endpoint
from curation.studio.projects import ensure_project
from curation.studio.pull import pull_annotations
from curation.studio.push import push_units
from curation.studio.server import start_server, stop_server
from curation.studio.tasks import task_data
from curation.unitfile import iter_units, write_unit_records
from curation.units import Sentence

ANT = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "ant-v2.1.jsonl.gz"


def sentence_units(count: int, out: Path) -> Path:
    """``count`` sentence units (plus their documents) from ANT articles."""
    errors: list = []
    records, sentences = [], 0
    for doc in read_documents([ANT], errors):
        segmented = segment_document(doc)
        records.extend(segmented.records())
        sentences += len(segmented.sentences)
        if sentences >= count:
            break
    kept = 0
    trimmed = []
    for record in records:
        if record["level"] == "sentence":
            if kept == count:
                continue
            kept += 1
        trimmed.append(record)
    write_unit_records(out, trimmed)
    return out


def timed(label: str, call):
    start = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - start
    print(f"  {label:<58} {seconds:8.2f} s", flush=True)
    return result, seconds


def bench_push(client, server, schema, units: Path, work: Path, rounds: int) -> None:
    """``rounds`` rounds, raw import and our push in alternating order, each into a fresh project;
    the best time of each is compared (on a shared machine one round is mostly noise)."""
    records = [unit for unit in iter_units(units, "sentence") if isinstance(unit, Sentence)]
    print(f"push {len(records)} sentence units, best of {rounds} alternating round(s)")
    tasks = [{"data": task_data(r, schema.default_target("sentence"))} for r in records]
    raw_times, our_times = [], []
    for round_ in range(rounds):
        state = work / f"state-{round_}"

        def raw(round_: int = round_) -> None:
            project = client.projects.create(title=f"raw import baseline {round_}", label_config=schema.label_config("sentence"))
            _, seconds = timed("Label Studio: one projects.import_tasks (baseline)",
                               lambda: client.projects.import_tasks(project.id, request=tasks))
            raw_times.append(seconds)

        def ours(state: Path = state) -> None:
            report, seconds = timed("curation push (batches, journal, id map)",
                                    lambda: push_units(client, server.url, units, "sentence", schema, state_dir=state))
            assert report.created == len(records)
            our_times.append(seconds)

        for step in (raw, ours) if round_ % 2 == 0 else (ours, raw):
            step()
        if round_ < rounds - 1:  # the next round's push makes its project anew
            client.projects.delete(json.loads(next(state.glob("projects/*/project.json")).read_text())["id"])
    _, again = timed("curation push again, unchanged", lambda: push_units(client, server.url, units, "sentence", schema, state_dir=state))
    best_raw, best_ours = min(raw_times), min(our_times)
    print(f"  push / raw import = {best_ours / best_raw:.2f}x best of {rounds} (target <= 1.1x); "
          f"re-push = {again / best_ours:.1%} of push (target < 10%)")


def bench_pull(client, server, schema, units: Path, work: Path, count: int) -> None:
    """A project of ``count`` tasks, each with one annotation (imported with the tasks, Label
    Studio's fastest way to get them there), pulled by us and exported by Label Studio."""
    print(f"pull {count} annotated tasks")
    ref, _ = ensure_project(client, server.url, schema, "article", work / "state")  # its own project
    result = [{"from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": ["neutral"]}},
              {"from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["politics"]}}]
    records = list(islice((unit for unit in iter_units(units, "sentence") if isinstance(unit, Sentence)), count))
    tasks = [{"data": {**task_data(r, schema.default_target("article")), "title": ""},
              "annotations": [{"result": result, "completed_by": 1, "lead_time": 3.0}]} for r in records]
    client.projects.import_tasks(ref.id, request=tasks)
    _, export = timed("Label Studio: full JSON export of the project", lambda: StudioGateway(client, server.url).get_json(export_endpoint(ref.id), {"exportType": "JSON"}, what="exporting"))
    store = work / "annotations.jsonl"
    pulled, first = timed("curation pull (first)", lambda: pull_annotations(client, server.url, schema, "article", store_path=store, state_dir=work / "state"))
    assert pulled.new + pulled.rejected == count, pulled
    _, nothing = timed("curation pull, nothing changed", lambda: pull_annotations(client, server.url, schema, "article", store_path=store, state_dir=work / "state"))
    print(f"  first pull / export = {first / export:.2f}x (target <= 1.0x); unchanged pull = {nothing / first:.1%} of first (target < 5%)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--annotated", type=int, default=10_000)
    parser.add_argument("--only", choices=["push", "pull"], default=None)
    parser.add_argument("--rounds", type=int, default=2, help="push rounds (raw and ours alternating); the best of each counts")
    parser.add_argument("--port", type=int, default=None, help="port of the bench's own Label Studio (default: a free one)")
    args = parser.parse_args()
    schema = load_schema(default_schema_path())
    work = Path(tempfile.mkdtemp(prefix="bench-studio-"))
    units = sentence_units(max(args.units, args.annotated) if args.only != "pull" else args.annotated, work / "units.jsonl")
    print(f"units from ANT in {units}")
    server = start_server(work / "label-studio", port=args.port)
    try:
        client = server.client(timeout=3600)
        if args.only != "pull":
            bench_push(client, server, schema, units, work, args.rounds)
        if args.only != "push":
            bench_pull(client, server, schema, units, work, args.annotated)
    finally:
        stop_server(work / "label-studio")
        shutil.rmtree(work, ignore_errors=True)  # units, a whole Label Studio database: hundreds of MB


if __name__ == "__main__":
    main()
