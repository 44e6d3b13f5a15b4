"""Who wrote an answer is decided once per user id: a later rename or removal on the server changes nothing."""

from __future__ import annotations

import stat
from pathlib import Path

from curation.studio.contract import DELETED_USER, StudioUser
from curation.studio.identities import IDENTITIES_FILE, read_identities, record_identities


def test_the_first_name_seen_stays_through_a_rename_and_a_removal(tmp_path: Path) -> None:
    record_identities(tmp_path, [StudioUser(2, "amal@team.example", "amal"), StudioUser(3, "badr@team.example", "badr")])
    later = [StudioUser(2, "amal.new@team.example", "amal"), StudioUser(3, DELETED_USER, DELETED_USER)]
    assert record_identities(tmp_path, later) == {2: "amal@team.example", 3: "badr@team.example"}
    assert stat.S_IMODE((tmp_path / IDENTITIES_FILE).stat().st_mode) == 0o600  # it holds e-mails


def test_members_already_removed_when_first_seen_stay_apart(tmp_path: Path) -> None:
    """The server shows two removed members alike; each keeps an identity of their own."""
    removed = [StudioUser(5, DELETED_USER, DELETED_USER), StudioUser(6, DELETED_USER, DELETED_USER)]
    identities = record_identities(tmp_path, removed)
    assert identities[5] != identities[6]
    assert read_identities(tmp_path) == identities
