"""Values that must never reach a message, a log or an export (API keys, passwords, Hub tokens).

Kept free of heavy imports so that any module, the CLI's error printer included, can scrub text
without loading the Label Studio SDK.
"""

from __future__ import annotations

_SECRETS: set[str] = set()


def register_secret(secret: str | None) -> None:
    """Remember a value that must never appear in an error message."""
    if secret:
        _SECRETS.add(secret)


def scrub(message: str) -> str:
    """The message with every registered secret replaced by ``***``."""
    for secret in _SECRETS:
        message = message.replace(secret, "***")
    return message
