"""Scoring runs on a small store (pipelines.score_suppliers + store.risk), on SQLite and PostgreSQL.

Four suppliers, handcrafted: A (Dutch, most of our IT spend, a running contract, company data), B
(Dutch, ours, bankrupt), C (German, only wins in the market), D (Chinese, our software, a possible
sanctions-list match). The run must store every score with reasons, inputs, coverage and confidence.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from config.settings import Settings
from pipelines.market_scan import run_market_scan
from pipelines.score_suppliers import our_position, ranked_scores, score_suppliers
from store.db import Store
from store.risk import run_scores
from store.schema import (
    Award,
    AwardWinner,
    Contract,
    CountryTone,
    Notice,
    Organisation,
    RiskScore,
    ScoringRun,
    SpendLine,
    SupplierEvent,
)

AS_OF = date(2026, 11, 1)
NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _org(session, key: str, name: str, country: str) -> int:
    org = Organisation(org_key=key, name=name, country=country, first_seen=NOW, updated_at=NOW)
    session.add(org)
    session.flush()
    return org.id


def _win(session, buyer: int, winner: int, n: int, published: date, cpv: str) -> None:
    notice = Notice(source="ted", notice_id=f"N-{n}", format="eforms", notice_type="can", kind="award",
                    published=published, buyer_id=buyer, cpv_main=cpv, content_hash="x", collected_at=NOW)
    session.add(notice)
    session.flush()
    award = Award(notice_pk=notice.id, seq=1, lot_id="1", value=Decimal("500000"), currency="EUR", tenders_received=3)
    session.add(award)
    session.flush()
    session.add(AwardWinner(award_id=award.id, organisation_id=winner))


def _spend(session, org: int, n: int, cpv: str, amount: int) -> None:
    session.add(SpendLine(row_key=f"row-{n}", source_file="spend.csv", row_number=n, organisation_id=org, cpv=cpv,
                          amount=Decimal(amount), booked_on=date(2026, 3, 1), imported_at=NOW))


def _event(session, org: int, kind: str, day: date, confidence: float = 1.0) -> None:
    session.add(SupplierEvent(organisation_id=org, kind=kind, occurred_on=day, source=kind.split(".")[0],
                              source_ref=f"{kind}-{day}", title=kind, confidence=confidence, detected_at=NOW))


@pytest.fixture
def small_store(store: Store) -> dict[str, int]:
    with store.sessions.begin() as s:
        buyer = _org(s, "NL:id:99999999", "Gemeente Ons", "NL")
        ids = {"A": _org(s, "NL:id:11111111", "Alfa ICT B.V.", "NL"), "B": _org(s, "NL:id:22222222", "Beta Data B.V.", "NL"),
               "C": _org(s, "DE:id:DE123", "Cäsar Systems GmbH", "DE"), "D": _org(s, "CN:id:CN9", "Dragon Soft Ltd", "CN")}
        n = 0
        for key, cpv, count in (("A", "72500000", 4), ("B", "72200000", 2), ("C", "72000000", 3), ("D", "48000000", 2)):
            for i in range(count):
                n += 1
                _win(s, buyer, ids[key], n, date(2024 + i % 2, 3 + i, 1), cpv)
        _spend(s, ids["A"], 1, "72500000", 800_000)
        _spend(s, ids["B"], 2, "72200000", 200_000)
        _spend(s, ids["D"], 3, "48000000", 300_000)
        s.add(Contract(contract_ref="K-1", source_file="contracts.xlsx", row_number=1, organisation_id=ids["A"],
                       cpv="72500000", start_date=date(2025, 1, 1), end_date=date(2028, 1, 1),
                       extension_until=date(2029, 1, 1), value=Decimal(2_000_000), single_sourced=False,
                       content_hash="x", imported_at=NOW))
        _event(s, ids["B"], "insolvency.suspension_provisional", date(2026, 9, 1))
        _event(s, ids["B"], "insolvency.bankruptcy_declared", date(2026, 10, 1))
        _event(s, ids["A"], "news.strike", date(2026, 6, 1), 0.7)
        _event(s, ids["D"], "sanctions.possible_match", date(2026, 10, 15), 0.6)
        s.add(CountryTone(country="NL", day=date(2026, 10, 1), source="gdelt", tone=-1.2, articles=10, collected_at=NOW))
    return ids


def _profiles(ids: dict[str, int]):
    def loader(_session, organisation_ids, as_of):
        profile = {"kvk_number": "11111111", "name": "Alfa ICT B.V.", "legal_form": "Besloten Vennootschap",
                   "sbi_main": "6202", "registration_start": date(2005, 1, 1), "registration_end": None, "employees": 40,
                   "town": "Gouda", "postcode": "2801 AB", "country": "NL", "observed_on": as_of}
        return {ids["A"]: profile} if ids["A"] in organisation_ids else {}
    return loader


def test_scoring_run_stores_every_score_with_reasons_inputs_and_coverage(
    store: Store, small_store: dict[str, int], tmp_path: Path
) -> None:
    ids = small_store
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    summary = score_suppliers(store, settings, as_of=AS_OF, profile_loader=_profiles(ids))
    assert summary.model_version.startswith("failure-baseline")
    assert any("no trained model" in w for w in summary.warnings)
    with store.session() as session:
        scores = {(s.organisation_id, s.kind, s.category): s for s in session.query(RiskScore).filter_by(run_id=summary.run_id)}
        run = session.get(ScoringRun, summary.run_id)
    assert run is not None and run.status == "ok" and run.as_of == AS_OF
    for key in "ABCD":
        assert (ids[key], "failure", "") in scores and (ids[key], "geopolitical", "") in scores
    b = scores[(ids["B"], "failure", "")]
    assert b.value == pytest.approx(0.999) and b.reasons[0]["text"] == "bankruptcy declared on 2026-10-01"
    a = scores[(ids["A"], "failure", "")]
    c = scores[(ids["C"], "failure", "")]
    assert a.coverage > c.coverage and a.confidence > c.confidence  # A has company data, C has none
    assert a.inputs and sum(r["contribution"] for r in a.reasons) == pytest.approx(a.features["logit"])
    dep_a = scores[(ids["A"], "dependency", "72")]
    dep_b = scores[(ids["B"], "dependency", "72")]
    assert dep_a.value > dep_b.value and dep_a.features["spend_share"] == pytest.approx(0.8)
    assert dep_a.features["lock_in"] > 0 and any(i["source"] == "contracts" for i in dep_a.inputs)
    assert (ids["C"], "dependency", "72") not in scores  # not our supplier
    assert (ids["A"], "combined", "") in scores and (ids["C"], "combined", "") not in scores
    geo_d = scores[(ids["D"], "geopolitical", "48")]
    assert geo_d.features["sanctions"] == pytest.approx(0.6) and geo_d.features["materials"] > 0
    assert geo_d.value > scores[(ids["A"], "geopolitical", "72")].value
    assert {k["category"] for k in summary.kraljic} == {"72", "48"}

    again = score_suppliers(store, settings, as_of=AS_OF, profile_loader=_profiles(ids))
    with store.session() as session:
        assert again.run_id == summary.run_id  # same day, same model: the run is replaced, not doubled
        assert session.query(RiskScore).filter_by(run_id=again.run_id).count() == len(scores)
        assert session.query(ScoringRun).count() == 1
        # Beta went bankrupt on 2026-10-01 while we still depend on it: it stays first, its bankruptcy named (issue 16:
        # suppliers we depend on now are listed; only those dissolved long ago or no longer ours wait for --all)
        ranked = ranked_scores(session, kind="combined", limit=5)
        assert ranked is not None and ranked.rows[0]["supplier"] == "Beta Data B.V."
        assert ranked.rows[0]["status"] == "current" and "bankrupt since 2026-10-01" in ranked.rows[0]["status_why"]
        assert ranked.rows[0]["reasons"] and ranked.rows[0]["trend"] == "new"
        position = our_position(session, "72")
        assert position.spend == pytest.approx(1_000_000) and position.kraljic is not None
        assert [s["name"] for s in position.suppliers][0] == "Alfa ICT B.V."
        # read as plain rows: the same figures and first reason as the ORM scores give
        failures = {o.name: s for s, o in run_scores(session, again.run_id, kind="failure")}
        for row in position.suppliers:
            failure = failures[row["name"]]
            assert row["reason"] == failure.reasons[0]["text"] and row["failure_band"] == failure.band
        none = our_position(session, "45")
        assert none.message and "no spend" in none.message

    report = run_market_scan(store, cpv="72", start=date(2024, 1, 1), end=AS_OF, output_dir=tmp_path)
    page = report.html_path.read_text(encoding="utf-8")
    assert "Our position in this category" in page and "Alfa ICT B.V." in page and "Kraljic quadrant" in page
    assert "Our position" in report.markdown
    empty = run_market_scan(store, cpv="45", start=date(2024, 1, 1), end=AS_OF, output_dir=tmp_path)
    assert "We have no spend or contracts in this category" in empty.html_path.read_text(encoding="utf-8")


def test_a_category_we_pay_in_another_currency_has_its_supplier_scored_and_our_spend_unknown_in_euros(
    store: Store, small_store: dict[str, int], tmp_path: Path
) -> None:
    """Dragon Soft is paid in dollars: no exchange rate is fetched, so our spend in category 48 is unknown in euros
    (not 0), its share of it unknown, the quadrant unknown; it is still our supplier, scored, and the market scan
    says what its figure left out."""
    ids = small_store
    with store.sessions.begin() as session:
        session.query(SpendLine).filter_by(organisation_id=ids["D"]).update({"currency": "USD"})
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    summary = score_suppliers(store, settings, as_of=AS_OF, profile_loader=_profiles(ids))
    with store.session() as session:
        dep = session.query(RiskScore).filter_by(run_id=summary.run_id, organisation_id=ids["D"], kind="dependency",
                                                 category="48").one()
        assert dep.features["spend_share"] is None and dep.features["relationship"] == "current"
        position = our_position(session, "48")
    assert position.spend is None and position.unpriced == 1 and position.message is None
    [kraljic] = [k for k in summary.kraljic if k["category"] == "48"]
    assert kraljic["quadrant"] is None and kraljic["profit_impact"] is None
    assert any("another currency" in note for note in kraljic["notes"])
    report = run_market_scan(store, cpv="48", start=date(2024, 1, 1), end=AS_OF, output_dir=tmp_path)
    page = report.html_path.read_text(encoding="utf-8")
    assert "paid in another currency" in page and "our spend in euros is unknown" in page
    assert "Not counted: our spend with 1 supplier(s) paid in another currency" in report.markdown


def test_scoring_without_company_data_or_contracts_still_scores(store: Store, tmp_path: Path) -> None:
    with store.sessions.begin() as s:
        buyer = _org(s, "NL:id:99999999", "Gemeente Ons", "NL")
        supplier = _org(s, "NL:id:33333333", "Gamma B.V.", "NL")
        _win(s, buyer, supplier, 1, date(2025, 5, 1), "45000000")
        _spend(s, supplier, 1, "45000000", 100)
    settings = Settings(data_dir=tmp_path / "data", _env_file=None)
    summary = score_suppliers(store, settings, as_of=AS_OF)  # the real loader: no company snapshots yet is fine
    assert summary.counts["failure"] == 1
    assert any("contract" in note for note in summary.notes)
    with store.session() as session:
        dep = session.query(RiskScore).filter_by(kind="dependency", category="45").one()
    assert dep.features["lock_in"] is None and dep.coverage < 1.0


def test_risk_command_lists_suppliers_with_reasons(
    store: Store, small_store: dict[str, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json

    from typer.testing import CliRunner

    from supplyradar.cli import app

    monkeypatch.setenv("SUPPLYRADAR_DATABASE_URL", store.url)
    monkeypatch.setenv("SUPPLYRADAR_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    empty = runner.invoke(app, ["risk"])
    assert empty.exit_code == 1 and "No scoring run yet" in empty.output
    score_suppliers(store, Settings(data_dir=tmp_path / "data", _env_file=None), as_of=AS_OF,
                    profile_loader=_profiles(small_store))
    # Beta went bankrupt while we depend on it: listed first; Dragon Soft (CN) has no register data: unknown, unranked
    current = runner.invoke(app, ["risk", "--json", "--kind", "failure", "--limit", "2"])
    rows = [json.loads(line) for line in current.output.splitlines() if line.startswith("{")]
    assert [(r["supplier"], r["band"]) for r in rows] == [
        ("Beta Data B.V.", "high"), ("Alfa ICT B.V.", "low"), ("Dragon Soft Ltd", "unknown")]
    assert rows[2]["value"] is None and "risk unknown" in rows[2]["reasons"][0] and "CN" in rows[2]["reasons"][0]
    result = runner.invoke(app, ["risk", "--json", "--kind", "failure", "--limit", "2", "--all"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines() if line.startswith("{")]
    ranked = [r for r in rows if r["band"] != "unknown"]
    assert [r["supplier"] for r in ranked][0] == "Beta Data B.V." and len(ranked) == 2
    assert rows[0]["reasons"][0] == "bankruptcy declared on 2026-10-01" and rows[0]["status"] == "current"
    assert {r["supplier"] for r in rows if r["band"] == "unknown"} == {"Cäsar Systems GmbH", "Dragon Soft Ltd"}
    text = runner.invoke(app, ["risk", "--kind", "failure"])
    assert "Not ranked" in text.output and "Dragon Soft" in text.output and "--all" in text.output
    table = runner.invoke(app, ["risk", "--category", "72500000", "--kind", "dependency"])
    assert table.exit_code == 0 and "Alfa ICT" in table.output
    bad = runner.invoke(app, ["risk", "--kind", "worst"])
    assert bad.exit_code != 0
