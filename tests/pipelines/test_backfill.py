"""Round trip: a backfill over the demo data set, interrupted by a failing source and resumed.

The demo replay transport serves the synthetic TED data; a wrapper makes the source fail after a
number of requests, as a real outage would in the middle of a long history.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select

from config.settings import HttpSettings, Settings
from demo.replay import demo_transport
from pipelines.backfill import backfill, month_chunks
from pipelines.transports import settings_for
from store.db import Store
from store.schema import Notice as NoticeRow


class FailingAfter(httpx.BaseTransport):
    """Answers 503 once ``budget`` requests have gone through, like a source that goes down."""

    def __init__(self, inner: httpx.BaseTransport, budget: int) -> None:
        self.inner, self.budget = inner, budget

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        if self.budget <= 0:
            return httpx.Response(503, text="Service Unavailable")
        self.budget -= 1
        return self.inner.handle_request(request)


@pytest.fixture
def backfill_settings(tmp_path: Path) -> Settings:
    base = Settings(data_dir=tmp_path, _env_file=None, http=HttpSettings(max_attempts=1, backoff_base=0, backoff_max=0))
    return settings_for(base, "demo")


def _count(store: Store) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(NoticeRow))


def test_month_chunks_cover_the_window_exactly() -> None:
    chunks = list(month_chunks(date(2024, 1, 15), date(2024, 3, 10)))
    assert chunks == [
        (date(2024, 1, 15), date(2024, 1, 31)),
        (date(2024, 2, 1), date(2024, 2, 29)),
        (date(2024, 3, 1), date(2024, 3, 10)),
    ]
    with pytest.raises(ValueError, match="ends"):
        list(month_chunks(date(2024, 2, 1), date(2024, 1, 1)))


def test_an_interrupted_backfill_continues_where_it_stopped(tmp_path: Path, backfill_settings: Settings) -> None:
    window = {"start": date(2023, 1, 1), "end": date(2023, 6, 30)}
    with Store(f"sqlite:///{tmp_path / 'reference.db'}") as reference:
        full = backfill(reference, backfill_settings, "ted", transport=demo_transport(), **window)
        expected = _count(reference)
    assert full.ok and full.chunks == 6 and expected > 50

    with Store(f"sqlite:///{tmp_path / 'backfill.db'}") as store:
        interrupted = backfill(store, backfill_settings, "ted", transport=FailingAfter(demo_transport(), 40), **window)
        assert not interrupted.ok and interrupted.stopped_at is not None
        stored_before = _count(store)
        assert 0 < stored_before < expected

        resumed = backfill(store, backfill_settings, "ted", transport=demo_transport(), **window)
        assert resumed.ok
        assert resumed.skipped == (interrupted.stopped_at.month - 1)  # the months finished before are not fetched again
        assert _count(store) == expected

        again = backfill(store, backfill_settings, "ted", transport=demo_transport(), **window)
        assert again.skipped == 6 and again.summaries == []
