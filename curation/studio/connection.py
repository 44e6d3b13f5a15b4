"""The client the bridge talks to Label Studio through: the SDK's typed calls, and a raw channel.

The SDK's typed models cost more than the request on the bulk paths (100,000-task listings,
exports by ``ids[]``, imports sent as ready JSON), and it offers no public raw call. So
:func:`curation.studio.client.connect` makes a :class:`StudioClient`: :class:`RawChannel`, which
sends plain requests on an ``httpx.Client`` of ours with the API key as Label Studio reads it,
and the SDK client built on that same connection pool (the SDK's public ``httpx_client``
parameter) the first time one of its calls is used. Only
:class:`curation.studio.contract.StudioGateway` uses the channel, and the bridge's commands use
nothing else; the SDK's calls remain for scripts and tests. The SDK loads pandas and pyarrow:
1.5 s of CPU, six times the whole of a no-op `curation pull` or `studio status`, so it is loaded
when an SDK call is made, not with the client.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

import httpx

from curation.studio.contract import TOKEN_REFRESH_ENDPOINT

if TYPE_CHECKING:  # typed as the SDK client it stands for; at run time the SDK loads on first use
    from label_studio_sdk import LabelStudio as _SdkCalls
else:
    _SdkCalls = object


def is_refresh_token(api_key: str) -> bool:
    """Whether ``api_key`` is a personal access token (a JWT whose ``token_type`` is ``refresh``)
    rather than a legacy token; its signature is the server's to check."""
    parts = api_key.split(".")
    if len(parts) != 3:
        return False
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return False
    return isinstance(claims, dict) and claims.get("token_type") == "refresh"


class ApiKeyAuth(httpx.Auth):
    """Label Studio's two kinds of key: a legacy token goes as ``Token KEY``; a personal access
    token is exchanged for a short-lived access token (``Bearer``), again when the server refuses
    the one in hand. A refused exchange raises :class:`httpx.HTTPStatusError` (a 401)."""

    requires_response_body = True

    def __init__(self, url: str, api_key: str) -> None:
        self.refresh_url = f"{url}/{TOKEN_REFRESH_ENDPOINT}"
        self.api_key = api_key
        self.personal = is_refresh_token(api_key)
        self.access: str | None = None

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        if not self.personal:
            request.headers["Authorization"] = f"Token {self.api_key}"
            yield request
            return
        if self.access is None:
            yield from self._exchange()
        request.headers["Authorization"] = f"Bearer {self.access}"
        response = yield request
        if response.status_code == 401:  # the access token expired: exchange the key once more
            yield from self._exchange()
            request.headers["Authorization"] = f"Bearer {self.access}"
            yield request

    def _exchange(self) -> Generator[httpx.Request, httpx.Response, None]:
        response = yield httpx.Request("POST", self.refresh_url, json={"refresh": self.api_key})
        response.raise_for_status()
        self.access = str(response.json().get("access"))


class RawChannel:
    """Plain HTTP requests to one Label Studio, authenticated with its API key; a 4xx or 5xx
    answer raises :class:`httpx.HTTPStatusError` (explained by :func:`curation.studio.client.explained`)."""

    def __init__(self, url: str, api_key: str, http: httpx.Client) -> None:
        self.url, self.http, self.auth = url, http, ApiKeyAuth(url, api_key)

    def request(
        self, method: str, path: str, params: dict[str, Any] | None = None, body: bytes | None = None
    ) -> httpx.Response:
        headers = {"content-type": "application/json"} if body is not None else None
        response = self.http.request(
            method, f"{self.url}/{path}", params=params, content=body, headers=headers, auth=self.auth
        )
        response.raise_for_status()
        return response


class StudioClient(_SdkCalls):
    """The SDK client's calls (``client.projects.get(...)``), made by an SDK client built on first
    use, with :attr:`raw`: the channel the gateway's bulk and unwrapped calls use."""

    def __init__(self, url: str, api_key: str, timeout: float) -> None:
        self.http = httpx.Client(timeout=timeout, follow_redirects=True)
        self.raw = RawChannel(url, api_key, self.http)
        self._settings = (url, api_key, timeout)
        self._sdk: Any = None

    def __getattr__(self, name: str) -> Any:
        """An SDK attribute (``projects``, ``tasks``, ``users``...), from the SDK client made now if not yet."""
        if name.startswith("_"):  # never the SDK's for private names (copy, pickle, a half-made client)
            raise AttributeError(name)
        if self._sdk is None:
            from label_studio_sdk import LabelStudio

            url, api_key, timeout = self._settings
            self._sdk = LabelStudio(base_url=url, api_key=api_key, timeout=timeout, httpx_client=self.http)
        return getattr(self._sdk, name)
