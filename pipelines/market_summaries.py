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

from models.market import market_scan
from models.market_summary import summary_rows
from reference.cpv import cpv_prefix, labels
from store.db import Store
from store.market_summaries import our_category_codes, replace_summary
from store.queries import award_facts, notice_facts

log = logging.getLogger(__name__)

#: How many whole years before the current one the summary covers (as the category page always showed).
MARKET_YEARS = 5


def summary_categories(store: Store) -> list[str]:
    """The prefixes of every CPV code we hold a contract or book spend under."""
    with store.session() as session:
        codes = our_category_codes(session)
    return sorted({cpv_prefix(code) for code in codes if code and code[:2].isdigit()})


def refresh_market_summaries(store: Store, *, today: date | None = None, prefixes: Iterable[str] = (),
                             language: str = "en") -> dict[str, int]:
    """Recompute and store the summary of our categories (and ``prefixes``); returns the rows per category."""
    end = today or date.today()
    start = date(end.year - MARKET_YEARS, 1, 1)
    names = labels(language)
    wanted = sorted(set(summary_categories(store)) | set(prefixes))
    with store.session() as session:  # one read for every category (they nest: 45, 4524, 452142 ...)
        all_awards = award_facts(session, "", until=end) if wanted else []
        all_notices = notice_facts(session, "", until=end) if wanted else []
    written: dict[str, int] = {}
    for prefix in wanted:
        awards = [a for a in all_awards if a.cpv_main.startswith(prefix)]  # what award_facts(prefix) returns
        if not awards:
            continue
        notices = [n for n in all_notices if n.cpv_main.startswith(prefix)]
        scan = market_scan(awards, notices, cpv_prefix=prefix, start=start, end=end, period="year", top_n=10,
                           labels=names)
        with store.session() as session, session.begin():
            written[prefix] = replace_summary(session, prefix, summary_rows(scan), computed_at=datetime.now(UTC))
    log.info("market summaries of %d categories refreshed", len(written))
    return written
