"""Memory at scale: `curation build` (from a units file) and `curation dedup` on 1x, 3x and 10x ANT,
each a fresh process on the local executor, measured by ``bench/measure.py`` (wall, CPU seconds of
the process tree, peak summed PSS), in interleaved rounds, with the load average of each run.

    python bench/scale.py                               # 1x, 3x, 10x, three rounds
    python bench/scale.py --scales 1 3 --rounds 3       # leave out 10x
    python bench/scale.py --work /tmp/me/scale          # keep the outputs
    python bench/scale.py --scales 1 --executors local ray   # what Ray costs on one machine

ANT (``../shared/corpora/ant-v2.1.jsonl.gz``) is cut once by `curation segment` (not measured);
the larger corpora rewrite its units file: copy 0 is ANT's units as they are; copy k >= 1 has its
ids and digests mapped through a permutation of the hex digits of its own (the ids keep the shape
`curation segment` gives them), its lines numbered after copy k-1's, and, in every page's text
(and the record's title and author), every fourth word ending in an Arabic letter ends in the k-th
letter of a list instead (one code point for one, so every span stays where it was). Every 5-word
shingle of a copy then differs from the original's: the copies are not near-duplicates of each
other, and 10x ANT has ANT's duplicate structure ten times over (as ten times the news would), not
ten-member clusters. The units are what `curation segment` writes, line for line in its format;
cutting a rewritten page again splits 1.9% of pages' sentences otherwise (the changed words), which
a memory bench can ignore, and costs twice the CPU. Each copy is written once (two at a time, a
JSON pass per document line made for all copies, other lines rewritten as bytes) under
``--cache``, in a folder named by a digest of the code that cuts units, and the scales join them.
A copy's gzip members hold the pages copy 0's do (`curation segment`'s blocks), and a scale has the
index of its members beside it, as `curation segment` writes one: the ranks seek to their pages.

Target of issue 27: summed PSS at 10x <= 1.2x the PSS at 1x, for each command. With
``--executors local ray`` every run is made on each executor in turn (Ray started by the command on
this machine, as `--executor ray` does without RAY_ADDRESS), and each build prints a digest of its
output, so the executors can be seen to write the same bytes.
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import hashlib
import itertools
import json
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from build import output_digest
from measure import Measured, load, measure, spread

import curation
from curation.unitfile import compact_line, gzip_member, index_path, read_index, write_index

ANT = Path("../shared/corpora/ant-v2.1.jsonl.gz")
CURATION = [sys.executable, "-c", "from curation.cli import main; main()"]
LETTERS = "بتثجحخدذرزسشصضطظعغفقكلمن"  # none folded by the normaliser
ARABIC_LETTERS = range(0x0621, 0x064B)
HEX = "0123456789abcdef"
CACHE = Path(".bench-cache/scale")
SEGMENT_CODE = ("segment", "ingest", "pipeline", "units.py", "unitfile.py", "settings.py", "normalize.py", "fileio.py")
TARGET = 1.2
COPIES_FORMAT = b"members"  # copies in copy 0's gzip members, scales with an index (before: one member a copy, no index)


def letter_places(text: str) -> list[int]:
    """Where a copy changes ``text``: the last letter of every fourth word of each line (words split
    by a space), when that letter is Arabic."""
    places, offset = [], 0
    for line in text.split("\n"):
        words = line.split(" ")
        ends = list(itertools.accumulate(len(word) + 1 for word in words))  # one past each word's space
        places.extend(offset + ends[i] - 2 for i in range(3, len(words), 4) if words[i] and ord(words[i][-1]) in ARABIC_LETTERS)
        offset += len(line) + 1
    return places


def rewritten(text: str, places: list[int], copy: int) -> str:
    """``text`` with the letter at each of ``places`` replaced by the copy's letter (the next one
    where it is that letter already): same length, so every span stays where it was."""
    letter, other = LETTERS[(copy - 1) % len(LETTERS)], LETTERS[copy % len(LETTERS)]
    pieces, last = [], 0
    for place in places:
        pieces += (text[last:place], other if text[place] == letter else letter)
        last = place + 1
    pieces.append(text[last:])
    return "".join(pieces)


def hex_table(copy: int) -> str:
    """A permutation of the hex digits, the copy's own: its ids and digests are copy 0's with every
    digit mapped through it (the shape of `curation segment`'s, and none equal to another copy's)."""
    return "".join(random.Random(copy).sample(HEX, len(HEX)))


_DOCUMENT = re.compile(rb'\{"id": "[^"]*", "level": "document"')
_UNIT_IDS = re.compile(rb'("(?:id|parent|doc_id)": "[a-z])([0-9a-f]{16})(?=")')


class Copier:
    """Copy 0's lines as the lines of ``copies``: a document line is decoded once for all of them,
    an article or sentence line only has its ids rewritten, as bytes."""

    def __init__(self, copies: list[int], pages: int) -> None:
        self.copies, self.pages = copies, pages  # pages: ANT's lines, copy k's come after copy k-1's
        self.tables = [str.maketrans(HEX, hex_table(copy)) for copy in copies]
        self.byte_tables = [bytes.maketrans(HEX.encode(), hex_table(copy).encode()) for copy in copies]

    def __call__(self, line: bytes) -> list[bytes]:
        if _DOCUMENT.match(line):
            return self._documents(line)
        pieces = _UNIT_IDS.split(line)  # text, key, hex digits, text, key, hex digits, ..., text
        return [b"".join(p.translate(table) if i % 3 == 2 else p for i, p in enumerate(pieces)) for table in self.byte_tables]

    def _documents(self, line: bytes) -> list[bytes]:
        record = json.loads(line)
        meta = record["meta"]
        texts = {key: meta[key] for key in ("title", "author") if isinstance(meta.get(key), str)}  # as the text's lines
        places = {key: letter_places(text) for key, text in [("text", record["text"]), *texts.items()]}
        lines = []
        for copy, table in zip(self.copies, self.tables, strict=True):
            copied = {key: rewritten(text, places[key], copy) for key, text in texts.items()}
            lines.append(compact_line(record | {
                "id": record["id"][0] + record["id"][1:].translate(table),  # "d": a prefix, not a digit
                "doc_id": record["doc_id"][0] + record["doc_id"][1:].translate(table),
                "text": rewritten(record["text"], places["text"], copy),
                "line": record["line"] + copy * self.pages,
                "sha256": record["sha256"].translate(table),
                "meta": meta | copied | {"id": f"{meta.get('id')}-{copy}"},
            }))
        return lines


def write_copies(base: Path, folder: Path, copies: list[int], pages: int) -> None:
    """Copies ``copies`` of ``base`` in one reading of it, each its own gzip file in ``folder`` cut
    into gzip members where ``base``'s are (the pages of a block, as `curation segment` writes
    them), their ``(bytes, pages, lines)`` beside it for the scale's index."""
    copier = Copier(copies, pages)
    members = read_index(base)
    assert members is not None, f"{base}: no index beside it"
    partials = [folder / f"copy-{copy}.partial.gz" for copy in copies]
    listed: list[list[tuple[int, int, int]]] = [[] for _ in copies]
    with contextlib.ExitStack() as stack:
        targets = [stack.enter_context(path.open("wb")) for path in partials]
        with base.open("rb") as source:
            for member in members:
                source.seek(member.offset)
                lines = gzip.decompress(source.read(member.size)).splitlines(keepends=True)
                copied = zip(*map(copier, lines), strict=True)  # per copy, the member's lines
                for target, found, block in zip(targets, listed, copied, strict=True):
                    written = gzip_member(block)  # as `curation segment` compresses a block
                    target.write(written)
                    found.append((len(written), member.pages, len(lines)))
    for path, copy, found in zip(partials, copies, listed, strict=True):
        members_of(folder / f"copy-{copy}.gz").write_text(json.dumps(found), encoding="utf-8")
        path.rename(folder / f"copy-{copy}.gz")


def members_of(copy: Path) -> Path:
    """Where a copy's gzip members are listed."""
    return copy.with_name(f"{copy.name}.members.json")


def cutting_code() -> str:
    """A digest of the code that cuts and writes units: cached units are made again when it changes."""
    package, digest = Path(curation.__file__).parent, hashlib.sha256(COPIES_FORMAT)
    for name in SEGMENT_CODE:
        files = sorted(package.joinpath(name).rglob("*")) if package.joinpath(name).is_dir() else [package / name]
        for path in (path for path in files if path.is_file() and "__pycache__" not in path.parts):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def ant_units(folder: Path) -> Path:
    """ANT cut by `curation segment` (two workers), once."""
    units = folder / "units-x1.jsonl.gz"
    if not units.is_file():
        measure([*CURATION, "segment", str(ANT.resolve()), "-o", str(units), "--workers", "2", "-q"], folder)
    return units


def units_of(folder: Path, scale: int) -> Path:
    """ANT's units ``scale`` times over (see the module's docstring): copies 1.. written once each,
    two at a time, and joined after copy 0 (gzip members end to end are one gzip file)."""
    base = ant_units(folder)
    path = folder / f"units-x{scale}.jsonl.gz"
    if path.is_file():
        return path
    missing = [copy for copy in range(1, scale) if not (folder / f"copy-{copy}.gz").is_file()]
    if missing:
        started, used = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
        with gzip.open(ANT, "rb") as ant:
            pages = sum(1 for _ in ant)
        shares = [share for share in (missing[0::2], missing[1::2]) if share]
        with ProcessPoolExecutor(len(shares)) as pool:
            list(pool.map(write_copies, *zip(*((base, folder, share, pages) for share in shares), strict=True)))
        now = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = now.ru_utime + now.ru_stime - used.ru_utime - used.ru_stime
        print(f"{len(missing)} copies of ANT's units written in {time.perf_counter() - started:.1f} s wall, "
              f"{cpu:.1f} s CPU ({load()})", flush=True)
    partial, digest = folder / f"units-x{scale}.partial.gz", hashlib.sha256()
    listed = [tuple(member) for member in json.loads(index_path(base).read_text(encoding="utf-8"))["members"]]
    with partial.open("wb") as target:
        for part in [base, *(folder / f"copy-{copy}.gz" for copy in range(1, scale))]:
            with part.open("rb") as source:
                while chunk := source.read(1 << 20):
                    digest.update(chunk)
                    target.write(chunk)
            if part != base:
                listed.extend(map(tuple, json.loads(members_of(part).read_text(encoding="utf-8"))))
    shutil.copyfile(f"{base}.settings.json", f"{path}.settings.json")  # the settings they were cut with
    partial.rename(path)
    write_index(path, listed, digest)  # as `curation segment` writes one: a reader seeks to its pages' members
    return path


def build_args(folder: Path, scale: int, units: Path, executor: str) -> list[str]:
    recipe = folder / f"ant-x{scale}-{executor}.yaml"
    # no labels_from_meta: ANT's topics are not the default schema's labels (a problem per row)
    recipe.write_text(
        f"name: ant-x{scale}\ninputs: [{ANT.resolve()}]\nunits: {units}\ndedup: true\n"
        f"split: {{seed: 13}}\nformats: [huggingface, jsonl]\noutput: {output_of('build', folder, scale, executor)}\n",
        encoding="utf-8",
    )
    return [*CURATION, "build", str(recipe), "--workers", "2", "--executor", executor, "-q"]


def dedup_args(folder: Path, scale: int, units: Path, executor: str) -> list[str]:
    output = output_of("dedup", folder, scale, executor)
    return [*CURATION, "dedup", str(units), "-o", str(output), "--workers", "2", "--executor", executor, "-q"]


def output_of(command: str, folder: Path, scale: int, executor: str) -> Path:
    return folder / (f"out-x{scale}-{executor}" if command == "build" else f"clusters-x{scale}-{executor}.jsonl")


def digest_of(path: Path) -> str:
    """Of the build's data files (bench/build.py), or of the clusters file."""
    return output_digest(path) if path.is_dir() else hashlib.sha256(path.read_bytes()).hexdigest()[:16]


COMMANDS = {"build": build_args, "dedup": dedup_args}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 3, 10], help="times ANT (1: ANT itself)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds (every command at every scale)")
    parser.add_argument("--commands", nargs="+", choices=sorted(COMMANDS), default=sorted(COMMANDS))
    parser.add_argument("--executors", nargs="+", choices=["local", "ray"], default=["local"], help="in turn, each run")
    parser.add_argument("--work", type=Path, help="folder for the outputs, kept (default: a temporary one)")
    parser.add_argument("--cache", type=Path, default=CACHE, help=f"folder of the units, by scale [{CACHE}]")
    args = parser.parse_args()
    cache = (args.cache / cutting_code()).resolve()
    cache.mkdir(parents=True, exist_ok=True)
    units = {scale: units_of(cache, scale) for scale in args.scales}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
        folder = (args.work or Path(scratch)).resolve()
        folder.mkdir(parents=True, exist_ok=True)
        measured: dict[tuple[str, int, str], list[Measured]] = {}
        for round_ in range(args.rounds):
            for command in args.commands:
                for scale in args.scales if round_ % 2 == 0 else reversed(args.scales):
                    for executor in args.executors if round_ % 2 == 0 else reversed(args.executors):
                        run = measure(COMMANDS[command](folder, scale, units[scale], executor), folder)
                        measured.setdefault((command, scale, executor), []).append(run)
                        print(
                            f"round {round_ + 1} {command:<6} {scale:>3}x {executor:<5} {run.wall:7.1f} s wall "
                            f"{run.cpu:7.1f} s CPU {run.pss:6.0f} MB PSS  {load()}  "
                            f"{digest_of(output_of(command, folder, scale, executor))}",
                            flush=True,
                        )
        summary(measured, args)


def summary(measured: dict[tuple[str, int, str], list[Measured]], args: argparse.Namespace) -> None:
    """Medians (min-max) per command, scale and executor; PSS against the smallest scale, and
    CPU and PSS against the first executor."""
    print(f"\n{'command':<8} {'scale':>5} {'executor':<8} {'wall s':>18}  {'CPU s':>18}  {'PSS MB':>16}  PSS / 1x")
    for command in args.commands:
        for executor in args.executors:
            base = statistics.median(run.pss for run in measured[command, min(args.scales), executor])
            for scale in args.scales:
                runs = measured[command, scale, executor]
                pss = [run.pss for run in runs]
                print(
                    f"{command:<8} {scale:>4}x {executor:<8} {spread([r.wall for r in runs], '{:.1f}'.format):>18}  "
                    f"{spread([r.cpu for r in runs], '{:.1f}'.format):>18}  {spread(pss, '{:.0f}'.format):>16}  "
                    f"{statistics.median(pss) / base:.2f}x (target <= {TARGET})"
                )
        for executor in args.executors[1:]:
            for scale in args.scales:
                pairs = zip(measured[command, scale, executor], measured[command, scale, args.executors[0]], strict=True)
                cpu, pss = zip(*((other.cpu / first.cpu, other.pss / first.pss) for other, first in pairs), strict=True)
                print(
                    f"{command} {scale}x {executor} / {args.executors[0]}: CPU {spread(list(cpu), '{:.2f}x'.format)}, "
                    f"PSS {spread(list(pss), '{:.2f}x'.format)}"
                )


if __name__ == "__main__":
    main()
