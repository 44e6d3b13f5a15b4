"""Who wrote an answer, as curation knows them: an identity that outlives the Label Studio account.

Label Studio names an annotation's author by user id, and shows that user's e-mail only while they
are a member: a member removed from the organisation is listed as "Deleted" (two removed members
look the same), and an e-mail can be changed. So the first time curation sees a user id on a server
it records the name the user had then (their e-mail) in ``identities.json`` (mode 0600, in the
studio folder, beside the project records), and every later pull files that id's answers under
the recorded name, whatever the server shows now. An account added again under the same e-mail
(a new user id) maps to the same identity, so their answers stay one person's; pseudonyms, which
are given per identity, stay stable from build to build.
"""

from __future__ import annotations

from pathlib import Path

from curation.studio.client import StudioError
from curation.studio.contract import StudioGateway, StudioUser
from curation.studio.overlap import read_workspace_json
from curation.studio.server import write_private

IDENTITIES_FILE = "identities.json"


def read_identities(state_dir: Path) -> dict[int, str]:
    """User id -> identity, as recorded in the studio folder (empty before the first pull)."""
    path = Path(state_dir) / IDENTITIES_FILE
    recorded = read_workspace_json(path, "identities file", {})
    if not isinstance(recorded, dict) or not all(str(k).isdigit() and isinstance(v, str) for k, v in recorded.items()):
        raise StudioError(f"{path}: identities must be a JSON object of user id -> name; restore it from a backup")
    return {int(user_id): name for user_id, name in recorded.items()}


def first_seen_name(user: StudioUser) -> str:
    """The identity of a user seen for the first time: their e-mail, or, for a member already
    removed when first seen (the server hides who they were), a name that is theirs alone."""
    return f"removed-user-{user.id}" if user.removed else user.name


def record_identities(state_dir: Path, users: list[StudioUser]) -> dict[int, str]:
    """Record every user not yet known under :func:`first_seen_name`; returns the whole mapping."""
    identities = read_identities(state_dir)
    new = {user.id: first_seen_name(user) for user in users if user.id not in identities}
    if new:
        identities.update(new)
        write_private(Path(state_dir) / IDENTITIES_FILE, {str(k): v for k, v in sorted(identities.items())})
    return identities


def annotator_identities(gateway: StudioGateway, state_dir: Path) -> dict[int, str]:
    """User id -> the identity their answers are stored under, for every user of the server."""
    return record_identities(state_dir, gateway.users())
