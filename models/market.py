"""Market statistics of one CPV category: who wins its public awards, how concentrated, how contested.

Where this sits: the store turns parsed notices into ``AwardFact`` and ``NoticeFact`` rows,
a flow calls :func:`market_scan`, and the market-scan report and the Prefect artifacts
(:func:`scan_tables`) present the result. Pure: data in, numbers with their coverage and
plain-language notes out; no I/O.

Conventions, repeated in the report's method section so that no number overstates:

- Joint awards: every winner of a lot counts one award, and the lot's value is split
  equally between its winners (the notices do not say who does what part).
- Values: only amounts in the scan's currency count; other currencies are never converted
  or mixed in, only counted. A missing, zero or negative amount counts as missing.
- Concentration basis: HHI and CR4 rest on award value when at least half of the awarded
  lots in a period carry a value in the currency, else on award counts; each period says
  which, and on how many awards.
- Duplicates: the store dedupes an award reaching us from two sources; here only exact
  repeats of one (notice, lot, winners) row are dropped, defensively.
- New entrants: a winner whose first award in the category, over all the history passed in
  (also before the window), falls in the period. A period at the start of that history
  makes everyone look new; the notes say so.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date

from models.market_build import MarketScanBuilder
from models.market_periods import PeriodTally, award_value, dedupe
from models.market_tables import scan_tables
from models.market_types import (
    CPV_PREFIX,
    EU27,
    REGION_LABELS,
    SMALL_SAMPLE_AWARDS,
    VALUE_BASIS_MIN_COVERAGE,
    AwardFact,
    Basis,
    BidStats,
    ConcentrationStats,
    Coverage,
    Entrant,
    InvalidScanRequest,
    MarketScan,
    NoticeFact,
    PeriodKind,
    PeriodStats,
    Region,
    RegionShare,
    SupplierShare,
    Trend,
    Winner,
    region_of,
)

__all__ = [
    "EU27", "REGION_LABELS", "SMALL_SAMPLE_AWARDS", "VALUE_BASIS_MIN_COVERAGE", "AwardFact", "Basis", "BidStats",
    "ConcentrationStats", "Coverage", "Entrant", "InvalidScanRequest", "MarketScan", "NoticeFact", "PeriodKind",
    "PeriodStats", "Region", "RegionShare", "SupplierShare", "Trend", "Winner", "market_scan", "region_of",
    "scan_builder", "scan_tables", "window_concentration",
]


def market_scan(
    awards: Sequence[AwardFact],
    notices: Sequence[NoticeFact],
    *,
    cpv_prefix: str,
    start: date,
    end: date,
    period: PeriodKind = "year",
    currency: str = "EUR",
    top_n: int = 10,
    labels: Mapping[str, str] | None = None,
) -> MarketScan:
    """Statistics of the awards in one CPV category, per period and over the window [start, end].

    ``awards`` should hold all the category's history the store has, not just the window: new
    entrants are judged against it. (The pipelines stream the store into a ``MarketScanBuilder``
    instead of passing lists; this is the same computation over lists.)
    """
    builder = scan_builder(cpv_prefix=cpv_prefix, start=start, end=end, period=period, currency=currency,
                           top_n=top_n)
    builder.add_awards(awards)
    versions: dict[str, list[NoticeFact]] = defaultdict(list)
    for notice in notices:
        versions[notice.notice_id].append(notice)
    for rows in versions.values():
        builder.add_notice(rows)
    return builder.scan(labels)


def scan_builder(*, cpv_prefix: str, start: date, end: date, period: PeriodKind = "year", currency: str = "EUR",
                 top_n: int = 10) -> MarketScanBuilder:
    """A builder to stream a category's awards and notices into (``MarketScanBuilder``), the request checked."""
    _check_request(cpv_prefix, start, end, period, top_n)
    return MarketScanBuilder(cpv_prefix=cpv_prefix, start=start, end=end, period=period, currency=currency,
                             top_n=top_n)


def window_concentration(
    awards: Sequence[AwardFact], *, cpv_prefix: str, start: date, end: date, currency: str = "EUR"
) -> tuple[ConcentrationStats, int]:
    """The window's concentration and its number of awards, exactly ``market_scan(...).window``'s figures.

    What an alert about a contract's market needs, without the periods, entrants, regions and names of
    a whole scan (a scan judges every winner against all history; an alert run does this per category).
    """
    _check_request(cpv_prefix, start, end, "year", 1)
    currency = currency.upper()
    facts, _dropped = dedupe([a for a in awards if (a.cpv_main or "").startswith(cpv_prefix)])
    tally = PeriodTally(currency)
    for fact in facts:
        if start <= fact.published <= end:
            tally.add(fact, award_value(fact, currency))
    return tally.concentration(), tally.awards


def _check_request(cpv_prefix: str, start: date, end: date, period: str, top_n: int) -> None:
    if not CPV_PREFIX.fullmatch(cpv_prefix):
        raise InvalidScanRequest(f"CPV prefix must be 1 to 8 digits, got {cpv_prefix!r}")
    if start > end:
        raise InvalidScanRequest(f"window starts after it ends: {start} > {end}")
    if period not in ("year", "quarter"):
        raise InvalidScanRequest(f"period must be 'year' or 'quarter', got {period!r}")
    if top_n < 1:
        raise InvalidScanRequest(f"top_n must be at least 1, got {top_n}")
