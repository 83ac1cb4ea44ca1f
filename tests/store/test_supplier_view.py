"""``supplyradar supplier KVK`` on a small store: identity, sources, spend, contracts, awards, events, risk."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from rich.console import Console

from reports.supplier_card import render
from store.companies import NewEvent, WatchedCompany, save_events, save_snapshot
from store.db import Store
from store.schema import (
    Award,
    AwardWinner,
    Contract,
    Notice,
    Organisation,
    OrganisationIdentifier,
    RiskScore,
    ScoringRun,
    SpendLine,
)
from store.supplier_view import SupplierNotFound, supplier_view

KVK = "45968655"
NOW = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


def _small_store(store: Store) -> None:
    with store.session() as s, s.begin():
        supplier = Organisation(org_key=f"NL:id:{KVK}", name="Tonkeling Schoonmaak B.V.", country="NL", first_seen=NOW,
                                updated_at=NOW)
        variant = Organisation(org_key="NL:name:tonkeling schoonmaak", name="Tonkeling Schoonmaak", country="NL",
                               first_seen=NOW, updated_at=NOW)
        buyer = Organisation(org_key="NL:id:96496413", name="Gemeente Harkezijl", country="NL", first_seen=NOW, updated_at=NOW)
        s.add_all([supplier, variant, buyer])
        s.flush()
        s.add(OrganisationIdentifier(organisation_id=variant.id, scheme="kvk", value=KVK, source="spend", first_seen=NOW))
        notice = Notice(source="ted", notice_id="123-2025", format="eforms", notice_type="can-standard", subtype="29",
                        kind="award", published=date(2025, 3, 3), buyer_id=buyer.id, cpv_main="90919200",
                        title="Schoonmaak kantoren", content_hash="x", collected_at=NOW)
        s.add(notice)
        s.flush()
        award = Award(notice_pk=notice.id, seq=0, lot_id="LOT-0001", value=Decimal("480000"), currency="EUR")
        s.add(award)
        s.flush()
        s.add(AwardWinner(award_id=award.id, organisation_id=supplier.id))
        s.add(SpendLine(row_key="r1", source_file="spend.csv", row_number=2, supplier_name="Tonkeling", organisation_id=variant.id,
                        amount=Decimal("12000.50"), currency="EUR", booked_on=date(2026, 2, 1), imported_at=NOW))
        s.add(Contract(contract_ref="C-7", title="Schoonmaak stadhuis", source_file="contracts.csv", row_number=2,
                       organisation_id=supplier.id, start_date=date(2025, 4, 1), end_date=date(2027, 3, 31), currency="EUR",
                       content_hash="y", imported_at=NOW))
        for as_of, value in ((date(2026, 8, 1), 0.2), (date(2026, 11, 1), 0.7)):
            run = ScoringRun(started_at=NOW, as_of=as_of, model_version="failure-baseline-v1", status="ok")
            s.add(run)
            s.flush()
            s.add(RiskScore(run_id=run.id, organisation_id=supplier.id, category="", kind="failure", value=value,
                            band="high" if value > 0.5 else "low", confidence=0.8, coverage=0.9,
                            reasons=[{"feature": "cir", "text": "bankruptcy declared 2026-10-20"}], inputs=[], scored_at=NOW))
        company = WatchedCompany(supplier.id, KVK, supplier.name)
        save_snapshot(s, company, observed_on=date(2026, 9, 30), status="found",
                      payload={"kvk_number": KVK, "name": "Tonkeling Schoonmaak B.V.", "legal_form": "Besloten Vennootschap",
                               "employees": 5, "sbi": [{"code": "81211", "description": "Schoonmaak", "main": True}],
                               "address": {"street": "Stationsplein", "house_number": "13", "town": "Venlo"},
                               "trade_names": ["Tonkeling Schoonmaak"], "ended_on": None},
                      previous=None, source_url=None, fetched_at=NOW)
        save_events(s, [
            NewEvent(supplier.id, "insolvency.bankruptcy_declared", date(2026, 10, 20), "cir", "F.16/26/175 x",
                     "Uitspraak faillissement op 20 oktober 2026, F.16/26/175", {"date_basis": "ruling date"}),
            NewEvent(variant.id, "news.insolvency", date(2026, 9, 1), "rss", "abc", "Zorgen over Tonkeling", {}, confidence=0.6),
        ])


def test_supplier_view_on_a_small_store(store: Store) -> None:
    _small_store(store)
    with store.session() as session:
        view = supplier_view(session, KVK)
    assert view.name == "Tonkeling Schoonmaak B.V." and view.kvk_number == KVK
    assert {o["org_key"] for o in view.organisations} == {f"NL:id:{KVK}", "NL:name:tonkeling schoonmaak"}
    assert view.identifiers[0]["source"] == "spend"
    assert view.spend["lines"] == 1 and view.spend["total"] == {"EUR": Decimal("12000.50")}
    assert [c["contract_ref"] for c in view.contracts] == ["C-7"]
    assert view.awards["count"] == 1 and view.awards["latest"][0]["buyer"] == "Gemeente Harkezijl"
    assert [e["kind"] for e in view.events] == ["insolvency.bankruptcy_declared", "news.insolvency"]
    (risk,) = view.risk
    assert risk["value"] == 0.7 and risk["band"] == "high" and [p["value"] for p in risk["trend"]] == [0.2, 0.7]
    assert {s["source"] for s in view.sources} >= {"kvk", "ted/tenderned", "spend", "contracts", "rss"}
    console = Console(record=True, width=160)
    render(view.to_json(), console)
    text = console.export_text()
    assert "Tonkeling Schoonmaak B.V." in text and "bankruptcy declared 2026-10-20" in text and "C-7" in text


def test_unknown_supplier_and_unscored(store: Store) -> None:
    with store.session() as session:
        with pytest.raises(SupplierNotFound):
            supplier_view(session, "12345678")
    with store.session() as session, session.begin():
        session.add(Organisation(org_key="NL:id:11111111", name="Nieuw B.V.", country="NL", first_seen=NOW, updated_at=NOW))
    with store.session() as session:
        view = supplier_view(session, "NL:id:11111111")
    console = Console(record=True, width=120)
    render(view.to_json(), console)
    assert view.risk == [] and "not scored yet" in console.export_text()
