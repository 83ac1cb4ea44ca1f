"""Flow: refresh the watched companies' KvK profiles and read the insolvency register.

Thin on purpose: one task for the KvK refresh of the whole watch list (batched inside,
``pipelines.company_signals.refresh_companies``), one for the insolvency register since its
watermark, never one task per company. With ``history_from`` (replays only: the demo), one task
refreshes both sources as of every ``every_months`` from that day to ``observed_on`` in a plain
loop, building the dated snapshot history the failure model trains on. A run-summary table is
published as an artifact.
"""

from __future__ import annotations

from datetime import date

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NONE

from config.settings import Settings
from demo.settings import company_settings
from pipelines.company_signals import (
    SignalSummary,
    collect_history,
    collect_insolvencies,
    refresh_companies,
    today,
)
from pipelines.transports import note_dataset, transport_for
from store.db import Store


def _settings(transport: str) -> Settings:
    settings = Settings()
    return company_settings(settings) if transport == "demo" else settings


def _log(rows: list[SignalSummary]) -> None:
    logger = get_run_logger()
    for row in rows:
        line = (f"{row.source} as of {row.observed_on}: {row.fetched} fetched, {row.cached} not asked (stored state recent; "
                f"{row.cached_not_found} of them confirmed not found), {row.added} new, {row.unchanged} unchanged, "
                f"{row.not_found} not found, {row.events} events, {row.quarantined} quarantined")
        (logger.info if row.status == "ok" else logger.error)(line + (f"; FAILED: {row.error}" if row.error else ""))


def _one_source(collect, observed_on: date, transport: str) -> dict:  # a company_signals collector
    settings = _settings(transport)
    with Store(settings.resolved_database_url) as store:
        note_dataset(store, transport)
        summary = collect(store, settings, observed_on=observed_on,
                          transport=transport_for(transport, today=observed_on if transport == "demo" else None))
    _log([summary])
    return summary.as_row()


@task(name="refresh-kvk", cache_policy=NONE)
def refresh_kvk(observed_on: date, transport: str) -> dict:
    return _one_source(refresh_companies, observed_on, transport)


@task(name="collect-insolvencies", cache_policy=NONE)
def collect_cir(observed_on: date, transport: str) -> dict:
    return _one_source(collect_insolvencies, observed_on, transport)


@task(name="company-history", cache_policy=NONE)
def company_history(start: date, end: date, every_months: int, transport: str) -> list[dict]:
    if transport != "demo":
        raise ValueError("a history needs a replay that answers as of past days: use transport='demo'")
    settings = _settings(transport)
    with Store(settings.resolved_database_url) as store:
        note_dataset(store, transport)
        rows = collect_history(store, settings, start=start, end=end, every_months=every_months,
                               transport_for_day=lambda day: transport_for(transport, today=day), progress=_log)
    return [row.as_row() for row in rows]


@flow(name="collect-company-signals", log_prints=False)
def collect_company_signals(
    transport: str = "live",
    observed_on: date | None = None,
    history_from: date | None = None,
    every_months: int = 3,
) -> list[dict]:
    """Refresh KvK profiles and insolvency cases as of ``observed_on`` (default today).

    ``transport``: "live" for the real services, "demo" for the bundled synthetic data set.
    ``history_from`` (demo): also every ``every_months`` months from that day on, oldest first.
    """
    day = observed_on or today()
    if history_from is not None:
        rows = company_history(history_from, day, every_months, transport)
    else:
        rows = [refresh_kvk(day, transport), collect_cir(day, transport)]
    create_table_artifact(key="collect-company-signals-summary", table=rows,
                          description="KvK refresh and insolvency register, per source and day")
    failed = sorted({f"{r['source']} ({r['observed_on']})" for r in rows if r["status"] != "ok"})
    if failed:
        raise RuntimeError(f"company signals failed for {', '.join(failed)}; the last known state is kept, see the logs")
    return rows
