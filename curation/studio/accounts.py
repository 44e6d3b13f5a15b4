"""Team accounts on a Label Studio: annotators and reviewers join the way a person does.

The community edition has no API to create a user with a password, and no roles: a user is
created through the organisation's invite link (sign-up is invite-only on the workspace server),
and the role (``annotator`` or ``reviewer``) is kept locally in ``accounts.json`` (mode 0600)
beside the server's credentials, together with the password when it was generated here, so
it can be handed over once and never again printed.

Removing a user *deactivates* the account (Django's ``is_active``, switched in the admin site
with the admin's login: the community edition has no API for it): they can no longer log in,
their API token and open sessions stop working, and they stay a member, so their answers keep
their author. Ending the membership instead (the organisation page's "remove") is not enough in
Label Studio 1.23: logging in again makes the organisation active again and every project is
readable, and the user is then listed as "Deleted". Adding a removed user again gives the same
account a new password and a new API token, and activates it: same user id, same identity, same
pseudonym. The token is replaced on reactivation, not on removal: while the account is inactive
Label Studio refuses its token anyway, and only the person's own session can replace a token (the
community edition has no admin API for it), which curation has when it sets the new password.
Without the new token, the token of someone who left (in a script, a notebook, a shell history)
would work again the day they are added back.
"""

from __future__ import annotations

import re
import secrets
import string
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from curation.secrets import register_secret
from curation.studio.client import AuthenticationFailed, StudioError, explained
from curation.studio.contract import StudioGateway, StudioUser, WebSession
from curation.studio.identities import read_identities, record_identities
from curation.studio.overlap import read_workspace_json
from curation.studio.server import load_or_create_credentials, write_private

if TYPE_CHECKING:  # only a type here; the SDK loads where a client is made
    from curation.studio.connection import StudioClient

ACCOUNTS_FILE = "accounts.json"
ROLES = ("annotator", "reviewer")


class AccountRefused(StudioError, ValueError):
    """An account that cannot be added or removed as asked (not an e-mail, a weak password...)."""
Role = Literal["annotator", "reviewer"]
MIN_PASSWORD_LENGTH = 12
GENERATED_PASSWORD_LENGTH = 20
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, slots=True)
class Account:
    """One team member as this workspace knows them; ``password`` only when generated here."""

    email: str
    role: Role
    user_id: int
    password: str | None = None
    active: bool = True  # False once removed (deactivated); adding them again reactivates the account


@dataclass(frozen=True, slots=True)
class Member:
    """A user of the server, with the local role when the workspace added them."""

    user_id: int
    email: str
    role: str
    active: bool
    pseudonym: str | None = None  # how reports, agreement and builds name them (None: no answer counted yet)


def weak_password_reason(password: str) -> str | None:
    """Why ``password`` is too weak to face a network, or None: at least 12 characters drawn
    from at least three of lower case, upper case, digits and other characters."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"it has {len(password)} characters, at least {MIN_PASSWORD_LENGTH} are required"
    classes = [
        any(c.islower() for c in password),
        any(c.isupper() for c in password),
        any(c.isdigit() for c in password),
        any(not c.isalnum() for c in password),
    ]
    if sum(classes) < 3:
        return "it must mix at least three of: lower case, upper case, digits, other characters"
    return None


def generate_password() -> str:
    """A strong random password (always passes :func:`weak_password_reason`)."""
    alphabet = string.ascii_letters + string.digits + "-_.!"
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(GENERATED_PASSWORD_LENGTH))
        if weak_password_reason(password) is None:
            return password


def read_accounts(data_dir: Path) -> dict[str, Account]:
    """The workspace's accounts by e-mail (empty when none was added)."""
    path = Path(data_dir) / ACCOUNTS_FILE
    records = read_workspace_json(path, "accounts file", [])
    try:
        accounts = {r["email"]: Account(**r) for r in records}
    except (TypeError, KeyError) as exc:
        raise StudioError(f"{path}: malformed accounts file ({type(exc).__name__}: {exc}); fix or delete it") from None
    for account in accounts.values():
        register_secret(account.password)
    return accounts


def _write_accounts(data_dir: Path, accounts: dict[str, Account]) -> None:
    write_private(Path(data_dir) / ACCOUNTS_FILE, [asdict(a) for _, a in sorted(accounts.items())])


def user_token(url: str, email: str, password: str, *, new: bool = False) -> str:
    """The API token of ``email`` (legacy token), by logging in with the password; ``new``: a new
    token replaces the old one, which stops working."""
    with explained(url, f"logging in {email}"), WebSession(url) as session:
        session.log_in(email, password)
        token = session.reset_token() if new else session.token()
    if token is None:
        raise AuthenticationFailed(f"could not log in {email} at {url}")
    register_secret(token)
    return token


def add_annotator(client: StudioClient, url: str, email: str, password: str) -> str:
    """Sign ``email`` up through the invite link (or log in if they exist) and return their API token."""
    register_secret(password)
    invite = StudioGateway(client, url).invite_link()
    with explained(url, f"signing up {email}"), WebSession(url) as session:
        session.sign_up(invite, email, password)
    return user_token(url, email, password)


def _users(client: StudioClient, url: str) -> dict[str, int]:
    return {user.email: user.id for user in StudioGateway(client, url).users() if user.email}


def _admin_session(url: str, admin: tuple[str, str] | None, what: str) -> WebSession:
    """A web session logged in as the server's admin, for the admin site's forms."""
    if admin is None:
        raise AccountRefused(
            f"{what} at {url} needs the admin's login (a local server's credentials.json, or LABEL_STUDIO_USERNAME "
            "and LABEL_STUDIO_PASSWORD): Label Studio Community switches accounts on and off only in its admin site, "
            "not through an API key"
        )
    session = WebSession(url)
    with explained(url, "logging in as the admin"):
        session.log_in(*admin)
    return session


def _reactivate(url: str, admin: tuple[str, str] | None, account: Account, password: str) -> None:
    """Give a removed account its new password and let it log in again (same user, same identity)."""
    with _admin_session(url, admin, f"adding {account.email} again") as session, explained(url, f"reactivating {account.email}"):
        if not (session.set_password(account.user_id, password) and session.set_active(account.user_id, True)):
            raise StudioError(f"the admin site of {url} refused to reactivate {account.email} (user {account.user_id})")


def add_user(
    client: StudioClient,
    url: str,
    data_dir: Path,
    email: str,
    role: Role = "annotator",
    password: str | None = None,
    *,
    admin: tuple[str, str] | None = None,
) -> Account:
    """Create ``email`` on the server with ``role``, or reactivate their removed account (with
    ``admin``, the admin's e-mail and password); a password is generated unless given (then it
    must be strong). The account is recorded in ``accounts.json``; the returned one carries the
    password, which callers show once."""
    if not EMAIL.match(email):
        raise AccountRefused(f"{email!r} is not an e-mail address")
    if role not in ROLES:
        raise AccountRefused(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    accounts = read_accounts(data_dir)
    removed = accounts.get(email) if email in accounts and not accounts[email].active else None
    on_server = _users(client, url)
    if (email in accounts and removed is None) or (email in on_server and on_server[email] != getattr(removed, "user_id", None)):
        raise AccountRefused(f"{email} already has an account on {url}; `curation studio users remove` it first")
    generated = password is None
    password = generate_password() if password is None else password
    reason = weak_password_reason(password)
    if reason:
        raise AccountRefused(f"password for {email} refused: {reason}")
    if removed is not None and email in on_server:
        _reactivate(url, admin, removed, password)
        user_token(url, email, password, new=True)  # logs in as the person will; the token they had before is void
    else:
        add_annotator(client, url, email, password)
    user_id = _users(client, url).get(email)
    if user_id is None:
        raise StudioError(f"signing up {email} at {url} did not create the user")
    record_identities(data_dir, [StudioUser(user_id, email, None)])
    account = Account(email, role, user_id, password)
    accounts[email] = account if generated else Account(email, role, user_id)
    _write_accounts(data_dir, accounts)
    return account


def list_users(client: StudioClient, url: str, data_dir: Path, pseudonyms: Mapping[str, str] | None = None) -> list[Member]:
    """Every user of the server's organisation, with the workspace's role for those it added and
    their pseudonym in ``pseudonyms`` (identity -> pseudonym: who is who in a report); ``active`` is
    false for a removed member or a deactivated account."""
    accounts = read_accounts(data_dir)
    identities = read_identities(data_dir)
    _, member = StudioGateway(client, url).memberships()
    return [
        Member(user_id, email, accounts[email].role if email in accounts else "admin/other",
               member.get(user_id, False) and (email not in accounts or accounts[email].active),
               (pseudonyms or {}).get(identities.get(user_id, email)))
        for email, user_id in sorted(_users(client, url).items())
    ]  # fmt: skip


def remove_user(
    client: StudioClient, url: str, data_dir: Path, email: str, *, admin: tuple[str, str] | None = None
) -> Account | None:
    """Deactivate ``email``'s account (with ``admin``, the admin's e-mail and password): they can no
    longer log in or read anything; their annotations stay theirs. The account stays recorded
    (inactive) so that adding them again reactivates it."""
    if admin is not None and email == admin[0]:
        raise AccountRefused(f"{email} is the server's admin: removing them would lock everyone out of {url}")
    gateway = StudioGateway(client, url)
    users = gateway.users()
    user_id = next((user.id for user in users if user.email == email), None)
    if user_id is None:
        raise AccountRefused(f"no user {email} on {url}")
    record_identities(data_dir, users)  # who they are is written down before the server is changed
    with _admin_session(url, admin, f"removing {email}") as session, explained(url, f"deactivating {email}"):
        if not session.set_active(user_id, False):
            raise StudioError(f"the admin site of {url} refused to deactivate {email} (user {user_id})")
    accounts = read_accounts(data_dir)
    account = accounts.get(email)
    role: Role = account.role if account else "annotator"
    accounts[email] = Account(email, role, user_id, None, active=False)
    _write_accounts(data_dir, accounts)
    return account


LAN_WARNING = (
    "Label Studio will listen on {host}: anyone who can reach this machine on the network sees the login page, "
    "and traffic is plain HTTP (passwords and texts travel unencrypted). Use it on a trusted LAN only, or put a "
    "TLS reverse proxy in front. The community edition lets every member open every project of the server: "
    "keep one server per team and remove people who leave (`curation studio users remove`)."
)


def lan_problems(data_dir: Path) -> list[str]:
    """Why this workspace must not be served beyond localhost yet: every password it knows must be
    strong (the admin's and those generated here; passwords typed at `users add` were checked then)."""
    problems = []
    admin = load_or_create_credentials(Path(data_dir))
    reason = weak_password_reason(admin.password)
    if reason:
        problems.append(f"the admin password in {Path(data_dir) / 'credentials.json'} is weak: {reason}")
    for account in read_accounts(data_dir).values():
        reason = weak_password_reason(account.password) if account.password and account.active else None
        if reason:
            problems.append(f"the password of {account.email} is weak: {reason}; remove and add them again")
    return problems


def unvetted_users(client: StudioClient, url: str, data_dir: Path, admin: str | None) -> list[str]:
    """Users of the server that did not join through `users add` (their password was never checked)."""
    known = set(read_accounts(data_dir)) | {admin}
    return sorted(email for email in _users(client, url) if email not in known)


def unvetted_warnings(client: StudioClient, url: str, data_dir: Path, admin: str | None) -> list[str]:
    """One line per user who joined another way than `users add` (any member can read the invite
    link in the community edition and sign someone up with it): said at every team command."""
    return [
        f"{email} did not join through `curation studio users add`: their password was never checked; "
        "`curation studio users remove` them, or make sure it is strong"
        for email in unvetted_users(client, url, data_dir, admin)
    ]
