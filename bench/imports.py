"""Import fidelity: WikiFANE (../shared/corpora) through import -> push -> pull -> build, and what
comes out compared with what the corpus says, beside the code of another checkout (the previous
behaviour) in the same rounds, against the same fresh local Label Studio.

    .venv/bin/python bench/imports.py                          # this tree beside /work/main
    .venv/bin/python bench/imports.py --before ../main --sentences 2000 --rounds 1

Each round runs, for each checkout, one child process with that checkout's ``curation``: a schema
drafted from the corpus (``schema new --from``), ``import --as predictions``, ``push`` with the
predictions, Label Studio's own "predictions to annotations" action (what an annotator accepting
every pre-annotation does), ``pull``, ``build``. The parent reads the build's sentence rows and
the corpus itself (BIO decoded here, conlleval-style: a lone I- opens a span) and prints entities
in/out, tokens equal % and text equal % (per corpus sentence: the rows of its page, in order, hold
exactly its tokens as given and its text), and whether every lone I- was reported at its line.
Target: 100% of entities and tokens.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sys
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from measure import Measured, load, measure, spread

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "wikifane-gold-2014.txt.gz"
HERE = Path(__file__).resolve().parents[1]
BIDI = dict.fromkeys(map(ord, "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\ufeff"))


@dataclass
class Sentence:
    """One corpus sentence: its tokens as given, tags, and the line of each token."""

    tokens: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The text an import should make: the tokens without bidi marks, NFC, one space apart."""
        return " ".join(unicodedata.normalize("NFC", token.translate(BIDI)) for token in self.tokens)

    def entities(self) -> tuple[set[tuple[int, int, str]], list[int]]:
        """(start, end, label) in :attr:`text`, and the lines of the I- tags that open a span."""
        offsets, position = [], 0
        for token in self.tokens:
            size = len(unicodedata.normalize("NFC", token.translate(BIDI)))
            offsets.append((position, position + size))
            position += size + 1
        spans, lone, current = set(), [], None
        for index, tag in enumerate([*self.tags, "O"]):
            prefix, _, label = tag.partition("-")
            if prefix == "I" and current is not None and current[2] == label:
                current = (current[0], index, label)
                continue
            if current is not None:
                spans.add((offsets[current[0]][0], offsets[current[1]][1], current[2]))
                current = None
            if prefix == "I":
                lone.append(self.lines[index])
            if prefix in ("B", "I"):
                current = (index, index, label)
        return spans, lone


def read_corpus(path: Path, limit: int | None) -> tuple[str, list[Sentence]]:
    """The corpus's raw text (first ``limit`` sentences) and its sentences."""
    raw = gzip.decompress(path.read_bytes()).decode("utf-8-sig")
    sentences, current, kept = [], Sentence(), []
    for number, line in enumerate(raw.split("\r\n"), start=1):
        if limit is not None and len(sentences) >= limit:
            break
        kept.append(line)
        if not line.strip():
            if current.tokens:
                sentences.append(current)
            current = Sentence()
            continue
        token, tag = line.split("\t")
        current.tokens.append(token)
        current.tags.append(tag)
        current.lines.append(number)
    if current.tokens and (limit is None or len(sentences) < limit):
        sentences.append(current)
    return "\r\n".join(kept) + "\r\n", sentences


def run_chain(work: Path, corpus: Path, studio: Path) -> None:
    """In a child with one checkout's ``curation``: import, push, accept, pull, build in ``work``."""
    from ruamel.yaml import YAML

    from curation.export import build
    from curation.export.recipe import load_recipe
    from curation.imports import import_corpus
    from curation.project import Project
    from curation.schema import load_schema
    from curation.studio.pull import pull_annotations
    from curation.studio.push import push_units
    from curation.studio.server import local_server

    Project.schema_new("wikifane", corpus=corpus, output=work / "schema.yaml", force=True)
    schema = load_schema(work / "schema.yaml")
    imported = import_corpus([corpus], schema, work / "wikifane", as_="predictions", source="wikifane",
                             model_version="wikifane-gold")
    server = local_server(studio)
    client = server.client(timeout=3600)
    pushed = push_units(client, server.url, imported.outputs["units"], "sentence", schema, state_dir=work / "state",
                        predictions_path=imported.outputs["predictions"])
    client.actions.create(id="predictions_to_annotations", project=pushed.project.id,
                          selected_items={"all": True, "excluded": []})
    store = work / "annotations.jsonl"
    pulled = pull_annotations(client, server.url, schema, "sentence", store_path=store, state_dir=work / "state")
    recipe = {"name": "wikifane", "inputs": [str(imported.outputs["docs"])], "schema": str(work / "schema.yaml"),
              "annotations": str(store), "formats": ["jsonl"], "dedup": False,
              "split": {"seed": 1, "ratios": {"train": 1.0}}, "output": str(work / "out")}
    with (work / "recipe.yaml").open("w", encoding="utf-8") as handle:
        YAML().dump(recipe, handle)
    report = build(load_recipe(work / "recipe.yaml"), allow_problems=True)
    summary = {"problems": [str(p) for p in imported.problems], "pushed": pushed.created, "pulled": pulled.new,
               "pull_rejected": pulled.rejected, "build_problems": len(report.problems), "out": str(report.out_dir)}
    (work / "summary.json").write_text(json.dumps(summary, ensure_ascii=False), encoding="utf-8")


@dataclass
class Fidelity:
    entities_in: int = 0
    entities_out: int = 0
    tokens_equal: int = 0
    text_equal: int = 0
    sentences: int = 0
    lone_inside: int = 0
    lone_reported: int = 0
    problems: int = 0


def fidelity(work: Path, corpus_name: str, sentences: list[Sentence]) -> Fidelity:
    """What the build of ``work`` kept of ``sentences``: rows grouped by their page (the line of
    the docs file, one page per corpus sentence), in text order."""
    summary = json.loads((work / "summary.json").read_text(encoding="utf-8"))
    rows: dict[int, list[dict]] = {}
    for path in sorted((Path(summary["out"]) / "jsonl" / "sentences").glob("*.jsonl")):
        for line in path.open(encoding="utf-8"):
            row = json.loads(line)
            rows.setdefault(row["line"], []).append(row)
    reported = {Path(p.split(": ", 1)[0]).name for p in summary["problems"]}
    found = Fidelity(sentences=len(sentences), problems=len(summary["problems"]))
    for number, sentence in enumerate(sentences, start=1):
        page = sorted(rows.get(number, []), key=lambda r: r["start"])
        expected, lone = sentence.entities()
        out = {(r["start"] + e["start"], r["start"] + e["end"], e["label"]) for r in page for e in r["entities"] or ()}
        found.entities_in += len(expected)
        found.entities_out += len(expected & out)
        found.tokens_equal += [t for r in page for t in r["tokens"]] == sentence.tokens
        found.text_equal += " ".join(r["text"] for r in page) == sentence.text
        found.lone_inside += len(lone)
        found.lone_reported += sum(f"{corpus_name}:{line}" in reported for line in lone)
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", type=Path, default=HERE.parent / "main", help="checkout with the previous code")
    parser.add_argument("--sentences", type=int, default=None, help="only the first N sentences (default: all 15,763)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds, the two checkouts alternating")
    parser.add_argument("--chain", nargs=3, metavar=("WORK", "CORPUS", "STUDIO"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.chain:
        run_chain(*(Path(a) for a in args.chain))
        return
    from curation.studio.server import start_server, stop_server

    work = Path(tempfile.mkdtemp(prefix="imports-bench-"))
    raw, sentences = read_corpus(CORPUS, args.sentences)
    corpus = work / "wikifane.txt"
    corpus.write_bytes(("\ufeff" + raw).encode("utf-8"))  # kept as published: BOM, CRLF, U+200E
    checkouts = {"after (this tree)": HERE, f"before ({args.before})": args.before.resolve()}
    print(f"WikiFANE: {len(sentences):,} sentences, {sum(len(s.tokens) for s in sentences):,} tokens; {load()}")
    start_server(work / "label-studio")
    runs: dict[str, list[Measured]] = {name: [] for name in checkouts}
    results: dict[str, Fidelity] = {}
    try:
        for round_ in range(args.rounds):
            for name, code in checkouts.items() if round_ % 2 == 0 else reversed(checkouts.items()):
                folder = work / f"{name.split()[0]}-{len(runs[name])}"  # after-0, before-0: apart even for one checkout
                folder.mkdir()
                env_path = os.environ.get("PYTHONPATH")
                os.environ["PYTHONPATH"] = str(code)
                try:
                    runs[name].append(measure([sys.executable, str(Path(__file__).resolve()), "--chain", str(folder),
                                               str(corpus), str(work / "label-studio")], cwd=folder))
                finally:
                    os.environ.pop("PYTHONPATH") if env_path is None else os.environ.update(PYTHONPATH=env_path)
                results[name] = fidelity(folder, corpus.name, sentences)
                print(f"  round {round_ + 1} {name}: {runs[name][-1].wall:.0f} s; {load()}", flush=True)
        show(results, runs)
    finally:
        stop_server(work / "label-studio")
        shutil.rmtree(work, ignore_errors=True)


def show(results: dict[str, Fidelity], runs: dict[str, list[Measured]]) -> None:
    names = list(results)
    print(f"\n{'':<34}" + "".join(f"{name:>30}" for name in names))

    def line(label: str, value) -> None:
        print(f"{label:<34}" + "".join(f"{value(results[name], name):>30}" for name in names))

    line("entities in (corpus)", lambda r, _: f"{r.entities_in:,}")
    line("entities out (build, exact)", lambda r, _: f"{r.entities_out:,} ({r.entities_out / r.entities_in:.2%})")
    line("tokens equal (sentences)", lambda r, _: f"{r.tokens_equal / r.sentences:.2%}")
    line("text equal (sentences)", lambda r, _: f"{r.text_equal / r.sentences:.2%}")
    line("lone I- reported at their line", lambda r, _: f"{r.lone_reported}/{r.lone_inside}")
    line("import problems", lambda r, _: f"{r.problems:,}")
    line("wall s, median (min-max)", lambda _, n: spread([m.wall for m in runs[n]], lambda v: f"{v:.0f}"))
    line("CPU s of the tree", lambda _, n: spread([m.cpu for m in runs[n]], lambda v: f"{v:.0f}"))
    line("peak PSS MB", lambda _, n: spread([m.pss for m in runs[n]], lambda v: f"{v:.0f}"))


if __name__ == "__main__":
    main()
