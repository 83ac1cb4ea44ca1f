"""Alternative suppliers: the ranking on a small market checked by hand, exclusions that are shown
and never silent, preferences that are shown and never filter, the reason line, the backtest on a
small synthetic history, the store loader, and (when a demo database is at hand) the backtest on
the demo history."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from config.settings import Settings
from models.alternatives import CompanyFacts, PastAward, Request, backtest, suggest
from store.db import Store

AS_OF = date(2026, 11, 1)


def _award(day: date, winners: tuple[str, ...], *, cpv: str = "72500000", buyer: str = "Gemeente Noord",
           kind: str | None = "municipality", region: str | None = "NL-3", value: float | None = None) -> PastAward:
    return PastAward(day, cpv, f"NL:name:{buyer.lower()}", buyer, kind, region, value, winners)


MARKET = [
    _award(date(2022, 3, 1), ("A",)),                                          # the incumbent
    _award(date(2026, 5, 1), ("B",)), _award(date(2026, 5, 1), ("B",), buyer="Gemeente Oost"),
    *[_award(date(2022, 11, 1), ("C",), buyer="Agentschap X", kind="agency", region="NL-1") for _ in range(3)],
    _award(date(2025, 11, 1), ("F",), buyer="Gemeente West", region="NL-9"),
    _award(date(2026, 6, 1), ("D",)), _award(date(2026, 6, 1), ("E",)), _award(date(2026, 6, 1), ("G",)),
    _award(date(2019, 6, 1), ("H",)),                                          # before the window
    _award(date(2026, 6, 1), ("I",), cpv="72600000"),                          # another branch
]
COMPANIES = {
    "A": CompanyFacts("A", "Incumbent B.V.", "NL", insolvent_since=date(2026, 10, 20)),
    "B": CompanyFacts("B", "Beta B.V.", "NL", failure_band="low"),
    "C": CompanyFacts("C", "Gamma GmbH", "DE"),
    "D": CompanyFacts("D", "Delta B.V.", "NL", dissolved_on=date(2026, 9, 1)),
    "E": CompanyFacts("E", "Epsilon B.V.", "NL", insolvent_since=date(2026, 8, 1)),
    "F": CompanyFacts("F", "Phi B.V.", "NL", failure_band="medium"),
    "G": CompanyFacts("G", "Gee Ltd", "GB", sanctioned_on=date(2026, 7, 1)),
}


def _request(**changes) -> Request:
    values = dict(supplier_key="A", cpv="72500000", as_of=AS_OF, depth=3, years=5, half_life_years=2.0,
                  buyer_kind="municipality", buyer_region="NL-3")
    values.update(changes)
    return Request(**values)


def test_ranking_on_a_hand_checked_market() -> None:
    result = suggest(MARKET, COMPANIES, _request())
    # B: 2 wins 184 days ago for a municipality in our region: 2 * 0.5**(184/365.25/2) * 1.5 * 1.25, low risk x1
    # C: 3 wins 4 years ago for an agency elsewhere: 3 * 0.5**(1461/365.25/2), not scored x0.9
    # F: 1 win 1 year ago for a municipality elsewhere: 0.5**(365/365.25/2) * 1.5, medium risk x0.6
    expected = {
        "B": 2 * 0.5 ** (184 / 365.25 / 2) * 1.5 * 1.25,
        "C": 3 * 0.5 ** (1461 / 365.25 / 2) * 0.9,
        "F": 0.5 ** (365 / 365.25 / 2) * 1.5 * 0.6,
    }
    assert [a.key for a in result.ranked] == ["B", "C", "F"]
    for alternative in result.ranked:
        assert alternative.score == pytest.approx(expected[alternative.key], rel=1e-5)
    assert [(e.key, e.why) for e in result.excluded] == [
        ("D", "dissolved 2026-09-01"), ("E", "insolvency published 2026-08-01"), ("G", "possible sanctions match 2026-07-01"),
    ]
    assert result.branch_code == "72500000" and result.since == date(2021, 11, 1)
    b = result.ranked[0]
    assert b.reason(result.branch_code) == (
        "won 2 contracts under 72500000 since 2026, e.g. for Gemeente Noord; 2 for comparable buyers; "
        "public awards since 2026; low risk; in NL"
    )
    assert b.reason(result.branch_code, "nl").startswith("won 2 opdrachten onder 72500000 sinds 2026, o.a. voor Gemeente Noord")


def test_preferences_are_shown_and_never_filter() -> None:
    result = suggest(MARKET, COMPANIES, _request(prefer_countries=("NL",), preference_weight=1.15))
    assert [a.key for a in result.ranked] == ["B", "F", "C"]  # F (NL) now passes C (DE); C is still there
    c = next(a for a in result.ranked if a.key == "C")
    assert c.preferred is False and "in DE (not a preferred location)" in c.reason(result.branch_code)
    assert "in NL (preferred)" in result.ranked[0].reason(result.branch_code)
    assert result.notes == ("Preferred locations: NL (score x1.15); others are still listed.",)
    eu = suggest(MARKET, COMPANIES, _request(prefer_countries=("EU",)))
    assert next(a for a in eu.ranked if a.key == "C").preferred is True


def test_an_insolvency_that_ended_no_longer_excludes_and_ties_are_stable() -> None:
    companies = {**COMPANIES, "E": CompanyFacts("E", "Epsilon B.V.", "NL")}
    keys = suggest(MARKET, companies, _request()).keys()
    assert "E" in keys
    tied = [_award(date(2026, 1, 1), ("Y",)), _award(date(2026, 1, 1), ("X",))]
    assert suggest(tied, {}, _request(supplier_key=None)).keys() == ["X", "Y"]  # equal scores: by name


def test_backtest_on_a_small_synthetic_history() -> None:
    history = [
        _award(date(2022, 1, 1), ("A",), buyer="Gemeente X"),
        _award(date(2022, 6, 1), ("C",), buyer="Gemeente Y"),
        _award(date(2023, 1, 1), ("A",), buyer="Gemeente X2"),
        *[_award(date(2023, 3, 1), ("B",), buyer="Gemeente V") for _ in range(3)],
        # after the cutoff
        _award(date(2024, 3, 1), ("B",), buyer="Gemeente X"),    # hit: B is the top suggestion once A is left out
        _award(date(2024, 4, 1), ("C",), buyer="Gemeente Y"),    # re-award to the incumbent: skipped
        _award(date(2024, 5, 1), ("B",), buyer="Gemeente Z"),    # no earlier award by this buyer: skipped
        _award(date(2024, 6, 1), ("N",), buyer="Gemeente X2"),   # a new entrant: a miss no suggestion can avoid
        _award(date(2027, 1, 1), ("B",), buyer="Gemeente X2"),   # beyond the horizon
    ]
    result = backtest(history, {}, cutoff=date(2024, 1, 1), horizon_days=365)
    assert len(result.cases) == 2
    assert (result.hits(5), result.recall(5), result.recall(10, known_only=True)) == (1, 0.5, 1.0)
    assert result.new_entrants == 1 and result.skipped_incumbent_won == 1 and result.skipped_no_incumbent == 1
    assert [c.rank for c in result.cases] == [1, None]
    assert result.baseline_hits == {5: 1, 10: 1}


def test_store_loader_reads_history_and_company_status(store: Store) -> None:
    from pipelines.alternatives import buyer_kind, load_companies, load_history, run_backtest, suggest_for
    from store.schema import Award, AwardWinner, Organisation, SupplierEvent
    from store.schema import Notice as NoticeRow

    now = datetime(2026, 11, 1, tzinfo=UTC)
    with store.session() as session, session.begin():
        def org(key: str, name: str, postcode: str | None = None) -> Organisation:
            row = Organisation(org_key=key, name=name, country="NL", postcode=postcode, first_seen=now, updated_at=now)
            session.add(row)
            session.flush()
            return row

        buyer = org("NL:id:90000001", "Gemeente Zandlinde", "3811 AB")
        incumbent, alt, gone = org("NL:id:1", "Old B.V."), org("NL:id:2", "Alt B.V."), org("NL:id:3", "Gone B.V.")
        for i, (day, winner) in enumerate([(date(2022, 1, 1), incumbent), (date(2025, 1, 1), alt), (date(2025, 2, 1), gone)]):
            notice = NoticeRow(source="ted", notice_id=f"N{i}", format="eforms", notice_type="can", kind="award",
                               published=day, buyer_id=buyer.id, cpv_main="90911200", content_hash="h", collected_at=now)
            session.add(notice)
            session.flush()
            award = Award(notice_pk=notice.id, seq=0, lot_id="LOT-1", value=100000, currency="EUR")
            session.add(award)
            session.flush()
            session.add(AwardWinner(award_id=award.id, organisation_id=winner.id))
        session.add(SupplierEvent(organisation_id=gone.id, kind="kvk.dissolved", occurred_on=date(2026, 3, 1), source="kvk",
                                  source_ref="x", title="opgeheven", confidence=1.0, detected_at=now))
        incumbent_id = incumbent.id
    assert buyer_kind("Gemeente Zandlinde") == "municipality" and buyer_kind("Waterschap Rijn") == "water-board"
    with store.session() as session:
        history = load_history(session, cpv_prefix="909")
        assert [(a.buyer_kind, a.buyer_region, a.winners) for a in history][0] == ("municipality", "NL-3", ("NL:id:1",))
        assert load_companies(session, ["NL:id:3"], as_of=date(2026, 1, 1))["NL:id:3"].dissolved_on is None
        settings = Settings(_env_file=None)
        result = suggest_for(session, settings, organisation_id=incumbent_id, cpv="90911200", as_of=date(2026, 11, 1))
        assert result.keys() == ["NL:id:2"] and result.excluded[0].why == "dissolved 2026-03-01"
        cases = run_backtest(session, settings, cutoff=date(2024, 1, 1)).cases
        # Both later winners had never won in the branch before the cutoff: new entrants, misses.
        assert [(c.winners, c.new_entrant, c.rank) for c in cases] == [(("NL:id:2",), True, None), (("NL:id:3",), True, None)]


def _demo_database() -> Path | None:
    candidates = [os.environ.get("SUPPLYRADAR_DEMO_DB"), Path(__file__).resolve().parents[2] / "data" / "supplyradar.db"]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


@pytest.mark.skipif(_demo_database() is None, reason="no demo database (run `make demo` or set SUPPLYRADAR_DEMO_DB)")
def test_backtest_on_the_demo_history() -> None:
    from pipelines.alternatives import run_backtest
    from store.bookkeeping import get_meta
    from store.schema import Notice

    with Store(f"sqlite:///{_demo_database()}", migrate=False) as demo, demo.session() as session:
        if get_meta(session, "dataset.synthetic") is None or session.scalar(select(Notice.id).limit(1)) is None:
            pytest.skip("the database there is not the demo data set")
        result = run_backtest(session, Settings(_env_file=None), cutoff=date(2024, 1, 1))
    assert len(result.cases) > 100
    assert 0 < result.recall(5) <= result.recall(10) < 1
    assert result.recall(10, known_only=True) >= result.recall(10)
