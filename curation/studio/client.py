"""Connecting to a Label Studio server and turning every failure into one actionable message.

Callers never see a raw ``httpx`` or SDK traceback: :func:`studio_call` maps connection refusals,
timeouts, bad tokens and missing projects to :class:`StudioError` subclasses whose text says what
to do next. Messages are scrubbed so that an API key can never leak into a log line.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from curation.errors import CurationError

if TYPE_CHECKING:  # the SDK (pandas, pyarrow) and httpx load where a client is made: `--help` stays instant
    import httpx

    from curation.studio.connection import StudioClient

from curation.secrets import register_secret, scrub

API_KEY_ENV = "LABEL_STUDIO_API_KEY"
URL_ENV = "LABEL_STUDIO_URL"
DEFAULT_TIMEOUT_S = 120.0

T = TypeVar("T")


class StudioError(CurationError, RuntimeError):
    """A Label Studio problem with a one-line explanation of what to do."""


class ServerUnreachable(StudioError):
    """Nothing answers at the URL (server down, wrong port, network timeout)."""


class AuthenticationFailed(StudioError):
    """The server answered 401/403: wrong or expired API key."""


class ProjectMissing(StudioError):
    """The project we recorded locally is gone from the server."""


def api_key_from_env() -> str | None:
    return os.environ.get(API_KEY_ENV) or None


def connect(url: str, api_key: str, *, timeout: float = DEFAULT_TIMEOUT_S) -> StudioClient:
    """A client of the server at ``url``; the key may be a legacy token or a personal access
    token (exchanged for short-lived access tokens, by the SDK and by the raw channel alike)."""
    from curation.studio.connection import StudioClient

    register_secret(api_key)
    return StudioClient(url.rstrip("/"), api_key, timeout)


def answer_body(response: httpx.Response) -> object:
    """What an error answer said: its JSON, else the start of its text."""
    try:
        return response.json()
    except ValueError:
        return response.text[:300]


def _explain_status(status: int, body: object, url: str, what: str) -> StudioError:
    """An HTTP error answer, from the SDK or the raw channel, as one line."""
    if status in (401, 403):
        return AuthenticationFailed(
            f"Label Studio at {url} refused the API key (HTTP {status}) while {what}: set "
            f"{API_KEY_ENV} to a valid legacy token or personal access token "
            "(Account & Settings in the web UI)."
        )
    if status == 404:  # callers that know the object was a recorded project say so
        return ProjectMissing(f"the server at {url} answered HTTP 404 (not found) while {what}")
    return StudioError(f"Label Studio at {url} answered HTTP {status} while {what}: {scrub(str(body))[:300]}")


def _api_error(exc: Exception) -> bool:
    """Whether ``exc`` is the SDK's HTTP error (only possible once the SDK is loaded, so never loaded to ask)."""
    loaded = sys.modules.get("label_studio_sdk.core.api_error")
    return loaded is not None and isinstance(exc, loaded.ApiError)


def _explain(exc: Exception, url: str, what: str) -> StudioError:
    import httpx

    if isinstance(exc, StudioError):
        return exc
    if isinstance(exc, httpx.TimeoutException):
        return ServerUnreachable(
            f"Label Studio at {url} did not answer in time while {what}; check the server "
            "(`curation studio status`) and re-run: the command resumes where it stopped."
        )
    if isinstance(exc, httpx.TransportError):
        return ServerUnreachable(
            f"cannot reach Label Studio at {url} while {what}: start it with `curation studio up` "
            "or pass the right --url; re-running afterwards resumes where it stopped."
        )
    if isinstance(exc, httpx.HTTPStatusError):
        return _explain_status(exc.response.status_code, answer_body(exc.response), url, what)
    if _api_error(exc) and getattr(exc, "status_code", None) is not None:
        return _explain_status(exc.status_code, exc.body, url, what)  # type: ignore[attr-defined]
    return StudioError(f"unexpected error talking to Label Studio at {url} while {what}: {scrub(repr(exc))}")


def studio_call(url: str, what: str, call: Callable[[], T]) -> T:
    """Run one SDK call, turning transport and HTTP failures into :class:`StudioError`."""
    with explained(url, what):
        return call()


@contextmanager
def explained(url: str, what: str) -> Iterator[None]:
    """Context manager form of :func:`studio_call` for blocks of several calls."""
    import httpx  # only when Label Studio is called: --help stays light

    try:
        yield
    except Exception as exc:
        if isinstance(exc, httpx.HTTPError) or _api_error(exc):
            raise _explain(exc, url, what) from None
        raise
