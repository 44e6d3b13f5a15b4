"""``curation publish``: upload a build folder to the Hugging Face Hub as a dataset repository.

It checks what can be checked before touching the Hub (a token exists, the folder is a build,
the Hub answers within a few seconds) so that with no token or no network it fails at once with
a clear message instead of hanging. Every request to the Hub then waits at most ``timeout`` seconds
for an answer (huggingface_hub's own client waits forever), so a server that accepts connections and
never answers is an error, not a hang. The token is never printed: any error text is scrubbed of it.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import httpx2
from huggingface_hub import HfApi, constants, get_token, set_client_factory
from huggingface_hub.utils._http import default_client_factory

from curation.errors import CurationError
from curation.export.manifest import MANIFEST_NAME
from curation.secrets import register_secret, scrub

CONNECT_TIMEOUT_S = 5.0


class PublishError(CurationError, RuntimeError):
    """Publishing could not start or failed; the message never contains the token."""


def resolve_token(token: str | None = None) -> str:
    token = token or os.environ.get("HF_TOKEN") or get_token()
    if not token:
        raise PublishError("no Hugging Face token: set HF_TOKEN or run `hf auth login` (nothing was uploaded)")
    return token


def check_reachable(endpoint: str, timeout: float = CONNECT_TIMEOUT_S) -> None:
    """Open (and close) a TCP connection to the Hub within ``timeout`` seconds."""
    parts = urlsplit(endpoint)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc))
        raise PublishError(f"cannot reach the Hub at {endpoint}: {reason} (nothing was uploaded)") from None


@contextmanager
def hub_timeout(timeout: float) -> Iterator[None]:
    """Every Hub request in the block gives up after ``timeout`` seconds without an answer."""

    def factory() -> httpx2.Client:
        client = default_client_factory()
        client.timeout = httpx2.Timeout(timeout)
        return client

    set_client_factory(factory)
    try:
        yield
    finally:
        set_client_factory(default_client_factory)


def publish(
    export_dir: str | Path,
    repo_id: str,
    *,
    token: str | None = None,
    private: bool = False,
    endpoint: str | None = None,
    timeout: float = CONNECT_TIMEOUT_S,
) -> str:
    """Create (or reuse) the dataset repo ``repo_id`` and upload the folder; returns the commit URL."""
    export_dir = Path(export_dir)
    if not (export_dir / "README.md").is_file() or not (export_dir / MANIFEST_NAME).is_file():
        raise PublishError(
            f"{export_dir}: not a Hugging Face build (README.md and {MANIFEST_NAME} expected); run `curation build`"
        )
    if repo_id.count("/") != 1 or not all(repo_id.split("/")):
        raise PublishError(f"repository {repo_id!r}: expected OWNER/NAME")
    token = resolve_token(token)
    register_secret(token)
    endpoint = (endpoint or constants.ENDPOINT).rstrip("/")
    check_reachable(endpoint, timeout)
    api = HfApi(endpoint=endpoint, token=token)
    try:
        with hub_timeout(timeout):
            api.whoami()
            api.create_repo(repo_id, repo_type="dataset", private=private, exist_ok=True)
            commit = api.upload_folder(
                repo_id=repo_id,
                repo_type="dataset",
                folder_path=export_dir,
                commit_message=f"curation build {export_dir.name}",
            )
    except httpx2.TimeoutException:
        raise PublishError(
            f"the Hub at {endpoint} did not answer within {timeout:g} s (--timeout); no commit was made"
        ) from None
    except Exception as exc:  # noqa: BLE001 - every Hub or network failure: report it without the token
        raise PublishError(scrub(f"publishing to {repo_id} failed: {type(exc).__name__}: {exc}")) from None
    return str(commit)
