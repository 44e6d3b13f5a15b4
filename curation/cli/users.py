"""`curation studio users add|list|remove`, `curation studio overlap`: the annotation team."""

from __future__ import annotations

from pathlib import Path

import click
from rich.markup import escape
from rich.table import Table

from curation.cli._common import console, load_schema_or_exit
from curation.cli.studio import data_dir_option, one_line_errors, schema_option, studio_group, url_option
from curation.studio.accounts import ROLES, add_user, list_users, read_accounts, remove_user
from curation.studio.server import find_server


@click.group("users")
def users_group() -> None:
    """Annotator and reviewer accounts (sign-up is by invite only; roles are kept locally)."""


@users_group.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="annotator", show_default=True)
@click.option("--ask-password", is_flag=True, help="Type the password (hidden) instead of generating one.")
@url_option
@data_dir_option
def add_command(email: str, role: str, ask_password: bool, url: str | None, data_dir: Path) -> None:
    """Create EMAIL's account; a generated password is printed this once and kept in accounts.json (0600)."""
    password = click.prompt("password", hide_input=True, confirmation_prompt=True) if ask_password else None
    with one_line_errors():
        server = find_server(url, data_dir)
        account = add_user(server.client(), server.url, data_dir, email, role, password)  # type: ignore[arg-type]
    console.print(f"[green]added[/green] {escape(email)} as {role} (user {account.user_id}) at {server.url}")
    if password is None:
        # Shown once, on the terminal only: give it to the person, who logs in at the URL above.
        click.echo(f"password: {account.password}")


@users_group.command("list")
@url_option
@data_dir_option
def list_command(url: str | None, data_dir: Path) -> None:
    """Every user of the server's organisation, with the role this workspace gave them."""
    with one_line_errors():
        server = find_server(url, data_dir)
        members = list_users(server.client(), server.url, data_dir)
    table = Table(title=f"users at {server.url}")
    for column in ("id", "e-mail", "role", "member"):
        table.add_column(column)
    for member in members:
        table.add_row(str(member.user_id), escape(member.email), member.role, "yes" if member.active else "removed")
    console.print(table)


@users_group.command("remove")
@click.argument("email")
@url_option
@data_dir_option
def remove_command(email: str, url: str | None, data_dir: Path) -> None:
    """End EMAIL's membership: they see no project any more; their annotations keep their author."""
    with one_line_errors():
        server = find_server(url, data_dir)
        remove_user(server.client(), server.url, data_dir, email)
    console.print(f"[green]removed[/green] {escape(email)} from {server.url}")


@click.command("overlap")
@click.argument("annotators_per_task", type=click.IntRange(min=1))
@schema_option
@url_option
@data_dir_option
def overlap_command(annotators_per_task: int, schema_path: Path | None, url: str | None, data_dir: Path) -> None:
    """Give every task of the schema's projects to ANNOTATORS_PER_TASK different annotators (1: no overlap)."""
    from curation.studio.overlap import apply_overlap, set_annotators_per_task
    from curation.studio.progress import recorded_projects

    schema = load_schema_or_exit(schema_path)
    with one_line_errors():
        set_annotators_per_task(data_dir, schema.name, annotators_per_task)
        server = find_server(url, data_dir)
        client = server.client()
        for ref in recorded_projects(data_dir):
            if ref.schema_name == schema.name:
                changed = apply_overlap(client, server.url, ref.id, annotators_per_task)
                console.print(f"{escape(ref.title)}: {'set' if changed else 'already'} {annotators_per_task} per task")
    console.print(f"[green]{schema.name}[/green]: {annotators_per_task} annotator(s) per task (applied at every push)")


def print_progress(data_dir: Path, url: str | None = None) -> None:
    """Per project and annotator: done, remaining, disagreements so far (for `studio status`)."""
    from curation.studio.progress import project_progress, recorded_projects

    with one_line_errors():
        server = find_server(url, data_dir)
        client = server.client()
        team = [a.email for a in read_accounts(data_dir).values() if a.role == "annotator"]
        progress = [project_progress(client, ref, team) for ref in recorded_projects(data_dir)]
    for project in progress:
        table = Table(
            title=f"{project.title} (project {project.project_id}): {project.complete} of {project.tasks} tasks have "
            f"{project.annotators_per_task} annotation(s); {project.disagreements} with disagreements"
        )
        for column in ("annotator", "done", "remaining", "disagreements"):
            table.add_column(column, justify="left" if column == "annotator" else "right")
        for row in project.annotators:
            table.add_row(escape(row.annotator), str(row.done), str(row.remaining), str(row.disagreements))
        console.print(table)


def serve_on_lan(host: str, data_dir: Path) -> None:
    """Before `studio up --host ADDR` serves beyond localhost: the warning, and a refusal (ValueError,
    one line) while any password the workspace knows is weak."""
    from curation.studio.accounts import LAN_WARNING, lan_problems

    console.print(f"[yellow]warning[/yellow] {escape(LAN_WARNING.format(host=host))}", highlight=False)
    problems = lan_problems(data_dir)
    if problems:
        raise ValueError("not serving on the network: " + "; ".join(problems))


def report_unvetted(server_url: str, data_dir: Path, admin: str | None) -> None:
    """After a LAN start: name the users whose password was never checked here."""
    from curation.studio.accounts import unvetted_users

    server = find_server(None, data_dir)
    for email in unvetted_users(server.client(), server_url, data_dir, admin):
        console.print(
            f"[yellow]warning[/yellow] {escape(email)} did not join through `curation studio users add`: "
            "their password was never checked; remove them or make sure it is strong",
            highlight=False,
        )


studio_group.add_command(users_group)
studio_group.add_command(overlap_command)
