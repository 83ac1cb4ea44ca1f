"""Flows: ``send-alerts`` after each scoring run, ``send-digest`` on its schedule, ``check-sources`` for ops.

Thin on purpose: the work is in ``pipelines.send_alerts`` (tests call it directly). ``send-alerts``
has two tasks: fill the outbox from the rules (events, scores, contract horizons, source health),
then send what is due at once (critical alerts, retries). A task retry is safe: the outbox
dedupes alerts and a delivery marked sent is never sent again. Each flow leaves a run-summary
table artifact (alerts created, grouped, escalated, sent, failed).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NONE

from config.settings import Settings
from pipelines.prepared_alert_facts import PreparedReads
from pipelines.run_awards import RunAwards
from pipelines.send_alerts import RunSummary, evaluate, load_config, record, run_check_sources, send_due
from store.db import Store


def _settings(routing_file: str | None) -> Settings:
    settings = Settings()
    if routing_file:
        settings = settings.model_copy(
            update={"alerts": settings.alerts.model_copy(update={"routing_file": Path(routing_file)})}
        )
    return settings


def _now():  # a datetime
    from datetime import UTC, datetime

    return datetime.now(UTC)


@task(name="evaluate-alert-rules", cache_policy=NONE, retries=1, retry_delay_seconds=30)
def evaluate_rules(as_of: date | None, routing_file: str | None, sources: bool) -> dict:
    logger = get_run_logger()
    settings = _settings(routing_file)
    config = load_config(settings)
    now = _now()
    summary = RunSummary()
    with Store(settings.resolved_database_url) as store, store.session() as session, session.begin():
        day = as_of or now.date()
        # the facts the score-suppliers flow kept for today, else each award read once, for markets and alternatives
        awards, prepared = RunAwards(session, as_of=day), PreparedReads(session, settings, day)
        candidates = evaluate(session, settings, config, as_of=day, now=now, sources=sources, awards=awards,
                              prepared=prepared)
        record(session, settings, config, candidates, as_of=day, now=now, summary=summary, awards=awards,
               prepared=prepared)
    if prepared.used:
        logger.info("facts kept ahead by scoring: %s", dict(prepared.used))
    logger.info("%d candidate alerts: %s", len(candidates), dict(summary.outcomes))
    return summary.as_row()


@task(name="send-due-alerts", cache_policy=NONE)
def send_pending(modes: list[str], period: str | None, routing_file: str | None) -> dict:
    logger = get_run_logger()
    settings = _settings(routing_file)
    config = load_config(settings)
    summary = RunSummary()
    with Store(settings.resolved_database_url) as store:
        send_due(store, settings, config, now=_now(), modes=modes, summary=summary, period=period)
    for failure in summary.failures:
        logger.warning("delivery failed: %s", failure)  # person/channel and error only, never the URL
    logger.info("messages sent %d, deliveries to retry %d, deliveries failed %d, alerts expired %d", summary.sent,
                summary.retry_later, summary.failed, summary.expired)
    return summary.as_row()


def _merge(*rows: dict) -> dict:
    merged: dict = {}
    for row in rows:
        for key, value in row.items():
            merged[key] = merged.get(key, 0) + value
    return merged


@flow(name="send-alerts")
def send_alerts(as_of: date | None = None, routing_file: str | None = None, check_sources: bool = True) -> dict:
    """Evaluate the alert rules on the store (as of ``as_of``, default today), fill the outbox, send critical alerts.

    Run after each scoring run. ``routing_file`` overrides ``settings.alerts.routing_file``
    (the demo passes ``config/routing.demo.yaml``); ``check_sources`` adds the ops alerts for
    sources that are late or failing.
    """
    evaluated = evaluate_rules(as_of, routing_file, check_sources)
    sent = send_pending(["immediate"], None, routing_file)
    row = _merge(evaluated, sent)
    create_table_artifact(key="send-alerts-summary", table=[row], description="Alerts created, grouped, sent, failed")
    return row


@flow(name="send-digest")
def send_digest(period: str = "daily", routing_file: str | None = None) -> dict:
    """Send each person's daily or weekly digest of the alerts pending for them."""
    if period not in ("daily", "weekly"):
        raise ValueError(f"period must be daily or weekly, got {period!r}")
    row = send_pending([period], period, routing_file)
    create_table_artifact(key=f"send-digest-{period}-summary", table=[row], description=f"{period} digests sent")
    return row


@task(name="check-source-health", cache_policy=NONE)
def check_source_health(routing_file: str | None) -> dict:
    logger = get_run_logger()
    settings = _settings(routing_file)
    with Store(settings.resolved_database_url) as store:
        summary = run_check_sources(store, settings)
    logger.info("source-health alerts: %s; messages sent %d", dict(summary.outcomes), summary.sent)
    return summary.as_row()


@flow(name="check-sources")
def check_sources(routing_file: str | None = None) -> dict:
    """Ops alerts for sources that are late or failing against their schedule (sent at once when critical)."""
    row = check_source_health(routing_file)
    create_table_artifact(key="check-sources-summary", table=[row], description="Source-health alerts")
    return row
