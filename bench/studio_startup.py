"""How soon Label Studio answers: a machine's first `curation studio up`, a warm one, and a no-op
`curation pull` and `curation studio status` on a 500-task project, beside the peers, in the same
rounds (bench/measure.py: wall, CPU of the waited process tree, summed PSS; medians with min-max).

    PYTHONPATH=$PWD .venv/bin/python bench/studio_startup.py --rounds 3 [--before ../main]

Peers: `label-studio start` itself on a new and on a used data folder (until /health answers: what
a user without curation waits), and for the two talking commands a one-line SDK script (the
project's task count and the user list, what a hand-written check would ask), plus, with
``--before CHECKOUT``, the same `curation` commands from another checkout (the code before the
change). Targets: first up < 60 s; no-op pull and studio status < 2 s.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure import Measured, load, measure, spread

ANT = Path("../shared/corpora/ant-v2.1.jsonl.gz")  # relative to the worktree the bench runs from
PYTHON = sys.executable
HERE = Path.cwd()
START_PEER = """
import os, subprocess, sys, time, httpx
env = dict(os.environ, LABEL_STUDIO_BASE_DATA_DIR=sys.argv[1], LATEST_VERSION_CHECK="false", COLLECT_ANALYTICS="false",
           SENTRY_DSN="", FRONTEND_SENTRY_DSN="")
binary = os.path.join(os.path.dirname(sys.executable), "label-studio")
server = subprocess.Popen([binary, "start", "--no-browser", "--port", sys.argv[2]], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
while True:
    try:
        if httpx.get(f"http://127.0.0.1:{sys.argv[2]}/health", timeout=2).status_code == 200:
            break
    except httpx.HTTPError:
        pass
    time.sleep(0.5)
os.killpg(server.pid, 15)
server.wait()
"""
SDK_PEER = """
import json, sys
from label_studio_sdk import LabelStudio
creds = json.load(open(sys.argv[1]))
client = LabelStudio(base_url=sys.argv[2], api_key=creds["api_key"])
project = client.projects.get(int(sys.argv[3]))
print(project.task_number, len(client.users.list()))
"""


def curation(checkout: Path, *args: str) -> list[str]:
    return [PYTHON, "-c", f"import sys; sys.path.insert(0, {str(checkout)!r}); from curation.cli import main; sys.exit(main())", *args]


def environment(cache: Path) -> None:
    os.environ["XDG_CACHE_HOME"] = str(cache)  # measure() passes the environment on to the command


def ant_pages(folder: Path, count: int) -> Path:
    target = folder / "pages.jsonl"
    with gzip.open(HERE / ANT, "rt", encoding="utf-8") as source, target.open("w", encoding="utf-8") as out:
        for number, line in enumerate(source):
            if number == count:
                break
            out.write(line)
    return target


def first_and_warm_up(folder: Path, rounds: int) -> dict[str, list[Measured]]:
    """Per round: a new machine (empty cache) and data folder for `studio up` and for the peer, then
    each started again on its used folder."""
    runs: dict[str, list[Measured]] = {name: [] for name in ("first up", "first peer", "warm up", "warm peer")}
    for round_ in range(rounds):
        print(f"round {round_ + 1}: {load()}", flush=True)
        round_dir = Path(tempfile.mkdtemp(prefix="round-", dir=folder))
        environment(round_dir / "cache")
        ours, theirs = round_dir / "ours", round_dir / "peer"
        runs["first up"].append(measure(curation(HERE, "studio", "up", "--data-dir", str(ours)), folder))
        measure(curation(HERE, "studio", "down", "--data-dir", str(ours)), folder)
        port = str(json.loads((ours / "server.json").read_text())["port"] + 1)
        runs["first peer"].append(measure([PYTHON, "-c", START_PEER, str(theirs), port], folder))
        runs["warm up"].append(measure(curation(HERE, "studio", "up", "--data-dir", str(ours)), folder))
        measure(curation(HERE, "studio", "down", "--data-dir", str(ours)), folder)
        runs["warm peer"].append(measure([PYTHON, "-c", START_PEER, str(theirs), port], folder))
        shutil.rmtree(round_dir, ignore_errors=True)
    return runs


def talking(folder: Path, rounds: int, before: Path | None) -> dict[str, list[Measured]]:
    """A no-op pull and a studio status on a 500-task project of ANT body sentences, our code, the
    code ``before`` and the SDK script interleaved in every round."""
    studio = folder / "talk"
    environment(folder / "cache")
    measure(curation(HERE, "studio", "up", "--data-dir", str(studio)), folder)
    try:
        pages = ant_pages(folder, 60)
        units = folder / "units.jsonl"
        measure(curation(HERE, "segment", str(pages), "-o", str(units)), folder)
        measure(curation(HERE, "push", str(units), "--level", "sentence", "--limit", "500", "--data-dir", str(studio)), folder)
        measure(curation(HERE, "pull", "--data-dir", str(studio)), folder)  # the first pull: later ones have nothing to do
        (project,) = (studio / "projects").glob("*/project.json")
        project_id = str(json.loads(project.read_text())["id"])
        url = json.loads((studio / "server.json").read_text())["url"]
        ways = {"pull": (HERE, "pull"), "status": (HERE, "studio", "status")}
        if before is not None:
            ways |= {"pull before": (before, "pull"), "status before": (before, "studio", "status")}
        runs: dict[str, list[Measured]] = {name: [] for name in [*ways, "SDK peer"]}
        for round_ in range(rounds):
            print(f"round {round_ + 1}: {load()}", flush=True)
            for name, (checkout, *command) in ways.items():
                runs[name].append(measure(curation(checkout, *command, "--data-dir", str(studio)), folder))
            runs["SDK peer"].append(measure([PYTHON, "-c", SDK_PEER, str(studio / "credentials.json"), url, project_id], folder))
        return runs
    finally:
        measure(curation(HERE, "studio", "down", "--data-dir", str(studio)), folder)


def show(title: str, runs: dict[str, list[Measured]]) -> None:
    print(f"\n{title}\n  {'':<16} {'wall s':<22} {'CPU s':<22} PSS MB")
    for name, found in runs.items():
        print(f"  {name:<16} {spread([r.wall for r in found], '{:.2f}'.format):<22} "
              f"{spread([r.cpu for r in found], '{:.2f}'.format):<22} {spread([r.pss for r in found], '{:.0f}'.format)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--before", type=Path, help="another checkout whose `curation` is measured beside (e.g. ../main)")
    parser.add_argument("--only", choices=("up", "talk"), help="only the start-ups, or only the talking commands")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="studio-startup-"))
    try:
        if args.only != "talk":
            show("Label Studio start-up (first: a new machine and data folder; warm: the same folder again)",
                 first_and_warm_up(folder, args.rounds))
        if args.only != "up":
            show("a command that talks to Label Studio, 500-task project, nothing changed",
                 talking(folder, args.rounds, args.before.resolve() if args.before else None))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
