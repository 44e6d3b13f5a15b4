"""The one base of every failure a user can act on, and the exit codes the CLI documents.

A :class:`CurationError` carries a message of one line (or ``problems``, one line each) that names the
file, line, unit or setting at fault; the CLI prints it and exits with :attr:`CurationError.exit_code`,
never with a traceback. Library users catch ``CurationError`` once instead of fourteen classes.

Exit codes: 0 done; 1 done with problems, or failed (the message says which); 2 a usage error (a
missing argument, options that do not go together).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


class CurationError(Exception):
    """A failure with a one-line message; ``problems`` when there are several (each one line)."""

    exit_code = EXIT_PROBLEMS

    def __init__(self, message: str = "", problems: Iterable[str] = ()) -> None:
        self.problems = [str(problem) for problem in problems] or ([message] if message else [])
        super().__init__(message or "; ".join(self.problems))


class UsageError(CurationError):
    """The call itself is incomplete or contradictory (what a CLI user fixes in the command line)."""

    exit_code = EXIT_USAGE


def shown(value: Any, limit: int = 60) -> str:
    """A value as a one-line message shows it: its repr (newlines escaped), cut to ``limit``
    characters, since an input can hold anything, of any size or depth."""
    try:
        text = repr(value)
    except RecursionError:
        return "a value nested too deeply to show"
    return text if len(text) <= limit else text[: limit - 3] + "..."
