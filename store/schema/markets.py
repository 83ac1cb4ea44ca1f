"""Market statistics kept per category and period, so that no page computes them over all history.

``pipelines.market_summaries`` (run by the ``refresh-market-summaries`` flow after the tenders, and by the
market-scan flow) writes one row per category prefix and period of the last years, plus one ``window``
row with the window's headline, top suppliers and notes; ``store.market_summaries`` reads them for the
web category page. The revision is ``store/migrations/versions/0014_issue20_market_summaries.py``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.schema.base import Base


class MarketSummary(Base):
    """One period's (or the window's) statistics of one category's award market, as computed on ``computed_at``."""

    __tablename__ = "market_summaries"
    __table_args__ = (UniqueConstraint("cpv_prefix", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cpv_prefix: Mapped[str] = mapped_column(String(8))
    #: a year ("2024"), or "window" for the whole window (start to end) with its top suppliers and notes
    period: Mapped[str] = mapped_column(String(20))
    start: Mapped[date] = mapped_column(Date)
    end: Mapped[date] = mapped_column(Date)
    awards: Mapped[int]
    #: the figures the pages show (``models.market_summary.summary_rows``): JSON types only
    stats: Mapped[dict[str, Any]]
    computed_at: Mapped[datetime]
