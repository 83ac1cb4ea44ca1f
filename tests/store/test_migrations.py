"""Migrations and the ORM schema agree: a database migrated to head has every table and column the
models declare, so each area's hand-written revision is checked against its ``store/schema_<area>.py``."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from store.db import Store
from store.schema import Base


def test_migrated_schema_matches_the_models(store: Store) -> None:
    with store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert differences == []


def test_every_declared_table_exists_after_migration(store: Store) -> None:
    from sqlalchemy import inspect

    assert set(Base.metadata.tables) <= set(inspect(store.engine).get_table_names())
