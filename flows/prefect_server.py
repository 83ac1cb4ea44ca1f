"""A temporary, local Prefect server for the demo and one-off runs.

Prefect's built-in ephemeral server is cancelled mid-flush when the process exits right after a
flow, and prints ``CancelledError`` tracebacks. Running ``prefect server start`` as a child
process, waiting for its health check, and stopping it with SIGINT afterwards gives a clean
terminal and the same flows, artifacts and UI-visible history as a real server.
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib.metadata import version
from pathlib import Path

import httpx

log = logging.getLogger(__name__)

#: Quiet, offline-friendly Prefect settings for local runs (no telemetry, no update checks).
QUIET_PREFECT_ENV = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_UI_ENABLED": "false",
    "PREFECT_LOGGING_LEVEL": "WARNING",
}

#: Server services the temporary server does without (setting names checked against prefect 3.8.8). Its flows
#: run in the process that started it: nothing is scheduled or served from a deployment, nobody waits on late,
#: paused, cancelled or crashed runs, no worker, automation or event subscriber listens. Kept on: the task run
#: recorder (task runs and their states arrive as events) and the event persister (the events a run's page
#: shows in the UI); flow runs, their states, logs and artifacts are API writes that need no service. Measured:
#: the idle server's CPU 0.020 -> 0.012 CPU-s per second. A long-lived server (deploy/) needs them all.
TEMPORARY_SERVER_ENV = {
    "PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_LATE_RUNS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_FOREMAN_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_PAUSE_EXPIRATIONS_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_CANCELLATION_CLEANUP_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_REPOSSESSOR_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_CLEANUP_RECONCILER_ENABLED": "false",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
    "PREFECT_SERVER_EVENTS_STREAM_OUT_ENABLED": "false",
    "PREFECT_SERVER_LOGS_STREAM_OUT_ENABLED": "false",
}


class PrefectServerError(RuntimeError):
    """The temporary server did not come up; the message points at its log file."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_command(port: int) -> list[str]:
    """``prefect server start`` through flows/prefect_server_process.py (same CLI, no interpreter teardown)."""
    script = Path(__file__).with_name("prefect_server_process.py")
    return [sys.executable, str(script), "server", "start", "--host", "127.0.0.1", "--port", str(port)]


def default_template_dir() -> Path:
    """Where the migrated, empty server database is kept between runs (the user's cache folder)."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "supplyradar"


class StartingServer:
    """A Prefect server process that has been started; ``ready()`` waits for its health check (once)."""

    def __init__(self, api_url: str, process: subprocess.Popen, log_path: Path, startup_timeout: float,
                 save_template: tuple[Path, Path] | None = None) -> None:
        self.api_url = api_url
        self._process, self._log_path, self._timeout = process, log_path, startup_timeout
        self._save_template = save_template
        self._healthy = False

    def ready(self) -> str:
        """Wait until the server answers; returns its API URL."""
        if not self._healthy:
            _wait_until_healthy(self.api_url, self._process, self._timeout, self._log_path)
            self._healthy = True
            if self._save_template:  # migrated and no flow has run yet: the next fresh home starts from it
                _save_template(*self._save_template)
        return self.api_url


@contextlib.contextmanager
def starting_server(home: Path, *, startup_timeout: float = 90.0,
                    template_dir: Path | None = None) -> Iterator[StartingServer]:
    """Start a Prefect server with its database under ``home`` and yield at once, so that the caller works
    (imports, builds data) while the server starts; call ``ready()`` before the first flow. Stopped on exit.

    With ``template_dir``, a home without a database starts from a copy of the migrated, empty database kept
    there for this Prefect version (made by the first such run): migrating a new SQLite database through
    Prefect's 114 revisions and registering its block types took about 5 CPU-s of the server's 8 to start.
    """
    home.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, **QUIET_PREFECT_ENV, **TEMPORARY_SERVER_ENV, "PREFECT_HOME": str(home.resolve())}
    env.pop("PREFECT_API_URL", None)
    save_template = _use_template(home, env, template_dir)
    log_path = home / "server.log"
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            _server_command(port),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
        try:
            yield StartingServer(api_url, process, log_path, startup_timeout, save_template)
        finally:
            drain_prefect_workers()
            _stop(process)


@contextlib.contextmanager
def temporary_server(home: Path, *, startup_timeout: float = 90.0) -> Iterator[str]:
    """Start a Prefect server with its database under ``home``; yield its API URL once it answers; stop it."""
    with starting_server(home, startup_timeout=startup_timeout) as server:
        yield server.ready()


def _use_template(home: Path, env: dict[str, str], template_dir: Path | None) -> tuple[Path, Path] | None:
    """Copy the template into a home without a database (and skip the block registration it already holds);
    returns (database, template) when there is no template yet, for ``ready()`` to make one."""
    database_url = env.get("PREFECT_SERVER_DATABASE_CONNECTION_URL") or env.get("PREFECT_API_DATABASE_CONNECTION_URL")
    database = home / "prefect.db"
    if template_dir is None or database_url or database.exists():
        return None  # another database, or this home's own history
    template = template_dir / f"prefect-{version('prefect')}-server.db"
    if not template.exists():
        return database, template
    if not _sound_template(template):
        log.warning("the cached Prefect database %s is unreadable or incomplete; removed, the server migrates anew",
                    template)
        template.unlink(missing_ok=True)
        return database, template
    for leftover in (home / "prefect.db-wal", home / "prefect.db-shm"):  # would be replayed onto the copy
        leftover.unlink(missing_ok=True)
    try:
        shutil.copyfile(template, database)
    except OSError as exc:
        log.warning("could not copy the cached Prefect database %s (%s); the server migrates anew", template, exc)
        database.unlink(missing_ok=True)
        return None
    env["PREFECT_SERVER_REGISTER_BLOCKS_ON_START"] = "false"
    return None


def _sound_template(template: Path) -> bool:
    """The template is a whole SQLite file that Prefect's migrations ran on (a bad disk, a hand edit or a
    half-written file would otherwise break every fresh home copied from it)."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{template}?mode=ro", uri=True)) as db:
            checked = db.execute("pragma quick_check").fetchone()
            migrated = db.execute("select count(*) from alembic_version").fetchone()
    except sqlite3.Error:
        return False
    return bool(checked and checked[0] == "ok" and migrated and migrated[0] > 0)


def _save_template(database: Path, template: Path) -> None:
    """A copy of the server's database through SQLite's backup API (consistent while the server runs), written
    under another name and renamed, so that a run starting at the same moment never copies half a file."""
    partial = template.with_name(f"{template.name}.{os.getpid()}.part")
    try:
        template.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.closing(sqlite3.connect(database)) as source, contextlib.closing(sqlite3.connect(partial)) as copy:
            source.backup(copy)
            copy.execute("pragma journal_mode=delete")  # one self-contained file, no -wal beside it
        os.replace(partial, template)
    except (OSError, sqlite3.Error) as exc:  # only a cache: the next fresh home migrates again
        log.info("the Prefect database template %s was not saved: %s", template, exc)
        partial.unlink(missing_ok=True)


def drain_prefect_workers(timeout: float = 15.0) -> None:
    """Send the logs and events still queued in this process before the server goes away."""
    if "prefect" not in sys.modules:
        return
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        with contextlib.suppress(Exception):
            worker.drain_all(timeout=timeout)


def _wait_until_healthy(api_url: str, process: subprocess.Popen, timeout: float, log_path: Path) -> None:
    deadline = time.monotonic() + timeout
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise PrefectServerError(f"Prefect server exited with code {process.returncode}; see {log_path}")
            with contextlib.suppress(httpx.HTTPError):
                if client.get(f"{api_url}/health").status_code == 200:
                    return
            time.sleep(0.5)
    raise PrefectServerError(f"Prefect server did not answer within {timeout:.0f} s; see {log_path}")


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=5)
