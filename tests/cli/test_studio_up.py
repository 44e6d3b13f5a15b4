"""`curation studio up` says what a starting server is doing in its own words (Label Studio's
messages stay in its log), and keeps that log from growing without end."""

from __future__ import annotations

from pathlib import Path

from curation.studio.launch import startup_activity
from curation.studio.server import DATABASE_FILE, LOG_FILE, rotate_log


def test_a_new_data_folder_waits_on_its_database(tmp_path: Path) -> None:
    assert startup_activity(tmp_path) == "preparing Label Studio's database (once per data folder)"


def test_then_label_studio_starts_and_its_messages_stay_in_its_log(tmp_path: Path) -> None:
    (tmp_path / DATABASE_FILE).write_bytes(b"")
    (tmp_path / LOG_FILE).write_text("WARNING: DEBUG mode is on\n[uwsgi] GET /health\n", encoding="utf-8")
    shown = startup_activity(tmp_path)
    assert shown == f"starting Label Studio (its messages: {tmp_path / LOG_FILE})"
    assert "WARNING" not in shown and "uwsgi" not in shown


def test_a_long_log_is_rotated_and_three_are_kept(tmp_path: Path) -> None:
    log = tmp_path / LOG_FILE
    for run in range(1, 6):
        log.write_text(f"run {run}\n" * 10, encoding="utf-8")
        rotate_log(log, limit=50)
    assert not log.exists()  # the last run's log moved aside; the next start writes a new one
    kept = {path.name: path.read_text(encoding="utf-8").split()[1] for path in tmp_path.iterdir()}
    assert kept == {f"{LOG_FILE}.1": "5", f"{LOG_FILE}.2": "4", f"{LOG_FILE}.3": "3"}
    log.write_text("short\n", encoding="utf-8")
    rotate_log(log, limit=50)
    assert log.read_text(encoding="utf-8") == "short\n"  # under the limit: left as it is
