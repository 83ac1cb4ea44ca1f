"""``store.bookkeeping.get_meta``/``set_meta`` as driver statements: what they store and read is what the statements
SQLAlchemy built before stored and read (a KvK refresh counts its month's queries through them once per batch)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from pipelines.kvk_refresh_plan import count_queries, queries_sent
from store.bookkeeping import get_meta, set_meta
from store.db import Store
from store.notices import dialect_insert
from store.schema import StoreMeta


def _old_set_meta(session, key: str, value: str, now: datetime) -> None:
    """``set_meta`` as it was: an insert-on-conflict-update built per call."""
    stmt = dialect_insert(session.get_bind(), StoreMeta).values(key=key, value=value, updated_at=now)
    session.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value, "updated_at": now}))


def _rows(store: Store) -> list[tuple[str, str]]:
    with store.session() as session:
        return [tuple(row) for row in session.execute(select(StoreMeta.key, StoreMeta.value).order_by(StoreMeta.key))]


def test_set_meta_inserts_then_overwrites_as_the_old_statement(store: Store, tmp_path) -> None:
    old = Store(f"sqlite:///{tmp_path / 'old.db'}") if store.engine.dialect.name == "sqlite" else None
    writes = [("a", "1"), ("b", "x"), ("a", "2"), ("ümlaut", "ë" * 300), ("b", "")]
    with store.session() as session, session.begin():
        for key, value in writes:
            set_meta(session, key, value)
    assert _rows(store) == [("a", "2"), ("b", ""), ("ümlaut", "ë" * 300)]
    if old is not None:
        with old.session() as session, session.begin():
            for key, value in writes:
                _old_set_meta(session, key, value, datetime.now(UTC))
        assert _rows(old) == _rows(store)
        old.dispose()


def test_set_meta_moves_updated_at_on_overwrite(store: Store) -> None:
    with store.session() as session, session.begin():
        set_meta(session, "k", "v")
    with store.session() as session:
        first = session.scalar(select(StoreMeta.updated_at))
    with store.session() as session, session.begin():
        set_meta(session, "k", "w")
    with store.session() as session:
        row = session.execute(select(StoreMeta.value, StoreMeta.updated_at)).one()
    assert row.value == "w" and row.updated_at >= first


def test_get_meta_reads_what_is_stored_and_none_when_absent(store: Store) -> None:
    with store.session() as session, session.begin():
        assert get_meta(session, "missing") is None
        set_meta(session, "k", "v")
        assert get_meta(session, "k") == "v"  # in the same transaction, as before
        session.add(StoreMeta(key="orm", value="o", updated_at=datetime.now(UTC)))
        session.flush()
        assert get_meta(session, "orm") == "o"


def test_count_queries_adds_up_per_month(store: Store) -> None:
    march, april = date(2025, 3, 10), date(2025, 4, 1)
    with store.session() as session, session.begin():
        count_queries(session, march, 200)
        count_queries(session, march, 0)
        count_queries(session, march, 37)
        count_queries(session, april, 5)
    with store.session() as session:
        assert (queries_sent(session, march), queries_sent(session, april), queries_sent(session, date(2025, 5, 1))) \
            == (237, 5, 0)
