"""The facts a market scan reads and the statistics it returns: plain frozen dataclasses and constants.

``models.market`` computes them; the store (``store.queries``) builds the facts, the report and the
web pages read the statistics. Split from ``models.market`` so that each module has one job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Literal, NamedTuple

from models.concentration import ConcentrationBand
from reference.countries import COUNTRY_ALIASES, EU27

PeriodKind = Literal["year", "quarter"]
Basis = Literal["value", "count"]
Region = Literal["nl", "eu", "non-eu", "unknown"]

HOME_COUNTRY = "NL"
REGION_LABELS: Mapping[Region, str] = {
    "nl": "Netherlands",
    "eu": "Rest of EU",
    "non-eu": "Outside EU",
    "unknown": "Country unknown",
}
#: Below this share of awarded lots with a value in the currency, shares rest on award counts.
VALUE_BASIS_MIN_COVERAGE = Fraction(1, 2)
#: A period with fewer awards than this gets an HHI that one award can swing; the notes say so.
SMALL_SAMPLE_AWARDS = 10

CPV_PREFIX = re.compile(r"\d{1,8}")
_COUNTRY = re.compile(r"[A-Z]{2}")


class InvalidScanRequest(ValueError):
    """Raised by :func:`market_scan` when its arguments cannot describe a scan (bad prefix, window, period)."""


@dataclass(frozen=True, slots=True)
class Winner:
    key: str  # the store's stable organisation id: the same supplier has the same key in every notice
    name: str
    country: str | None = None  # ISO 3166-1 alpha-2


@dataclass(frozen=True, slots=True)
class AwardFact:
    """One lot's award as the store knows it; a joint award names several winners."""

    notice_id: str
    source: str
    published: date
    cpv_main: str  # 8 digits
    buyer_name: str
    buyer_country: str | None
    lot: str
    winners: tuple[Winner, ...]
    value: Decimal | None = None
    currency: str | None = None  # ISO 4217
    tenders_received: int | None = None
    buyer_key: str | None = None  # the buyer's org_key
    buyer_postcode: str | None = None
    #: The scheme of ``cpv_main``: "CPV", or another hierarchical scheme an OCDS import kept as published.
    category_scheme: str = "CPV"


@dataclass(frozen=True, slots=True)
class NoticeFact:
    """Any notice in a category, with or without an award: the activity behind the awards."""

    notice_id: str
    source: str
    published: date
    cpv_main: str
    kind: str  # "planning", "competition", "award", "modification", "other"


@dataclass(frozen=True, slots=True)
class Coverage:
    """How many of a period's awards carry each piece of data: the denominators behind every figure."""

    awards: int = 0
    with_value: int = 0  # a positive amount in the scan's currency
    value_missing: int = 0  # no amount, or zero or negative
    value_other_currency: int = 0  # an amount in another currency, or without one
    with_tenders: int = 0
    without_winner: int = 0  # award rows that name no winner
    winners: int = 0  # distinct winners
    winners_with_country: int = 0

    @property
    def value_ratio(self) -> float | None:
        return ratio_of(self.with_value, self.awards)

    @property
    def tenders_ratio(self) -> float | None:
        return ratio_of(self.with_tenders, self.awards)

    @property
    def country_ratio(self) -> float | None:
        return ratio_of(self.winners_with_country, self.winners)


@dataclass(frozen=True, slots=True)
class ConcentrationStats:
    """HHI and CR4 of a period, with the basis they rest on; all None when nobody won anything."""

    basis: Basis | None = None
    hhi: float | None = None  # 0 to 10,000
    cr4: float | None = None  # 0 to 1
    band: ConcentrationBand | None = None
    suppliers: int = 0
    awards_used: int = 0  # the awards the shares rest on

    @property
    def small_sample(self) -> bool:
        return 0 < self.awards_used < SMALL_SAMPLE_AWARDS


@dataclass(frozen=True, slots=True)
class BidStats:
    """How contested the awards were, over the awards whose tender count is known."""

    single_bid: int = 0
    known: int = 0
    share: float | None = None  # single_bid / known
    mean_tenders: float | None = None


@dataclass(frozen=True, slots=True)
class Entrant:
    key: str
    name: str
    country: str | None
    region: Region
    first_award: date
    notice_id: str
    awards: int = 0  # winner-awards in the period (or window) it is listed for: what ranks the top entrants


@dataclass(frozen=True, slots=True)
class RegionShare:
    region: Region
    label: str
    winners: int  # distinct suppliers
    awards: int  # winner-awards: a joint award counts once for each winner
    value: Decimal  # their part of the award value in the scan's currency
    value_share: float | None


@dataclass(frozen=True, slots=True)
class PeriodStats:
    label: str
    start: date
    end: date
    partial: bool  # the window cuts this period short
    notices: int
    awards: int
    total_value: Decimal
    median_value: Decimal | None
    winners: int
    concentration: ConcentrationStats
    bids: BidStats
    entrants: tuple[Entrant, ...]
    regions: tuple[RegionShare, ...]
    coverage: Coverage


@dataclass(frozen=True, slots=True)
class SupplierShare:
    key: str
    name: str
    country: str | None
    region: Region
    awards: int
    value: Decimal  # in the scan's currency, joint awards split equally
    share: float  # on the window's basis (value or count)
    value_share: float | None
    award_share: float


@dataclass(frozen=True, slots=True)
class Trend:
    """What changed from the first to the last period, in numbers and in sentences."""

    first_period: str | None = None
    last_period: str | None = None
    hhi_first: float | None = None
    hhi_last: float | None = None
    hhi_change: float | None = None
    comparable: bool = False  # same basis at both ends, neither a small sample
    entrants_per_period: tuple[tuple[str, int], ...] = ()
    hints: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MarketScan:
    cpv_prefix: str
    label: str | None
    start: date
    end: date
    period: PeriodKind
    currency: str
    periods: tuple[PeriodStats, ...]
    window: PeriodStats
    top_suppliers: tuple[SupplierShare, ...]
    trend: Trend
    history_start: date | None  # earliest award in the category in all the history passed in
    duplicates_dropped: int
    notes: tuple[str, ...] = field(default=())

    @property
    def is_empty(self) -> bool:
        return self.window.awards == 0


@dataclass(frozen=True, slots=True)
class SupplierHistory:
    """What all history says about one winner: the name and country most notices give, the first award."""

    name: str
    country: str | None
    region: Region
    first_award: date
    first_notice: str


class Span(NamedTuple):
    """A period as the window clips it."""

    label: str
    start: date
    end: date
    partial: bool


def country_code(raw: str | None) -> str | None:
    """ISO alpha-2 or None: a code we cannot read is unknown, never guessed to be outside the EU."""
    if not raw:
        return None
    code = raw.strip().upper()
    code = COUNTRY_ALIASES.get(code, code)
    return code if _COUNTRY.fullmatch(code) else None


def region_of(country: str | None) -> Region:
    """Netherlands, rest of the EU-27, outside the EU, or unknown."""
    code = country_code(country)
    if code is None:
        return "unknown"
    if code == HOME_COUNTRY:
        return "nl"
    return "eu" if code in EU27 else "non-eu"


def ratio_of(part: int, whole: int) -> float | None:
    return part / whole if whole else None
