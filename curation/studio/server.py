"""Running a local Label Studio: start it, find it again, stop exactly the process we started.

The server lives in a data folder (``.curation/studio/`` by default) holding Label Studio's own
database, ``credentials.json`` (admin e-mail, password, API token; mode 0600), ``server.json``
(pid, port, URL, start time: where it listens), ``server.lock`` and ``server.log``. The folder is
0700 and everything Label Studio writes in it is private to the user (umask 077).

Which process is the folder's server is never inferred from the record (a start time read
from ``ps`` drifts when the clock is stepped; pids are reused): the server process itself holds
an exclusive lock on ``server.lock`` for its whole life (:mod:`curation.studio.serve`), and the
kernel names the holder. Credentials travel through environment variables rather than
command-line arguments, so the token never shows in ``ps`` output.
"""

from __future__ import annotations

import fcntl
import json
import os
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from curation.secrets import register_secret, scrub
from curation.studio import DEFAULT_STUDIO_DIR
from curation.studio.client import API_KEY_ENV, StudioError, api_key_from_env, connect
from curation.studio.contract import accepts_key, answers_health
from curation.studio.serve import IN_USE
from curation.studio.template import DATABASE_FILE, template_database

if TYPE_CHECKING:  # only a type here; the SDK loads where a client is made
    from curation.studio.connection import StudioClient

DEFAULT_HOST = "127.0.0.1"
STARTUP_TIMEOUT_S = 600.0  # first start migrates a fresh database: minutes on a busy 2-core machine
STOP_TIMEOUT_S = 20.0
PORT_RELEASE_S = 15.0  # how long a restart waits for the folder's last port, held by a server just killed
CREDENTIALS_FILE = "credentials.json"
PID_FILE = "server.json"
LOCK_FILE = "server.lock"
# struct flock on Linux: l_type, l_whence, l_start, l_len, l_pid (padded to 32 bytes).
FLOCK_FORMAT, FLOCK_SIZE = "hhqqi", 32
PORT_MOVED = " is in use."  # what Label Studio prints before silently moving to the next port
LOG_FILE = "server.log"
LOG_ROTATE_BYTES = 5 * 1024**2  # at a start, a longer log becomes server.log.1 ...
LOG_KEPT = 3  # ... and server.log.3 is the oldest kept
# The port survives restarts, so the URL annotators bookmarked stays the same.
PORT_FILE = "port"
LOG_TAIL_LINES = 15


@dataclass(frozen=True, slots=True)
class Credentials:
    """The admin account a local server is created with."""

    username: str
    password: str
    api_key: str

    @classmethod
    def generate(cls) -> Credentials:
        """A new admin whose password passes the network's strength rule (a urlsafe token lacks
        digits and signs about once in 150 draws, and `up --host 0.0.0.0` then refused to serve)."""
        from curation.studio.accounts import weak_password_reason

        password = secrets.token_urlsafe(18)
        while weak_password_reason(password) is not None:
            password = secrets.token_urlsafe(18)
        # A legacy Label Studio token is a 40-hex-character string.
        return cls("admin@curation.local", password, secrets.token_hex(20))


@dataclass(frozen=True, slots=True)
class StudioServer:
    """A Label Studio we can talk to; ``pid`` is set only when this process tree started it."""

    url: str
    api_key: str
    username: str | None = None
    password: str | None = None
    pid: int | None = None
    data_dir: Path | None = None

    def client(self, timeout: float | None = None) -> StudioClient:
        return connect(self.url, self.api_key, timeout=timeout or 120.0)

    def __repr__(self) -> str:  # never print the key or password
        return f"StudioServer(url={self.url!r}, username={self.username!r}, pid={self.pid})"


@dataclass(frozen=True, slots=True)
class ServerStatus:
    """What ``curation studio status`` reports."""

    data_dir: Path
    recorded: bool
    running: bool
    healthy: bool
    url: str | None
    pid: int | None
    username: str | None


def write_private(path: Path, payload: object) -> None:
    """Write JSON readable by the owner only, atomically (temp file + rename), in a folder only the
    owner can open (the studio folder is 0700 whether or not curation started its server)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(payload, handle, indent=2)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def load_or_create_credentials(data_dir: Path) -> Credentials:
    """The folder's admin credentials, generated on first use and kept with 0600 permissions."""
    path = data_dir / CREDENTIALS_FILE
    if path.exists():
        try:
            creds = Credentials(**json.loads(path.read_text(encoding="utf-8")))
        except (ValueError, TypeError) as exc:
            raise StudioError(f"{path}: unreadable credentials ({exc}); delete the studio folder to start afresh") from None
    else:
        creds = Credentials.generate()
        write_private(path, asdict(creds))
    register_secret(creds.password)
    register_secret(creds.api_key)
    return creds


def free_port(host: str = DEFAULT_HOST) -> int:
    """A port the system has free now (for a folder's first start)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def _last_port(data_dir: Path) -> int:
    try:
        return int((data_dir / PORT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0


def _label_studio_binary() -> str:
    beside_python = Path(sys.executable).with_name("label-studio")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("label-studio")
    if not found:
        raise StudioError("the `label-studio` command is not installed: `pip install 'curation[studio]'`")
    return found


def rotate_log(log_path: Path, limit: int = LOG_ROTATE_BYTES, kept: int = LOG_KEPT) -> None:
    """Before a start, a log of ``limit`` bytes or more becomes ``server.log.1``, the older ones
    shifting up to ``server.log.{kept}`` (the one beyond is replaced): a server started every day
    for months keeps a few megabytes of its messages, not all of them."""
    if not log_path.exists() or log_path.stat().st_size < limit:
        return
    for number in range(kept - 1, 0, -1):
        older = log_path.with_name(f"{log_path.name}.{number}")
        if older.exists():
            os.replace(older, log_path.with_name(f"{log_path.name}.{number + 1}"))
    os.replace(log_path, log_path.with_name(f"{log_path.name}.1"))


def _log_tail(log_path: Path) -> str:
    try:
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return scrub("\n".join(lines[-LOG_TAIL_LINES:]))


@dataclass(frozen=True, slots=True)
class ServerRecord:
    """Where a folder's server listens (``server.json``). Which process *is* the server is never
    taken from it, only from the lock (:func:`lock_holder`)."""

    url: str
    pid: int | None = None
    port: int | None = None
    started_at: float | None = None


def read_pid_file(data_dir: Path) -> ServerRecord | None:
    """The folder's server record; None when it has none."""
    path = data_dir / PID_FILE
    try:
        found = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError:
        found = None
    if not isinstance(found, dict) or not isinstance(found.get("url"), str):
        raise StudioError(f"{path}: corrupt server record; `curation studio down` then `up` writes it again")
    return ServerRecord(found["url"], found.get("pid"), found.get("port"), found.get("started_at"))


def lock_holder(data_dir: Path) -> int | None:
    """The pid of the Label Studio holding ``data_dir``'s lock, or None when none runs.

    The kernel answers (``F_GETLK`` on ``server.lock``): the lock is taken by the server process
    itself (see :mod:`curation.studio.serve`) and vanishes with it, so the answer cannot drift
    with the clock, a reused pid or a stale record.
    """
    path = Path(data_dir) / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        query = struct.pack(FLOCK_FORMAT, fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, query.ljust(FLOCK_SIZE, b"\0"))
    finally:
        os.close(fd)
    kind, _, _, _, pid = struct.unpack(FLOCK_FORMAT, answer[: struct.calcsize(FLOCK_FORMAT)])
    return int(pid) if kind != fcntl.F_UNLCK else None


def _released(host: str, port: int, seconds: float = PORT_RELEASE_S) -> bool:
    """Whether the folder's own last port frees up within ``seconds``: after a crash or a kill -9,
    the dying server's processes hold its socket a moment longer than its lock."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        time.sleep(0.5)
        if not port_in_use(host, port):
            return True
    return False


def port_in_use(host: str, port: int) -> bool:
    """True when something listens on ``host:port`` or the port cannot be bound."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1)
        if probe.connect_ex((host, port)) == 0:
            return True
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds
        try:
            sock.bind((host, port))
        except OSError:
            return True
    return False


def _make_private(data_dir: Path) -> None:
    """The data folder 0700, the database (and SQLite's side files) 0600, whatever made them."""
    os.chmod(data_dir, 0o700)
    for name in (DATABASE_FILE, DATABASE_FILE + "-wal", DATABASE_FILE + "-shm", DATABASE_FILE + "-journal", LOG_FILE):
        if (data_dir / name).exists():
            os.chmod(data_dir / name, 0o600)


def server_environment(data_dir: Path, creds: Credentials) -> dict[str, str]:
    """Label Studio's environment: credentials (never on the command line), and every outbound
    report off (see the README's list)."""
    env = dict(os.environ)
    env.update(
        LABEL_STUDIO_BASE_DATA_DIR=str(data_dir),
        LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN="true",
        LABEL_STUDIO_USERNAME=creds.username,
        LABEL_STUDIO_PASSWORD=creds.password,
        LABEL_STUDIO_USER_TOKEN=creds.api_key,
        LABEL_STUDIO_DISABLE_SIGNUP_WITHOUT_LINK="true",  # annotators join by the invite link only
        COLLECT_ANALYTICS="false",
        LATEST_VERSION_CHECK="false",  # no call to pypi.org at every start
        SENTRY_DSN="",  # Label Studio's default sends server errors to sentry.io
        FRONTEND_SENTRY_DSN="",  # ... and browser errors too
        FEATURE_FLAGS_OFFLINE="true",
        # The bridge imports tasks in big batches; Label Studio's default body limit is 250 MB.
        DATA_UPLOAD_MAX_MEMORY_SIZE=str(2 * 1024**3),
    )
    return env


def _running(data_dir: Path, creds: Credentials, pid: int) -> StudioServer:
    """The server holding the folder's lock, if it answers; otherwise say where it is and what to do."""
    record = read_pid_file(data_dir)
    url = record.url if record else None
    if url and answers_health(url):
        return StudioServer(url, creds.api_key, creds.username, creds.password, pid, data_dir)
    raise StudioError(
        f"a Label Studio (pid {pid}) already runs on {data_dir} but does not answer at {url or 'its recorded URL'} "
        "yet: wait for it to finish starting, or stop it with `curation studio down`."
    )


def start_server(
    data_dir: Path = DEFAULT_STUDIO_DIR,
    *,
    port: int | None = None,
    host: str = DEFAULT_HOST,
    startup_timeout: float = STARTUP_TIMEOUT_S,
) -> StudioServer:
    """Start Label Studio on ``host`` with its data in ``data_dir`` and wait for ``/health``.

    One server per data folder: if the folder's server already runs it is returned as is (its
    pid, port and URL), never a second one. The port is the one asked for, else the one used
    last (so the URL survives restarts), else a free one; a port taken by anything else is an
    immediate error, never a silent move to another port. On failure the process is stopped
    and the error carries the tail of ``server.log`` (secrets scrubbed).
    """
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    _make_private(data_dir)
    creds = load_or_create_credentials(data_dir)
    holder = lock_holder(data_dir)
    if holder is not None:
        return _running(data_dir, creds, holder)

    last = _last_port(data_dir)
    port = port or last or free_port(host)
    if port_in_use(host, port) and not (port == last and _released(host, port)):
        raise StudioError(
            f"port {port} on {host} is taken by another program, so Label Studio for {data_dir} cannot use it: "
            "stop that program, or choose another port with `curation studio up --port N` "
            "(the project records follow the workspace, not the port)."
        )
    database = data_dir / DATABASE_FILE
    if not database.exists():
        shutil.copyfile(template_database(), database)
    _make_private(data_dir)
    (data_dir / PORT_FILE).write_text(str(port), encoding="utf-8")
    url = f"http://{host}:{port}"
    binary = _label_studio_binary()
    command = [
        sys.executable, "-m", "curation.studio.serve", str(data_dir / LOCK_FILE),
        binary, "start", "--no-browser", "--enable-legacy-api-token",
        # --internal-host is the bind address (Label Studio's default is 0.0.0.0);
        # --host is only the public URL it writes into links.
        "--internal-host", host, "--host", url, "--port", str(port),
    ]
    log_path = data_dir / LOG_FILE
    rotate_log(log_path)
    log_start = log_path.stat().st_size if log_path.exists() else 0
    with os.fdopen(os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600), "ab") as log:
        process = subprocess.Popen(
            command, env=server_environment(data_dir, creds), stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True, umask=0o077,
        )
    write_private(data_dir / PID_FILE, asdict(ServerRecord(url, process.pid, port, time.time())))
    try:
        _wait_until_up(process, url, creds, log_path, log_start, startup_timeout)
    except BaseException:
        _terminate(process.pid)
        raise
    return StudioServer(url, creds.api_key, creds.username, creds.password, process.pid, data_dir)


def _wait_until_up(
    process: subprocess.Popen, url: str, creds: Credentials, log_path: Path, log_start: int, timeout: float
) -> None:
    """Until ``url`` answers /health AND accepts this folder's API key (so the answer comes from
    our server, not whatever else listens there); fail fast if Label Studio exits or moves port."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        code = process.poll()
        if code == IN_USE:
            raise StudioError(f"another Label Studio took {log_path.parent} at the same moment; `curation studio status` shows it")
        if code is not None:
            raise StudioError(f"Label Studio exited with code {code} during start-up; see {log_path}:\n{_log_tail(log_path)}")
        if PORT_MOVED in _log_since(log_path, log_start):
            raise StudioError(
                f"the port of {url} was taken while Label Studio started (it wanted to move to another port, "
                f"which curation does not allow); free it or use --port; see {log_path}"
            )
        if answers_health(url) and accepts_key(url, creds.api_key):
            return
        time.sleep(0.5)
    raise StudioError(
        f"Label Studio did not answer /health within {timeout:.0f} s and was stopped; see {log_path}:\n{_log_tail(log_path)}"
    )


def _log_since(log_path: Path, offset: int) -> str:
    try:
        with log_path.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", errors="replace")
    except OSError:
        return ""


def _terminate(pid: int, timeout: float = STOP_TIMEOUT_S) -> None:
    """SIGTERM the server's own process group (it was started in a new session), then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                waited, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:  # not our child: poll for existence instead
                waited = 0 if _exists(pid) else pid
            if waited == pid:
                return
            time.sleep(0.2)


def _exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_server(data_dir: Path = DEFAULT_STUDIO_DIR) -> bool:
    """Stop the Label Studio holding ``data_dir``'s lock, and nothing else; True if one was stopped.

    Without a lock holder nothing is signalled, whatever pid the record names (it may have been
    reused by another program); the record stays, so the next `up` reuses its port.
    """
    data_dir = Path(data_dir).resolve()
    pid = lock_holder(data_dir)
    if pid is None:
        return False
    if os.getpgid(pid) != pid:  # always true for our servers (new session); never signal a group that is not its own
        raise StudioError(f"the process holding {data_dir / LOCK_FILE} (pid {pid}) is not a server curation started")
    _terminate(pid)
    return True


def server_status(data_dir: Path = DEFAULT_STUDIO_DIR) -> ServerStatus:
    data_dir = Path(data_dir).resolve()
    creds_path = data_dir / CREDENTIALS_FILE
    username = json.loads(creds_path.read_text(encoding="utf-8")).get("username") if creds_path.exists() else None
    pid = lock_holder(data_dir)
    record = read_pid_file(data_dir) if pid is not None else None
    url = record.url if record else None
    healthy = url is not None and answers_health(url)
    return ServerStatus(data_dir, record is not None, pid is not None, healthy, url, pid, username)


def local_server(data_dir: Path = DEFAULT_STUDIO_DIR) -> StudioServer:
    """The running server of ``data_dir``, or a :class:`StudioError` saying how to start one."""
    status = server_status(data_dir)
    if not status.healthy or status.url is None:
        raise StudioError(
            f"no local Label Studio is running for {status.data_dir}: start it with `curation studio up`, "
            "or point at an existing server with --url and LABEL_STUDIO_API_KEY."
        )
    creds = load_or_create_credentials(status.data_dir)
    return StudioServer(status.url, creds.api_key, creds.username, creds.password, status.pid, status.data_dir)


def recorded_url(data_dir: Path) -> str | None:
    """The URL the workspace's own server listens on (last recorded), or None if it never ran."""
    try:
        record = read_pid_file(Path(data_dir))
    except StudioError:
        return None
    return record.url.rstrip("/") if record else None


def find_server(url: str | None = None, data_dir: Path = DEFAULT_STUDIO_DIR) -> StudioServer:
    """The server a command talks to: ``url`` with the key from ``LABEL_STUDIO_API_KEY`` (legacy
    token or personal access token), or else the local server of ``data_dir``."""
    if url is None:
        return local_server(data_dir)
    key = api_key_from_env()
    if key:
        register_secret(key)
        return StudioServer(url.rstrip("/"), key)
    if recorded_url(data_dir) == url.rstrip("/"):
        return local_server(data_dir)
    raise StudioError(f"no API key for {url}: set {API_KEY_ENV} to a legacy token or personal access token.")
