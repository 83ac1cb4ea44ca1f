"""Every SQLite connection the store opens gets the pragmas ``store.db`` sets (a new connection would not)."""

from __future__ import annotations

from sqlalchemy import text

from store.db import SQLITE_CACHE_MIB, make_engine


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
