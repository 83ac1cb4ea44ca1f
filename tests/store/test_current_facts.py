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



def test_an_organisation_loaded_in_the_session_reads_the_refreshed_facts(store: Store) -> None:
    """The refresh writes with a plain UPDATE: an organisation object the session holds must not keep the old name."""
    org_id = _renamed_company(store)
    with store.session() as session, session.begin():
        session.get(Organisation, org_id).name = "NUON ENERGY NV"
    with store.session() as session, session.begin():
        org = session.get(Organisation, org_id)
        assert org.name == "NUON ENERGY NV"
        assert refresh_current_facts(session, [org_id]) == 1
        assert (org.name, org.town, org.postcode) == ("Vattenfall N.V.", "Amsterdam-Zuidoost", "1102 BR")

def test_matching_finds_the_company_by_its_former_and_trade_names(store: Store) -> None:
    org_id = _renamed_company(store)
    with store.session() as session:
        index = NameIndex.build(index_candidates(session))
    for spelling, via in [("NUON ENERGY NV", "former name"), ("Lightyear Energie", "trade name")]:
        best = index.lookup(spelling)[0]
        assert (best.org_id, best.decision, best.via) == (org_id, "auto", via), best.explain()


def test_a_batch_of_new_states_stores_them_in_order_and_renames_each_organisation(store: Store) -> None:
    from store.companies import latest_snapshots, new_snapshot, save_snapshots, snapshots_for

    with store.session() as session, session.begin():
        orgs = [Organisation(org_key=f"NL:id:{number}", name=old, country="NL", first_seen=NOW, updated_at=NOW)
                for number, old in (("33292246", "NUON ENERGY NV"), ("12345678", "ACME BV"))]
        session.add_all(orgs)
        session.flush()
        day = date(2026, 6, 1)
        rows = [new_snapshot(WatchedCompany(org.id, org.org_key[-8:], org.name), observed_on=day, status="found",
                             payload={**_payload(new, [], "Hoekenrode", town, "1102 BR"), "kvk_number": org.org_key[-8:]},
                             previous=None, source_url=None, fetched_at=NOW)
                for org, new, town in zip(orgs, ("Vattenfall N.V.", "Acme B.V."), ("Amsterdam", "Delft"), strict=True)]
        save_snapshots(session, rows)
        ids = [org.id for org in orgs]
    with store.session() as session:
        assert [(o.name, o.town) for o in (session.get(Organisation, i) for i in ids)] == [
            ("Vattenfall N.V.", "Amsterdam"), ("Acme B.V.", "Delft")]
        first, second = snapshots_for(session, "33292246"), snapshots_for(session, "12345678")
        assert first[0].id < second[0].id and first[0].content_hash == rows[0]["content_hash"]
        # the same state seen again is no new row
        stored = latest_snapshots(session, ["33292246"], on_or_before=day)["33292246"]
        assert new_snapshot(WatchedCompany(ids[0], "33292246", "x"), observed_on=date(2026, 9, 1), status="found",
                            payload=rows[0]["payload"], previous=stored, source_url=None, fetched_at=NOW) is None
