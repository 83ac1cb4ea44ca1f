"""The statistics of one period of a market scan: awards tallied per winner, concentration, bids,
new entrants, regions and coverage (pure; ``models.market`` composes them over a window).
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction

from models.concentration import concentration, shares
from models.market_types import (
    REGION_LABELS,
    VALUE_BASIS_MIN_COVERAGE,
    AwardFact,
    Basis,
    BidStats,
    ConcentrationStats,
    Coverage,
    Entrant,
    PeriodKind,
    PeriodStats,
    RegionShare,
    ScanContext,
    Span,
    SupplierHistory,
    SupplierShare,
    Winner,
    country_code,
    region_of,
)


def dedupe(facts: Sequence[AwardFact]) -> tuple[list[AwardFact], int]:
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


def supplier_histories(facts: Iterable[AwardFact]) -> dict[str, SupplierHistory]:
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
            if code := country_code(winner.country):
                countries[winner.key][code] += 1
            first.setdefault(winner.key, (fact.published, fact.notice_id))
    suppliers = {}
    for key, (first_award, first_notice) in first.items():
        country = countries[key].most_common(1)[0][0] if countries[key] else None
        suppliers[key] = SupplierHistory(
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


def concentration_of(facts: Sequence[AwardFact], currency: str) -> ConcentrationStats:
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


def _entrants(tallies: Mapping[str, _Tally], start: date, end: date, suppliers: Mapping[str, SupplierHistory]) -> tuple[Entrant, ...]:
    entrants = [
        Entrant(
            key=key,
            name=s.name,
            country=s.country,
            region=s.region,
            first_award=s.first_award,
            notice_id=s.first_notice,
            awards=tallies[key].awards,
        )
        for key in tallies
        if start <= (s := suppliers[key]).first_award <= end
    ]
    return tuple(sorted(entrants, key=lambda e: (e.first_award, e.name.casefold(), e.key)))


def _regions(tallies: Mapping[str, _Tally], suppliers: Mapping[str, SupplierHistory]) -> tuple[RegionShare, ...]:
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


def _coverage(facts: Sequence[AwardFact], winners: Iterable[str], context: ScanContext) -> Coverage:
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


def period_stats(span: Span, facts: Sequence[AwardFact], notices: int, context: ScanContext) -> PeriodStats:
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
        concentration=concentration_of(facts, context.currency),
        bids=_bids(facts),
        entrants=_entrants(tallies, span.start, span.end, context.suppliers),
        regions=_regions(tallies, context.suppliers),
        coverage=_coverage(facts, tallies, context),
    )


def period_spans(start: date, end: date, kind: PeriodKind) -> list[Span]:
    """Every year or quarter the window touches, clipped to it, with whether it was cut short."""
    months = 12 if kind == "year" else 3
    result = []
    year, month = start.year, 1 if kind == "year" else (start.month - 1) // 3 * 3 + 1
    while date(year, month, 1) <= end:
        first = date(year, month, 1)
        next_year, next_month = (year + 1, 1) if month + months > 12 else (year, month + months)
        last = date.fromordinal(date(next_year, next_month, 1).toordinal() - 1)
        label = str(year) if kind == "year" else f"{year}-Q{(month - 1) // 3 + 1}"
        result.append(Span(label, max(first, start), min(last, end), first < start or last > end))
        year, month = next_year, next_month
    return result


def rank_top_suppliers(
    facts: Sequence[AwardFact], basis: Basis | None, context: ScanContext, top_n: int
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


def _decimal(value: Fraction) -> Decimal:
    """An exact sum as an amount in cents: the precision a report shows and a table needs."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"))
