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


def test_no_index_is_the_beginning_of_another_index_of_its_table(store: Store) -> None:
    """An index whose columns begin another index of the same table (a unique constraint's, say) serves no read
    the longer one does not, and costs a write per row (0020, 0021 dropped such)."""
    from sqlalchemy import inspect

    inspector = inspect(store.engine)
    redundant = []
    for table in inspector.get_table_names():
        indexes = [(index["name"], index["column_names"]) for index in inspector.get_indexes(table)]
        indexes += [(unique["name"], unique["column_names"]) for unique in inspector.get_unique_constraints(table)]
        primary = inspector.get_pk_constraint(table)["constrained_columns"]
        if primary:
            indexes.append(("primary key", primary))
        for name, columns in indexes:
            if any(other != name and len(longer) > len(columns) and longer[:len(columns)] == columns
                   for other, longer in indexes):
                redundant.append(f"{table}.{name} {columns}")
    assert redundant == []
