"""Several processes opening a new database at once: one migrates, the others wait, then find the schema at head.

Seen with two Prefect workers on a new PostgreSQL database: two backfill chunks started together, both created
``alembic_version``, and one chunk failed with a unique violation (``store.migrate.hold_migration_lock``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from store.db import make_engine
from store.migrate import MIGRATION_LOCK_KEY, current_revision, head_revision, upgrade_to_head

OPENERS = 3


@pytest.fixture(params=["sqlite", "postgresql"])
def new_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a database nothing has migrated yet."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'new.db'}"
        return
    url = request.getfixturevalue("new_postgres_url")
    if url is None:
        pytest.skip("PostgreSQL: set SUPPLYRADAR_TEST_POSTGRES_URL to run the store tests there too")
    yield url


def _migrate_in_threads(url: str, count: int) -> tuple[list[threading.Thread], list[BaseException]]:
    """``count`` threads, each with its own engine (as separate processes have), start migrating together."""
    errors: list[BaseException] = []
    start = threading.Barrier(count)

    def open_and_migrate() -> None:
        engine = make_engine(url)
        try:
            start.wait()
            upgrade_to_head(engine)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            engine.dispose()

    # daemon threads: a regression that leaves one waiting fails the test instead of keeping pytest from exiting
    threads = [threading.Thread(target=open_and_migrate, daemon=True) for _ in range(count)]
    for thread in threads:
        thread.start()
    return threads, errors


def test_openers_at_once_all_succeed_and_the_schema_is_at_head(new_database: str) -> None:
    threads, errors = _migrate_in_threads(new_database, OPENERS)
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    assert errors == []
    engine = make_engine(new_database)
    try:
        assert current_revision(engine) == head_revision()
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar_one() == 1
    finally:
        engine.dispose()


def test_a_migration_waits_while_another_process_holds_the_lock(new_database: str) -> None:
    if not new_database.startswith("postgresql"):
        pytest.skip("the advisory lock is PostgreSQL's; SQLite's write lock is covered by the test above")
    holder = create_engine(new_database)
    try:
        with holder.connect() as conn, conn.begin():
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            threads, errors = _migrate_in_threads(new_database, 2)
            for thread in threads:
                thread.join(timeout=1.0)
            waiting = [thread.is_alive() for thread in threads]
            tables_meanwhile = inspect(holder).get_table_names()
        for thread in threads:
            thread.join(timeout=60)
        assert waiting == [True, True]
        assert "alembic_version" not in tables_meanwhile
        assert errors == []
        assert current_revision(holder) == head_revision()
    finally:
        holder.dispose()
