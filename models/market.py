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

import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Literal, NamedTuple

from models.concentration import ConcentrationBand, concentration, shares
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

_CPV_PREFIX = re.compile(r"\d{1,8}")
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
        return _ratio(self.with_value, self.awards)

    @property
    def tenders_ratio(self) -> float | None:
        return _ratio(self.with_tenders, self.awards)

    @property
    def country_ratio(self) -> float | None:
        return _ratio(self.winners_with_country, self.winners)


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
class _Supplier:
    """What all history says about one winner: the name and country most notices give, the first award."""

    name: str
    country: str | None
    region: Region
    first_award: date
    first_notice: str


class _Span(NamedTuple):
    """A period as the window clips it."""

    label: str
    start: date
    end: date
    partial: bool


@dataclass(frozen=True, slots=True)
class _Context:
    """What every period's statistics need besides its own awards."""

    currency: str
    suppliers: Mapping[str, _Supplier]


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
    entrants are judged against it.
    """
    _check_request(cpv_prefix, start, end, period, top_n)
    currency = currency.upper()
    facts, dropped = _dedupe([a for a in awards if (a.cpv_main or "").startswith(cpv_prefix)])
    context = _Context(currency=currency, suppliers=_suppliers(facts))
    in_window = [a for a in facts if start <= a.published <= end]
    window_notices = {
        n.notice_id: n for n in notices if (n.cpv_main or "").startswith(cpv_prefix) and start <= n.published <= end
    }
    periods = tuple(
        _period_stats(
            span,
            [a for a in in_window if span.start <= a.published <= span.end],
            sum(1 for n in window_notices.values() if span.start <= n.published <= span.end),
            context,
        )
        for span in _periods(start, end, period)
    )
    window_label = periods[0].label if len(periods) == 1 else f"{periods[0].label}–{periods[-1].label}"
    window = _period_stats(_Span(window_label, start, end, False), in_window, len(window_notices), context)
    history_start = min((a.published for a in facts), default=None)
    label = None
    if labels:
        label = labels.get(cpv_prefix) or labels.get(cpv_prefix.ljust(8, "0"))
    return MarketScan(
        cpv_prefix=cpv_prefix,
        label=label,
        start=start,
        end=end,
        period=period,
        currency=currency,
        periods=periods,
        window=window,
        top_suppliers=_top_suppliers(in_window, window.concentration.basis, context, top_n),
        trend=_trend(periods),
        history_start=history_start,
        duplicates_dropped=dropped,
        notes=tuple(_notes(cpv_prefix, window, periods, history_start, dropped, currency)),
    )


def _check_request(cpv_prefix: str, start: date, end: date, period: str, top_n: int) -> None:
    if not _CPV_PREFIX.fullmatch(cpv_prefix):
        raise InvalidScanRequest(f"CPV prefix must be 1 to 8 digits, got {cpv_prefix!r}")
    if start > end:
        raise InvalidScanRequest(f"window starts after it ends: {start} > {end}")
    if period not in ("year", "quarter"):
        raise InvalidScanRequest(f"period must be 'year' or 'quarter', got {period!r}")
    if top_n < 1:
        raise InvalidScanRequest(f"top_n must be at least 1, got {top_n}")


def _dedupe(facts: Sequence[AwardFact]) -> tuple[list[AwardFact], int]:
    """Drop exact repeats of (notice, lot, winner keys), and a winner named twice on one lot.

    Returns the rows kept and how many were dropped, so the report can say so.
    """
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    kept: list[AwardFact] = []
    for fact in facts:
        unique: dict[str, Winner] = {}
        for winner in fact.winners:
            unique.setdefault(winner.key, winner)
        key = (fact.notice_id, fact.lot, tuple(sorted(unique)))
        if key in seen:
            continue
        seen.add(key)
        winners = tuple(unique.values())
        kept.append(fact if winners == fact.winners else replace(fact, winners=winners))
    return kept, len(facts) - len(kept)


def _country(raw: str | None) -> str | None:
    """ISO alpha-2 or None: a code we cannot read is unknown, never guessed to be outside the EU."""
    if not raw:
        return None
    code = raw.strip().upper()
    code = COUNTRY_ALIASES.get(code, code)
    return code if _COUNTRY.fullmatch(code) else None


def region_of(country: str | None) -> Region:
    """Netherlands, rest of the EU-27, outside the EU, or unknown."""
    code = _country(country)
    if code is None:
        return "unknown"
    if code == HOME_COUNTRY:
        return "nl"
    return "eu" if code in EU27 else "non-eu"


def _suppliers(facts: Iterable[AwardFact]) -> dict[str, _Supplier]:
    """One name and country per winner key over all history, and its first award in the category.

    Notices spell a supplier's name in several ways; the most frequent spelling wins, so that a
    supplier reads the same in every table.
    """
    names: dict[str, Counter[str]] = defaultdict(Counter)
    countries: dict[str, Counter[str]] = defaultdict(Counter)
    first: dict[str, tuple[date, str]] = {}
    for fact in sorted(facts, key=lambda a: (a.published, a.notice_id, a.lot)):
        for winner in fact.winners:
            names[winner.key][winner.name] += 1
            if code := _country(winner.country):
                countries[winner.key][code] += 1
            first.setdefault(winner.key, (fact.published, fact.notice_id))
    suppliers = {}
    for key, (first_award, first_notice) in first.items():
        country = countries[key].most_common(1)[0][0] if countries[key] else None
        suppliers[key] = _Supplier(
            name=names[key].most_common(1)[0][0],
            country=country,
            region=region_of(country),
            first_award=first_award,
            first_notice=first_notice,
        )
    return suppliers


def _value(fact: AwardFact, currency: str) -> Decimal | None:
    """The award's value when it is a positive amount in ``currency``; anything else is not a value here."""
    if fact.value is None or fact.value <= 0 or (fact.currency or "").upper() != currency:
        return None
    return fact.value


@dataclass(slots=True)
class _Tally:
    awards: int = 0
    value: Fraction = Fraction(0)  # exact, so that split values add up to the lot's value


def _tally(facts: Iterable[AwardFact], currency: str) -> dict[str, _Tally]:
    """Awards and value per winner: one award for each winner of a lot, the value split equally."""
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    for fact in facts:
        value = _value(fact, currency)
        for winner in fact.winners:
            tally = tallies[winner.key]
            tally.awards += 1
            if value is not None:
                tally.value += Fraction(value) / len(fact.winners)
    return tallies


def _basis(facts: Sequence[AwardFact], currency: str) -> Basis | None:
    """Value when enough awarded lots carry a value in the currency, else count; None without winners."""
    awarded = [f for f in facts if f.winners]
    if not awarded:
        return None
    valued = sum(1 for f in awarded if _value(f, currency) is not None)
    return "value" if Fraction(valued, len(awarded)) >= VALUE_BASIS_MIN_COVERAGE else "count"


def _weights(tallies: Mapping[str, _Tally], basis: Basis | None) -> dict[str, Fraction]:
    if basis == "value":
        return {key: tally.value for key, tally in tallies.items()}
    return {key: Fraction(tally.awards) for key, tally in tallies.items()}


def _concentration(facts: Sequence[AwardFact], currency: str) -> ConcentrationStats:
    basis = _basis(facts, currency)
    result = concentration(_weights(_tally(facts, currency), basis)) if basis else None
    if result is None:
        return ConcentrationStats(basis=basis)
    used = [f for f in facts if f.winners and (basis == "count" or _value(f, currency) is not None)]
    return ConcentrationStats(
        basis=basis,
        hhi=result.hhi,
        cr4=result.cr4,
        band=result.band,
        suppliers=result.suppliers,
        awards_used=len(used),
    )


def _bids(facts: Iterable[AwardFact]) -> BidStats:
    """Single-bid share over the awards whose tender count is known (a count below 1 is not known)."""
    known = [f.tenders_received for f in facts if f.tenders_received is not None and f.tenders_received >= 1]
    if not known:
        return BidStats()
    single = sum(1 for n in known if n == 1)
    return BidStats(
        single_bid=single, known=len(known), share=single / len(known), mean_tenders=statistics.fmean(known)
    )


def _entrants(keys: Iterable[str], start: date, end: date, suppliers: Mapping[str, _Supplier]) -> tuple[Entrant, ...]:
    entrants = [
        Entrant(
            key=key,
            name=s.name,
            country=s.country,
            region=s.region,
            first_award=s.first_award,
            notice_id=s.first_notice,
        )
        for key in keys
        if start <= (s := suppliers[key]).first_award <= end
    ]
    return tuple(sorted(entrants, key=lambda e: (e.first_award, e.name.casefold(), e.key)))


def _regions(tallies: Mapping[str, _Tally], suppliers: Mapping[str, _Supplier]) -> tuple[RegionShare, ...]:
    """All four regions, always in the same order, so that stacked charts line up across periods."""
    total = sum((t.value for t in tallies.values()), Fraction(0))
    result = []
    for region, label in REGION_LABELS.items():
        members = {key: t for key, t in tallies.items() if suppliers[key].region == region}
        value = sum((t.value for t in members.values()), Fraction(0))
        result.append(
            RegionShare(
                region=region,
                label=label,
                winners=len(members),
                awards=sum(t.awards for t in members.values()),
                value=_decimal(value),
                value_share=float(value / total) if total else None,
            )
        )
    return tuple(result)


def _coverage(facts: Sequence[AwardFact], winners: Iterable[str], context: _Context) -> Coverage:
    with_value = sum(1 for f in facts if _value(f, context.currency) is not None)
    missing = sum(1 for f in facts if f.value is None or f.value <= 0)
    keys = set(winners)
    return Coverage(
        awards=len(facts),
        with_value=with_value,
        value_missing=missing,
        value_other_currency=len(facts) - with_value - missing,
        with_tenders=_bids(facts).known,
        without_winner=sum(1 for f in facts if not f.winners),
        winners=len(keys),
        winners_with_country=sum(1 for key in keys if context.suppliers[key].country),
    )


def _period_stats(span: _Span, facts: Sequence[AwardFact], notices: int, context: _Context) -> PeriodStats:
    values = [v for f in facts if (v := _value(f, context.currency)) is not None]
    tallies = _tally(facts, context.currency)
    return PeriodStats(
        label=span.label,
        start=span.start,
        end=span.end,
        partial=span.partial,
        notices=notices,
        awards=len(facts),
        total_value=sum(values, Decimal(0)),
        median_value=statistics.median(values) if values else None,
        winners=len(tallies),
        concentration=_concentration(facts, context.currency),
        bids=_bids(facts),
        entrants=_entrants(tallies, span.start, span.end, context.suppliers),
        regions=_regions(tallies, context.suppliers),
        coverage=_coverage(facts, tallies, context),
    )


def _periods(start: date, end: date, kind: PeriodKind) -> list[_Span]:
    """Every year or quarter the window touches, clipped to it, with whether it was cut short."""
    months = 12 if kind == "year" else 3
    result = []
    year, month = start.year, 1 if kind == "year" else (start.month - 1) // 3 * 3 + 1
    while date(year, month, 1) <= end:
        first = date(year, month, 1)
        next_year, next_month = (year + 1, 1) if month + months > 12 else (year, month + months)
        last = date.fromordinal(date(next_year, next_month, 1).toordinal() - 1)
        label = str(year) if kind == "year" else f"{year}-Q{(month - 1) // 3 + 1}"
        result.append(_Span(label, max(first, start), min(last, end), first < start or last > end))
        year, month = next_year, next_month
    return result


def _top_suppliers(
    facts: Sequence[AwardFact], basis: Basis | None, context: _Context, top_n: int
) -> tuple[SupplierShare, ...]:
    tallies = _tally(facts, context.currency)
    on_basis = shares(_weights(tallies, basis))
    by_value = shares(_weights(tallies, "value"))
    by_count = shares(_weights(tallies, "count"))
    ranked = sorted(
        tallies,
        key=lambda k: (-on_basis.get(k, 0), -tallies[k].awards, context.suppliers[k].name.casefold(), k),
    )
    return tuple(
        SupplierShare(
            key=key,
            name=context.suppliers[key].name,
            country=context.suppliers[key].country,
            region=context.suppliers[key].region,
            awards=tallies[key].awards,
            value=_decimal(tallies[key].value),
            share=float(on_basis.get(key, 0)),
            value_share=float(by_value.get(key, 0)) if by_value else None,
            award_share=float(by_count.get(key, 0)),
        )
        for key in ranked[:top_n]
    )


def _trend(periods: Sequence[PeriodStats]) -> Trend:
    entrants = tuple((p.label, len(p.entrants)) for p in periods)
    measured = [p for p in periods if p.concentration.hhi is not None]
    if len(measured) < 2:
        hints = (_entrants_hint(entrants),) if measured else ()
        return Trend(entrants_per_period=entrants, hints=hints)
    first, last = measured[0], measured[-1]
    a, b = first.concentration, last.concentration
    assert a.hhi is not None and b.hhi is not None  # measured periods have an HHI
    change = b.hhi - a.hhi
    comparable = a.basis == b.basis and not a.small_sample and not b.small_sample
    direction = "rose" if change > 0 else "fell" if change < 0 else "stayed"
    hhi_hint = (
        f"HHI {direction} from {a.hhi:,.0f} in {first.label} ({a.band}) to {b.hhi:,.0f} in {last.label} ({b.band})."
        if change
        else f"HHI stayed at {a.hhi:,.0f} from {first.label} to {last.label} ({a.band})."
    )
    if a.basis != b.basis:
        hhi_hint += (
            f" Not directly comparable: {first.label} rests on award {a.basis}, {last.label} on award {b.basis}."
        )
    elif not comparable:
        hhi_hint += " Few awards at one end or both: read the change with care."
    hints = [hhi_hint, _entrants_hint(entrants)]
    if first.bids.share is not None and last.bids.share is not None:
        hints.append(
            f"Single-bid share went from {first.bids.share:.0%} in {first.label} "
            f"to {last.bids.share:.0%} in {last.label}."
        )
    return Trend(
        first_period=first.label,
        last_period=last.label,
        hhi_first=a.hhi,
        hhi_last=b.hhi,
        hhi_change=change,
        comparable=comparable,
        entrants_per_period=entrants,
        hints=tuple(hints),
    )


def _entrants_hint(entrants: Sequence[tuple[str, int]]) -> str:
    """"New entrants: 2 in 2021, 1 in 2024; none in 2 other periods." Quarters make long lists of zeros."""
    counted = [f"{n} in {label}" for label, n in entrants if n]
    if not counted:
        return "No new entrants in any period."
    quiet = sum(1 for _, n in entrants if not n)
    rest = f"; none in {quiet} other period{'s' if quiet > 1 else ''}" if quiet else ""
    return f"New entrants: {', '.join(counted)}{rest}."


def _notes(
    cpv_prefix: str,
    window: PeriodStats,
    periods: Sequence[PeriodStats],
    history_start: date | None,
    dropped: int,
    currency: str,
) -> list[str]:
    """The caveats a reader needs before trusting a number, in the order they matter."""
    cov = window.coverage
    if cov.awards == 0:
        return [
            f"No awards in CPV {cpv_prefix} between {window.start.isoformat()} and {window.end.isoformat()} "
            f"in the data passed in ({window.notices} notices): nothing to measure."
        ]
    notes = []
    if cov.with_value < cov.awards:
        notes.append(
            f"{cov.awards - cov.with_value} of {cov.awards} awards carry no {currency} value "
            f"({cov.value_missing} without an amount, {cov.value_other_currency} in another or no currency, "
            f"not converted): totals and medians cover {cov.with_value} awards."
        )
    if counted := [p.label for p in periods if p.concentration.basis == "count"]:
        notes.append(
            f"HHI and CR4 rest on award counts in {', '.join(counted)}: "
            f"fewer than half of the awards there carry a {currency} value."
        )
    if small := [p.label for p in periods if p.concentration.small_sample]:
        notes.append(
            f"Fewer than {SMALL_SAMPLE_AWARDS} awards in {', '.join(small)}: a single award moves the HHI a lot there."
        )
    if cov.with_tenders < cov.awards:
        notes.append(
            f"Tender counts are known for {cov.with_tenders} of {cov.awards} awards; "
            "the single-bid share covers those only."
        )
    if cov.winners_with_country < cov.winners:
        notes.append(f"Country known for {cov.winners_with_country} of {cov.winners} winners.")
    if history_start is not None and (blind := [p.label for p in periods if p.awards and p.start <= history_start]):
        notes.append(
            f"The award history starts on {history_start.isoformat()}: every winner in {', '.join(blind)} "
            "counts as a new entrant there."
        )
    if cov.without_winner:
        notes.append(f"{cov.without_winner} award rows name no winner: counted as awards, in no share.")
    if dropped:
        notes.append(f"{dropped} exact duplicate award rows dropped.")
    return notes


def scan_tables(scan: MarketScan) -> dict[str, list[dict[str, object]]]:
    """The scan as plain tables for Prefect table artifacts: JSON types only, keys safe as artifact keys."""
    return {
        "periods": [_period_row(p) for p in (*scan.periods, scan.window)],
        "top-suppliers": [
            {
                "rank": rank,
                "supplier": s.name,
                "country": s.country,
                "region": REGION_LABELS[s.region],
                "awards": s.awards,
                f"value_{scan.currency.lower()}": _number(s.value),
                "share_pct": _pct(s.share),
                "basis": scan.window.concentration.basis,
            }
            for rank, s in enumerate(scan.top_suppliers, start=1)
        ],
        "new-entrants": [
            {
                "period": p.label,
                "supplier": e.name,
                "country": e.country,
                "region": REGION_LABELS[e.region],
                "first_award": e.first_award.isoformat(),
                "notice_id": e.notice_id,
            }
            for p in scan.periods
            for e in p.entrants
        ],
        "regions": [
            {
                "period": p.label,
                "region": r.label,
                "winners": r.winners,
                "awards": r.awards,
                f"value_{scan.currency.lower()}": _number(r.value),
                "value_share_pct": _pct(r.value_share),
            }
            for p in (*scan.periods, scan.window)
            for r in p.regions
        ],
    }


def _period_row(p: PeriodStats) -> dict[str, object]:
    c, b, cov = p.concentration, p.bids, p.coverage
    return {
        "period": p.label,
        "start": p.start.isoformat(),
        "end": p.end.isoformat(),
        "partial": p.partial,
        "notices": p.notices,
        "awards": p.awards,
        "total_value": _number(p.total_value),
        "median_value": _number(p.median_value),
        "awards_with_value": cov.with_value,
        "winners": p.winners,
        "basis": c.basis,
        "hhi": None if c.hhi is None else round(c.hhi),
        "band": c.band,
        "cr4_pct": _pct(c.cr4),
        "single_bid_pct": _pct(b.share),
        "tenders_known": b.known,
        "mean_tenders": None if b.mean_tenders is None else round(b.mean_tenders, 2),
        "new_entrants": len(p.entrants),
    }


def _number(value: Decimal | None) -> float | None:
    return None if value is None else float(value.quantize(Decimal("0.01")))


def _pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def _decimal(value: Fraction) -> Decimal:
    """An exact sum as an amount in cents: the precision a report shows and a table needs."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"))


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None
