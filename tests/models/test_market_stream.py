"""Tested here: a market scan streamed one notice at a time (as the pipelines read the store) is the scan of
the same awards passed as lists, for one category and for many fed by one pass; and the integer path of
``models.concentration`` gives the same figures as shares computed as Fractions.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from itertools import groupby

import pytest

from models.concentration import concentration, concentration_ratio, hhi, hhi_band, shares
from models.market import AwardFact, NoticeFact, Winner, market_scan, scan_builder
from models.market_build import feed_categories

START, END = date(2021, 1, 1), date(2023, 12, 31)
CODES = ("72200000", "72210000", "72500000", "48000000", "45000000")


def _world(seed: int) -> tuple[list[AwardFact], list[NoticeFact]]:
    """Awards over five years, before and in the window: joint awards, values in two currencies or none,
    a supplier spelled two ways, countries missing, a row repeated within its notice, lots of one notice."""
    rng = random.Random(seed)
    suppliers = [Winner(f"org-{i}", f"Supplier {i}", rng.choice(["NL", "DE", "US", "nl", None, "XX"]))
                 for i in range(40)]
    suppliers += [Winner("org-0", "SUPPLIER 0 B.V.", "NL"), Winner("org-1", "Supplier One", None)]
    awards, notices = [], []
    for n in range(400):
        published = date(2019, 1, 1) + timedelta(days=rng.randrange(5 * 365))
        code, notice = rng.choice(CODES), f"N{n:04d}"
        for lot in range(rng.choice([1, 1, 1, 2, 3])):
            fact = AwardFact(
                notice_id=notice, source="ted", published=published, cpv_main=code, buyer_name="Buyer",
                buyer_country="NL", lot=str(lot + 1), winners=tuple(rng.sample(suppliers, rng.choice([0, 1, 1, 1, 2, 3]))),
                value=rng.choice([None, Decimal(0), Decimal(rng.randrange(1, 10**7)) / 100]),
                currency=rng.choice(["EUR", "EUR", "eur", "GBP", None]), tenders_received=rng.choice([None, 0, 1, 2, 5]),
            )
            awards.append(fact)
            if rng.random() < 0.05:
                awards.append(fact)  # the same row twice
        notices.append(NoticeFact(notice, "ted", published, code, "award"))
        if rng.random() < 0.1:  # the notice again from another source, later
            notices.append(NoticeFact(notice, "tenderned", published + timedelta(days=3), code, "award"))
    return awards, notices


def _by_notice(awards: list[AwardFact], notices: list[NoticeFact]):
    """What the store gives: awards one (published, notice) at a time in that order, notices per notice id."""
    ordered = sorted(awards, key=lambda a: (a.published, a.notice_id))
    award_groups = [list(g) for _, g in groupby(ordered, key=lambda a: (a.published, a.notice_id))]
    notice_groups = [list(g) for _, g in groupby(sorted(notices, key=lambda n: (n.notice_id, n.published)),
                                                  key=lambda n: n.notice_id)]
    return award_groups, notice_groups


def _streamed(award_groups, notice_groups, *, cpv_prefix: str, period: str):
    """The scan as the pipelines make it: the store's batches fed to a builder in turn."""
    builder = scan_builder(cpv_prefix=cpv_prefix, start=START, end=END, period=period)
    for group in award_groups:
        builder.add_awards(group)
    for versions in notice_groups:
        builder.add_notice(versions)
    return builder.scan()


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("period", ["year", "quarter"])
def test_a_scan_streamed_per_notice_is_the_scan_of_the_lists(seed: int, period: str) -> None:
    awards, notices = _world(seed)
    award_groups, notice_groups = _by_notice(awards, notices)
    shuffled = awards[:]
    random.Random(seed).shuffle(shuffled)  # lists may come in any order
    expected = market_scan(shuffled, notices, cpv_prefix="72", start=START, end=END, period=period)
    streamed = _streamed(award_groups, notice_groups, cpv_prefix="72", period=period)
    assert streamed == expected
    assert expected.window.awards > 50 and expected.duplicates_dropped > 0 and expected.top_suppliers


@pytest.mark.parametrize("seed", [1, 2])
def test_a_row_repeated_under_another_publication_date_counts_once_as_from_one_list(seed: int) -> None:
    """Two stored rows of one notice id with different publication dates (two sources not linked as
    duplicates) come in different batches of the stream; the repeat is dropped there too, as ``dedupe`` drops
    it from the whole list in publication order (the order the store gives)."""
    awards, notices = _world(seed)
    rng = random.Random(seed)
    later = [replace(a, published=a.published + timedelta(days=40)) for a in rng.sample(awards, 30)]
    in_order = sorted(awards + later, key=lambda a: (a.published, a.notice_id))
    expected = market_scan(in_order, notices, cpv_prefix="7", start=START, end=END)
    without = market_scan(sorted(awards, key=lambda a: (a.published, a.notice_id)), notices,
                          cpv_prefix="7", start=START, end=END)
    assert expected.periods == without.periods and expected.window == without.window  # the repeats count nowhere
    award_groups, notice_groups = _by_notice(in_order, notices)
    streamed = _streamed(award_groups, notice_groups, cpv_prefix="7", period="year")
    assert streamed == expected
    assert streamed.duplicates_dropped >= len([a for a in later if a.cpv_main.startswith("7")])


def test_one_pass_feeds_the_scans_of_nested_categories() -> None:
    awards, notices = _world(7)
    prefixes = ("72", "722", "7221", "48", "9")
    builders = {p: scan_builder(cpv_prefix=p, start=START, end=END) for p in prefixes}
    early = scan_builder(cpv_prefix="72", start=START, end=date(2022, 6, 30), period="quarter")  # the same prefix
    feed_categories([*builders.values(), early], *_by_notice(awards, notices))
    for prefix in prefixes:
        assert builders[prefix].scan() == market_scan(awards, notices, cpv_prefix=prefix, start=START, end=END)
    assert builders["9"].awards_read == 0 and builders["7221"].awards_read > 0
    # A window that ends earlier sees the history up to its end only, as a read ``until`` its end gives it.
    until_end = [a for a in awards if a.published <= early.end]
    assert early.scan() == market_scan(until_end, notices, cpv_prefix="72", start=START, end=early.end,
                                       period="quarter")


def test_the_most_given_spelling_names_a_supplier_and_the_earliest_breaks_a_tie() -> None:
    def award(notice: str, day: int, winner: Winner) -> AwardFact:
        return AwardFact(notice, "ted", date(2022, 1, day), "72000000", "Buyer", "NL", "1", (winner,))

    early, late = Winner("org-x", "X Early", "NL"), Winner("org-x", "X Late", "DE")
    tie = [award("b", 2, late), award("a", 1, early)]
    scan = market_scan(tie, [], cpv_prefix="72", start=START, end=END)
    assert (scan.top_suppliers[0].name, scan.top_suppliers[0].country) == ("X Early", "NL")
    more = market_scan([*tie, award("c", 3, late)], [], cpv_prefix="72", start=START, end=END)
    assert (more.top_suppliers[0].name, more.top_suppliers[0].country) == ("X Late", "DE")


@pytest.mark.parametrize("seed", range(5))
def test_integer_concentration_is_the_fraction_computation(seed: int) -> None:
    rng = random.Random(seed)
    weights = {f"s{i}": Fraction(rng.randrange(0, 10**6), rng.choice([1, 2, 3, 100, 300])) for i in range(60)}
    parts = shares(weights)
    index = hhi(parts.values())
    result = concentration(weights)
    assert result is not None
    assert (result.hhi, result.cr4, result.band, result.suppliers) == (
        index, concentration_ratio(parts.values()), hhi_band(index), len(parts))
    as_counts = concentration({key: int(w) for key, w in weights.items()})
    assert as_counts is not None and as_counts.hhi == hhi(shares({k: Fraction(int(w)) for k, w in weights.items()}).values())
    assert concentration({"a": 0.5, "b": 0.25}) is not None  # floats keep the float path
    assert concentration({"a": Fraction(0)}) is None


def test_a_scan_read_twice_is_worked_out_once_and_anew_after_more_awards() -> None:
    """The market-scan flow reads a category's builder for its report and for its summary: one scan, unless
    more awards came in between (or the label asked for differs)."""
    award_groups, notice_groups = _by_notice(*_world(3))
    builder = scan_builder(cpv_prefix="72", start=START, end=END, period="year")
    for group in award_groups[:200]:
        builder.add_awards(group)
    first = builder.scan()
    assert builder.scan() is first
    assert builder.scan({"72": "IT services"}).label == "IT services"
    for group in award_groups[200:]:
        builder.add_awards(group)
    for versions in notice_groups:
        builder.add_notice(versions)
    assert builder.scan() == _streamed(award_groups, notice_groups, cpv_prefix="72", period="year")
    assert builder.scan().window.awards > first.window.awards
