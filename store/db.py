"""Engine and sessions; the schema is migrated to the newest revision on first use.

SQLite (the default) gets WAL, foreign keys and a busy timeout, so a flow and a CLI command can
share the file. PostgreSQL works the same with ``postgresql+psycopg://`` URLs.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from store.migrate import upgrade_to_head
from store.reference import ensure_cpv_labels

log = logging.getLogger(__name__)

#: SQLite's page cache per connection, in MiB (SQLite's default is 2). The chain's reads go over the same
#: award, spend and score pages again and again; at issue 20's size (``make bench-scale SCALE=54``) 64 MiB cut
#: the chain from 215 to 198 CPU-s (import own data, news, scoring and market scans each 15-25% cheaper) for
#: 54 MiB more peak RSS. It is an upper bound, filled only as pages are read.
SQLITE_CACHE_MIB = 64


#: How long a connection waits for another one's write lock before "database is locked".
SQLITE_BUSY_TIMEOUT_S = 30


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # DB-API objects are untyped
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
    _write_ahead_log(cursor)
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA cache_size=-{SQLITE_CACHE_MIB * 1024}")  # negative: KiB, not pages
    cursor.close()


def _write_ahead_log(cursor) -> None:
    """WAL mode (it stays in the file once set). Switching a new database to it needs the file to itself, and a
    connection that finds another one there may get "database is locked" at once, the busy timeout not applying
    (seen rarely: three openers of a new database at once, once in a CI run and once in 150 tries here). So it tries
    again, for as long as the busy timeout."""
    deadline = time.monotonic() + SQLITE_BUSY_TIMEOUT_S
    pause = 0.005
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() + pause > deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.25)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; creates the SQLite file's folder when needed."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


class Store:
    """An open, migrated database: the one handle flows and commands pass around (by URL, not object)."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        if migrate:
            upgrade_to_head(self.engine)
            with self.sessions.begin() as session:
                ensure_cpv_labels(session)

    def session(self) -> Session:
        return self.sessions()

    def dispose(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()

    @property
    def display_url(self) -> str:
        """The URL with any password hidden, for logs and messages."""
        return make_url(self.url).render_as_string(hide_password=True)
