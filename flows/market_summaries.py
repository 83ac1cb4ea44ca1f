"""Flow: keep the market summary table up to date (daily after the tenders; the market-scan flow too)."""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE

from config.settings import Settings
from pipelines.market_summaries import refresh_market_summaries
from store.db import Store


@task(name="refresh-market-summaries", cache_policy=NONE)
def refresh_summaries(today: date | None, prefixes: list[str]) -> dict[str, int]:
    settings = Settings()
    with Store(settings.resolved_database_url) as store:
        written = refresh_market_summaries(store, today=today, prefixes=prefixes, language=settings.language)
    get_run_logger().info("market summaries of %d categories refreshed", len(written))
    return written


@flow(name="refresh-market-summaries")
def market_summaries(today: date | None = None, cpv: list[str] | None = None) -> dict[str, int]:
    """Recompute each of our categories' market statistics (and ``cpv``'s) into the summary table."""
    return refresh_summaries(today, list(cpv or ()))
