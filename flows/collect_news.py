"""Flows: ``collect-news`` (feeds and GDELT) and ``screen-sanctions`` (EU list download and screening).

Thin on purpose: one task per source (all feeds are fetched in one task; GDELT's queries in
another; the sanctions list in a third), never one per article or feed item. The work is in
``pipelines.collect_news`` and ``pipelines.screen_sanctions``; every write is idempotent, so a task retry
is safe.
"""

from __future__ import annotations

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NONE

from config.settings import Settings
from pipelines.collect_news import SOURCES, collect_news, news_settings_for
from pipelines.screen_sanctions import collect_sanctions
from pipelines.transports import note_dataset, transport_for
from store.db import Store


@task(name="collect-news-source", cache_policy=NONE, retries=1, retry_delay_seconds=60)
def collect_news_source(source: str, transport: str) -> dict:
    logger = get_run_logger()
    settings = news_settings_for(Settings(), transport)
    with Store(settings.resolved_database_url) as store:
        note_dataset(store, transport)
        (summary,) = collect_news(store, settings, sources=[source], transport=transport_for(transport))
    for failure in summary.failures:
        logger.warning("%s: %s", source, failure)
    logger.info("%s: %s", source, summary.as_row())
    if summary.status != "ok":
        logger.error("%s stopped early: %s", source, summary.error)
    return summary.as_row()


@flow(name="collect-news", log_prints=False)
def collect_news_flow(
    sources: list[str] = list(SOURCES),  # noqa: B006
    transport: str = "live",
) -> list[dict]:
    """Collect, link and classify news; linked events become ``news.<class>`` supplier events.

    ``transport`` is "live" for the real feeds and GDELT, or "demo" for the bundled synthetic outlets.
    """
    rows = [collect_news_source(source, transport) for source in sources]
    create_table_artifact(key="collect-news-summary", table=rows, description="News collected per source")
    failed = [r["source"] for r in rows if r["status"] != "ok"]
    if failed:
        raise RuntimeError(f"news collection failed for {', '.join(failed)}; see the task logs")
    return rows


@task(name="screen-sanctions-list", cache_policy=NONE, retries=1, retry_delay_seconds=300)
def screen_sanctions_task(transport: str) -> dict:
    logger = get_run_logger()
    settings = Settings()
    with Store(settings.resolved_database_url) as store:
        note_dataset(store, transport)
        summary = collect_sanctions(store, settings, transport=transport_for(transport))
    for match in summary.matches:
        logger.warning("possible match for review: %s", match.explanation)
    if summary.status != "ok":
        logger.error("sanctions screening failed: %s", summary.error)
    return summary.as_row()


@flow(name="screen-sanctions", log_prints=False)
def screen_sanctions(transport: str = "live") -> dict:
    """Download the EU consolidated sanctions list if it changed and screen every supplier against it."""
    row = screen_sanctions_task(transport)
    create_table_artifact(key="screen-sanctions-summary", table=[row], description="EU sanctions list screening")
    if row["status"] != "ok":
        raise RuntimeError("sanctions screening failed; see the task logs")
    return row
