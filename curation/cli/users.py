"""`curation studio users add|list|remove`, `curation studio overlap`: the annotation team
(``Project.users_add``, ``.users_list``, ``.users_remove``, ``.overlap``)."""

from __future__ import annotations

from typing import Any

import click
from rich.table import Table

from curation.cli._common import console, data_dir_option, json_mode, project_of, server_options, untrusted, url_option
from curation.cli.studio import studio_group
from curation.project import PUSHABLE_LEVELS
from curation.results import OverlapResult, UsersResult
from curation.studio.accounts import ROLES


@click.group("users")
def users_group() -> None:
    """Annotator and reviewer accounts (sign-up is by invite only; roles are kept locally)."""


@users_group.command("add")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default="annotator", show_default=True)
@click.option("--ask-password", is_flag=True, help="Type the password (hidden) instead of generating one.")
@url_option
@data_dir_option
def add_command(email: str, role: str, ask_password: bool, **options: Any) -> UsersResult:
    """Create EMAIL's account (or reactivate a removed one); a generated password is printed this once and kept
    in accounts.json (0600)."""
    password = click.prompt("password", hide_input=True, confirmation_prompt=True) if ask_password else None
    result, generated = project_of(options).users_add(email, role, password)
    console.print(f"[green]added[/green] {untrusted(email)} as {role} at {result.url}")
    if password is None:
        # Shown once, on the terminal only: give it to the person, who logs in at the URL above.
        # (on stderr under --json, so that stdout stays one JSON object with no secret in it)
        click.echo(f"password: {generated}", err=json_mode())
    return result


@users_group.command("list")
@url_option
@data_dir_option
def list_command(**options: Any) -> UsersResult:
    """Every user of the server's organisation, with the role this workspace gave them and the pseudonym
    reports, agreement and builds name them by (the one place that tells who is who)."""
    result = project_of(options).users_list()
    table = Table(title=f"users at {result.url}")
    for column in ("id", "e-mail", "role", "member", "pseudonym"):
        table.add_column(column)
    for member in result.members:
        table.add_row(str(member.user_id), untrusted(member.email), member.role, "yes" if member.active else "removed",
                      member.pseudonym or "-")  # fmt: skip
    console.print(table)
    return result


@users_group.command("remove")
@click.argument("email")
@url_option
@data_dir_option
def remove_command(email: str, **options: Any) -> UsersResult:
    """Deactivate EMAIL's account (no login, no token, open sessions end); their answers stay theirs.
    `users add EMAIL` brings the same account back."""
    result = project_of(options).users_remove(email)
    console.print(f"[green]removed[/green] {untrusted(email)} from {result.url}: deactivated, answers kept under their name")
    return result


@click.command("overlap")
@click.argument("annotators_per_task", type=click.IntRange(min=1))
@click.option("--level", "levels", type=click.Choice(PUSHABLE_LEVELS), multiple=True,
              help="Levels it applies to (default: every level of the schema).")
@server_options
def overlap_command(annotators_per_task: int, levels: tuple[str, ...], **options: Any) -> OverlapResult:
    """Give every task to ANNOTATORS_PER_TASK different annotators (1: no overlap): written to the
    workspace's curation.yaml (outside a workspace, the studio folder's team.json), kept until
    changed, applied to the projects already pushed and at every push."""
    result = project_of(options).overlap(annotators_per_task, levels)
    for title, changed in result.projects.items():
        console.print(f"{untrusted(title)}: {'set' if changed else 'already'} {annotators_per_task} per task")
    console.print(f"[green]{annotators_per_task}[/green] annotator(s) per {', '.join(result.levels)} task, "
                  f"kept in {untrusted(str(result.setting))}", highlight=False)  # fmt: skip
    return result


studio_group.add_command(users_group)
studio_group.add_command(overlap_command)
