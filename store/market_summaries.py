"""The market summary table (``store.schema.markets``): written by the flows, read by the pages; and which
category codes it covers (every code of our contracts and spend)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from store.schema.markets import MarketSummary
from store.schema.shared import Contract, SpendLine


def our_category_codes(session: Session) -> set[str]:
    """Every category code we hold a contract or book spend under (as stored; blanks left out)."""
    return {code for model in (Contract, SpendLine)
            for code in session.scalars(select(model.cpv).where(model.cpv.is_not(None)).distinct())}


def replace_summary(session: Session, cpv_prefix: str, rows: list[tuple[str, date, date, int, dict[str, Any]]], *,
                    computed_at: datetime) -> int:
    """Replace the category's rows with ``rows`` (``models.market_summary.summary_rows``); returns how many."""
    session.execute(delete(MarketSummary).where(MarketSummary.cpv_prefix == cpv_prefix))
    session.add_all(
        MarketSummary(cpv_prefix=cpv_prefix, period=period, start=start, end=end, awards=awards, stats=stats,
                      computed_at=computed_at)
        for period, start, end, awards, stats in rows
    )
    session.flush()
    return len(rows)


def summary_of(session: Session, cpv_prefix: str) -> tuple[list[tuple[str, date, date, dict[str, Any]]], datetime | None]:
    """The category's rows as (period, start, end, stats) and when they were computed (None: never)."""
    rows = session.execute(
        select(MarketSummary.period, MarketSummary.start, MarketSummary.end, MarketSummary.stats,
               MarketSummary.computed_at).where(MarketSummary.cpv_prefix == cpv_prefix)
    ).all()
    return [(r.period, r.start, r.end, r.stats) for r in rows], max((r.computed_at for r in rows), default=None)
