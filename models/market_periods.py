"""The statistics of one period of a market scan, tallied one award at a time: awards per winner,
concentration, bids, new entrants, regions and coverage (pure; ``models.market_build`` feeds them).

Why a tally and not a list of awards: a national store holds a hundred thousand awards, and a scan
(or the nightly summaries of forty categories) kept every award of a category as an object, several
times over. A tally keeps counts, the winners' sums and the values (the median needs them), so a
scan's memory grows with the suppliers, not with the awards.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import MAX_EMAX, MAX_PREC, MIN_EMIN, Context, Decimal
from fractions import Fraction

from models.concentration import concentration
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
    Span,
    SupplierHistory,
    SupplierShare,
    Winner,
)

#: Sums of award values that never round: a split value must add up to the lot's value exactly.
_EXACT = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN)


#: What makes an award row a repeat: (notice, lot, its winners' keys sorted).
DedupeKey = tuple[str, str, tuple[str, ...]]


def dedupe(facts: Sequence[AwardFact], seen: set[DedupeKey] | None = None) -> tuple[list[AwardFact], int]:
    """Drop exact repeats of (notice, lot, winner keys), and a winner named twice on one lot.

    ``seen``: the keys of the rows kept by earlier calls, when the facts come in batches (a stream fed one
    notice at a time): a repeat is dropped wherever it comes in the history, as it is from one list.
    Returns the rows kept and how many were dropped, so the report can say so.
    """
    if seen is None:
        seen = set()
    kept: list[AwardFact] = []
    for key, fact in map(dedupe_key, facts):
        if key in seen:
            continue
        seen.add(key)
        kept.append(fact)
    return kept, len(facts) - len(kept)


def dedupe_key(fact: AwardFact) -> tuple[DedupeKey, AwardFact]:
    """The row's repeat key and the row with each winner once (``dedupe``'s two steps for one row: one stream
    that feeds several categories' builders works them out once per row, not once per builder)."""
    keys = [winner.key for winner in fact.winners]
    if len(keys) < 2 or len(set(keys)) == len(keys):  # the common case: no winner named twice
        return (fact.notice_id, fact.lot, tuple(sorted(keys))), fact
    unique: dict[str, Winner] = {}
    for winner in fact.winners:
        unique.setdefault(winner.key, winner)
    return (fact.notice_id, fact.lot, tuple(sorted(unique))), replace(fact, winners=tuple(unique.values()))


def award_value(fact: AwardFact, currency: str) -> Decimal | None:
    """The award's value when it is a positive amount in ``currency``; anything else is not a value here."""
    if fact.value is None or fact.value <= 0 or (fact.currency or "").upper() != currency:
        return None
    return fact.value


class _Winnings:
    """One winner's awards in a period and its part of their value: the exact sum of the values it won
    alone, and per number of joint winners the sum of the values it shares (a value split three ways adds
    a third of it). Slotted, the dict made only for joint awards: there is one of these per winner and period."""

    __slots__ = ("awards", "alone", "shared")

    def __init__(self) -> None:
        self.awards = 0
        self.alone: Decimal | None = None
        self.shared: dict[int, Decimal] | None = None

    def add(self, value: Decimal | None, split: int) -> None:
        self.awards += 1
        if value is None:
            return
        if split == 1:
            self.alone = value if self.alone is None else _EXACT.add(self.alone, value)
        elif self.shared is None:
            self.shared = {split: value}
        else:
            self.shared[split] = _EXACT.add(self.shared[split], value) if split in self.shared else value

    def merge(self, other: _Winnings) -> None:
        """Add the awards and the exact sums of ``other`` (the same winner's in another period)."""
        self.awards += other.awards
        if other.alone is not None:
            self.alone = other.alone if self.alone is None else _EXACT.add(self.alone, other.alone)
        for split, total in (other.shared or {}).items():
            if self.shared is None:
                self.shared = {}
            self.shared[split] = _EXACT.add(self.shared[split], total) if split in self.shared else total

    def sums(self) -> list[tuple[Decimal, int]]:
        """(exact sum, number of winners it is split between) of every value it has a part of."""
        parts = [] if self.alone is None else [(self.alone, 1)]
        return parts + [(total, split) for split, total in (self.shared or {}).items()]


def _value_weights(winnings: Mapping[str, _Winnings]) -> tuple[dict[str, int], int]:
    """Each winner's part of the value as an integer over one common denominator (returned with it): the
    exact sums, without a Fraction per winner (``models.concentration.integer_weights``)."""
    parts = {key: [(*total.as_integer_ratio(), split) for total, split in won.sums()] for key, won in winnings.items()}
    scale = 1
    for terms in parts.values():
        for _, denominator, split in terms:
            scale = math.lcm(scale, denominator * split)
    return {key: sum(numerator * (scale // (denominator * split)) for numerator, denominator, split in terms)
            for key, terms in parts.items()}, scale


def _share(part: int, total: int) -> float:
    """``part``'s share of ``total`` as ``models.concentration.shares`` gives it (none of an empty total)."""
    return float(Fraction(part, total)) if total > 0 and part > 0 else 0.0


@dataclass(slots=True)
class PeriodTally:
    """What one period's statistics need, gathered award by award (``add``), read by ``stats``."""

    currency: str
    values: list[Decimal] = field(default_factory=list)  # positive amounts in the currency, in the order added
    awards: int = 0
    value_missing: int = 0  # no amount, or zero or negative
    awarded: int = 0  # awards naming a winner
    awarded_valued: int = 0  # ... of which with a value
    without_winner: int = 0
    tenders_known: int = 0  # a count of at least one tender
    tenders_total: int = 0
    single_bid: int = 0
    winnings: dict[str, _Winnings] = field(default_factory=dict)
    _values: tuple[dict[str, int], int] | None = None  # ``_value_weights``, once all awards are in

    def add(self, fact: AwardFact, value: Decimal | None) -> None:
        """Count one award (``value``: its ``award_value``): one award for each winner, the value split equally."""
        self._values = None  # weights worked out before this award (a scan read halfway) are no longer all
        self.awards += 1
        if value is not None:
            self.values.append(value)
        elif fact.value is None or fact.value <= 0:
            self.value_missing += 1
        tenders = fact.tenders_received
        if tenders is not None and tenders >= 1:
            self.tenders_known += 1
            self.tenders_total += tenders
            self.single_bid += tenders == 1
        if not fact.winners:
            self.without_winner += 1
            return
        self.awarded += 1
        split = len(fact.winners)
        if value is not None:
            self.awarded_valued += 1
        for winner in fact.winners:
            won = self.winnings.get(winner.key)
            if won is None:
                won = self.winnings[winner.key] = _Winnings()
            won.add(value, split)

    @classmethod
    def merged(cls, tallies: Sequence[PeriodTally], currency: str) -> PeriodTally:
        """One tally of the awards of ``tallies`` (a scan's window, of its periods': each award tallied once, not
        in its period and again in the window). The same statistics as a tally fed the awards themselves: the
        sums are exact, the median sorts the values, and every figure is independent of the winners' order."""
        total = cls(currency)
        winnings = total.winnings
        for tally in tallies:
            total.values.extend(tally.values)
            total.awards += tally.awards
            total.value_missing += tally.value_missing
            total.awarded += tally.awarded
            total.awarded_valued += tally.awarded_valued
            total.without_winner += tally.without_winner
            total.tenders_known += tally.tenders_known
            total.tenders_total += tally.tenders_total
            total.single_bid += tally.single_bid
            for key, won in tally.winnings.items():
                mine = winnings.get(key)
                if mine is None:
                    mine = winnings[key] = _Winnings()
                mine.merge(won)
        return total

    @property
    def basis(self) -> Basis | None:
        """Value when enough awarded lots carry a value in the currency, else count; None without winners."""
        if not self.awarded:
            return None
        return "value" if Fraction(self.awarded_valued, self.awarded) >= VALUE_BASIS_MIN_COVERAGE else "count"

    def weights(self, basis: Basis | None) -> dict[str, int]:
        """Each winner's weight in proportion: its part of the value (over a common denominator) or its awards."""
        if basis == "value":
            if self._values is None:
                self._values = _value_weights(self.winnings)
            return self._values[0]
        return {key: won.awards for key, won in self.winnings.items()}

    def value_of(self, keys: Iterable[str]) -> Fraction:
        """The exact part of the value that the winners ``keys`` won together."""
        weights = self.weights("value")
        return Fraction(sum(weights[key] for key in keys), self._values[1] if self._values else 1)

    def concentration(self) -> ConcentrationStats:
        basis = self.basis
        result = concentration(self.weights(basis)) if basis else None
        if result is None:
            return ConcentrationStats(basis=basis)
        return ConcentrationStats(
            basis=basis,
            hhi=result.hhi,
            cr4=result.cr4,
            band=result.band,
            suppliers=result.suppliers,
            awards_used=self.awarded if basis == "count" else self.awarded_valued,
        )

    def bids(self) -> BidStats:
        """Single-bid share over the awards whose tender count is known (a count below 1 is not known)."""
        if not self.tenders_known:
            return BidStats()
        return BidStats(single_bid=self.single_bid, known=self.tenders_known,
                        share=self.single_bid / self.tenders_known,
                        mean_tenders=float(self.tenders_total) / self.tenders_known)  # what fmean gives

    def stats(self, span: Span, notices: int, suppliers: Mapping[str, SupplierHistory]) -> PeriodStats:
        return PeriodStats(
            label=span.label,
            start=span.start,
            end=span.end,
            partial=span.partial,
            notices=notices,
            awards=self.awards,
            total_value=sum(self.values, Decimal(0)),
            median_value=statistics.median(self.values) if self.values else None,
            winners=len(self.winnings),
            concentration=self.concentration(),
            bids=self.bids(),
            entrants=self._entrants(span.start, span.end, suppliers),
            regions=self._regions(suppliers),
            coverage=self._coverage(suppliers),
        )

    def top_suppliers(self, basis: Basis | None, suppliers: Mapping[str, SupplierHistory],
                      top_n: int) -> tuple[SupplierShare, ...]:
        on_basis, by_value, by_count = self.weights(basis), self.weights("value"), self.weights("count")
        basis_total, value_total, count_total = sum(on_basis.values()), sum(by_value.values()), sum(by_count.values())
        won = self.winnings

        def rank(key: str) -> tuple:  # larger shares first: a share is the weight over a positive total
            weight = on_basis[key] if basis_total > 0 and on_basis[key] > 0 else 0
            return -weight, -won[key].awards, suppliers[key].name.casefold(), key

        return tuple(
            SupplierShare(
                key=key,
                name=suppliers[key].name,
                country=suppliers[key].country,
                region=suppliers[key].region,
                awards=won[key].awards,
                value=_decimal(self.value_of([key])),
                share=_share(on_basis[key], basis_total),
                value_share=_share(by_value[key], value_total) if value_total > 0 else None,
                award_share=_share(by_count[key], count_total),
            )
            for key in sorted(won, key=rank)[:top_n]
        )

    def _entrants(self, start: date, end: date, suppliers: Mapping[str, SupplierHistory]) -> tuple[Entrant, ...]:
        entrants = [
            Entrant(key=key, name=s.name, country=s.country, region=s.region, first_award=s.first_award,
                    notice_id=s.first_notice, awards=won.awards)
            for key, won in self.winnings.items()
            if start <= (s := suppliers[key]).first_award <= end
        ]
        return tuple(sorted(entrants, key=lambda e: (e.first_award, e.name.casefold(), e.key)))

    def _regions(self, suppliers: Mapping[str, SupplierHistory]) -> tuple[RegionShare, ...]:
        """All four regions, always in the same order, so that stacked charts line up across periods."""
        total = self.value_of(self.winnings)
        by_region: dict[str | None, list[str]] = {region: [] for region in REGION_LABELS}
        for key in self.winnings:  # one pass, not one per region
            members = by_region.get(suppliers[key].region)
            if members is not None:
                members.append(key)
        result = []
        for region, label in REGION_LABELS.items():
            members = by_region[region]
            value = self.value_of(members)
            result.append(
                RegionShare(
                    region=region,
                    label=label,
                    winners=len(members),
                    awards=sum(self.winnings[key].awards for key in members),
                    value=_decimal(value),
                    value_share=float(value / total) if total else None,
                )
            )
        return tuple(result)

    def _coverage(self, suppliers: Mapping[str, SupplierHistory]) -> Coverage:
        with_value = len(self.values)
        return Coverage(
            awards=self.awards,
            with_value=with_value,
            value_missing=self.value_missing,
            value_other_currency=self.awards - with_value - self.value_missing,
            with_tenders=self.tenders_known,
            without_winner=self.without_winner,
            winners=len(self.winnings),
            winners_with_country=sum(1 for key in self.winnings if suppliers[key].country),
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


def _decimal(value: Fraction) -> Decimal:
    """An exact sum as an amount in cents: the precision a report shows and a table needs."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.01"))
