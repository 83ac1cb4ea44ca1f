"""Alembic, driven from code: ``upgrade_to_head`` runs on first use of a database.

The migration scripts live in the package (``store/migrations``), so an installed supplyradar
migrates its database without an ``alembic.ini`` in the working directory.

Several processes may open a new database at once (a backfill's chunks starting on two workers, a flow and a
command): one migrates while the others wait, then find the schema at head and go on. Without that, both
created ``alembic_version`` and one failed (seen with two Prefect workers on a new PostgreSQL database).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, text

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: PostgreSQL advisory lock key held while a process migrates (any fixed number; the same in every process).
MIGRATION_LOCK_KEY = 0x53524D47  # "SRMG"


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


@cache
def head_revision() -> str | None:
    """The newest revision of the scripts shipped in the package; read once per process (every ``Store`` asks,
    and Alembic compiles all the scripts from source to answer: ~18 ms per store opened)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade_to_head(engine: Engine) -> None:
    """Bring the schema to the newest revision; cheap when it is already there.

    One process at a time migrates a database (``hold_migration_lock``); one that waited looks again, as another
    may have migrated meanwhile."""
    if current_revision(engine) == head_revision():
        return
    cfg = alembic_config()
    with engine.begin() as conn:
        hold_migration_lock(conn)
        if MigrationContext.configure(conn).get_current_revision() == head_revision():
            return
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def hold_migration_lock(conn: Connection) -> None:
    """Until ``conn``'s transaction ends, no other process migrates the same database: PostgreSQL's transaction
    advisory lock; on SQLite the database's write lock, taken at once (``BEGIN IMMEDIATE``: the others wait on
    the busy timeout), which also makes the migration one transaction there."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
    elif conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
