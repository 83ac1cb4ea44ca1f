"""Every SQLite connection the store opens gets the pragmas ``store.db`` sets (a new connection would not)."""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from store.db import SQLITE_CACHE_MIB, _write_ahead_log, make_engine


def test_each_sqlite_connection_has_the_page_cache_wal_and_foreign_keys(tmp_path) -> None:
    engine = make_engine(f"sqlite:///{(tmp_path / 'sub' / 'store.db').as_posix()}")
    try:
        with engine.connect() as connection:
            # negative cache_size is in KiB
            assert connection.execute(text("PRAGMA cache_size")).scalar() == -SQLITE_CACHE_MIB * 1024
            assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert connection.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    finally:
        engine.dispose()
    assert (tmp_path / "sub" / "store.db").exists()


class _LockedCursor:
    """A cursor whose ``PRAGMA journal_mode=WAL`` finds the database locked ``times`` times, as a connection does
    when another one is switching a new database to WAL at that moment."""

    def __init__(self, times: int, message: str = "database is locked") -> None:
        self.left, self.message, self.statements = times, message, []

    def execute(self, statement: str) -> None:
        self.statements.append(statement)
        if self.left:
            self.left -= 1
            raise sqlite3.OperationalError(self.message)


def test_switching_to_wal_tries_again_while_another_connection_holds_the_new_database() -> None:
    cursor = _LockedCursor(times=3)
    _write_ahead_log(cursor)
    assert cursor.statements == ["PRAGMA journal_mode=WAL"] * 4


def test_other_errors_while_switching_to_wal_are_not_retried() -> None:
    cursor = _LockedCursor(times=1, message="disk I/O error")
    with pytest.raises(sqlite3.OperationalError, match="disk I/O error"):
        _write_ahead_log(cursor)
    assert cursor.statements == ["PRAGMA journal_mode=WAL"]


def test_a_database_locked_for_longer_than_the_busy_timeout_still_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("store.db.SQLITE_BUSY_TIMEOUT_S", 0.02)
    cursor = _LockedCursor(times=10_000)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        _write_ahead_log(cursor)
    assert 1 < len(cursor.statements) < 10
