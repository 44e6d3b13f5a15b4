"""The README and the pages of ``docs/`` say what runs, and it does: their snippets are checked as
doctests would check them.

- Every ``curation ...`` line of a shell block names a real command with real options.
- The README's quick-start workspace walk-through runs for real, up to the first step that needs a server.
- The Python blocks of each document run in order in one namespace per document, in a folder holding the seed
  pages and the units of ``curation segment seeds -o units.jsonl``; a comment that is a Python literal
  after an expression is its expected value. A block that needs a running Label Studio, a built dataset
  or data of the reader's own (an annotation, a model) has its imports run and its names checked instead.
- Every file a command of these documents writes is ignored by git.
"""

from __future__ import annotations

import ast
import builtins
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest

from curation.cli import main

ROOT = Path(__file__).resolve().parents[1]
# name -> text of every document whose snippets are checked: the README, then the pages of docs/
DOCS = {
    path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
    for path in (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
}
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.MULTILINE | re.DOTALL)
OUTPUT_OPTIONS = {"-o", "--output", "--contained", "--repeated"}
# what only a reader's own setup provides: a server, a built export, their annotations or model
NEEDS_MORE = ("start_server", "server.client", "load_dataset", "annotation", "ner_pipeline", "review_decisions", "unit_id")


def blocks(language: str, doc: str = "README.md") -> list[tuple[int, str]]:
    """(line number, code) of each fenced block in ``language`` of the document ``doc``."""
    text = DOCS[doc]
    return [(text[: m.start()].count("\n") + 1, m.group(2)) for m in BLOCK.finditer(text) if m.group(1) == language]


def command_lines() -> list[tuple[str, list[str]]]:
    """Each ``curation ...`` command of the shell blocks of every document, as ``doc:line`` and words
    (comments and ``&&`` chains split)."""
    found = []
    for doc in DOCS:
        for line_number, code in blocks("sh", doc) + blocks("console", doc):
            for offset, line in enumerate(code.replace("\\\n", " ").splitlines(), start=1):
                line = line.removeprefix("$ ").split("  #")[0].strip()
                for part in line.split("&&"):
                    words = shlex.split(part, comments=True)
                    if words[:1] == ["curation"]:
                        found.append((f"{doc}:{line_number + offset}", words[1:]))
    return found


def resolve(words: list[str]) -> tuple[click.Command, list[str]]:
    command: click.Command = main
    while isinstance(command, click.Group) and words and not words[0].startswith("-"):
        found = command.get_command(click.Context(command), words[0])
        assert found is not None, f"no command {words[0]!r}"
        command, words = found, words[1:]
    return command, words


@pytest.mark.parametrize(("line", "words"), command_lines(), ids=lambda v: v if isinstance(v, str) else " ".join(v))
def test_every_command_line_names_real_commands_and_options(line: str, words: list[str]) -> None:
    command, rest = resolve(words)
    # resilient: paths need not exist here; unknown commands and options still fail
    command.make_context(command.name or "curation", list(rest), resilient_parsing=True)


def test_files_written_by_readme_commands_are_ignored_by_git() -> None:
    written = {words[i + 1] for _, words in command_lines() for i, w in enumerate(words[:-1]) if w in OUTPUT_OPTIONS}
    outputs = {path for path in written if not path.startswith(("/", "..", "~")) and path != "-"}  # inside the repo
    outputs |= {"report.html", "my-corpus/curation.yaml", "exports/seed-news/manifest.json"}
    assert len(outputs) > 4
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *sorted(outputs)], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    assert sorted(set(ignored)) == sorted(outputs)


def _bin_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CURATION_", "LABEL_STUDIO_"))}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    env["HOME"] = str(tmp_path)
    return env


def test_the_quick_start_workspace_runs_up_to_the_server(tmp_path: Path) -> None:
    (walkthrough,) = [code for _, code in blocks("sh") if "curation init my-corpus" in code]
    offline = walkthrough.split("curation studio up")[0]
    script = offline.replace(". .venv/bin/activate", ":")  # the test's interpreter is already the venv's
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, env=_bin_env(tmp_path), capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    data = tmp_path / "my-corpus" / "data"
    assert (data / "units.jsonl").stat().st_size > 0
    page = (data / "report.html").read_text(encoding="utf-8")
    assert 'dir="rtl"' in page and "000_1276ca6894bdea22.txt" in page
    assert "my_corpus v1" in result.stderr  # schema check read the workspace's own schema, no --schema given


def _free_names(tree: ast.AST) -> set[str]:
    assigned = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    assigned |= {(a.asname or a.name).split(".")[0] for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return used - assigned - set(dir(builtins))


def _expected(comment: str) -> tuple[bool, Any]:
    """The longest prefix of ``comment`` that is a Python literal, if it starts like one."""
    if comment[:1] not in "[('\"{-0123456789":
        return False, None
    for end in range(len(comment), 0, -1):
        try:
            return True, ast.literal_eval(comment[:end])
        except (ValueError, SyntaxError):
            continue
    return False, None


def _run_block(code: str, namespace: dict[str, Any], doc: str) -> int:
    """Run one block statement by statement; an expression followed by a literal comment must equal
    it. Returns how many such expected values were checked."""
    checked = 0
    lines = code.splitlines()
    for statement in ast.parse(code).body:
        source = "\n".join(lines[statement.lineno - 1 : statement.end_lineno])
        if isinstance(statement, ast.Expr) and "  # " in lines[statement.end_lineno - 1]:
            is_literal, expected = _expected(lines[statement.end_lineno - 1].split("  # ", 1)[1].strip())
            value = eval(compile(ast.Expression(statement.value), doc, "eval"), namespace)
            if is_literal:
                assert value == expected, f"{source!r} gave {value!r}, {doc} says {expected!r}"
                checked += 1
            continue
        exec(compile(ast.Module([statement], []), doc, "exec"), namespace)
    return checked


def test_python_snippets_run_and_give_what_the_readme_says(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(ROOT / "seeds", tmp_path / "seeds")
    monkeypatch.chdir(tmp_path)
    segmented = subprocess.run(
        ["curation", "segment", "seeds", "-o", "units.jsonl"], env=_bin_env(tmp_path), capture_output=True, text=True
    )
    assert segmented.returncode == 0, segmented.stderr
    # `page` in a snippet stands for a page's text
    page_text = (tmp_path / "seeds" / "000_1276ca6894bdea22.txt").read_text(encoding="utf-8")
    ran, checked, only_imports = 0, 0, []
    for doc in DOCS:
        namespace: dict[str, Any] = {"page": page_text}  # one namespace per document: a reader starts each afresh
        for line, code in blocks("python", doc):
            tree = ast.parse(code)  # every block is valid Python
            needs = [name for name in NEEDS_MORE if name in code]
            unknown = _free_names(tree) - set(namespace)
            if needs or unknown:
                for statement in tree.body:  # its imports resolve, the names it uses exist
                    if isinstance(statement, (ast.Import, ast.ImportFrom)):
                        exec(compile(ast.Module([statement], []), doc, "exec"), namespace)
                only_imports.append(f"{doc}:{line}")
                continue
            checked += _run_block(code, namespace, doc)
            ran += 1
    assert ran >= 7 and checked >= 5, (ran, checked, only_imports)

