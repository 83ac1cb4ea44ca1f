"""The market side of a category page: the latest market scan report, or the key statistics.

A market scan written by ``supplyradar scan`` or the weekly flow lies in the reports folder as
``market-scan-<prefix>-<start>-<end>.html``; the page links the newest one. Where none exists the
page shows the headline numbers the flows keep in the market summary table (``pipelines.market_summaries``:
the same model, ``models.market``, over the last five years), never computing them over the history itself.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import date
from pathlib import Path

from models.market_summary import MarketSummary, from_rows
from store.db import Store
from store.market_summaries import summary_of

#: Summaries read are kept this long: the flows refresh them once a day.
CACHE_SECONDS = 15 * 60
_REPORT_NAME = re.compile(r"^market-scan-(\d{1,8})-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.html$")


def latest_report(reports_dir: Path, prefix: str) -> Path | None:
    """The newest market scan of exactly this prefix in ``reports_dir`` (by modification time)."""
    if not reports_dir.is_dir():
        return None
    candidates = [
        path for path in reports_dir.glob(f"market-scan-{prefix}-*.html")
        if (match := _REPORT_NAME.match(path.name)) and match.group(1) == prefix and path.is_file()
    ]
    return max(candidates, key=lambda p: (p.stat().st_mtime, p.name), default=None)


def market_summary(store: Store, prefix: str, *, language: str, today: date | None = None) -> MarketSummary | None:
    """The category's market statistics as the flows last stored them (``pipelines.market_summaries``);
    None when they never summarised it. Never computed here: that read a category's whole award history."""
    with store.session() as session:
        rows, _computed = summary_of(session, prefix)
    return from_rows(prefix, rows)


class MarketCache:
    """:func:`market_summary` results per (prefix, language, day), for ``CACHE_SECONDS``; thread-safe."""

    def __init__(self, seconds: float = CACHE_SECONDS) -> None:
        self._seconds = seconds
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str, date], tuple[float, MarketSummary | None]] = {}

    def get(self, store: Store, prefix: str, *, language: str) -> MarketSummary | None:
        key = (prefix, language, date.today())
        now = time.monotonic()
        with self._lock:
            hit = self._entries.get(key)
            if hit is not None and now - hit[0] < self._seconds:
                return hit[1]
        scan = market_summary(store, prefix, language=language, today=key[2])
        with self._lock:
            self._entries = {k: v for k, v in self._entries.items() if now - v[0] < self._seconds}
            self._entries[key] = (now, scan)
        return scan
