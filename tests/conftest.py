"""Shared fixtures: settings and stores in temporary folders, PostgreSQL where one answers.

Tests never touch the network. Store tests run on SQLite always and on PostgreSQL when
``SUPPLYRADAR_TEST_POSTGRES_URL`` points at a reachable server (``.ci/run`` sets it when the
local one answers); each session gets its own throw-away database there.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from config.settings import Settings
from store.db import Store

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# Prefect reads PREFECT_HOME when it is first imported: keep its files out of the user's home.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="supplyradar-prefect-"))


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One Prefect test harness for the whole session (about 10 s to start), heartbeat off."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120), temporary_settings(
        updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
    ):
        yield


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", _env_file=None)


def _postgres_database() -> Iterator[str | None]:
    url = os.environ.get("SUPPLYRADAR_TEST_POSTGRES_URL")
    if not url:
        yield None
        return
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    name = f"supplyradar_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # noqa: BLE001
        admin.dispose()
        pytest.skip(f"PostgreSQL at {make_url(url).render_as_string(hide_password=True)} not usable: {exc}")
    try:
        yield make_url(url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    yield from _postgres_database()


@pytest.fixture
def new_postgres_url() -> Iterator[str | None]:
    """A PostgreSQL database of one test's own that nothing has migrated yet (``None`` without a server)."""
    yield from _postgres_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A migrated, empty store on each database we support."""
    if request.param == "sqlite":
        db = Store(f"sqlite:///{tmp_path / 'store.db'}")
    else:
        url = request.getfixturevalue("postgres_url")
        if url is None:
            pytest.skip("PostgreSQL: set SUPPLYRADAR_TEST_POSTGRES_URL to run the store tests there too")
        db = Store(url)
        _truncate(db)
    try:
        yield db
    finally:
        db.dispose()


def _truncate(db: Store) -> None:
    from store.schema import Base

    with db.engine.begin() as conn:
        tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables if t.name != "cpv_codes")
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
