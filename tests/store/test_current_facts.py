"""Current facts (``store.current_facts``): after a KvK rename or move the organisation carries its newest name and
address, the old ones stay as history ("formerly ..."), and matching finds the company by its former and trade names."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from models.matching import NameIndex
from store.companies import WatchedCompany, save_snapshot
from store.current_facts import known_names, refresh_current_facts
from store.db import Store
from store.matching import index_candidates
from store.schema import Organisation
from store.supplier_view import supplier_view

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _payload(name: str, trade: list[str], street: str, town: str, postcode: str) -> dict:
    return {"kvk_number": "33292246", "name": name, "statutory_name": name, "trade_names": trade, "legal_form": "NV",
            "address": {"street": street, "house_number": "1", "postcode": postcode, "town": town, "country": "NL",
                        "kind": "bezoekadres"}, "sbi": [], "employees": 10}


def _renamed_company(store: Store) -> int:
    with store.session() as session, session.begin():
        org = Organisation(org_key="NL:id:33292246", name="NUON ENERGY NV", country="NL", company_id="33292246",
                           town="Amsterdam", first_seen=NOW, updated_at=NOW)
        session.add(org)
        session.flush()
        company = WatchedCompany(org.id, "33292246", org.name)
        for day, payload in [
            (date(2025, 1, 1), _payload("Nuon Energy N.V.", ["Nuon"], "Spaklerweg", "Amsterdam", "1096 BA")),
            (date(2026, 6, 1), _payload("Vattenfall N.V.", ["Vattenfall", "Lightyear Energie"], "Hoekenrode",
                                        "Amsterdam-Zuidoost", "1102 BR")),
        ]:
            save_snapshot(session, company, observed_on=day, status="found", payload=payload, previous=None,
                          source_url=None, fetched_at=NOW)
        return org.id


def test_the_newest_kvk_name_and_address_are_the_organisations_current_ones(store: Store) -> None:
    org_id = _renamed_company(store)
    with store.session() as session:
        org = session.get(Organisation, org_id)
        assert (org.name, org.town, org.postcode) == ("Vattenfall N.V.", "Amsterdam-Zuidoost", "1102 BR")
        known = known_names(session, [org_id])[org_id]
    assert known.current_name == "Vattenfall N.V." and known.trade_names == ["Vattenfall", "Lightyear Energie"]
    assert [name for name, _ in known.former_names] == ["Nuon Energy N.V.", "Nuon"]
    assert known.former_addresses[0][0]["street"] == "Spaklerweg"


def test_a_stale_name_is_repaired_and_history_is_shown(store: Store) -> None:
    org_id = _renamed_company(store)
    with store.session() as session, session.begin():
        session.get(Organisation, org_id).name = "NUON ENERGY NV"  # as a row written before this existed
    with store.session() as session, session.begin():
        assert refresh_current_facts(session) == 1
        assert refresh_current_facts(session) == 0  # idempotent
    with store.session() as session:
        assert session.scalar(select(Organisation.name).where(Organisation.id == org_id)) == "Vattenfall N.V."
        view = supplier_view(session, "33292246").to_json()
    assert view["name"] == "Vattenfall N.V."
    assert [f["name"] for f in view["names"]["former_names"]] == ["Nuon Energy N.V.", "Nuon"]


def test_matching_finds_the_company_by_its_former_and_trade_names(store: Store) -> None:
    org_id = _renamed_company(store)
    with store.session() as session:
        index = NameIndex.build(index_candidates(session))
    for spelling, via in [("NUON ENERGY NV", "former name"), ("Lightyear Energie", "trade name")]:
        best = index.lookup(spelling)[0]
        assert (best.org_id, best.decision, best.via) == (org_id, "auto", via), best.explain()
