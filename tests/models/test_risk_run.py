"""The scoring composition (models.risk_run, models.risk_rows): who is scored on what, and the rows it words.

Four suppliers, handcrafted and in memory (no database): Alfa (Dutch, ours, a running contract, company
data), Beta (Dutch, ours until 2023: a former supplier), Cäsar (German, in the award market only) and
Delta (German, ours by recent spend, no register data: its failure risk is unknown). The run must keep
issue 16's rules: unknown is not low (never ranked, the combined view unknown too) and each score says
whether the supplier is current, former or not ours.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from config.risk import load_category_materials, load_risk_config
from models.dependency import ContractFact
from models.features import EventFact
from models.relationship import CURRENT, FORMER, NOT_OURS
from models.risk_facts import OrgFact, ScoringInputs, SpendFact, WinFact
from models.risk_rows import dependency_sources
from models.risk_run import (
    award_market,
    baseline_model,
    build_scores,
    category_lookup,
    input_notes,
    our_business,
    related_by_address,
    relationships,
    tone_averages,
    top_risks,
)

CONFIG = load_risk_config()
AS_OF = date(2026, 11, 1)
ALFA, BETA, CAESAR, DELTA = 1, 2, 3, 4
PROFILE = {"kvk_number": "11111111", "name": "Alfa ICT B.V.", "legal_form": "Besloten Vennootschap",
           "sbi_main": "6202", "registration_start": date(2005, 1, 1), "registration_end": None, "employees": 40,
           "town": "Gouda", "postcode": "2801 AB", "country": "NL", "observed_on": AS_OF}


def _inputs(**changes) -> ScoringInputs:
    orgs = {ALFA: OrgFact(ALFA, "Alfa ICT B.V.", "NL", "NL:id:11111111"),
            BETA: OrgFact(BETA, "Beta Data B.V.", "NL", "NL:id:22222222"),
            CAESAR: OrgFact(CAESAR, "Cäsar Systems GmbH", "DE", "DE:id:1"),
            DELTA: OrgFact(DELTA, "Delta Daten GmbH", "DE", "DE:id:2")}
    wins = [WinFact(ALFA, date(2025, 3, 1), "72500000", 5e5), WinFact(BETA, date(2022, 4, 1), "72200000", 1e5),
            WinFact(CAESAR, date(2025, 5, 1), "72000000", 3e5), WinFact(CAESAR, date(2024, 1, 1), "48000000", 2e5),
            WinFact(CAESAR, date(2027, 1, 1), "72000000", 9e5),  # after the run's day: not counted
            WinFact(DELTA, date(2025, 6, 1), "72100000", 2e5)]
    spend = [SpendFact(ALFA, "72500000", 800_000.0, date(2026, 3, 1)),
             SpendFact(DELTA, "72200000", 200_000.0, date(2026, 6, 1)),
             SpendFact(BETA, "72500000", 50_000.0, date(2023, 1, 1))]  # before the 24-month spend window
    contracts = [ContractFact(ALFA, "72", date(2028, 1, 1), None, 1e6, False, "K-1")]
    values = dict(as_of=AS_OF, organisations=orgs, wins=wins, events={}, spend=spend, contracts=contracts,
                  contracts_known=True, profiles={ALFA: PROFILE}, profiles_year_ago={ALFA: PROFILE},
                  sources=frozenset({"kvk", "insolvency"}), kvk_registered=frozenset({ALFA, BETA}))
    return ScoringInputs(**{**values, **changes})


def test_our_business_counts_spend_in_the_window_and_contracts_per_category() -> None:
    ours = our_business(_inputs(), CONFIG, category_lookup(CONFIG))
    assert {k: dict(v) for k, v in ours.spend.items()} == {"72": {ALFA: 800_000.0, DELTA: 200_000.0}}
    assert [c.ref for c in ours.contracts["72"]] == ["K-1"]
    assert ours.suppliers == {ALFA, DELTA}  # Beta's only spend line is older than the window


def test_award_market_counts_wins_up_to_the_day_and_leaves_bankrupt_winners_out() -> None:
    events = {DELTA: [EventFact(DELTA, "insolvency.bankruptcy_declared", date(2026, 2, 1))]}
    market = award_market(_inputs(events=events), CONFIG, category_lookup(CONFIG))
    assert market.wins[CAESAR] == [date(2024, 1, 1), date(2025, 5, 1)]  # oldest first, 2027 not yet
    # 36-month alternatives window from 2023-11-01: Beta's 2022 win counts for its category, not the market.
    assert {k: dict(v) for k, v in market.winners.items()} == {"72": {ALFA: 1, CAESAR: 1, DELTA: 1}, "48": {CAESAR: 1}}
    assert market.categories[BETA] == {"72": 1}
    assert market.credible("72") == {ALFA, CAESAR}
    assert market.credible("90910000") is None  # no market data is not "no alternatives"
    assert market.main_category_of(CAESAR) == "48"  # one win each: the lowest key
    assert market.main_category_of(99) is None


def test_category_lookup_asks_the_config_once_per_code() -> None:
    asked: list[str | None] = []

    class Config:
        def category_of(self, cpv: str | None) -> str | None:
            asked.append(cpv)
            return cpv[:2] if cpv else None

    lookup = category_lookup(Config())  # type: ignore[arg-type]
    assert [lookup(c) for c in ("72500000", "72500000", None, "48000000", None)] == ["72", "72", None, "48", None]
    assert asked == ["72500000", None, "48000000"]


def test_related_by_address_groups_same_postcode_and_town_but_not_business_parks() -> None:
    profiles = {1: {"postcode": "2801 AB", "town": "Gouda"}, 2: {"postcode": "2801ab", "town": "GOUDA"},
                3: {"postcode": "2801 AB", "town": "Delft"}, 4: {"postcode": None, "town": "Gouda"},
                **{10 + i: {"postcode": "1000 AA", "town": "Amsterdam"} for i in range(7)}}
    assert related_by_address(profiles) == {1: [2], 2: [1]}
    assert related_by_address(profiles, max_group=7)[10] == [11, 12, 13, 14, 15, 16]


def test_tone_averages_split_recent_and_prior_windows() -> None:
    series = [(AS_OF - timedelta(days=10), -2.0), (AS_OF - timedelta(days=30), -4.0),
              (AS_OF - timedelta(days=100), 1.0), (AS_OF - timedelta(days=500), 5.0), (AS_OF + timedelta(days=1), 9.0)]
    assert tone_averages(series, AS_OF, 90, 365) == (-3.0, 1.0)
    assert tone_averages([], AS_OF, 90, 365) == (None, None)


def test_relationships_tell_current_former_and_market_only_suppliers_apart() -> None:
    status = relationships(_inputs(), [ALFA, BETA, CAESAR, DELTA], recent_months=12)
    assert {org: s["relationship"] for org, s in status.items()} == {
        ALFA: CURRENT, BETA: FORMER, CAESAR: NOT_OURS, DELTA: CURRENT}
    assert status[ALFA]["relationship_why"] == "contract K-1 runs to 2028-01-01"
    assert status[DELTA]["relationship_why"] == "last spend 2026-06-01"


def test_input_notes_name_every_missing_input() -> None:
    assert input_notes(_inputs()) == []
    assert input_notes(_inputs(spend=[], contracts_known=False, profiles={})) == [
        "no spend lines resolved to suppliers: dependency rests on contracts only",
        "no contract register imported: lock-in unknown",
        "no company snapshots available: failure scores rest on events and awards (lower confidence)",
    ]


def test_dependency_sources_name_the_newest_spend_line_and_the_contracts() -> None:
    sources = dependency_sources(_inputs(), category_lookup(CONFIG))
    assert sources(ALFA, "72") == [{"source": "spend", "as_of": "2026-03-01", "ref": "72"},
                                   {"source": "contracts", "as_of": "2026-11-01", "ref": "K-1"}]
    assert sources(CAESAR, "72") == [{"source": "spend", "as_of": None, "ref": "72"}]


def test_a_supplier_without_register_data_is_unknown_in_failure_and_combined_and_never_ranked() -> None:
    inputs = _inputs()
    scores = build_scores(inputs, CONFIG, load_category_materials(), baseline_model(CONFIG))
    assert [f"{s.organisation_id}:{s.band}" for s in scores.failure.values() if s.unknown] == ["3:unknown", "4:unknown"]
    assert scores.failure[ALFA].band != "unknown"
    assert "2 failure scores are unknown" in scores.notes[0]
    # Both of ours get a combined view; Delta's rests on an unknown failure score, so it is unknown too.
    assert set(scores.combined) == {ALFA, DELTA}
    assert scores.combined[DELTA]["unknown"] is True and scores.combined[ALFA]["unknown"] is False
    combined = {r["organisation_id"]: r for r in scores.rows if r["kind"] == "combined"}
    assert combined[DELTA]["band"] == "unknown"
    assert combined[DELTA]["reasons"][0] == {"feature": "(unknown)", "value": None,
                                              "text": scores.failure[DELTA].unknown_because}
    assert combined[ALFA]["band"] != "unknown" and combined[ALFA]["reasons"][0]["feature"] == "likelihood"
    assert [row["supplier"] for row in top_risks(scores, inputs)] == ["Alfa ICT B.V."]


def test_every_row_carries_the_relationship_and_the_rows_come_in_a_fixed_order() -> None:
    scores = build_scores(_inputs(), CONFIG, load_category_materials(), baseline_model(CONFIG))
    kinds = [(r["kind"], r["organisation_id"], r["category"]) for r in scores.rows]
    assert kinds[:4] == [("failure", org, "") for org in (ALFA, BETA, CAESAR, DELTA)]
    assert [k for k in kinds if k[0] == "dependency"] == [
        ("dependency", ALFA, "72"), ("dependency", DELTA, "72"), ("dependency", ALFA, ""), ("dependency", DELTA, "")]
    assert kinds[-4:] == [("dependency", ALFA, ""), ("combined", ALFA, ""), ("dependency", DELTA, ""), ("combined", DELTA, "")]
    by_key = {(r["kind"], r["organisation_id"], r["category"]): r for r in scores.rows}
    assert by_key[("failure", BETA, "")]["features"]["relationship"] == FORMER
    assert by_key[("failure", CAESAR, "")]["features"]["relationship"] == NOT_OURS
    assert by_key[("combined", DELTA, "")]["features"]["relationship"] == CURRENT
    # Our spend: all of it in category 72, Alfa 80 % of it.
    assert scores.category_spend == {"72": 1_000_000.0}
    assert by_key[("dependency", ALFA, "72")]["features"]["spend_share"] == pytest.approx(0.8)
    assert [k.category for k in scores.kraljic] == ["72"]


def test_a_supplier_of_ours_whose_country_nobody_knows_has_an_unknown_geopolitical_exposure() -> None:
    """Delta without a country: its geopolitical rows say "unknown" with the reason first (never "low" on the parts
    known), its combined view says so instead of "geopolitical 0.00", and Kraljic's supply risk leaves it out."""
    orgs = {**_inputs().organisations, DELTA: OrgFact(DELTA, "Delta Daten GmbH", None, "name:delta daten")}
    scores = build_scores(_inputs(organisations=orgs), CONFIG, load_category_materials(), baseline_model(CONFIG))
    geo = [r for r in scores.rows if r["kind"] == "geopolitical" and r["organisation_id"] == DELTA]
    assert geo and all(r["band"] == "unknown" and "country is unknown" in r["reasons"][0]["text"] for r in geo)
    assert all(r["band"] != "unknown" for r in scores.rows if r["kind"] == "geopolitical" and r["organisation_id"] == ALFA)
    combined = next(r for r in scores.rows if r["kind"] == "combined" and r["organisation_id"] == DELTA)
    assert any("geopolitical unknown" in reason["text"] for reason in combined["reasons"])
    (position,) = [k for k in scores.kraljic if k.category == "72"]
    assert position.components["geopolitical"] == pytest.approx(scores.geopolitical[(ALFA, "72")].value)


def test_a_supplier_we_pay_in_another_currency_is_ours_with_an_unknown_spend_share_not_left_out() -> None:
    """Delta's spend in dollars: nothing converts it, so it adds nothing to our spend in euros, but Delta stays a
    current supplier of ours with a dependency score whose spend share (and the category's concentration) is
    unknown, where it dropped out of "ours" and its score when only the euros were read."""
    spend = [SpendFact(ALFA, "72500000", 800_000.0, date(2026, 3, 1)),
             SpendFact(DELTA, "72200000", 200_000.0, date(2026, 6, 1), "USD")]
    inputs = _inputs(spend=spend)
    ours = our_business(inputs, CONFIG, category_lookup(CONFIG))
    assert ours.suppliers == {ALFA, DELTA} and ours.unpriced == {"72": {DELTA}}
    assert relationships(inputs, [DELTA], recent_months=12)[DELTA]["relationship"] == CURRENT
    scores = build_scores(inputs, CONFIG, load_category_materials(), baseline_model(CONFIG))
    assert scores.category_spend == {"72": 800_000.0}  # euros alone
    by_key = {(r["kind"], r["organisation_id"], r["category"]): r for r in scores.rows}
    delta = by_key[("dependency", DELTA, "72")]
    assert delta["features"]["spend_share"] is None and delta["features"]["concentration"] is None
    assert delta["coverage"] < by_key[("dependency", ALFA, "72")]["coverage"] <= 1.0
    assert any("another currency" in (reason.get("text") or "") for reason in delta["reasons"])
    assert by_key[("dependency", ALFA, "72")]["features"]["spend_share"] == pytest.approx(1.0)  # of the euros
