"""No command writes over one of its own inputs (``segment X.jsonl -o X.jsonl``) or writes two
of its outputs to one file: each is refused before any work starts, so nothing a user has is
replaced by the result of reading it. ``curation build`` adds its folder rules on top
(:mod:`curation.export.output`).
"""

from __future__ import annotations

import glob
import os
from collections.abc import Iterable
from pathlib import Path

from curation.errors import CurationError

STDOUT = "-"


class OutputOverInput(CurationError, ValueError):
    """An output path names an input (or another output) of the same command."""


def _real(path: Path) -> Path:
    """``path`` with its symlinks resolved as far as they go: a symlink loop stays as written
    (``Path.resolve`` raises ``RuntimeError`` on one; its reader reports it, one line)."""
    return Path(os.path.realpath(path))


def _same_file(a: Path, b: Path) -> bool:
    if a.exists() and b.exists():
        return os.path.samefile(a, b)  # hard links and symlinks included
    return _real(a) == _real(b)


def _expanded(item: str | Path) -> list[Path]:
    text = str(item)
    if any(ch in text for ch in "*?[") and not Path(text).exists():
        return [Path(p) for p in glob.glob(text, recursive=True)]
    return [Path(text)]


def check_outputs(outputs: Iterable[str | Path | None], inputs: Iterable[str | Path | None]) -> None:
    """Raise :class:`OutputOverInput` when an output is an input file, lies inside an input folder
    (it would be read back as input next time), or two outputs are the same file."""
    wanted = _files_written(outputs)
    sources = [path for item in inputs if item is not None for path in _expanded(item)]
    for number, output in enumerate(wanted):
        for source in sources:
            _refuse_over_input(output, source)
        if any(_same_file(output, other) for other in wanted[number + 1 :]):
            raise OutputOverInput(f"{output}: named for two outputs; give each its own file")


def _files_written(outputs: Iterable[str | Path | None]) -> list[Path]:
    """The outputs that are files: not left out (None), not standard output (``-``)."""
    return [Path(o) for o in outputs if o is not None and str(o) != STDOUT]


def _refuse_over_input(output: Path, source: Path) -> None:
    """Raise :class:`OutputOverInput` when ``output`` is the input file ``source`` or lies
    inside the input folder ``source``."""
    if source.is_dir():
        if _real(source) in _real(output).parents:
            raise OutputOverInput(f"{output}: is inside the input folder {source}; write the result outside it")
    elif _same_file(output, source):
        raise OutputOverInput(f"{output}: is also an input of this command; write the result to another file")
