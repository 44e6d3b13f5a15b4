"""Running a local Label Studio: start it, find it again, stop exactly the process we started.

The server lives in a data folder (``.curation/studio/`` by default) holding Label Studio's own
database, ``credentials.json`` (admin e-mail, password, API token; mode 0600), ``server.json``
(pid, port, and the process signature that proves a pid is still ours) and ``server.log``.
Credentials travel to Label Studio through environment variables rather than command-line
arguments, so the token never shows in ``ps`` output or in the stored signature.
"""

from __future__ import annotations

import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx
from label_studio_sdk import LabelStudio

from curation.secrets import register_secret, scrub
from curation.studio.client import API_KEY_ENV, StudioError, api_key_from_env, connect

DEFAULT_DATA_DIR = Path(".curation/studio")
DEFAULT_HOST = "127.0.0.1"
STARTUP_TIMEOUT_S = 600.0  # first start migrates a fresh database: minutes on a busy 2-core machine
STOP_TIMEOUT_S = 20.0
CREDENTIALS_FILE = "credentials.json"
PID_FILE = "server.json"
LOG_FILE = "server.log"
# The port survives restarts so that the server URL, which keys the local project records,
# stays the same from one `studio up` to the next.
PORT_FILE = "port"
DATABASE_FILE = "label_studio.sqlite3"
LOG_TAIL_LINES = 15


@dataclass(frozen=True, slots=True)
class Credentials:
    """The admin account a local server is created with."""

    username: str
    password: str
    api_key: str

    @classmethod
    def generate(cls) -> Credentials:
        # A legacy Label Studio token is a 40-hex-character string.
        return cls("admin@curation.local", secrets.token_urlsafe(18), secrets.token_hex(20))


@dataclass(frozen=True, slots=True)
class StudioServer:
    """A Label Studio we can talk to; ``pid`` is set only when this process tree started it."""

    url: str
    api_key: str
    username: str | None = None
    password: str | None = None
    pid: int | None = None
    data_dir: Path | None = None

    def client(self, timeout: float | None = None) -> LabelStudio:
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


def _write_private(path: Path, payload: dict) -> None:
    """Write JSON readable by the owner only, atomically (temp file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
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
        _write_private(path, asdict(creds))
    register_secret(creds.password)
    register_secret(creds.api_key)
    return creds


def free_port(host: str = DEFAULT_HOST, preferred: int = 0) -> int:
    """``preferred`` if it can be bound now, else any free port."""
    for candidate in (preferred, 0) if preferred else (0,):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind((host, candidate))
            except OSError:
                continue
            return int(sock.getsockname()[1])
    raise StudioError(f"no free port on {host}")


def _last_port(data_dir: Path) -> int:
    try:
        return int((data_dir / PORT_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return 0


def is_healthy(url: str, timeout: float = 3.0) -> bool:
    """True when ``GET /health`` answers ``{"status": "UP"}``."""
    try:
        response = httpx.get(f"{url.rstrip('/')}/health", timeout=timeout)
        return response.status_code == 200 and response.json().get("status") == "UP"
    except (httpx.HTTPError, ValueError):
        return False


def process_signature(pid: int) -> str | None:
    """Start time and command line of a live process (``ps``, so Linux and macOS alike);
    a recycled pid has a different start time, so the signature tells our server apart."""
    try:
        out = subprocess.run(
            ["ps", "-ww", "-o", "lstart=", "-o", "args=", "-p", str(pid)],
            capture_output=True, text=True, check=False, timeout=10,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out or None


def _signature_after_exec(pid: int, binary: str, timeout: float = 30.0) -> str | None:
    """The signature once the child has exec'd ``binary``: read straight after fork it would
    still show the parent's command line, and ``stop_server`` would later refuse to stop it."""
    deadline = time.monotonic() + timeout
    signature = process_signature(pid)
    while signature is not None and binary not in signature and time.monotonic() < deadline:
        time.sleep(0.05)
        signature = process_signature(pid)
    return signature


def _label_studio_binary() -> str:
    beside_python = Path(sys.executable).with_name("label-studio")
    if beside_python.exists():
        return str(beside_python)
    found = shutil.which("label-studio")
    if not found:
        raise StudioError("the `label-studio` command is not installed: `pip install 'curation[studio]'`")
    return found


def _template_database() -> Path:
    """A freshly migrated, user-less Label Studio database, built once per machine and version.

    Migrating a new database is most of Label Studio's start-up (minutes on a busy machine);
    copying this file into a new data folder leaves ``label-studio start`` nothing to migrate.
    """
    from importlib.metadata import version

    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "curation"
    template = cache / f"label-studio-{version('label-studio')}.sqlite3"
    if template.exists():
        return template
    cache.mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(prefix="ls-template-", dir=cache))
    try:
        spec = importlib.util.find_spec("label_studio")
        if spec is None or spec.origin is None:
            raise StudioError("Label Studio is not installed: `pip install 'curation[studio]'`")
        manage_py = Path(spec.origin).parent / "manage.py"
        env = dict(os.environ, LABEL_STUDIO_BASE_DATA_DIR=str(build), LATEST_VERSION_CHECK="false")
        result = subprocess.run(
            [sys.executable, str(manage_py), "migrate", "--no-color", "-v", "0"],
            env=env, capture_output=True, text=True, check=False,
        )
        if result.returncode != 0:
            raise StudioError(f"preparing Label Studio's database failed: {scrub(result.stderr[-800:])}")
        os.replace(build / DATABASE_FILE, template)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    return template


def _log_tail(log_path: Path) -> str:
    try:
        lines = log_path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return ""
    return scrub("\n".join(lines[-LOG_TAIL_LINES:]))


def read_pid_file(data_dir: Path) -> dict | None:
    path = data_dir / PID_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except ValueError:
        raise StudioError(f"{path}: corrupt server record; stop any stray server by hand and delete this file") from None


def _recorded_process_alive(record: dict) -> bool:
    """The recorded pid is alive AND still the process we started (same signature)."""
    pid = record.get("pid")
    return isinstance(pid, int) and process_signature(pid) == record.get("signature")


def start_server(
    data_dir: Path = DEFAULT_DATA_DIR,
    *,
    port: int | None = None,
    host: str = DEFAULT_HOST,
    startup_timeout: float = STARTUP_TIMEOUT_S,
) -> StudioServer:
    """Start Label Studio on ``host`` with its data in ``data_dir`` and wait for ``/health``.

    Idempotent: if this folder's server is already up, it is returned as is. On failure the
    process is stopped and the error carries the tail of ``server.log`` (secrets scrubbed).
    """
    data_dir = Path(data_dir).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    creds = load_or_create_credentials(data_dir)
    record = read_pid_file(data_dir)
    if record and _recorded_process_alive(record) and is_healthy(record["url"]):
        return StudioServer(record["url"], creds.api_key, creds.username, creds.password, record["pid"], data_dir)

    database = data_dir / DATABASE_FILE
    if not database.exists():
        shutil.copyfile(_template_database(), database)
    port = port or free_port(host, preferred=_last_port(data_dir))
    (data_dir / PORT_FILE).write_text(str(port), encoding="utf-8")
    url = f"http://{host}:{port}"
    env = dict(os.environ)
    env.update(
        LABEL_STUDIO_BASE_DATA_DIR=str(data_dir),
        LABEL_STUDIO_ENABLE_LEGACY_API_TOKEN="true",
        LABEL_STUDIO_USERNAME=creds.username,
        LABEL_STUDIO_PASSWORD=creds.password,
        LABEL_STUDIO_USER_TOKEN=creds.api_key,
        COLLECT_ANALYTICS="false",
        LATEST_VERSION_CHECK="false",  # no call to pypi.org at every start
        # The bridge imports tasks in big batches; Label Studio's default body limit is 250 MB.
        DATA_UPLOAD_MAX_MEMORY_SIZE=str(2 * 1024**3),
    )
    command = [
        _label_studio_binary(), "start", "--no-browser", "--enable-legacy-api-token",
        # --internal-host is the bind address (Label Studio's default is 0.0.0.0);
        # --host is only the public URL it writes into links.
        "--internal-host", host, "--host", url, "--port", str(port),
    ]
    log_path = data_dir / LOG_FILE
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    signature = _signature_after_exec(process.pid, command[0])
    _write_private(data_dir / PID_FILE, {"pid": process.pid, "port": port, "url": url, "signature": signature})

    deadline = time.monotonic() + startup_timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            (data_dir / PID_FILE).unlink(missing_ok=True)
            raise StudioError(
                f"Label Studio exited with code {process.returncode} during start-up; "
                f"see {log_path}:\n{_log_tail(log_path)}"
            )
        if is_healthy(url):
            return StudioServer(url, creds.api_key, creds.username, creds.password, process.pid, data_dir)
        time.sleep(0.5)
    _terminate(process.pid)
    (data_dir / PID_FILE).unlink(missing_ok=True)
    raise StudioError(
        f"Label Studio did not answer /health within {startup_timeout:.0f} s and was stopped; "
        f"see {log_path}:\n{_log_tail(log_path)}"
    )


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


def stop_server(data_dir: Path = DEFAULT_DATA_DIR) -> bool:
    """Stop the server recorded in ``data_dir`` if, and only if, the pid is still ours.

    Returns True when a server was stopped. A stale record (process gone, or the pid reused by
    another program) is removed without signalling anything.
    """
    data_dir = Path(data_dir).resolve()
    record = read_pid_file(data_dir)
    if record is None:
        return False
    stopped = False
    if _recorded_process_alive(record):
        _terminate(int(record["pid"]))
        stopped = True
    (data_dir / PID_FILE).unlink(missing_ok=True)
    return stopped


def server_status(data_dir: Path = DEFAULT_DATA_DIR) -> ServerStatus:
    data_dir = Path(data_dir).resolve()
    record = read_pid_file(data_dir)
    creds_path = data_dir / CREDENTIALS_FILE
    username = json.loads(creds_path.read_text(encoding="utf-8")).get("username") if creds_path.exists() else None
    if record is None:
        return ServerStatus(data_dir, False, False, False, None, None, username)
    running = _recorded_process_alive(record)
    healthy = running and is_healthy(record["url"])
    return ServerStatus(data_dir, True, running, healthy, record["url"], record.get("pid"), username)


def local_server(data_dir: Path = DEFAULT_DATA_DIR) -> StudioServer:
    """The running server of ``data_dir``, or a :class:`StudioError` saying how to start one."""
    status = server_status(data_dir)
    if not status.healthy or status.url is None:
        raise StudioError(
            f"no local Label Studio is running for {status.data_dir}: start it with `curation studio up`, "
            "or point at an existing server with --url and LABEL_STUDIO_API_KEY."
        )
    creds = load_or_create_credentials(status.data_dir)
    return StudioServer(status.url, creds.api_key, creds.username, creds.password, status.pid, status.data_dir)


def find_server(url: str | None = None, data_dir: Path = DEFAULT_DATA_DIR) -> StudioServer:
    """The server a command talks to: ``url`` with the key from ``LABEL_STUDIO_API_KEY`` (legacy
    token or personal access token), or else the local server of ``data_dir``."""
    if url is None:
        return local_server(data_dir)
    key = api_key_from_env()
    if key:
        register_secret(key)
        return StudioServer(url.rstrip("/"), key)
    status = server_status(data_dir)
    if status.url and status.url.rstrip("/") == url.rstrip("/"):
        return local_server(data_dir)
    raise StudioError(f"no API key for {url}: set {API_KEY_ENV} to a legacy token or personal access token.")
