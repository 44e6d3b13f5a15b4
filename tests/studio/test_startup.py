"""A first `curation studio up` on a machine: the database comes from the dump shipped for the
installed Label Studio (no migration to wait for), the previous log is rotated, and `studio login`
tells the admin where and how to log in."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from curation.cli import main
from curation.studio.contract import LOGIN_PAGE
from curation.studio.server import LOG_FILE, load_or_create_credentials, start_server, stop_server
from curation.studio.template import label_studio_version, shipped_dump, template_database


def test_the_shipped_dump_is_the_installed_label_studio_s() -> None:
    assert shipped_dump().name == f"label-studio-{label_studio_version()}.sql"
    assert shipped_dump().is_file(), "regenerate it: python -m curation.studio.template"


def test_the_template_is_made_from_the_dump_with_every_migration(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    template = template_database()
    assert template.parent == tmp_path / "curation"
    with sqlite3.connect(template) as database:
        applied = database.execute("select count(*) from django_migrations").fetchone()[0]
        users = database.execute("select count(*) from htx_user").fetchone()[0]
    assert applied == shipped_dump().read_text(encoding="utf-8").count('INSERT INTO "django_migrations"') > 300
    assert users == 0  # no account in the template: each data folder creates its own admin
    assert template_database() == template and list(template.parent.iterdir()) == [template]  # made once, no leftovers


def test_a_first_start_from_the_dump_serves_and_login_tells_how(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # a machine that never ran Label Studio
    data_dir = tmp_path / "studio"
    data_dir.mkdir(mode=0o700)
    (data_dir / LOG_FILE).write_text("an old run\n" * 600_000, encoding="utf-8")  # 6.6 MB
    server = start_server(data_dir)
    try:
        assert (data_dir / f"{LOG_FILE}.1").read_text(encoding="utf-8").startswith("an old run")
        assert "an old run" not in (data_dir / LOG_FILE).read_text(encoding="utf-8")
        result = CliRunner().invoke(main, ["studio", "login", "--data-dir", str(data_dir)])
        assert result.exit_code == 0, result.output
        creds = load_or_create_credentials(data_dir)
        assert f"{server.url}/{LOGIN_PAGE}" in result.output
        assert creds.username in result.output and creds.password in result.output
        quiet = CliRunner().invoke(main, ["studio", "login", "--data-dir", str(data_dir), "--json"])
        assert creds.password not in quiet.output and '"username": "admin@curation.local"' in quiet.output
        with httpx.Client(base_url=server.url, follow_redirects=True) as web:  # the printed login works in the web UI
            web.get(f"/{LOGIN_PAGE}")
            form = {"email": creds.username, "password": creds.password, "csrfmiddlewaretoken": web.cookies.get("csrftoken", "")}
            web.post(f"/{LOGIN_PAGE}", data=form, headers={"Referer": f"{server.url}/{LOGIN_PAGE}"})
            assert web.get("/api/current-user/whoami").json()["email"] == creds.username
    finally:
        stop_server(data_dir)


def test_login_without_a_server_says_how_to_start_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["studio", "login", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1 and "curation studio up" in result.output and "Traceback" not in result.output
