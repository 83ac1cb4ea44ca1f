"""Bulk loads refresh PostgreSQL's planner statistics; identifier counts never go negative."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text

from store.bookkeeping import ANALYZE_AFTER_RECORDS, finish_run, start_run
from store.db import Store
from store.matching import add_identifiers
from store.schema import Organisation


def _analyses(store: Store) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT coalesce(sum(analyze_count), 0) FROM pg_stat_user_tables WHERE relname = 'collection_runs'"
        )).scalar_one())


def test_a_large_run_refreshes_statistics_on_postgresql_only(store: Store) -> None:
    postgres = store.engine.dialect.name == "postgresql"
    before = _analyses(store) if postgres else 0
    with store.session() as session, session.begin():
        small = start_run(session, "ted")
        finish_run(session, small, status="ok", added=ANALYZE_AFTER_RECORDS - 1)
    if postgres:
        assert _analyses(store) == before  # statistics views lag a little; a small run must not analyse at all
    with store.session() as session, session.begin():
        large = start_run(session, "ted")
        finish_run(session, large, status="ok", added=ANALYZE_AFTER_RECORDS)
    with store.session() as session:
        statuses = [s for (s,) in session.execute(text("SELECT status FROM collection_runs ORDER BY id"))]
    assert statuses == ["ok", "ok"]
    if postgres:
        with store.engine.connect() as conn:
            analysed = conn.execute(text(
                "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'collection_runs'"
            )).scalar_one()
        assert analysed


def test_identifiers_added_counts_inserted_rows_only(store: Store) -> None:
    with store.session() as session, session.begin():
        now = datetime.now(UTC)
        org = Organisation(org_key="NL:kvk:12345678", name="Voorbeeld B.V.", first_seen=now, updated_at=now)
        session.add(org)
        session.flush()
        rows = [(org.id, "kvk", "12345678", "test"), (org.id, "vat", "NL001234567B01", "test")]
        assert add_identifiers(session, rows) == 2
        assert add_identifiers(session, rows) == 0
        assert add_identifiers(session, [*rows, (org.id, "name", "voorbeeld", "test")]) == 1
