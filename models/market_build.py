"""A market scan built from its awards and notices fed one notice at a time (pure; no I/O).

``models.market.market_scan`` feeds it lists; the pipelines feed it the store's awards as they stream
out of the database (``store.queries.award_fact_groups``), so that a scan of a category with tens of
thousands of awards never holds them all: it keeps each period's tally (``PeriodTally``), what all
history says about each winner (``SupplierHistories``) and a count of notices.

Feeding one notice at a time is what makes the streaming exact: the defensive dedupe of repeated
(notice, lot, winners) rows only ever compares rows of one notice, and the store gives a notice's
rows together.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from models.market_notes import scan_notes, trend_of
from models.market_periods import DedupeKey, PeriodTally, award_value, dedupe_key, period_spans
from models.market_types import (
    AwardFact,
    MarketScan,
    NoticeFact,
    PeriodKind,
    Span,
    SupplierHistory,
    country_code,
    region_of,
)

#: Where an award falls in the order a scan reads history: (published, notice, lot, arrival).
_Order = tuple[date, str, str, int]


@dataclass(slots=True)
class _Seen:
    """A spelling (or a country) given for a winner: how often, and its first time in history order."""

    value: str
    times: int
    first: _Order


def _most_given(seen: Sequence[_Seen]) -> str:
    """The most frequent; between equals the one history gave first."""
    if len(seen) == 1:  # most suppliers: one spelling, one country
        return seen[0].value
    return min(seen, key=lambda item: (-item.times, item.first)).value


@dataclass(slots=True)
class SupplierHistories:
    """What all history says about each winner: the name and country most notices give, the first award.

    Notices spell a supplier's name in several ways; the most frequent spelling wins (between equals,
    the earliest), so that a supplier reads the same in every table. Awards may come in any order.
    """

    names: dict[str, list[_Seen]] = field(default_factory=dict)  # a list: a supplier mostly has one spelling
    countries: dict[str, list[_Seen]] = field(default_factory=dict)
    _codes: dict[str | None, str | None] = field(default_factory=dict)  # raw country -> ISO code, read once

    def add(self, fact: AwardFact, arrival: int) -> None:
        order = (fact.published, fact.notice_id, fact.lot, arrival)
        names, countries, codes = self.names, self.countries, self._codes
        for winner in fact.winners:
            key = winner.key
            _count(names, key, winner.name, order)
            raw = winner.country
            code = codes[raw] if raw in codes else codes.setdefault(raw, country_code(raw))
            if code:
                _count(countries, key, code, order)

    def histories(self, keys: Iterable[str] | None = None) -> dict[str, SupplierHistory]:
        """Each winner's history (of ``keys`` only, when given: a scan reads those of its window's winners, not
        of everyone its category's history names); its first award is the earliest time any of its spellings was given."""
        result = {}
        names = self.names
        for key in names if keys is None else keys:
            spellings = names[key]
            first = spellings[0].first if len(spellings) == 1 else min(seen.first for seen in spellings)
            first_award, first_notice = first[:2]
            country = _most_given(self.countries[key]) if key in self.countries else None
            result[key] = SupplierHistory(name=_most_given(spellings), country=country, region=region_of(country),
                                          first_award=first_award, first_notice=first_notice)
        return result


def _count(seen_by_key: dict[str, list[_Seen]], key: str, value: str, order: _Order) -> None:
    seen = seen_by_key.get(key)
    if seen is None:
        seen_by_key[key] = [_Seen(value, 1, order)]
        return
    for known in seen:
        if known.value == value:
            known.times += 1
            if order < known.first:
                known.first = order
            return
    seen.append(_Seen(value, 1, order))


class MarketScanBuilder:
    """One category's scan over [start, end], built from ``add_awards`` and ``add_notice`` calls, read by ``scan``.

    ``add_awards`` takes the awards of one notice (or any batch: repeats are dropped across batches, as from one list),
    of all the category's history the store has, not just the window: new entrants are judged against it.
    Awards outside the prefix are skipped, so one stream can feed the builders of several categories.
    """

    def __init__(self, *, cpv_prefix: str, start: date, end: date, period: PeriodKind = "year",
                 currency: str = "EUR", top_n: int = 10) -> None:
        self.cpv_prefix, self.start, self.end, self.period, self.top_n = cpv_prefix, start, end, period, top_n
        self.currency = currency.upper()
        self.spans = period_spans(start, end, period)
        self._starts = [span.start for span in self.spans]
        self.tallies = [PeriodTally(self.currency) for _ in self.spans]  # the window's: their merge, when scanned
        self.notices = [0] * len(self.spans)
        self.histories = SupplierHistories()
        self.awards_read = 0  # awards in the prefix passed in, repeats included
        self.dropped = 0
        self.history_start: date | None = None
        self._seen: set[tuple[str, str, tuple[str, ...]]] = set()  # repeats are dropped across batches too
        self._scanned: MarketScan | None = None  # the last scan, until more awards or notices come in

    def add_awards(self, facts: Iterable[AwardFact]) -> None:
        self.add_keyed([dedupe_key(fact) for fact in facts])

    def add_keyed(self, keyed: Iterable[tuple[DedupeKey, AwardFact]]) -> None:
        """``add_awards`` of facts already keyed (``models.market_periods.dedupe_key``), as ``feed_categories``
        keys each notice's awards once for all the builders they go to."""
        self._scanned = None
        prefix, seen, dropped = self.cpv_prefix, self._seen, 0
        for key, fact in keyed:
            if not (fact.cpv_main or "").startswith(prefix):
                continue
            if key in seen:
                dropped += 1
                continue
            seen.add(key)
            arrival = self.awards_read  # position among the awards kept so far, as a list would have it
            self.awards_read += 1
            self.histories.add(fact, arrival)
            published = fact.published
            if self.history_start is None or published < self.history_start:
                self.history_start = published
            if self.start <= published <= self.end:
                self.tallies[bisect_right(self._starts, published) - 1].add(fact, award_value(fact, self.currency))
        self.dropped += dropped
        self.awards_read += dropped

    def add_notice(self, versions: Sequence[NoticeFact]) -> None:
        """Every stored row of one notice id (in publication order): counted once, in the period of the last
        row in the prefix and the window."""
        self._scanned = None
        dates = [n.published for n in versions
                 if (n.cpv_main or "").startswith(self.cpv_prefix) and self.start <= n.published <= self.end]
        if dates:
            self.notices[bisect_right(self._starts, dates[-1]) - 1] += 1

    def scan(self, labels: Mapping[str, str] | None = None) -> MarketScan:
        """The scan of what was fed so far. Read twice (a category both scanned and summarised by the market-scan
        flow), it is worked out once: the scan is immutable, and only its label could differ between two reads."""
        label = None
        if labels:
            label = labels.get(self.cpv_prefix) or labels.get(self.cpv_prefix.ljust(8, "0"))
        if self._scanned is None or self._scanned.label != label:
            self._scanned = self._scan(label)
        return self._scanned

    def _scan(self, label: str | None) -> MarketScan:
        tally = PeriodTally.merged(self.tallies, self.currency)
        suppliers = self.histories.histories(tally.winnings)  # every period's winner is one of the window's
        periods = tuple(tally.stats(span, notices, suppliers)
                        for span, tally, notices in zip(self.spans, self.tallies, self.notices, strict=True))
        window_label = periods[0].label if len(periods) == 1 else f"{periods[0].label}–{periods[-1].label}"
        window = tally.stats(Span(window_label, self.start, self.end, False), sum(self.notices), suppliers)
        return MarketScan(
            cpv_prefix=self.cpv_prefix,
            label=label,
            start=self.start,
            end=self.end,
            period=self.period,
            currency=self.currency,
            periods=periods,
            window=window,
            top_suppliers=tally.top_suppliers(window.concentration.basis, suppliers, self.top_n),
            trend=trend_of(periods),
            history_start=self.history_start,
            duplicates_dropped=self.dropped,
            notes=tuple(scan_notes(self.cpv_prefix, window, periods, self.history_start, self.dropped,
                                   self.currency)),
        )


def feed_categories(builders: Iterable[MarketScanBuilder], awards: Iterable[Sequence[AwardFact]],
                    notices: Iterable[Sequence[NoticeFact]]) -> None:
    """Feed one pass over the store (each notice's awards, each notice id's rows) to the builders of many
    categories at once (several may share a prefix): each batch goes only to the builders whose prefix one
    of its codes starts with, and awards only to those whose window ends on or after their publication
    (what ``store.queries.award_facts(..., until=end)`` would have given each)."""
    by_prefix: dict[str, list[MarketScanBuilder]] = {}
    for builder in builders:
        by_prefix.setdefault(builder.cpv_prefix, []).append(builder)
    lengths = sorted({len(prefix) for prefix in by_prefix})
    by_code: dict[str | None, list[MarketScanBuilder]] = {}  # a category code's builders, found once

    def of_code(code: str | None) -> list[MarketScanBuilder]:
        found = by_code.get(code)
        if found is None:
            hit = {code[:n] for n in lengths} if code else set()
            found = by_code[code] = [builder for prefix in hit for builder in by_prefix.get(prefix, ())]
        return found

    def targets(codes: set[str | None]) -> list[MarketScanBuilder]:
        if len(codes) == 1:
            return of_code(next(iter(codes)))
        return list({id(builder): builder for code in codes for builder in of_code(code)}.values())

    for batch in awards:
        hit = targets({a.cpv_main for a in batch})
        if not hit:
            continue
        keyed = [dedupe_key(a) for a in batch]
        published = max(a.published for a in batch)
        for builder in hit:
            builder.add_keyed(keyed if published <= builder.end else [pair for pair in keyed
                                                                      if pair[1].published <= builder.end])
    for versions in notices:
        for builder in targets({n.cpv_main for n in versions}):
            builder.add_notice(versions)
