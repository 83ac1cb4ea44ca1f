"""Alternative suppliers: the ranking on a small market checked by hand, exclusions that are shown
and never silent, preferences that are shown and never filter, the reason line, the backtest on a
small synthetic history, the store loader, and (when a demo database is at hand) the backtest on
the demo history."""

from __future__ import annotations

import json
import math
import os
import random
import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import select

from config.settings import Settings
from models.alternative_history import FEATURES, set_risk
from models.alternative_ranker import C_GRID, SIGNS, TRANSPARENT_WEIGHTS, fit_ranker, unknown_buyer_features
from models.alternatives import (
    CompanyFacts,
    HistoryIndex,
    PastAward,
    PastBid,
    Request,
    suggest,
)
from models.alternatives_backtest import backtest
from models.categories import Branch, branch_of, division_of, parent_of
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
    result = suggest(MARKET, COMPANIES, _request())  # fixed weights: no ranker was learned
    w = 0.5 ** (184 / 365.25 / 2)  # B's two wins, 184 days old, for municipalities in NL-3
    weights = TRANSPARENT_WEIGHTS
    expected_b = (
        weights["branch_wins"] * math.log1p(2 * w) + weights["region_wins"] * math.log1p(2 * w)
        + weights["region_share"] * (2 * w / (2 * w + 1)) + weights["similar_buyer_wins"] * math.log1p(2 * w)
        + weights["value_fit"] * 0.5 + weights["active_lately"] * math.exp(-184 / 365)
    )  # low risk: no risk term; no buyer key: no same-buyer wins; no bids
    assert result.ranked[0].key == "B" and result.ranked[0].score == pytest.approx(expected_b, rel=1e-5)
    # I won in CPV 726 (a neighbouring code), recently, in the region: a candidate now, below B.
    assert [a.key for a in result.ranked] == ["B", "I", "C", "F"]
    assert [(e.key, e.why) for e in result.excluded] == [
        ("D", "dissolved 2026-09-01"), ("E", "insolvency published 2026-08-01"), ("G", "possible sanctions match 2026-07-01"),
    ]
    assert "H" not in [a.key for a in result.ranked]  # its only win is older than the window
    assert result.branch_code == "CPV 725*" and result.since == date(2021, 11, 1) and result.ranking == "transparent"
    b = result.ranked[0]
    assert b.reason() == (
        "won 2 contracts in CPV 725* since 2021-11-01, e.g. for Gemeente Oost; won 2 contracts in CPV 725* for buyers in NL-3 since 2021-11-01; "
        "last won a contract (any category) on 2026-05-01; low risk; in NL"
    )
    assert b.reason("nl").startswith("won 2 opdrachten in CPV 725* sinds 2021-11-01, o.a. voor Gemeente Oost")
    i = result.ranked[1]
    assert "won 1 contract in neighbouring codes (CPV 72*, outside CPV 725*) since 2021-11-01" in i.reason()
    assert i.reason().endswith("risk not scored")  # unknown is said, never shown as low
    f = result.ranked[3]
    assert "for similar buyers (municipality) since 2021-11-01" in f.reason()  # no buyer known: sizes were not compared
    baseline = suggest(MARKET, COMPANIES, _request(), weighted=False)
    assert baseline.keys() == ["C", "B", "F"] and baseline.ranking == "baseline"  # most wins in CPV 725*


def test_unknown_risk_is_not_low() -> None:
    history = [_award(date(2026, 1, 1), ("K",)), _award(date(2026, 1, 1), ("U",))]
    companies = {"K": CompanyFacts("K", "Known B.V.", failure_band="low"), "U": CompanyFacts("U", "Unscored B.V.")}
    result = suggest(history, companies, _request(supplier_key=None))
    assert result.keys() == ["K", "U"] and result.ranked[1].reason().endswith("risk not scored")


def test_preferences_are_shown_and_never_filter() -> None:
    result = suggest(MARKET, COMPANIES, _request(prefer_countries=("NL",), preference_weight=1.15))
    plain = suggest(MARKET, COMPANIES, _request())
    assert set(result.keys()) == set(plain.keys())  # C (DE) is still there
    c = next(a for a in result.ranked if a.key == "C")
    assert c.preferred is False and "in DE (not a preferred location)" in c.reason()
    assert next(a for a in result.ranked if a.key == "F").score == pytest.approx(
        next(a for a in plain.ranked if a.key == "F").score + math.log(1.15), abs=1e-5)
    assert "in NL (preferred)" in result.ranked[0].reason()
    assert "Preferred locations: NL (odds x1.15); others are still listed." in result.notes
    eu = suggest(MARKET, COMPANIES, _request(prefer_countries=("EU",)))
    assert next(a for a in eu.ranked if a.key == "C").preferred is True


def test_an_insolvency_that_ended_no_longer_excludes_and_ties_are_stable() -> None:
    companies = {**COMPANIES, "E": CompanyFacts("E", "Epsilon B.V.", "NL")}
    keys = suggest(MARKET, companies, _request()).keys()
    assert "E" in keys
    tied = [_award(date(2026, 1, 1), ("Y",)), _award(date(2026, 1, 1), ("X",))]
    assert suggest(tied, {}, _request(supplier_key=None)).keys() == ["X", "Y"]  # equal scores: by name


def test_awards_of_the_reference_day_are_not_yet_known() -> None:
    history = [_award(AS_OF, ("T",)), _award(date(2026, 10, 31), ("Y",))]
    assert suggest(history, {}, _request(supplier_key=None)).keys() == ["Y"]


def test_backtest_on_a_small_synthetic_history() -> None:
    history = [
        _award(date(2022, 1, 1), ("A",), buyer="Gemeente X"),
        _award(date(2022, 6, 1), ("C",), buyer="Gemeente Y"),
        _award(date(2023, 1, 1), ("A",), buyer="Gemeente X2"),
        *[_award(date(2023, 3, 1), ("B",), buyer="Gemeente V") for _ in range(3)],
        # from the cutoff day on
        _award(date(2024, 1, 1), ("B",), buyer="Gemeente X"),    # on the cutoff day: a later award, a hit
        _award(date(2024, 4, 1), ("C",), buyer="Gemeente Y"),    # re-award to the incumbent: skipped
        _award(date(2024, 5, 1), ("B",), buyer="Gemeente Z"),    # no earlier award by this buyer: skipped
        _award(date(2024, 6, 1), ("N",), buyer="Gemeente X2"),   # a new entrant: a miss no suggestion can avoid
        _award(date(2027, 1, 1), ("B",), buyer="Gemeente X2"),   # beyond the horizon
    ]
    result = backtest(history, {}, cutoff=date(2024, 1, 1), horizon_days=365)
    assert len(result.cases) == 2
    assert (result.hits(5), result.recall(5), result.recall(10, known_only=True)) == (1, 0.5, 1.0)
    assert result.new_entrants == 1 and result.skipped_incumbent_won == 1 and result.skipped_no_incumbent == 1
    assert [c.rank for c in result.cases] == [1, None] and [c.baseline_rank for c in result.cases] == [1, None]
    assert result.baseline_hits == {5: 1, 10: 1}
    assert result.rankers[0].startswith("ranked by fixed weights (too little history")  # thin: the fallback
    summary = result.summary()
    assert summary["cases"] == 2 and summary["rankings"]["alternatives"] == {"recall@5": 0.5, "recall@10": 0.5}
    assert summary["seen_before"]["cases"] == 1 and summary["divisions"]["72"]["cases"] == 2
    assert summary["difference"]["recall@10"]["value"] == 0.0 and summary["buyers"] == 2


# --------------------------------------------------------------------------------------------
# A market where the buyer's region decides, in a scheme other than CPV
# --------------------------------------------------------------------------------------------


def regional_market(seed: int = 3, scheme: str = "NACE", years: int = 4) -> list[PastAward]:
    """Buyers in four regions; each region has its own suppliers, and two national firms win a bit
    everywhere (so they have the most wins overall). A buyer's next supplier usually comes from its
    region: counting wins points at the national firms, the region at the right ones."""
    rng = random.Random(seed)
    codes = ["62.01.1", "62.01.2", "62.02.0", "62.09.0"]
    regional = {r: [f"R{r}S{i}" for i in range(5)] for r in range(4)}
    awards = []
    start = date(2021, 1, 1)
    for n in range(years * 360):
        region = rng.randrange(4)
        buyer = f"B{region}-{rng.randrange(6)}"
        winner = rng.choice(regional[region]) if rng.random() < 0.75 else rng.choice(("NAT1", "NAT2"))
        awards.append(PastAward(start + timedelta(days=n), rng.choice(codes), buyer, f"Buyer {buyer}",
                                "municipality", f"XX-{region}", rng.lognormvariate(12, 1), (winner,), scheme))
    return awards


def test_branches_of_any_scheme() -> None:
    assert branch_of("72500000-1", "CPV") == Branch("CPV", "725") and parent_of("72500000", None) == Branch("CPV", "72")
    assert branch_of("72500000", "cpv", cpv_depth=4).prefix == "7250"
    assert branch_of("43211503", "UNSPSC").prefix == "4321" and parent_of("43211503", "UNSPSC").prefix == "43"
    assert branch_of("62.01.1", "NACE") == Branch("NACE", "62.01") and parent_of("62.01.1", "NACE").prefix == "62"
    assert branch_of("6201", "ISIC").prefix == "62" and parent_of("6201", "ISIC").prefix == "6"
    assert division_of("62.01.1", "NACE").prefix == "62" and division_of("72500000", "CPV").prefix == "72"
    assert Branch("NACE", "62.01").covers("62.01.2", "nace") and not Branch("NACE", "62.01").covers("62.01.2", "CPV")
    assert branch_of("62.01.1", "NACE").label == "NACE 62.01*"
    # Levels of separated codes are not of fixed width: branch 1.1 holds 1.1 and 1.1.2, never 1.10 (its sibling).
    made_up = branch_of("1.1.2", "X-GOODS")
    assert made_up == Branch("X-GOODS", "1.1") and made_up.covers("1.1", "x-goods") and made_up.covers("1.1.7", "X-GOODS")
    assert not made_up.covers("1.10.4", "X-GOODS") and parent_of("1.1.2", "X-GOODS").covers("1.10.4", "X-GOODS")
    assert not parent_of("1.1.2", "X-GOODS").covers("10.1.1", "X-GOODS") and branch_of("6201", "ISIC").covers("6299", "ISIC")


def test_a_non_cpv_history_is_ranked_in_its_own_scheme() -> None:
    history = regional_market(years=2)
    cpv_twin = PastAward(date(2022, 6, 1), "62.01.1", "B0-1", "Buyer B0-1", "municipality", "XX-0", None, ("CPVONLY",))
    request = _request(supplier_key=None, cpv="62.01.5", scheme="NACE", as_of=date(2023, 1, 1), buyer_region="XX-0")
    result = suggest([*history, cpv_twin], {}, request)
    assert result.branch_code == "NACE 62.01*" and "CPVONLY" not in [a.key for a in result.ranked]
    # The national firms have three times the wins; the region's own suppliers come next, before other regions'.
    assert set(result.keys()[:7]) == {"NAT1", "NAT2", *(f"R0S{i}" for i in range(5))}
    r0 = next(a for a in result.ranked if a.key.startswith("R0"))
    assert "for buyers in XX-0 since 2018-01-01" in r0.reason()


def test_learned_ranking_beats_counting_wins_and_explains_itself_truly() -> None:
    history = regional_market()
    cutoff = date(2024, 1, 1)
    result = backtest(history, {}, cutoff=cutoff, horizon_days=365)
    assert result.rankers[0].startswith("ranked by a model learned from")
    summary = result.summary()
    alt, base = summary["rankings"]["alternatives"]["recall@5"], summary["rankings"]["baseline"]["recall@5"]
    assert summary["cases"] > 100 and alt > 1.15 * base
    assert summary["difference"]["recall@5"]["ci95"][0] > 0
    # Trained only on what was known before the cutoff: later awards change nothing.
    index_before = HistoryIndex([a for a in history if a.published < cutoff])
    ranker = fit_ranker(index_before, {}, as_of=cutoff)
    assert ranker.kind == "learned" and ranker.weights[FEATURES.index("region_wins")] > 0
    # Every weight has its feature's sign (more wins never count against, a risk band never for),
    # and the regularisation was one of the validated strengths.
    signs = np.array([SIGNS.get(f, 1.0) for f in FEATURES])
    assert (ranker.weights * signs >= 0).all() and ranker.regularisation in C_GRID
    same = fit_ranker(HistoryIndex(history), {}, as_of=cutoff)
    assert same.weights == pytest.approx(ranker.weights)
    # Each reason names the suggestion's largest contributions, in order, as the model computes them.
    request = _request(supplier_key=None, cpv="62.01.1", scheme="NACE", as_of=cutoff, buyer_region="XX-2",
                       buyer_key="B2-0")
    suggestions = suggest(index_before, {}, request, ranker=ranker)
    found = index_before.candidates(request.query())
    set_risk(found, {})
    contributions = dict(zip(found.keys, ranker.contributions(found.X), strict=True))
    assert suggestions.ranking == "learned" and suggestions.ranked[0].basis
    for alternative in suggestions.ranked:
        named = [b.feature for b in alternative.basis]
        row = contributions[alternative.key]
        top = [FEATURES[j] for j in np.argsort(-row) if not FEATURES[j].startswith("risk_") and row[j] >= 0.05]
        assert named == [f for f in top if f != "region_share" or "region_wins" not in top[: top.index(f)]][:3]
        assert [b.contribution for b in alternative.basis] == pytest.approx([row[FEATURES.index(f)] for f in named], abs=1e-4)
        assert alternative.score == pytest.approx(row.sum(), abs=1e-5)


def test_buyers_that_hire_the_same_suppliers_count() -> None:
    history = [
        _award(date(2025, 1, 1), ("S1",), buyer="Gemeente P"),
        _award(date(2025, 2, 1), ("S1",), buyer="Gemeente Q"), _award(date(2025, 3, 1), ("S2",), buyer="Gemeente Q"),
        _award(date(2025, 3, 1), ("S3",), buyer="Gemeente R"),
    ]
    result = suggest(history, {}, _request(supplier_key="S1", buyer_key="NL:name:gemeente p"))
    assert result.keys() == ["S2", "S3"]  # S2 is hired by Q, which also hires P's supplier S1
    s2, s3 = result.ranked
    # Q gave half its wins to P's suppliers: S2's win counts at half its (recency) weight; otherwise S2 and S3 are alike.
    w = 0.5 ** ((AS_OF - date(2025, 3, 1)).days / 365.25 / 2)
    assert s2.score - s3.score == pytest.approx(TRANSPARENT_WEIGHTS["peer_buyer_wins"] * math.log1p(0.5 * w), abs=1e-5)
    assert "also hired this buyer's suppliers" not in s3.reason()


def test_bids_count_when_the_history_has_them() -> None:
    history = [_award(date(2026, 1, 1), ("W",)), _award(date(2026, 1, 1), ("L",), buyer="Gemeente Elders", region="NL-9")]
    bids = [PastBid(date(2026, 1, 1), "72500000", "x", ("L",), won=False) for _ in range(3)]
    result = suggest(HistoryIndex(history, bids), {}, _request(supplier_key=None))
    loser = next(a for a in result.ranked if a.key == "L")
    assert "bid 3 times in CPV 725* since 2021-11-01 (3 lost), as far as notices list the bids" in loser.reason()


def test_store_loader_reads_history_and_company_status(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from models.buyer_profile import buyer_region
    from pipelines.alternatives import (
        buyer_kind,
        load_bids,
        load_companies,
        load_history,
        run_backtest,
        suggest_for,
    )
    from store.alternative_facts import organisation_address, organisation_key
    from store.schema import Award, AwardWinner, Organisation, SupplierEvent
    from store.schema import Notice as NoticeRow
    from store.schema.bids import Bid, BidTenderer
    from supplyradar.cli import app

    now = datetime(2026, 11, 1, tzinfo=UTC)
    with store.session() as session, session.begin():
        def org(key: str, name: str, postcode: str | None = None) -> Organisation:
            row = Organisation(org_key=key, name=name, country="NL", postcode=postcode, first_seen=now, updated_at=now)
            session.add(row)
            session.flush()
            return row

        buyer = org("NL:id:90000001", "Gemeente Zandlinde", "3811 AB")
        incumbent, alt, gone = org("NL:id:1", "Old B.V."), org("NL:id:2", "Alt B.V."), org("NL:id:3", "Gone B.V.")
        bidder = org("NL:id:4", "Bidder B.V.")
        for i, (day, winner) in enumerate([(date(2022, 1, 1), incumbent), (date(2025, 1, 1), alt), (date(2025, 2, 1), gone)]):
            notice = NoticeRow(source="ted", notice_id=f"N{i}", format="eforms", notice_type="can", kind="award",
                               published=day, buyer_id=buyer.id, cpv_main="90911200", content_hash="h", collected_at=now)
            session.add(notice)
            session.flush()
            award = Award(notice_pk=notice.id, seq=0, lot_id="LOT-1", value=100000, currency="EUR")
            session.add(award)
            session.flush()
            session.add(AwardWinner(award_id=award.id, organisation_id=winner.id))
            if i == 1:  # the bidder lost this one
                bid = Bid(notice_pk=notice.id, seq=0, lot_id="LOT-1", won=False)
                session.add(bid)
                session.flush()
                session.add(BidTenderer(bid_id=bid.id, organisation_id=bidder.id))
        session.add(SupplierEvent(organisation_id=gone.id, kind="kvk.dissolved", occurred_on=date(2026, 3, 1), source="kvk",
                                  source_ref="x", title="opgeheven", confidence=1.0, detected_at=now))
        incumbent_id = incumbent.id
    assert buyer_kind("Gemeente Zandlinde") == "municipality" and buyer_kind("Waterschap Rijn") == "water-board"
    assert buyer_region("FR", "75001") == "FR-75" and buyer_region("NL", "3811 AB") == "NL-3"
    assert buyer_region("DE", None) == "DE" and buyer_region(None, None) is None
    with store.session() as session:
        assert organisation_address(session, "NL:id:90000001") == ("Gemeente Zandlinde", "NL", "3811 AB")
        assert organisation_address(session, "NL:id:999") is None and organisation_key(session, None) is None
        history = load_history(session, cpv_prefix="909")
        assert [(a.buyer_kind, a.buyer_region, a.winners) for a in history][0] == ("municipality", "NL-3", ("NL:id:1",))
        assert load_companies(session, ["NL:id:3"], as_of=date(2026, 1, 1))["NL:id:3"].dissolved_on is None
        settings = Settings(_env_file=None)
        bids = load_bids(session)
        assert [(b.published, b.bidders, b.won, b.scheme) for b in bids] == [(date(2025, 1, 1), ("NL:id:4",), False, "CPV")]
        result = suggest_for(session, settings, organisation_id=incumbent_id, cpv="90911200", as_of=date(2026, 11, 1))
        assert result.keys() == ["NL:id:2", "NL:id:4"] and result.excluded[0].why == "dissolved 2026-03-01"
        assert "bid 1 time in CPV 909* since 2021-11-01 (1 lost), as far as notices list the bids" in result.ranked[1].reason()
        assert result.ranking == "transparent"  # three awards are too few to learn from
        cases = run_backtest(session, settings, cutoff=date(2024, 1, 1)).cases
        # Both later winners had never won in the branch before the cutoff: new entrants, misses.
        assert [(c.winners, c.new_entrant, c.rank) for c in cases] == [(("NL:id:2",), True, None), (("NL:id:3",), True, None)]
    monkeypatch.setenv("SUPPLYRADAR_DATABASE_URL", store.engine.url.render_as_string(hide_password=False))
    printed = CliRunner().invoke(app, ["evaluate", "alternatives", "--cutoff", "2024-01-01", "--json"])
    assert printed.exit_code == 0, printed.output
    figures = json.loads(printed.stdout)
    assert figures["cases"] == 2 and figures["rankings"]["alternatives"] == {"recall@5": 0.0, "recall@10": 0.0}
    assert figures["rankings"]["baseline"] == {"recall@5": 0.0, "recall@10": 0.0}
    assert figures["seen_before"]["cases"] == 0 and figures["divisions"]["90"]["cases"] == 2
    assert figures["difference"]["recall@10"]["ci95"] == [0.0, 0.0]


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
    # Better than counting wins, with the buyer-resampled interval of the difference above zero.
    assert result.summary()["difference"]["recall@10"]["ci95"][0] > 0


def _stores_other_schemes() -> bool:
    from store.schema import Notice

    return hasattr(Notice, "category_codes") and hasattr(Notice, "category_scheme")


@pytest.mark.skipif(not _stores_other_schemes(), reason="this store keeps CPV codes only (the OCDS import adds schemes)")
def test_store_history_in_another_scheme(store: Store) -> None:
    from pipelines.alternatives import load_history
    from store.schema import Award, AwardWinner, Organisation
    from store.schema import Notice as NoticeRow

    now = datetime(2026, 11, 1, tzinfo=UTC)
    with store.session() as session, session.begin():
        orgs = [Organisation(org_key=k, name=k, country="GB", first_seen=now, updated_at=now) for k in ("GB:b", "GB:w")]
        session.add_all(orgs)
        session.flush()
        notice = NoticeRow(source="ocds", notice_id="ocds-1", format="ocds", notice_type="award", kind="award",
                           published=date(2025, 3, 1), buyer_id=orgs[0].id, cpv_main=None, category_scheme="UNSPSC",
                           category_codes=["43211503", "43211500"], content_hash="h", collected_at=now)
        session.add(notice)
        session.flush()
        award = Award(notice_pk=notice.id, seq=0, lot_id="1", value=5000, currency="GBP")
        session.add(award)
        session.flush()
        session.add(AwardWinner(award_id=award.id, organisation_id=orgs[1].id))
    with store.session() as session:
        history = load_history(session)
    assert [(a.cpv, a.scheme, a.winners) for a in history] == [("43211503", "UNSPSC", ("GB:w",))]
    result = suggest(history, {}, _request(supplier_key=None, cpv="43211600", scheme="UNSPSC", buyer_region=None))
    assert result.keys() == ["GB:w"] and result.branch_code == "UNSPSC 4321*"


def test_features_without_a_known_buyer_input_are_left_out_of_the_model() -> None:
    # Our own buyer with no region, no kind and no awards: the region, similar-buyer and own-history
    # counts are 0 for every candidate, so the model is learned without them.
    without = unknown_buyer_features(kind=None, region=None, known_buyer=False)
    assert without == {"region_wins", "region_share", "similar_buyer_wins", "same_buyer_wins", "peer_buyer_wins"}
    assert unknown_buyer_features(kind="municipality", region="NL-3", known_buyer=True) == frozenset()
    assert unknown_buyer_features(kind=None, region="NL-3", known_buyer=True) == {"similar_buyer_wins"}
    cutoff = date(2024, 1, 1)
    index = HistoryIndex([a for a in regional_market() if a.published < cutoff])
    assert index.knows_buyer("B2-0") and not index.knows_buyer("nobody") and not index.knows_buyer(None)
    blind = fit_ranker(index, {}, as_of=cutoff, without=without)
    assert blind.kind == "learned" and blind.without == tuple(f for f in FEATURES if f in without)
    assert all(blind.weights[FEATURES.index(f)] == 0.0 for f in without)
    assert blind.weights[FEATURES.index("branch_wins")] > 0
    # The note stays the sentence the alert wording translates.
    assert blind.describe().startswith(f"ranked by a model learned from {blind.queries:,} awards before 2024-01-01 (")


# --------------------------------------------------------------------------------------------
# Every number a reason states, recounted from the awards over exactly the slice it names
# --------------------------------------------------------------------------------------------

#: A made-up hierarchical scheme whose levels are not of fixed width: "1.1" is not "1.10".
MADE_UP_CODES = ("1.1.2", "1.1.3", "1.1", "1.10.4", "1.2.1", "2.1.1")
CPV_CODES = ("72500000", "72510000", "72600000", "72000000", "79400000")


def _under(code: str, prefix: str) -> bool:
    """Whether ``code`` lies under ``prefix`` in its hierarchy: a prefix ending at a level boundary."""
    if not code.startswith(prefix):
        return False
    separated = any(c in code for c in ".-")
    return not separated or len(code) == len(prefix) or code[len(prefix)] in ".-"


def mixed_market(codes: tuple[str, ...], scheme: str, seed: int = 5) -> tuple[list[PastAward], list[PastBid]]:
    """Seven years of awards over branches, sibling branches and another division, joint awards, four regions,
    two buyer kinds, some values unknown, and bids won or lost."""
    rng = random.Random(seed)
    suppliers = [f"S{i}" for i in range(12)]
    awards, bids = [], []
    for n in range(900):
        day = date(2018, 1, 1) + timedelta(days=rng.randrange(7 * 365))
        region = rng.randrange(4)
        buyer = f"B{region}-{rng.randrange(5)}"
        winners = tuple(rng.sample(suppliers[: 4 + 2 * region], 2 if rng.random() < 0.1 else 1))
        awards.append(PastAward(day, rng.choice(codes), buyer, f"Buyer {buyer}",
                                "municipality" if buyer.endswith(("0", "1", "2")) else "agency", f"XX-{region}",
                                rng.lognormvariate(12, 1) if rng.random() < 0.7 else None, winners, scheme))
        if n % 3 == 0:
            bids.append(PastBid(day, rng.choice(codes), buyer, (rng.choice(suppliers),), rng.choice((True, False, None)),
                                scheme))
    return awards, bids


def _won(awards: list[PastAward], key: str | None, prefix: str, since: date, as_of: date, **where) -> list[PastAward]:
    """The awards in the window under ``prefix`` (won by ``key``; any winner for None) matching ``where``."""
    return [a for a in awards if (key is None or key in a.winners) and since <= a.published < as_of
            and _under(a.cpv, prefix) and all(getattr(a, f) == v for f, v in where.items())]


def _recount(awards: list[PastAward], bids: list[PastBid], key: str, request: Request, since: date) -> dict[str, dict]:
    """What each phrase of a reason must state for candidate ``key``, counted from the records themselves."""
    branch, parent = branch_of(request.cpv, request.scheme), parent_of(request.cpv, request.scheme)
    window = (since, request.as_of)
    in_branch, in_parent = _won(awards, key, branch.prefix, *window), _won(awards, key, parent.prefix, *window)
    hired = {w for a in _won(awards, None, parent.prefix, *window, buyer_key=request.buyer_key) for w in a.winners}
    peers = {a.buyer_key for a in _won(awards, None, parent.prefix, *window)
             if a.buyer_key != request.buyer_key and hired & set(a.winners)}
    bid = [b for b in bids if key in b.bidders and _under(b.cpv, branch.prefix) and since <= b.published < request.as_of]
    values = [a.value for a in in_branch if a.value]
    return {
        "branch_wins": {"n": len(in_branch)},
        "neighbour_wins": {"n": len(in_parent) - len(in_branch)},
        "region_wins": {"n": len(_won(awards, key, branch.prefix, *window, buyer_region=request.buyer_region))},
        "region_share": {"n": len(_won(awards, key, parent.prefix, *window, buyer_region=request.buyer_region)),
                         "m": len(in_parent)},
        "same_buyer_wins": {"n": len(_won(awards, key, parent.prefix, *window, buyer_key=request.buyer_key))},
        "peer_buyer_wins": {"n": sum(a.buyer_key in peers for a in in_parent)},
        "bids": {"n": len(bid), "lost": sum(b.won is False for b in bid)},
        # the median of the amounts (of an even number: the geometric mean of the middle two)
        "value_fit": {"median_value": round(float(10 ** np.median(np.log10(values))), 2)} if values else {},
        # any category, any code: every award of the history before the day
        "active_lately": {"day": max((a.published for a in awards if key in a.winners and a.published < request.as_of),
                                     default=date.min).isoformat()},
    }


@pytest.mark.parametrize(("codes", "scheme"), [(CPV_CODES, "CPV"), (MADE_UP_CODES, "X-GOODS")])
def test_every_count_in_a_reason_is_the_slice_it_names(codes: tuple[str, ...], scheme: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import models.alternatives as alternatives

    monkeypatch.setattr(alternatives, "TOP_REASONS", len(FEATURES))  # every feature states its counts
    monkeypatch.setattr(alternatives, "MIN_CONTRIBUTION", 1e-9)  # every positive contribution
    awards, bids = mixed_market(codes, scheme)
    index = HistoryIndex(awards, bids)
    since = date(2019, 7, 1)
    seen: set[str] = set()
    for code in codes[:2]:
        for buyer in ("B0-1", "B2-4", "B3-0"):
            kind = "municipality" if buyer.endswith(("0", "1", "2")) else "agency"
            request = _request(supplier_key=None, cpv=code, scheme=scheme, as_of=date(2024, 7, 1), buyer_key=buyer,
                               buyer_region=f"XX-{buyer[1]}", buyer_kind=kind, reference_value=200_000.0, top_n=20)
            result = suggest(index, {}, request)
            branch = branch_of(code, scheme)
            assert result.since == since and result.branch_code == branch.label
            for alternative in result.ranked:
                recount = _recount(awards, bids, alternative.key, request, since)
                assert alternative.wins == recount["branch_wins"]["n"]
                for basis in alternative.basis:
                    seen.add(basis.feature)
                    if basis.feature == "similar_buyer_wins":  # of the buyer's kind, and of a similar size
                        of_kind = _won(awards, alternative.key, parent_of(code, scheme).prefix, since, request.as_of,
                                       buyer_kind=kind)
                        assert basis.facts["size"] and basis.facts["n"] <= len(of_kind)
                    else:
                        expected = recount[basis.feature]
                        assert {k: basis.facts[k] for k in expected} == expected, (basis.feature, alternative.key)
                    if basis.feature == "branch_wins":
                        example = basis.facts["buyer"]
                        assert example in {a.buyer_name for a in _won(awards, alternative.key, branch.prefix, since,
                                                                       request.as_of)}
                # Each phrase names the codes it counted and the day it counts from.
                scope = {"branch_wins": branch, "region_wins": branch, "bids": branch, "value_fit": branch}
                for part, basis in zip(alternative.reason().split("; "), alternative.basis, strict=False):
                    if basis.feature != "active_lately":
                        codes_counted = scope.get(basis.feature, parent_of(code, scheme)).label
                        named = re.findall(r"[\w-]+ [\w.-]+\*", part)  # the labels of the codes in the phrase
                        assert named[0] == codes_counted and f"since {since.isoformat()}" in part, part
                        assert (f"outside {branch.label}" in part) == (basis.feature == "neighbour_wins"), part
    # (the region's share is named only when its wins in the branch are not: the region said once is enough)
    assert seen >= {"branch_wins", "neighbour_wins", "region_wins", "similar_buyer_wins", "same_buyer_wins",
                    "peer_buyer_wins", "bids", "value_fit", "active_lately"}


def test_the_ranking_order_is_that_of_sorting_every_candidate() -> None:
    """``_ordered`` sorts only the candidates that can still be among the first ``top_n``; on scores crowded at the
    rounding boundary (ties after rounding to 6 decimals, broken by wins, last win, name, key), with excluded and
    preferred candidates, its order is that of sorting them all as the ranking is defined."""
    from types import SimpleNamespace

    from models.alternatives import _ordered, _preferred, exclusion_reason

    rng = np.random.default_rng(11)
    for _ in range(300):
        n = int(rng.integers(1, 50))
        keys = [f"S{i}" for i in rng.permutation(n)]
        found = SimpleNamespace(keys=keys, branch_count=rng.integers(0, 3, n), last_branch_win=rng.integers(0, 3, n))
        scores = rng.integers(0, 4, n) * 1e-6 + rng.choice([-4.9e-7, 0.0, 4.9e-7, 5e-7], n) + 0.25
        companies = {key: CompanyFacts(key, f"Name {int(rng.integers(0, 5))}", str(rng.choice(["NL", "BE", "US"])),
                                       dissolved_on=date(2025, 1, 1) if rng.random() < 0.1 else None)
                     for key in keys if rng.random() < 0.9}
        weighted = bool(rng.random() < 0.8)
        request = Request(supplier_key=None, cpv="72000000", as_of=AS_OF, top_n=int(rng.integers(1, 8)),
                          prefer_countries=("NL",) if rng.random() < 0.5 else (), preference_weight=1.5)
        excluded, eligible = _ordered(found, companies, request, scores, weighted=weighted)
        expected, out = [], []
        boost = math.log(request.preference_weight)
        for i, key in enumerate(keys):  # the definition, candidate by candidate
            if not weighted and not found.branch_count[i]:
                continue
            facts = companies.get(key)
            name = facts.name if facts else key
            if exclusion_reason(facts):
                out.append(key)
                continue
            preferred = _preferred(facts.country if facts else None, request.prefer_countries)
            score = round(float(scores[i]) + (boost if weighted and preferred else 0.0), 6)
            expected.append((-score, -found.branch_count[i], -found.last_branch_win[i], name, key, i, preferred))
        assert eligible == sorted(expected)[: request.top_n]
        assert [e.key for e in excluded] == out
