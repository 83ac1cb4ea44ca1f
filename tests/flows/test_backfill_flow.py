"""The backfill flow in-process (no work pool): chunks as subflows, each holding its source's limit; and what the
flow does on a pool before it submits a chunk (the submission itself stood in for).

The run on a work pool with two workers is a manual check (deploy/README.md, "Backfills on a work
pool"): it needs a started server, a pool and worker processes, about two minutes here.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

pytestmark = pytest.mark.flow

from flows.backfill import backfill_tenders  # noqa: E402
from tests.flow_support import artifacts as _artifacts  # noqa: E402
from tests.flows.test_flows import data_dir  # noqa: E402, F401 - the store in a temporary folder


def test_backfill_flow_runs_its_chunks_in_process_and_skips_them_next_time(prefect_harness: None, data_dir: Path) -> None:
    from prefect import get_client

    first = backfill_tenders(date(2023, 2, 1), date(2023, 3, 31), sources=["ted", "tenderned"], transport="demo")
    assert [r["chunk"] for r in first] == ["ted:2023-02", "tenderned:2023-02", "ted:2023-03", "tenderned:2023-03"]
    assert {r["status"] for r in first} == {"ok"}
    assert sum(r["added"] for r in first) > 0
    with get_client(sync_client=True) as client:
        limits = {name: client.read_global_concurrency_limit_by_name(name).limit
                  for name in ("source-ted", "source-tenderned")}
    assert limits == {"source-ted": 2, "source-tenderned": 1}

    again = backfill_tenders(date(2023, 2, 1), date(2023, 3, 31), sources=["ted", "tenderned"], transport="demo")
    assert {r["status"] for r in again} == {"skipped"}
    table = _artifacts("backfill-tenders-chunks")["backfill-tenders-chunks"]
    assert table["type"] == "table" and "tenderned:2023-03" in table["data"]


def test_a_failing_chunk_fails_the_backfill_and_is_retried_next_time(
    prefect_harness: None, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import httpx

    import flows.backfill as backfill_flow
    from flows.backfill import BackfillFailed

    monkeypatch.setenv("SUPPLYRADAR_HTTP__MAX_ATTEMPTS", "1")
    down = httpx.MockTransport(lambda request: httpx.Response(503, text="Service Unavailable"))
    replay = backfill_flow.transport_for
    monkeypatch.setattr(backfill_flow, "transport_for", lambda name: down)
    with pytest.raises(BackfillFailed, match="ted:2023-02"):
        backfill_tenders(date(2023, 2, 1), date(2023, 2, 28), sources=["ted"], transport="demo")

    monkeypatch.setattr(backfill_flow, "transport_for", replay)  # the source is back
    (row,) = backfill_tenders(date(2023, 2, 1), date(2023, 2, 28), sources=["ted"], transport="demo")
    assert row["status"] == "ok" and row["added"] > 0


def test_a_pool_backfill_opens_the_store_before_submitting_chunks(
    prefect_harness: None, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chunks find the store migrated, and a store no one can reach fails the backfill before any chunk."""
    import flows.backfill as backfill_flow
    from config.settings import Settings
    from store.db import make_engine
    from store.migrate import current_revision, head_revision

    seen: list[str | None] = []

    def on_pool(chunks, transport):
        engine = make_engine(Settings().resolved_database_url)
        try:
            seen.append(current_revision(engine))
        finally:
            engine.dispose()
        return [{"chunk": c.label, "status": "Completed"} for c in chunks]

    monkeypatch.setattr(backfill_flow, "_on_pool", on_pool)
    rows = backfill_tenders(date(2023, 2, 1), date(2023, 2, 28), sources=["ted"], transport="live", pool="backfill")
    assert rows == [{"chunk": "ted:2023-02", "status": "Completed"}]
    assert seen == [head_revision()]

    monkeypatch.setenv("SUPPLYRADAR_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:9/nowhere?connect_timeout=2")
    with pytest.raises(Exception, match="127.0.0.1"):
        backfill_tenders(date(2023, 2, 1), date(2023, 2, 28), sources=["ted"], transport="live", pool="backfill")
    assert len(seen) == 1  # no chunk submitted
