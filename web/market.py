"""The market side of a category page: the latest market scan report, or the key statistics.

A market scan written by ``supplyradar scan`` or the weekly flow lies in the reports folder as
``market-scan-<prefix>-<start>-<end>.html``; the page links the newest one. Where none exists the
page computes the headline numbers itself, from the same store queries and the same model
(``models.market``) the report uses, over the last five years.
"""

from __future__ import annotations

import re
import threading
import time
from datetime import date
from pathlib import Path

from models.market import MarketScan, market_scan
from reference.cpv import labels
from store.db import Store
from store.queries import award_facts, notice_facts

#: How far back the computed statistics look.
MARKET_YEARS = 5
#: Computed statistics are kept this long: a large category's five years of awards take seconds to read,
#: and the store changes once a day.
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


def market_summary(store: Store, prefix: str, *, language: str, today: date | None = None) -> MarketScan | None:
    """The last five years of public awards under ``prefix`` as a market scan; None when there are none."""
    end = today or date.today()
    start = date(end.year - MARKET_YEARS, 1, 1)
    with store.session() as session:
        awards = award_facts(session, prefix, until=end)
        notices = notice_facts(session, prefix, until=end)
    if not awards:
        return None
    return market_scan(awards, notices, cpv_prefix=prefix, start=start, end=end, period="year", top_n=10, labels=labels(language))


class MarketCache:
    """:func:`market_summary` results per (prefix, language, day), for ``CACHE_SECONDS``; thread-safe."""

    def __init__(self, seconds: float = CACHE_SECONDS) -> None:
        self._seconds = seconds
        self._lock = threading.Lock()
        self._entries: dict[tuple[str, str, date], tuple[float, MarketScan | None]] = {}

    def get(self, store: Store, prefix: str, *, language: str) -> MarketScan | None:
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
