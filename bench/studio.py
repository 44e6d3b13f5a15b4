"""Label Studio bridge benchmark: our push and pull beside Label Studio's own bulk calls,
measured in the same rounds against the same fresh local server.

    .venv/bin/python bench/studio.py                     # 100,000 sentences, 10,000 annotated tasks
    .venv/bin/python bench/studio.py --units 20000 --annotated 2000   # quicker

Units are real: ANT v2.1 articles (../shared/corpora) through `curation segment`'s pipeline.
Each step prints wall seconds, CPU seconds of this process plus the server's process tree (the
server does most of an import's work) and the summed PSS of both after it, with the load average;
then medians (min-max) over the rounds and the ratio of each round.
Targets: push <= 1.1x one raw `projects.import_tasks`, every round; unchanged re-push < 10% of a
push; first pull <= Label Studio's full JSON export, every round; unchanged pull < 5% of a first pull.

What each push figure compares:
- in-process: `push_units` (look-up, creation, reading the units file, payloads, journal) against
  the SDK's `projects.import_tasks` of the very same tasks, built before its clock starts, into a
  project made before its clock starts. A round runs them ABBA (raw, push, push, raw; the next
  round push first), so the server's drift within a round weighs on both alike; the round's ratio
  is the sum of its two pushes over the sum of its two imports. The peer's own two runs of a round
  (slower / faster) are printed as the noise floor such a ratio stands on.
- command line (`--only cli`, or by default): a fresh `curation push UNITS --level sentence` process
  (it creates its project: whoami, a look-up by title, the creation with the labelling config,
  then its imports) against fresh processes that import the same tasks from a ready JSON file,
  as someone using the raw API would: `curl` creating the project from a ready JSON file (title
  and the same labelling config) and posting the tasks into it, all inside its clock (the peer
  the target is judged against: the same outcome, a project with its tasks); `curl` posting the
  tasks alone into a project made before its clock starts (the earlier bench's peer, kept: Label
  Studio's import and nothing else, less work than the push's outcome needs); and a Python script
  calling the SDK (`projects.create`, then `projects.import_tasks`). Each is measured with
  measure.py (the process tree's CPU and peak PSS) plus the server's CPU and PSS over the same
  time. Interleaved, the first of a round taking turns, after one push that is not counted (the
  server's lazy loading and the command's bytecode fell on round 1's first run, always the push).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import load, measure, pss_mb, spread, tree, tree_cpu

from curation.ingest import read_documents
from curation.schema import default_schema_path, load_schema
from curation.segment.pipeline import segment_document
from curation.studio.contract import StudioGateway, export_endpoint, import_endpoint
from curation.studio.projects import ensure_project
from curation.studio.pull import pull_annotations
from curation.studio.push import push_units
from curation.studio.selection import Selection
from curation.studio.server import StudioServer, start_server, stop_server
from curation.studio.tasks import read_units_to_push, task_data
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


@dataclass(slots=True)
class Step:
    """One timed step: wall seconds, CPU seconds of this process and of the server's process tree
    (user + system: most of an import's work is the server's), summed PSS of both after it."""

    wall: float
    cpu: float
    pss: float


class Requests:
    """Every HTTP request the bench's client makes (ours and the SDK's share its connection pool):
    wall seconds and the server tree's CPU seconds of each, to show where a step's time goes."""

    def __init__(self, client, server: StudioServer) -> None:
        self.pids, self.seen, self.started = tree(server.pid), [], (0.0, 0.0)  # the server's processes, found once:
        client.http.event_hooks = {"request": [self.sent], "response": [self.answered]}  # a /proc walk costs 20 ms

    def server_cpu(self) -> float:
        return sum(tree_cpu(pid, children=False) for pid in self.pids)

    def sent(self, _request) -> None:
        self.started = (time.perf_counter(), self.server_cpu())

    def answered(self, response) -> None:
        response.read()  # the body is part of the request's cost
        path = response.request.url.path.strip("/").split("/")
        path = "/".join("N" if part.isdigit() else part for part in path)  # api/projects/N/import
        self.seen.append((f"{response.request.method} {path}", time.perf_counter() - self.started[0],
                          self.server_cpu() - self.started[1]))  # fmt: skip

    def show(self) -> None:
        for what, wall, cpu in self.seen:
            print(f"      {what:<50} {wall:8.2f} s wall {cpu:8.2f} s server CPU")
        self.seen.clear()


def timed(label: str, server: StudioServer, call: Callable[[], Any], requests: Requests) -> tuple[Any, Step]:
    requests.seen.clear()
    before = (time.perf_counter(), time.process_time(), tree_cpu(server.pid))
    result = call()
    after = (time.perf_counter(), time.process_time(), tree_cpu(server.pid))
    step = Step(after[0] - before[0], after[1] - before[1] + after[2] - before[2], pss_mb(tree(server.pid) + tree(os.getpid())))
    print(f"  {label:<52} {step.wall:8.2f} s wall {step.cpu:8.2f} s CPU {step.pss:6.0f} MB PSS; {load()}\n"
          f"    server CPU {after[2] - before[2]:.2f} s, client CPU {after[1] - before[1]:.2f} s; requests:", flush=True)
    requests.show()
    return result, step


def ratios(ours: list[list[Step]], theirs: list[list[Step]], field: str) -> list[float]:
    """Each round's ratio: the sum of our runs over the sum of the peer's (ABBA: two each)."""
    return [sum(getattr(s, field) for s in o) / sum(getattr(s, field) for s in t) for o, t in zip(ours, theirs, strict=True)]


def compare(what: str, ours: list[list[Step]], theirs: list[list[Step]], target: float, peer: str = "Label Studio") -> None:
    """Medians and spread of both, the ratio of each round (wall and CPU) against ``target``, and the
    noise floor: the peer's own runs against each other, within a round and over all rounds."""
    for name, rounds in ((what, ours), (peer, theirs)):
        steps = [step for round_ in rounds for step in round_]
        print(f"  {name:<14} wall {spread([s.wall for s in steps], '{:.2f}'.format)} s, CPU {spread([s.cpu for s in steps], '{:.2f}'.format)} s, "
              f"PSS {spread([s.pss for s in steps], '{:.0f}'.format)} MB ({len(steps)} runs)")  # fmt: skip
    walls, cpus = ratios(ours, theirs, "wall"), ratios(ours, theirs, "cpu")
    shown = " ".join(f"{w:.2f}x/{c:.2f}x" for w, c in zip(walls, cpus, strict=True))
    print(f"  {what} / {peer}, each round (wall/CPU): {shown}")
    print(f"  {what} / {peer}: wall {spread(walls, '{:.2f}x'.format)}, CPU {spread(cpus, '{:.2f}x'.format)}; "
          f"every round <= {target}x: wall {'yes' if max(walls) <= target else 'no'}, CPU {'yes' if max(cpus) <= target else 'no'}")
    steps = [step for round_ in theirs for step in round_]
    within = [max(s.cpu for s in r) / min(s.cpu for s in r) for r in theirs if len(r) > 1]
    print(f"  noise floor, {peer}'s own runs slowest / fastest: wall {max(s.wall for s in steps) / min(s.wall for s in steps):.2f}x, "
          f"CPU {max(s.cpu for s in steps) / min(s.cpu for s in steps):.2f}x over all rounds"
          + (f"; CPU within a round {' '.join(f'{r:.2f}x' for r in within)}" if within else ""))


def bench_push(client, server, schema, units: Path, work: Path, rounds: int, requests: Requests) -> None:
    """``rounds`` ABBA rounds of the raw import and our push (see the module docstring), each run into
    a fresh project, deleted after it outside the clock so that every run meets the same database."""
    found = read_units_to_push(units, "sentence")
    records = list(found.units.values())
    print(f"push {len(records)} sentence units, {rounds} ABBA round(s)")
    # the baseline imports the very tasks a push sends (each sentence with its context: its article's
    # title and the sentences around it), made before its clock starts
    tasks = [{"data": task_data(r, schema.default_target("sentence"), found.contexts.get(r.id))} for r in records]
    warm = client.projects.create(title="warm-up", label_config=schema.label_config("sentence"))
    client.projects.import_tasks(warm.id, request=tasks[:1000])  # the server's first import pays its lazy loading here
    client.projects.delete(warm.id)
    raw_rounds: list[list[Step]] = []
    our_rounds: list[list[Step]] = []
    state = work / "state"
    for round_ in range(rounds):
        raw_steps: list[Step] = []
        our_steps: list[Step] = []

        def raw(raw_steps: list[Step] = raw_steps) -> None:
            project = client.projects.create(title="raw import baseline", label_config=schema.label_config("sentence"))
            _, step = timed("Label Studio: one projects.import_tasks (baseline)", server,
                            lambda: client.projects.import_tasks(project.id, request=tasks), requests)  # fmt: skip
            raw_steps.append(step)
            client.projects.delete(project.id)

        def ours(our_steps: list[Step] = our_steps, last: bool = round_ == rounds - 1) -> None:
            shutil.rmtree(state, ignore_errors=True)
            report, step = timed("curation push (batches, journal, id map)", server,
                                 lambda: push_units(client, server.url, units, "sentence", schema, state_dir=state), requests)  # fmt: skip
            assert report.created == len(records)
            our_steps.append(step)
            if len(our_steps) < 2 or not last:  # the last push stays, for the unchanged re-push
                client.projects.delete(report.project.id)

        for run in (raw, ours, ours, raw) if round_ % 2 == 0 else (ours, raw, raw, ours):
            run()
        raw_rounds.append(raw_steps)
        our_rounds.append(our_steps)
    _, again = timed("curation push again, unchanged", server,
                     lambda: push_units(client, server.url, units, "sentence", schema, state_dir=state), requests)  # fmt: skip
    client.projects.delete(json.loads(next(state.glob("projects/*/project.json")).read_text())["id"])
    compare("push", our_rounds, raw_rounds, 1.1)
    print(f"  re-push = {again.wall / statistics.median(s.wall for r in our_rounds for s in r):.1%} of the median push (target < 10%)")


SDK_IMPORT = """
import json, os, sys
from pathlib import Path
from label_studio_sdk import LabelStudio
url, tasks, project_file, made = sys.argv[1:]
client = LabelStudio(base_url=url, api_key=os.environ["LABEL_STUDIO_API_KEY"])
project = client.projects.create(**json.loads(Path(project_file).read_text(encoding="utf-8")))
Path(made).write_text(str(project.id))
with open(tasks, encoding="utf-8") as handle:
    client.projects.import_tasks(project.id, request=json.load(handle))
"""

# what a raw-API user types: create the project from a ready JSON file, read its id from the
# answer (the first "id" of it is the project's), post the tasks file into it
CURL_CREATE_AND_IMPORT = """set -e
curl_json() {{ curl -sSf -H @{header} -H 'Content-Type: application/json' "$@"; }}
id=$(curl_json --data-binary @{project} {url}/api/projects | grep -o '"id":[0-9]*' | head -1 | cut -d: -f2)
echo "$id" > {made}
curl_json -o /dev/null --data-binary @{tasks} "{url}/api/projects/$id/import?return_task_ids=true"
"""


def measured(label: str, server: StudioServer, args: list[str], work: Path) -> Step:
    """One command in a fresh process (measure.py: its tree's CPU and peak PSS) plus the server's CPU
    over the same time and its PSS after."""
    before = tree_cpu(server.pid)
    run = measure(args, work)
    step = Step(run.wall, run.cpu + tree_cpu(server.pid) - before, run.pss + pss_mb(tree(server.pid)))
    print(f"  {label:<52} {step.wall:8.2f} s wall {step.cpu:8.2f} s CPU {step.pss:6.0f} MB PSS; {load()}\n"
          f"    server CPU {step.cpu - run.cpu:.2f} s, command CPU {run.cpu:.2f} s", flush=True)
    return step


def bench_cli(client, server, schema, units: Path, work: Path, rounds: int) -> None:
    """``rounds`` rounds of four fresh processes: `curation push`, curl creating its project and
    importing, curl importing into a ready project, and the SDK script (see the module docstring),
    the first of a round taking turns; every project deleted after its run, outside the clock."""
    found = read_units_to_push(units, "sentence")
    found.select(Selection(), "sentence", units)  # what `curation push` keeps by default: body sentences
    tasks = [{"data": task_data(r, schema.default_target("sentence"), found.contexts.get(r.id))} for r in found.units.values()]
    tasks_file, header, project_file, made = work / "tasks.json", work / "auth-header", work / "project.json", work / "made"
    tasks_file.write_text(json.dumps(tasks, ensure_ascii=False), encoding="utf-8")
    project_file.write_text(json.dumps({"title": "raw import baseline", "label_config": schema.label_config("sentence")},
                                       ensure_ascii=False), encoding="utf-8")  # fmt: skip
    header.touch(mode=0o600)
    header.write_text(f"Authorization: Token {server.api_key}\n", encoding="utf-8")  # not on a command line
    os.environ["LABEL_STUDIO_API_KEY"] = server.api_key  # the commands' key, as a user sets it
    python = sys.executable
    # the bytecode every command needs, compiled once into measure.py's cache: no round pays for it
    modules = ("curation.cli.bridge", "curation.cli.studio", "curation.project", "curation.studio.push", "label_studio_sdk.projects.client_ext")
    measure([python, "-c", f"import importlib, importlib.util\nfor m in {modules!r}:\n    importlib.util.find_spec(m) and importlib.import_module(m)"],
            work)  # an older tree (measured "before") has no curation.cli.bridge  # fmt: skip
    print(f"push {len(tasks)} body sentences from the command line, {rounds} interleaved round(s)")
    pushes: list[list[Step]] = []
    curls: list[list[Step]] = []
    ready_curls: list[list[Step]] = []
    scripts: list[list[Step]] = []

    def imported(project: int) -> None:
        assert StudioGateway(client, server.url).task_count(project) == len(tasks)
        client.projects.delete(project)

    def push() -> None:
        state = work / "cli-state"
        shutil.rmtree(state, ignore_errors=True)
        pushes.append([measured("curation push (a fresh process)", server, [
            python, "-m", "curation.cli", "push", str(units), "--level", "sentence", "--url", server.url,
            "--data-dir", str(state), "--schema", str(schema.path)], work)])  # fmt: skip
        imported(json.loads(next(state.glob("projects/*/project.json")).read_text())["id"])

    def curl() -> None:
        script = CURL_CREATE_AND_IMPORT.format(header=header, project=project_file, url=server.url, made=made, tasks=tasks_file)
        curls.append([measured("curl: create the project, POST the tasks file", server, ["bash", "-c", script], work)])
        imported(int(made.read_text()))

    def ready_curl() -> None:
        project = int(client.projects.create(title="raw import baseline", label_config=schema.label_config("sentence")).id)
        ready_curls.append([measured("curl: POST the tasks file into a ready project", server, [
            "curl", "-sSf", "-o", "/dev/null", "-H", f"@{header}", "-H", "Content-Type: application/json",
            "--data-binary", f"@{tasks_file}", f"{server.url}/{import_endpoint(project)}?return_task_ids=true"], work)])  # fmt: skip
        imported(project)

    def script() -> None:
        scripts.append([measured("python: the SDK's create and import_tasks", server,
                                 [python, "-c", SDK_IMPORT, server.url, str(tasks_file), str(project_file), str(made)], work)])  # fmt: skip
        imported(int(made.read_text()))

    # one push before the rounds, not counted: it compiles what the list above leaves out (httpcore,
    # h11...: 0.1 s of CPU) and the server's first import pays its lazy loading (3.7 s, not 3.0),
    # both of which fell on the first run of round 1, always the push
    print("  warm-up, not counted:")
    push()
    pushes.clear()
    runs = (push, curl, ready_curl, script)
    for round_ in range(rounds):
        turn = round_ % len(runs)
        for run in runs[turn:] + runs[:turn]:
            run()
    compare("curation push", pushes, curls, 1.1, "curl create+import")
    compare("curation push", pushes, ready_curls, 1.1, "curl import only")
    compare("curation push", pushes, scripts, 1.1, "SDK script")


def bench_pull(client, server, schema, units: Path, work: Path, count: int, rounds: int, requests: Requests) -> None:
    """Per round a project of ``count`` tasks, each with one annotation (imported with the tasks,
    Label Studio's fastest way to get them there), exported by Label Studio (its one-call JSON
    export: the target's peer; and one export snapshot of the annotated tasks, the cheapest bulk
    read it offers, shown beside it) and pulled by us, the three taking turns to go first."""
    print(f"pull {count} annotated tasks, {rounds} interleaved round(s)")
    result = [{"from_name": "stance", "to_name": "text", "type": "choices", "value": {"choices": ["neutral"]}},
              {"from_name": "topic", "to_name": "text", "type": "choices", "value": {"choices": ["politics"]}}]
    records = list(islice((unit for unit in iter_units(units, "sentence") if isinstance(unit, Sentence)), count))
    tasks = [{"data": {**task_data(r, schema.default_target("article")), "title": ""},
              "annotations": [{"result": result, "completed_by": 1, "lead_time": 3.0}]} for r in records]
    exports: list[Step] = []
    snapshots: list[Step] = []
    pulls: list[Step] = []
    for round_ in range(rounds):
        state, store = work / f"pull-state-{round_}", work / f"annotations-{round_}.jsonl"
        ref, _ = ensure_project(client, server.url, schema, "article", state)  # its own project
        client.projects.import_tasks(ref.id, request=tasks)

        def export(ref_id: int = ref.id) -> None:
            exports.append(timed("Label Studio: full JSON export of the project", server,
                                 lambda: StudioGateway(client, server.url).get_json(export_endpoint(ref_id), {"exportType": "JSON"}, what="exporting"), requests)[1])  # fmt: skip

        def snapshot(ref_id: int = ref.id) -> None:
            snapshots.append(timed("Label Studio: export snapshot of annotated tasks", server,
                                   lambda: StudioGateway(client, server.url).snapshot(ref_id, {"annotated": "only"}), requests)[1])  # fmt: skip

        def pull(state: Path = state, store: Path = store) -> None:
            pulled, step = timed("curation pull (first)", server,
                                 lambda: pull_annotations(client, server.url, schema, "article", store_path=store, state_dir=state), requests)  # fmt: skip
            assert pulled.new + pulled.rejected == count, pulled
            pulls.append(step)

        turn = round_ % 3
        for run in ((export, snapshot, pull)[turn:] + (export, snapshot, pull)[:turn]):
            run()
        if round_ < rounds - 1:  # the next round adopts no project of this title: it makes its own
            client.projects.delete(ref.id)
    _, nothing = timed("curation pull, nothing changed", server,
                       lambda: pull_annotations(client, server.url, schema, "article", store_path=store, state_dir=state), requests)  # fmt: skip
    compare("first pull", [[s] for s in pulls], [[s] for s in exports], 1.0)
    compare("first pull", [[s] for s in pulls], [[s] for s in snapshots], 1.0, "one snapshot")
    print(f"  unchanged pull = {nothing.wall / statistics.median(s.wall for s in pulls):.1%} of the median first pull (target < 5%)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=100_000)
    parser.add_argument("--annotated", type=int, default=10_000)
    parser.add_argument("--only", choices=["push", "cli", "pull"], action="append", help="only this part (repeatable); default: all")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of push and of pull, ours and Label Studio's taking turns")
    parser.add_argument("--port", type=int, default=None, help="port of the bench's own Label Studio (default: a free one)")
    args = parser.parse_args()
    schema = load_schema(default_schema_path())
    work = Path(tempfile.mkdtemp(prefix="bench-studio-"))
    parts = args.only or ["push", "cli", "pull"]
    units = sentence_units(max(args.units, args.annotated) if parts != ["pull"] else args.annotated, work / "units.jsonl")
    print(f"units from ANT in {units}; cores {os.cpu_count()}, {load()}")
    server = start_server(work / "label-studio", port=args.port)
    try:
        client = server.client(timeout=3600)
        requests = Requests(client, server)
        if "push" in parts:
            bench_push(client, server, schema, units, work, args.rounds, requests)
        if "cli" in parts:
            bench_cli(client, server, schema, units, work, args.rounds)
        if "pull" in parts:
            bench_pull(client, server, schema, units, work, args.annotated, args.rounds, requests)
    finally:
        stop_server(work / "label-studio")
        shutil.rmtree(work, ignore_errors=True)  # units, a whole Label Studio database: hundreds of MB


if __name__ == "__main__":
    main()
