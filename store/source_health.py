"""The reads behind ``supplyradar status``: each source's runs, its open quarantine, its newest data.

Why apart from ``store.bookkeeping``: those functions write a run's bookkeeping; these only read it
back, to judge from what the store saw (not from what the scheduler says) whether a source is still
being collected (``pipelines.source_health``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.companies import newest_company_data
from store.news import newest_articles
from store.schema import CollectionRun, QuarantinedRecord
from store.schema import Notice as NoticeRow


def run_sources(session: Session) -> set[str]:
    """Every source that has ever had a collection run."""
    return set(session.scalars(select(CollectionRun.source).distinct()))


def latest_runs(session: Session, source: str) -> tuple[CollectionRun | None, CollectionRun | None]:
    """The source's newest run (perhaps still running) and its newest run that ended, whatever its status."""
    runs = select(CollectionRun).where(CollectionRun.source == source).order_by(
        CollectionRun.started_at.desc(), CollectionRun.id.desc()
    )
    latest = session.scalars(runs.limit(1)).first()
    finished = session.scalars(runs.where(CollectionRun.status != "running").limit(1)).first()
    return latest, finished


def last_success_at(session: Session, source: str) -> datetime | None:
    """When the source's newest "ok" run finished (as stored: naive on SQLite, aware on PostgreSQL)."""
    return session.scalar(
        select(func.max(CollectionRun.finished_at)).where(CollectionRun.source == source, CollectionRun.status == "ok")
    )


def open_quarantine_counts(session: Session) -> dict[str, int]:
    """Per source, the quarantine entries not yet resolved."""
    query = (
        select(QuarantinedRecord.source, func.count())
        .where(QuarantinedRecord.resolved_at.is_(None))
        .group_by(QuarantinedRecord.source)
    )
    return {source: count for source, count in session.execute(query)}


def newest_publications(session: Session) -> dict[str, Any]:
    """Per source, the date of the newest thing stored: notices, company data and articles."""
    query = select(NoticeRow.source, func.max(NoticeRow.published)).group_by(NoticeRow.source)
    newest: dict[str, Any] = {source: day for source, day in session.execute(query)}
    return {**newest, **newest_company_data(session), **newest_articles(session)}
