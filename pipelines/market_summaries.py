"""Keep the market summary table up to date: each category's statistics over the last years, per year.

The ``refresh-market-summaries`` flow runs this daily after the tenders, and the market-scan flow after
its scans; the web category page then reads the rows (``store.market_summaries``) and never reads a
category's whole award history itself (that took seconds per category on a national store). Which
categories: every CPV code of our contracts and spend, as the prefix the pages address it by
("09310000" -> "0931"), plus any asked for.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import UTC, date, datetime

from models.market import scan_builder
from models.market_build import MarketScanBuilder, feed_categories
from models.market_summary import summary_rows
from reference.cpv import cpv_prefix, labels
from store.db import Store
from store.market_summaries import our_category_codes, replace_summary
from store.queries import award_fact_groups, notice_groups

log = logging.getLogger(__name__)

#: How many whole years before the current one the summary covers (as the category page always showed).
MARKET_YEARS = 5


def summary_categories(store: Store) -> list[str]:
    """The prefixes of every CPV code we hold a contract or book spend under."""
    with store.session() as session:
        codes = our_category_codes(session)
    return sorted({cpv_prefix(code) for code in codes if code and code[:2].isdigit()})


def summary_builders(store: Store, *, today: date | None = None, prefixes: Iterable[str] = ()) -> list[MarketScanBuilder]:
    """An empty builder for the summary of each of our categories (and of ``prefixes``), to stream the store into."""
    end = today or date.today()
    start = date(end.year - MARKET_YEARS, 1, 1)
    wanted = sorted(set(summary_categories(store)) | set(prefixes))
    return [scan_builder(cpv_prefix=prefix, start=start, end=end, period="year", top_n=10) for prefix in wanted]


def write_summaries(store: Store, builders: Iterable[MarketScanBuilder], language: str = "en") -> dict[str, int]:
    """Store the summary of each filled builder whose category has awards; returns the rows per category."""
    names = labels(language)
    written: dict[str, int] = {}
    for builder in builders:
        if not builder.awards_read:
            continue
        scan = builder.scan(names)
        with store.session() as session, session.begin():
            written[builder.cpv_prefix] = replace_summary(session, builder.cpv_prefix, summary_rows(scan),
                                                          computed_at=datetime.now(UTC))
    log.info("market summaries of %d categories refreshed", len(written))
    return written


def refresh_market_summaries(store: Store, *, today: date | None = None, prefixes: Iterable[str] = (),
                             language: str = "en") -> dict[str, int]:
    """Recompute and store the summary of our categories (and ``prefixes``); returns the rows per category."""
    builders = summary_builders(store, today=today, prefixes=prefixes)
    if builders:
        start, end = builders[0].start, builders[0].end
        with store.session() as session:  # one streamed read for every category (they nest: 45, 4524, 452142 ...)
            feed_categories(builders, award_fact_groups(session, "", until=end),
                            notice_groups(session, "", since=start, until=end))
    return write_summaries(store, builders, language)
