"""`curation studio up` says what a starting server is doing, read from its own files."""

from __future__ import annotations

from pathlib import Path

from curation.secrets import register_secret
from curation.studio.launch import startup_activity
from curation.studio.server import DATABASE_FILE, LOG_FILE


def test_a_new_data_folder_waits_on_its_database(tmp_path: Path) -> None:
    assert startup_activity(tmp_path).startswith("preparing Label Studio's database (first start on this machine")


def test_then_the_last_line_label_studio_logged_since_this_start(tmp_path: Path) -> None:
    (tmp_path / DATABASE_FILE).write_bytes(b"")
    assert startup_activity(tmp_path) == "starting Label Studio"
    log = tmp_path / LOG_FILE
    log.write_text("old run: Quit the server\n", encoding="utf-8")
    start = log.stat().st_size
    assert startup_activity(tmp_path, start) == "starting Label Studio"
    register_secret("tok-5ecret-value")
    with open(log, "a", encoding="utf-8") as handle:
        handle.write("Applying migrations\n  token tok-5ecret-value \x1b[31m\n\n")
    shown = startup_activity(tmp_path, start)
    assert shown.startswith("starting Label Studio: token ") and "tok-5ecret-value" not in shown
    assert "\x1b" not in shown
