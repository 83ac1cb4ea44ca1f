"""Tested here: award facts -> market_scan() -> the numbers, on a small data set checked by hand.

The data set (CPV prefix "72", window 2022-2023, amounts in EUR unless said):

    history  2021-06-01  h1  A (NL)            100          3 tenders   -> A is not new in the window
    2022     2022-02-01  a1  A (NL)             50          1 tender
             2022-05-10  a2  B (DE)             30          2 tenders
             2022-08-20  a3  C (US)             20          tenders unknown   (given twice: one copy dropped)
             2022-03-01  x1  D, CPV 71...      500          outside the prefix
    2023     2023-01-15  b1  A (NL)             40          1 tender
             2023-04-01  b2  A (NL) + E (none)  60 joint    1 tender    -> 30 each
             2023-07-01  b3  F (FR)             no value    4 tenders
             2023-10-01  b4  B (DE)             80 GBP      tenders unknown
    later    2024-02-01  z1  G (NL)             10          after the window

Each expected number below is worked out in the comment beside it.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from models.concentration import concentration, hhi_band
from models.market import (
    AwardFact,
    InvalidScanRequest,
    MarketScan,
    NoticeFact,
    Winner,
    market_scan,
    region_of,
    scan_tables,
    window_concentration,
)
from models.market_summary import from_rows, summary_rows
from models.market_tables import entrants_csv, top_entrants

A = Winner("org-a", "Alpha B.V.", "NL")
B = Winner("org-b", "Beta GmbH", "DE")
C = Winner("org-c", "Gamma Inc.", "US")
D = Winner("org-d", "Delta Architects", "NL")
E = Winner("org-e", "Epsilon Partners", None)
F = Winner("org-f", "Phi SAS", "FR")
G = Winner("org-g", "Gee B.V.", "NL")


def award(
    notice_id: str,
    published: date,
    winners: tuple[Winner, ...],
    value: int | None,
    tenders: int | None,
    *,
    cpv: str = "72000000",
    currency: str = "EUR",
) -> AwardFact:
    return AwardFact(
        notice_id=notice_id,
        source="ted",
        published=published,
        cpv_main=cpv,
        buyer_name="Gemeente Testdorp",
        buyer_country="NL",
        lot="1",
        winners=winners,
        value=None if value is None else Decimal(value),
        currency=currency,
        tenders_received=tenders,
    )


AWARDS = [
    award("h1", date(2021, 6, 1), (A,), 100, 3, cpv="72200000"),
    award("a1", date(2022, 2, 1), (A,), 50, 1),
    award("a2", date(2022, 5, 10), (B,), 30, 2, cpv="72510000"),
    award("a3", date(2022, 8, 20), (C,), 20, None, cpv="72611000"),
    award("a3", date(2022, 8, 20), (C,), 20, None, cpv="72611000"),  # the same row again
    award("x1", date(2022, 3, 1), (D,), 500, 1, cpv="71000000"),
    award("b1", date(2023, 1, 15), (A,), 40, 1),
    award("b2", date(2023, 4, 1), (A, E), 60, 1),
    award("b3", date(2023, 7, 1), (F,), None, 4),
    award("b4", date(2023, 10, 1), (B,), 80, None, currency="GBP"),
    award("z1", date(2024, 2, 1), (G,), 10, 5),
]
NOTICES = [
    *(NoticeFact(a.notice_id, "ted", a.published, a.cpv_main, "award") for a in AWARDS),
    NoticeFact("c1", "ted", date(2022, 1, 10), "72000000", "competition"),
    NoticeFact("c2", "tenderned", date(2023, 3, 3), "72100000", "competition"),
    NoticeFact("c3", "ted", date(2023, 3, 3), "45000000", "competition"),  # outside the prefix
]
LABELS = {"72000000": "IT services: consulting, software development, Internet and support"}


@pytest.fixture(scope="module")
def scan() -> MarketScan:
    return market_scan(
        AWARDS, NOTICES, cpv_prefix="72", start=date(2022, 1, 1), end=date(2023, 12, 31), labels=LABELS
    )


# -- concentration measures ------------------------------------------------------------------


def test_hhi_and_cr4_of_hand_worked_shares() -> None:
    # 50/30/20: 50² + 30² + 20² = 2,500 + 900 + 400 = 3,800; the top 4 (all three) hold 100%.
    three = concentration({"a": Fraction(50), "b": Fraction(30), "c": Fraction(20)})
    assert three is not None
    assert three.hhi == 3800 and three.cr4 == 1.0 and three.band == "highly concentrated"
    # 30/25/20/15/10: 900 + 625 + 400 + 225 + 100 = 2,250; CR4 = 30+25+20+15 = 90%.
    five = concentration({k: Fraction(v) for k, v in zip("abcde", (30, 25, 20, 15, 10), strict=True)})
    assert five is not None
    assert five.hhi == 2250 and five.cr4 == pytest.approx(0.9)
    # Ten equal suppliers: 10 × 10² = 1,000, the lower threshold itself.
    ten = concentration({str(i): Fraction(1) for i in range(10)})
    assert ten is not None and ten.hhi == 1000 and ten.band == "moderately concentrated"
    assert concentration({}) is None


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (0, "unconcentrated"),
        (999.9, "unconcentrated"),
        (1000, "moderately concentrated"),
        (2000, "moderately concentrated"),
        (2000.1, "highly concentrated"),
        (10000, "highly concentrated"),
    ],
)
def test_hhi_bands_follow_the_ec_thresholds(value: float, band: str) -> None:
    assert hhi_band(value) == band


# -- filtering, periods, duplicates --------------------------------------------------------------


def test_prefix_filter_and_periods(scan: MarketScan) -> None:
    assert scan.label == LABELS["72000000"]
    assert [p.label for p in scan.periods] == ["2022", "2023"]
    assert scan.window.label == "2022–2023"
    # 2022: a1, a2, a3 (x1 is CPV 71, the second a3 a duplicate); 2023: b1-b4; z1 is after the window.
    assert [p.awards for p in scan.periods] == [3, 4]
    assert scan.window.awards == 7
    # Notices: 2022 a1 a2 a3 + c1 = 4 (a3 twice is one notice); 2023 b1-b4 + c2 = 5 (c3 is CPV 45).
    assert [p.notices for p in scan.periods] == [4, 5]
    assert scan.window.notices == 9
    assert scan.duplicates_dropped == 1
    assert not any(p.partial for p in scan.periods)


def test_one_digit_prefix_matches_the_whole_division() -> None:
    # "7" takes in CPV 71 (x1) as well: 2022 is a1, a2, a3, x1.
    seven = market_scan(AWARDS, NOTICES, cpv_prefix="7", start=date(2022, 1, 1), end=date(2022, 12, 31))
    assert seven.window.awards == 4
    eight = market_scan(AWARDS, NOTICES, cpv_prefix="72510000", start=date(2022, 1, 1), end=date(2022, 12, 31))
    assert eight.window.awards == 1 and eight.top_suppliers[0].name == "Beta GmbH"


def test_quarters_are_clipped_to_the_window() -> None:
    q = market_scan(AWARDS, NOTICES, cpv_prefix="72", start=date(2023, 2, 15), end=date(2023, 5, 31), period="quarter")
    assert [p.label for p in q.periods] == ["2023-Q1", "2023-Q2"]
    assert [(p.start, p.end, p.partial) for p in q.periods] == [
        (date(2023, 2, 15), date(2023, 3, 31), True),
        (date(2023, 4, 1), date(2023, 5, 31), True),
    ]
    # b1 (15 Jan) is before the window; Q2 holds b2: A and E with 30 each -> 50² + 50² = 5,000.
    assert [p.awards for p in q.periods] == [0, 1]
    assert q.periods[1].concentration.hhi == 5000
    assert q.periods[0].concentration.hhi is None


def test_a_full_year_of_quarters() -> None:
    q = market_scan(AWARDS, NOTICES, cpv_prefix="72", start=date(2023, 1, 1), end=date(2023, 12, 31), period="quarter")
    assert [p.label for p in q.periods] == ["2023-Q1", "2023-Q2", "2023-Q3", "2023-Q4"]
    assert [p.end for p in q.periods] == [date(2023, 3, 31), date(2023, 6, 30), date(2023, 9, 30), date(2023, 12, 31)]
    assert [p.awards for p in q.periods] == [1, 1, 1, 1]


# -- values, currency, basis ------------------------------------------------------------------


def test_values_only_in_the_currency(scan: MarketScan) -> None:
    y2022, y2023 = scan.periods
    # 2022: 50 + 30 + 20 = 100, median of (20, 30, 50) = 30.
    assert y2022.total_value == Decimal(100) and y2022.median_value == Decimal(30)
    # 2023: b1 40 + b2 60 (the whole lot, not split) = 100; b3 has no value, b4 is GBP. Median (40+60)/2 = 50.
    assert y2023.total_value == Decimal(100) and y2023.median_value == Decimal(50)
    cov = y2023.coverage
    assert (cov.awards, cov.with_value, cov.value_missing, cov.value_other_currency) == (4, 2, 1, 1)
    # Window: 100 + 100 = 200; median of (50, 30, 20, 40, 60) = 40.
    assert scan.window.total_value == Decimal(200) and scan.window.median_value == Decimal(40)


def test_value_basis_and_joint_award_split(scan: MarketScan) -> None:
    y2022, y2023 = scan.periods
    # 2022: all 3 lots valued -> value basis; 50/30/20 -> 3,800, CR4 100%.
    assert y2022.concentration.basis == "value"
    assert y2022.concentration.hhi == 3800 and y2022.concentration.cr4 == 1.0
    # 2023: 2 of 4 lots valued = 50% -> still value. A: 40 + 30 = 70, E: 30 -> 4,900 + 900 = 5,800.
    c = y2023.concentration
    assert (c.basis, c.hhi, c.cr4, c.suppliers, c.awards_used) == ("value", 5800, 1.0, 2, 2)
    assert c.band == "highly concentrated" and c.small_sample
    # Window: A 50+40+30 = 120, B 30, E 30, C 20 of 200 -> 60/15/15/10 -> 3,600+225+225+100 = 4,150.
    assert scan.window.concentration.hhi == 4150
    assert scan.window.concentration.awards_used == 5


def test_count_basis_when_values_are_scarce() -> None:
    # One of four lots has a EUR value (25% < 50%): shares by awards won. P twice, Q, R once:
    # 2/4, 1/4, 1/4 -> 2,500 + 625 + 625 = 3,750.
    p, q, r = Winner("p", "P", "NL"), Winner("q", "Q", "NL"), Winner("r", "R", "BE")
    rows = [
        award("k1", date(2022, 1, 1), (p,), 1000, 2),
        award("k2", date(2022, 2, 1), (p,), None, 2),
        award("k3", date(2022, 3, 1), (q,), None, 2),
        award("k4", date(2022, 4, 1), (r,), 0, 2),  # zero is a placeholder, not a price
    ]
    s = market_scan(rows, [], cpv_prefix="72", start=date(2022, 1, 1), end=date(2022, 12, 31))
    c = s.window.concentration
    assert (c.basis, c.hhi, c.cr4, c.awards_used) == ("count", 3750, 1.0, 4)
    assert s.window.coverage.value_missing == 3
    assert [t.name for t in s.top_suppliers] == ["P", "Q", "R"]
    assert s.top_suppliers[0].share == 0.5
    assert any("award counts in 2022" in note for note in s.notes)


# -- competition ------------------------------------------------------------------------------


def test_single_bid_share_over_known_counts(scan: MarketScan) -> None:
    y2022, y2023 = scan.periods
    # 2022: known a1 (1), a2 (2): 1 of 2 = 50%, mean 1.5; a3 unknown -> coverage 2 of 3.
    assert (y2022.bids.single_bid, y2022.bids.known, y2022.bids.share) == (1, 2, 0.5)
    assert y2022.bids.mean_tenders == 1.5
    assert y2022.coverage.with_tenders == 2 and y2022.coverage.tenders_ratio == pytest.approx(2 / 3)
    # 2023: known b1 (1), b2 (1), b3 (4): 2 of 3, mean 2.0.
    assert (y2023.bids.single_bid, y2023.bids.known) == (2, 3)
    assert y2023.bids.share == pytest.approx(2 / 3) and y2023.bids.mean_tenders == 2.0
    # Window: 1, 2, 1, 1, 4 -> 3 of 5 = 60%, mean 9/5 = 1.8.
    assert scan.window.bids.share == pytest.approx(0.6) and scan.window.bids.mean_tenders == pytest.approx(1.8)


def test_new_entrants_against_history_before_the_window(scan: MarketScan) -> None:
    y2022, y2023 = scan.periods
    # A first won in 2021 (h1): not new. B and C first won in 2022; E and F in 2023; B is not new again.
    assert [e.name for e in y2022.entrants] == ["Beta GmbH", "Gamma Inc."]
    assert [e.name for e in y2023.entrants] == ["Epsilon Partners", "Phi SAS"]
    assert y2023.entrants[0].first_award == date(2023, 4, 1) and y2023.entrants[0].notice_id == "b2"
    assert [e.name for e in scan.window.entrants] == ["Beta GmbH", "Gamma Inc.", "Epsilon Partners", "Phi SAS"]
    assert scan.history_start == date(2021, 6, 1)
    assert scan.trend.entrants_per_period == (("2022", 2), ("2023", 2))
    assert not any("counts as a new entrant" in note for note in scan.notes)


def test_window_at_the_start_of_history_says_everyone_is_new() -> None:
    s = market_scan(AWARDS, [], cpv_prefix="72", start=date(2021, 1, 1), end=date(2022, 12, 31))
    assert [e.name for e in s.periods[0].entrants] == ["Alpha B.V."]
    assert any("every winner in 2021 counts as a new entrant" in note for note in s.notes)


# -- regions and suppliers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("country", "region"),
    [("NL", "nl"), ("nl", "nl"), ("DE", "eu"), ("EL", "eu"), ("GR", "eu"), ("GB", "non-eu"), ("UK", "non-eu"),
     ("US", "non-eu"), ("CH", "non-eu"), (None, "unknown"), ("", "unknown"), ("NLD", "unknown")],
)
def test_region_of(country: str | None, region: str) -> None:
    assert region_of(country) == region


def test_region_split(scan: MarketScan) -> None:
    y2022, y2023 = scan.periods
    # 2022: A NL, B DE, C US; values 50/30/20 of 100.
    assert [(r.region, r.winners, r.value_share) for r in y2022.regions] == [
        ("nl", 1, 0.5), ("eu", 1, 0.3), ("non-eu", 1, 0.2), ("unknown", 0, 0.0)
    ]
    # 2023: A NL (70), E unknown (30), F FR and B DE (no EUR value): 1 / 2 / 0 / 1 suppliers.
    assert [(r.region, r.winners, r.awards) for r in y2023.regions] == [
        ("nl", 1, 2), ("eu", 2, 2), ("non-eu", 0, 0), ("unknown", 1, 1)
    ]
    assert [r.value for r in y2023.regions] == [Decimal("70.00"), Decimal("0.00"), Decimal("0.00"), Decimal("30.00")]
    assert (y2023.coverage.winners, y2023.coverage.winners_with_country) == (4, 3)


def test_top_suppliers(scan: MarketScan) -> None:
    # Shares of 200: A 120 (60%), B 30 (15%, 2 awards), E 30 (15%, 1 award), C 20 (10%), F 0 (no EUR value).
    # B and E tie on share: more awards first.
    top = scan.top_suppliers
    assert [s.name for s in top] == ["Alpha B.V.", "Beta GmbH", "Epsilon Partners", "Gamma Inc.", "Phi SAS"]
    assert [s.share for s in top] == pytest.approx([0.6, 0.15, 0.15, 0.1, 0.0])
    assert [s.awards for s in top] == [3, 2, 1, 1, 1]
    assert top[0].value == Decimal("120.00") and top[2].value == Decimal("30.00")
    assert top[0].award_share == pytest.approx(3 / 8)  # 8 winner-awards: A3 B2 C1 E1 F1
    assert top[2].region == "unknown" and top[0].country == "NL"
    short = market_scan(AWARDS, [], cpv_prefix="72", start=date(2022, 1, 1), end=date(2023, 12, 31), top_n=2)
    assert len(short.top_suppliers) == 2


def test_joint_award_counts_once_for_each_winner_and_splits_a_third() -> None:
    # 100 between three winners: 33.33 each, and the HHI of three equal shares is 3 × 33.3̅² = 3,333.3̅.
    trio = (Winner("x", "X", "NL"), Winner("y", "Y", "NL"), Winner("z", "Z", "NL"))
    s = market_scan([award("j", date(2022, 1, 1), trio, 100, 3)], [], cpv_prefix="72",
                    start=date(2022, 1, 1), end=date(2022, 12, 31))
    assert [t.value for t in s.top_suppliers] == [Decimal("33.33")] * 3
    assert [t.awards for t in s.top_suppliers] == [1, 1, 1]
    assert s.window.awards == 1 and s.window.total_value == Decimal(100)
    assert s.window.concentration.hhi == pytest.approx(10000 / 3)


def test_a_winner_named_twice_on_one_lot_counts_once() -> None:
    s = market_scan([award("w", date(2022, 1, 1), (A, A), 100, 1)], [], cpv_prefix="72",
                    start=date(2022, 1, 1), end=date(2022, 12, 31))
    assert s.top_suppliers[0].value == Decimal("100.00") and s.window.concentration.hhi == 10000


# -- trend, notes, tables, empty input ----------------------------------------------------------


def test_trend(scan: MarketScan) -> None:
    t = scan.trend
    # 3,800 in 2022 -> 5,800 in 2023: +2,000; both years have fewer than 10 awards, so not comparable.
    assert (t.first_period, t.last_period, t.hhi_first, t.hhi_last, t.hhi_change) == ("2022", "2023", 3800, 5800, 2000)
    assert not t.comparable
    assert t.hints[0].startswith("HHI rose from 3,800 in 2022")
    assert "read the change with care" in t.hints[0]
    assert t.hints[1] == "New entrants: 2 in 2022, 2 in 2023."
    assert t.hints[2] == "Single-bid share went from 50% in 2022 to 67% in 2023."


def test_notes_state_the_coverage(scan: MarketScan) -> None:
    notes = " ".join(scan.notes)
    assert "2 of 7 awards carry no EUR value (1 without an amount, 1 in another or no currency" in notes
    assert "Tender counts are known for 5 of 7 awards" in notes
    assert "Country known for 4 of 5 winners" in notes
    assert "1 exact duplicate award rows dropped" in notes


def test_scan_tables(scan: MarketScan) -> None:
    tables = scan_tables(scan)
    assert list(tables) == ["periods", "top-suppliers", "new-entrants", "regions"]
    assert all(re.fullmatch(r"[a-z0-9-]+", key) for key in tables)
    json.dumps(tables)  # plain JSON types only
    periods = tables["periods"]
    assert [row["period"] for row in periods] == ["2022", "2023", "2022–2023"]
    assert periods[1]["hhi"] == 5800 and periods[1]["basis"] == "value" and periods[1]["single_bid_pct"] == 66.7
    assert tables["top-suppliers"][0] == {
        "rank": 1, "supplier": "Alpha B.V.", "country": "NL", "region": "Netherlands", "awards": 3,
        "value_eur": 120.0, "share_pct": 60.0, "basis": "value",
    }
    entrants = [row["supplier"] for row in tables["new-entrants"]]
    assert entrants == ["Beta GmbH", "Gamma Inc.", "Epsilon Partners", "Phi SAS"]
    assert len(tables["regions"]) == 3 * 4


def test_empty_category_does_not_crash() -> None:
    s = market_scan(AWARDS, NOTICES, cpv_prefix="33", start=date(2022, 1, 1), end=date(2023, 12, 31))
    assert s.is_empty
    assert [p.awards for p in s.periods] == [0, 0]
    assert s.window.concentration.hhi is None and s.window.concentration.basis is None
    assert s.window.median_value is None and s.window.bids.share is None
    assert s.top_suppliers == () and s.trend.hints == () and s.history_start is None
    assert s.notes == ("No awards in CPV 33 between 2022-01-01 and 2023-12-31 in the data passed in (0 notices): "
                       "nothing to measure.",)
    assert scan_tables(s)["top-suppliers"] == []
    assert market_scan([], [], cpv_prefix="72", start=date(2022, 1, 1), end=date(2022, 1, 1)).is_empty


@pytest.mark.parametrize(
    "kwargs",
    [
        {"cpv_prefix": "7a"},
        {"cpv_prefix": ""},
        {"cpv_prefix": "123456789"},
        {"start": date(2024, 1, 1)},
        {"period": "month"},
        {"top_n": 0},
    ],
)
def test_invalid_requests(kwargs: dict[str, object]) -> None:
    args: dict[str, object] = {"cpv_prefix": "72", "start": date(2022, 1, 1), "end": date(2023, 12, 31)} | kwargs
    with pytest.raises(InvalidScanRequest):
        market_scan(AWARDS, NOTICES, **args)  # type: ignore[arg-type]


def test_window_concentration_is_the_scans_window_figures(scan: MarketScan) -> None:
    # the alert run asks only for the window's concentration: the very figures of the whole scan's window
    alone, awards = window_concentration(AWARDS, cpv_prefix="72", start=date(2022, 1, 1), end=date(2023, 12, 31))
    assert alone == scan.window.concentration
    assert awards == scan.window.awards == 7  # a1, a2, a3 (its repeat dropped), b1-b4
    assert alone.hhi is not None and alone.hhi > 0


def test_top_entrants_are_those_that_won_most_listed_by_first_award(scan: MarketScan) -> None:
    # window awards of the entrants: B a2 and b4 (2), C a3 (1, its repeat dropped), E b2 (1), F b3 (1)
    assert {e.name: e.awards for e in scan.window.entrants} == {
        "Beta GmbH": 2, "Gamma Inc.": 1, "Epsilon Partners": 1, "Phi SAS": 1}
    # two kept: B (most awards), then of the ones with one award the earliest first award, C (2022-08-20)
    assert [e.name for e in top_entrants(scan, 2)] == ["Beta GmbH", "Gamma Inc."]
    assert [e.name for e in top_entrants(scan, 3)] == ["Beta GmbH", "Gamma Inc.", "Epsilon Partners"]
    assert top_entrants(scan) == scan.window.entrants  # four, fewer than the default top


def test_entrants_csv_lists_every_entrant_with_its_period(scan: MarketScan) -> None:
    lines = entrants_csv(scan).splitlines()
    assert lines[0] == "period,supplier,country,region,first_award,notice_id,awards_in_window"
    assert lines[1:] == [
        "2022,Beta GmbH,DE,Rest of EU,2022-05-10,a2,2",
        "2022,Gamma Inc.,US,Outside EU,2022-08-20,a3,1",
        "2023,Epsilon Partners,,Country unknown,2023-04-01,b2,1",
        "2023,Phi SAS,FR,Rest of EU,2023-07-01,b3,1",
    ]


def test_summary_rows_give_back_the_scans_headline(scan: MarketScan) -> None:
    rows = summary_rows(scan)
    assert [r[0] for r in rows] == ["2022", "2023", "window"]
    assert json.loads(json.dumps([r[4] for r in rows])) == [r[4] for r in rows]  # JSON types only
    back = from_rows("72", [(period, start, end, stats) for period, start, end, _awards, stats in rows])
    assert back is not None and (back.start, back.end) == (scan.start, scan.end)
    c = scan.window.concentration
    assert (back.window.concentration.hhi, back.window.concentration.band, back.window.concentration.cr4) == (c.hhi, c.band, c.cr4)
    assert back.window.awards == scan.window.awards and back.window.bids.share == scan.window.bids.share
    assert [p.entrants for p in back.periods] == [len(p.entrants) for p in scan.periods] == [2, 2]
    assert [(s.name, s.awards, s.share) for s in back.top_suppliers] == [(s.name, s.awards, s.share) for s in scan.top_suppliers]
    assert back.notes == scan.notes
    assert from_rows("72", [r[:3] + (r[4],) for r in rows if r[0] != "window"]) is None  # never summarised
