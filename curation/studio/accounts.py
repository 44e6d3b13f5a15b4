"""Annotator accounts on a local Label Studio, the way a person joins: the organisation's
invite link, sign-up, then the user's own API token (legacy token, as the server enables it)."""

from __future__ import annotations

import httpx
from label_studio_sdk import LabelStudio

from curation.secrets import register_secret
from curation.studio.client import AuthenticationFailed, explained, raw_json


def add_annotator(client: LabelStudio, url: str, email: str, password: str) -> str:
    """Sign ``email`` up through the invite link and return that user's API token."""
    register_secret(password)
    with explained(url, "creating an invite link"):
        invite = str(raw_json(client, "api/invite")["invite_url"])  # type: ignore[index]
    with explained(url, f"signing up {email}"), httpx.Client(base_url=url, follow_redirects=True, timeout=60) as web:
        web.get(invite)
        form = {"email": email, "password": password, "csrfmiddlewaretoken": web.cookies.get("csrftoken", "")}
        web.post(invite, data=form, headers={"Referer": url + invite})
        if web.get("/api/current-user/whoami").status_code != 200:  # already exists: log in instead
            web.get("/user/login/")
            form["csrfmiddlewaretoken"] = web.cookies.get("csrftoken", "")
            web.post("/user/login/", data=form, headers={"Referer": url + "/user/login/"})
        response = web.get("/api/current-user/token")
        if response.status_code != 200:
            raise AuthenticationFailed(f"could not sign up or log in {email} at {url} (HTTP {response.status_code})")
        token = str(response.json()["token"])
    register_secret(token)
    return token
