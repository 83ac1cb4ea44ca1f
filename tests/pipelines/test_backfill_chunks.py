"""Backfill chunks: planning, a chunk run twice, the per-source concurrency limits, ANALYZE on PostgreSQL only.

Runs on SQLite and, when ``SUPPLYRADAR_TEST_POSTGRES_URL`` is set, on PostgreSQL too (the ``store``
fixture skips the PostgreSQL case with its reason otherwise). The demo replay transport serves the data.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text

from config.settings import HttpSettings, Settings, TedSettings, TenderNedSettings
from demo.replay import demo_transport
from pipelines.backfill import (
    Chunk,
    plan_chunks,
    refresh_after_backfill,
    run_chunk,
    source_limit_name,
    source_slots,
)
from pipelines.transports import settings_for
from store.bookkeeping import get_watermark
from store.db import Store
from store.schema import CollectionRun
from store.schema import Notice as NoticeRow

MARCH = Chunk("ted", date(2023, 3, 1), date(2023, 3, 31))


@pytest.fixture
def demo_settings(settings: Settings) -> Settings:
    quick = settings.model_copy(update={"http": HttpSettings(max_attempts=1, backoff_base=0, backoff_max=0)})
    return settings_for(quick, "demo")


def _notices(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(NoticeRow))


def test_chunks_are_every_month_of_every_source_month_by_month() -> None:
    chunks = plan_chunks(["ted", "tenderned", "ted"], date(2024, 1, 15), date(2024, 3, 10))
    assert [c.label for c in chunks] == [
        "ted:2024-01", "tenderned:2024-01", "ted:2024-02", "tenderned:2024-02", "ted:2024-03", "tenderned:2024-03",
    ]
    assert (chunks[0].start, chunks[0].end) == (date(2024, 1, 15), date(2024, 1, 31))  # cut to the window
    assert (chunks[2].start, chunks[2].end) == (date(2024, 2, 1), date(2024, 2, 29))
    assert (chunks[-1].start, chunks[-1].end) == (date(2024, 3, 1), date(2024, 3, 10))
    with pytest.raises(ValueError, match="unknown source"):
        plan_chunks(["ted", "gdelt"], date(2024, 1, 1), date(2024, 1, 31))
    with pytest.raises(ValueError, match="ends"):
        plan_chunks(["ted"], date(2024, 2, 1), date(2024, 1, 1))


def test_a_chunk_run_twice_is_collected_once(store: Store, demo_settings: Settings) -> None:
    first = run_chunk(store, demo_settings, MARCH, transport=demo_transport())
    assert first.status == "ok" and first.summary is not None
    stored = _notices(store)
    assert first.summary.saved.added == stored > 0
    with store.session() as session:
        assert get_watermark(session, "ted", f"backfill:{_scope(demo_settings)}:2023-03") == "done"

    second = run_chunk(store, demo_settings, MARCH, transport=demo_transport())
    assert second.status == "skipped" and second.summary is None and second.loaded == 0
    assert _notices(store) == stored
    with store.session() as session:
        runs = session.execute(select(CollectionRun.source, CollectionRun.status, CollectionRun.added,
                                      CollectionRun.details)).all()
    # one collection run per chunk run that did work, named after its chunk
    assert [(s, st, added) for s, st, added, _ in runs] == [("ted", "ok", stored)]
    assert runs[0].details["label"] == "backfill ted:2023-03" and runs[0].details["until"] == "2023-03-31"


def test_a_chunk_collected_again_changes_nothing(store: Store, demo_settings: Settings) -> None:
    """Two workers may both run a chunk (the second before the first marked it done): the upserts make that safe."""
    run_chunk(store, demo_settings, MARCH, transport=demo_transport())
    stored = _notices(store)
    with store.session() as session, session.begin():
        session.execute(text("DELETE FROM watermarks WHERE scope LIKE 'backfill:%'"))
    again = run_chunk(store, demo_settings, MARCH, transport=demo_transport())
    assert again.summary is not None and again.status == "ok"
    assert (again.summary.saved.added, again.summary.saved.updated, again.summary.saved.unchanged) == (0, 0, stored)
    assert _notices(store) == stored


def test_a_month_still_running_is_collected_each_time(store: Store, demo_settings: Settings) -> None:
    today = date(2023, 3, 20)  # the chunk ends after "today": it is never marked done
    run_chunk(store, demo_settings, MARCH, transport=demo_transport(), today=today)
    assert run_chunk(store, demo_settings, MARCH, transport=demo_transport(), today=today).status == "ok"


def test_each_source_has_its_own_limit_sized_from_its_rate_limit() -> None:
    assert [source_limit_name(s) for s in ("ted", "tenderned")] == ["source-ted", "source-tenderned"]
    with pytest.raises(ValueError, match="unknown source"):
        source_limit_name("gdelt")
    defaults = Settings(_env_file=None)
    # TED: 10 requests/s allowed, each chunk sends one every 0.2 s -> 2 chunks; TenderNed: 2/s, 0.5 s -> 1.
    assert (source_slots(defaults, "ted"), source_slots(defaults, "tenderned")) == (2, 1)
    generous = Settings(_env_file=None, ted=TedSettings(max_requests_per_second=20, min_interval_seconds=0.25))
    assert source_slots(generous, "ted") == 5
    # a source allowing less than one paced chunk still gets one slot (the pacing then decides)
    strict = Settings(_env_file=None, tenderned=TenderNedSettings(max_requests_per_second=1, min_interval_seconds=0.5))
    assert source_slots(strict, "tenderned") == 1
    # sized from the replay's settings (no pacing) a source would get one slot: flows.backfill sizes them from
    # the live settings
    assert source_slots(settings_for(defaults, "demo"), "ted") == 1


def test_analyze_after_a_backfill_on_postgresql_only(store: Store) -> None:
    postgres = store.engine.dialect.name == "postgresql"
    assert refresh_after_backfill(store, 0) is False  # nothing loaded: nothing to analyse
    assert refresh_after_backfill(store, 12) is postgres
    assert refresh_after_backfill(store, None) is postgres  # unknown (chunks on a pool): analyse
    if postgres:
        with store.engine.connect() as conn:
            analysed = conn.execute(text(
                "SELECT last_analyze IS NOT NULL FROM pg_stat_user_tables WHERE relname = 'notices'")).scalar_one()
        assert analysed


def _scope(settings: Settings) -> str:
    from pipelines.collect_tenders import ted_scope

    return ted_scope(settings)
