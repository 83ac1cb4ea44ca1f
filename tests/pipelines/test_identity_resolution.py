"""Supplier identity in the store (``pipelines.resolve_suppliers`` and ``store.matching``): spend and
contract lines and award-notice organisations resolve to one organisation; human decisions are remembered
across re-runs; ``reject_match`` (the alerts area's "wrong entity") undoes links made by name."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from config.settings import Settings
from connectors.records import Award, Notice, Party
from pipelines.import_own_data import import_file
from pipelines.resolve_suppliers import resolve_suppliers
from store.db import Store
from store.matching import (
    canonical_organisation_id,
    canonical_organisation_ids,
    decide_candidate,
    list_candidates,
    reject_match,
)
from store.notices import save_notices
from store.schema import Organisation, OrganisationIdentifier, SpendLine

BUYER = Party("Centraal Bureau Archiefbeheer", "NL", "76470214")
WINNERS = (
    Party("Tonkeling Schoonmaak B.V.", "NL", "45968655", "Elzenrade", "3518 AA"),
    Party("Tonkeling Schoonmaak", "NL"),  # the same company, named without its id in another notice
    Party("Tonkeling Bouw B.V.", "NL", "11112222"),
    Party("Velmara Software B.V.", "NL", "33334444"),
    Party("Velmara Software N.V.", "NL", "55556666"),
    Party("Olmora Beratung GmbH", "DE", "DE123456789"),
)


def notices(store: Store) -> None:
    batch = [
        Notice(notice_id=f"{i}-2024", format="eforms", notice_type="can-standard", subtype="29", kind="award",
               published=date(2024, 1, 1 + i), buyer=BUYER, cpv_main="90910000", cpv=("90910000",),
               awards=(Award(lot="LOT-0001", winners=(winner,), value=Decimal("1000")),))
        for i, winner in enumerate(WINNERS)
    ]
    with store.session() as session, session.begin():
        save_notices(session, batch)


def spend(tmp_path: Path, store: Store, settings: Settings, rows: list[str]) -> None:
    path = tmp_path / "spend.csv"
    path.write_text("\n".join(["Leverancier;KvK-nummer;Bedrag;Boekdatum;Factuurnummer", *rows]) + "\n", encoding="utf-8")
    import_file(store, path, "spend", settings)


def org_of(store: Store, org_key: str) -> int:
    with store.session() as session:
        return session.scalar(select(Organisation.id).where(Organisation.org_key == org_key))


def links(store: Store) -> dict[int, int | None]:
    with store.session() as session:
        return dict(session.execute(select(SpendLine.row_number, SpendLine.organisation_id)).all())


ROWS = [
    "Tonkeling Schoonmaak B.V.;45968655;100,00;01-01-2024;F1",  # row 2: by KvK
    "TONKELING SCHOONMAAK BV;;200,00;01-02-2024;F2",  # row 3: by name
    "Tonkeling Schoonmaak B.V. (hoofdkantoor);;300,00;01-03-2024;F3",  # row 4: by name
    "Brommel Drukwerk;;50,00;01-03-2024;F4",  # row 5: nobody knows it
    "Nieuwe Leverancier B.V.;87654321;75,00;01-03-2024;F5",  # row 6: a KvK number no notice has
    "Velmara Software;;80,00;01-03-2024;F6",  # row 7: two organisations fit equally: review
]


def test_lines_and_notice_organisations_resolve_to_one_supplier(store: Store, settings: Settings, tmp_path: Path) -> None:
    notices(store)
    spend(tmp_path, store, settings, ROWS)
    summary = resolve_suppliers(store, settings)
    tonkeling = org_of(store, "NL:id:45968655")
    by_row = links(store)
    assert by_row[2] == by_row[3] == by_row[4] == tonkeling
    assert by_row[6] == org_of(store, "NL:id:87654321")
    assert by_row[5] is not None and by_row[5] != tonkeling  # a supplier only our files know
    assert by_row[7] is None and summary.review_candidates >= 1
    name_only = org_of(store, "NL:name:tonkeling schoonmaak")
    with store.session() as session:  # closed here: an open one would keep its transaction (and locks) until collected
        assert canonical_organisation_id(session, name_only) == tonkeling
        assert canonical_organisation_ids(session, [name_only, tonkeling]) == {name_only: tonkeling, tonkeling: tonkeling}
    with store.session() as session:
        schemes = dict(session.execute(select(OrganisationIdentifier.value, OrganisationIdentifier.scheme)).all())
    assert schemes["45968655"] == schemes["87654321"] == "kvk" and schemes["DE123456789"] == "vat"
    assert any(v.startswith("own:") and s == "internal" for v, s in schemes.items())


def test_resolution_is_idempotent(store: Store, settings: Settings, tmp_path: Path) -> None:
    notices(store)
    spend(tmp_path, store, settings, ROWS)
    resolve_suppliers(store, settings)
    before = links(store)
    again = resolve_suppliers(store, settings)
    assert links(store) == before
    assert (again.lines_by_kvk, again.lines_auto_matched, again.organisations_created, again.organisations_merged) == (0, 0, 0, 0)


def canonical_of(store: Store, organisation_id: int) -> int:
    """In a session closed at once: an open one keeps its transaction until collected (and blocks a TRUNCATE)."""
    with store.session() as session:
        return canonical_organisation_id(session, organisation_id)


def test_a_rejected_match_never_returns(store: Store, settings: Settings, tmp_path: Path) -> None:
    notices(store)
    spend(tmp_path, store, settings, ROWS)
    resolve_suppliers(store, settings)
    tonkeling = org_of(store, "NL:id:45968655")
    with store.session() as session, session.begin():
        reject_match(session, source_name="TONKELING SCHOONMAAK BV", organisation_id=tonkeling,
                     reason="another company of that name", decided_by="alerts:feedback")
    by_row = links(store)
    assert by_row[2] == tonkeling, "a line linked by its KvK number stays"
    assert by_row[3] is None and by_row[4] is None, "lines linked by that name are unlinked"
    assert canonical_of(store, org_of(store, "NL:name:tonkeling schoonmaak")) != tonkeling
    for _ in range(2):
        resolve_suppliers(store, settings)
        by_row = links(store)
        assert by_row[3] != tonkeling and by_row[4] != tonkeling and by_row[3] is not None
    assert canonical_of(store, org_of(store, "NL:name:tonkeling schoonmaak")) != tonkeling


def test_review_decisions_are_remembered(store: Store, settings: Settings, tmp_path: Path) -> None:
    notices(store)
    spend(tmp_path, store, settings, ROWS)
    resolve_suppliers(store, settings)
    with store.session() as session:
        (candidate, org_name), *_ = [c for c in list_candidates(session) if c[0].source_name == "Velmara Software"]
    with store.session() as session, session.begin():
        decided = decide_candidate(session, candidate.id, "accept", reason=None, decided_by="tester")
    assert decided.status == "accepted"
    resolve_suppliers(store, settings)
    assert links(store)[7] == candidate.organisation_id
    resolve_suppliers(store, settings)
    assert links(store)[7] == candidate.organisation_id, "an accepted match sticks"
    with store.session() as session:
        assert all(c.source_name != "Velmara Software" for c, _ in list_candidates(session))


def test_rejecting_a_candidate_keeps_it_out_of_review(store: Store, settings: Settings, tmp_path: Path) -> None:
    notices(store)
    spend(tmp_path, store, settings, ROWS)
    resolve_suppliers(store, settings)
    with store.session() as session:
        candidate = next(c for c, _ in list_candidates(session) if c.source_name == "Velmara Software")
    with store.session() as session, session.begin():
        decide_candidate(session, candidate.id, "reject", reason="not them", decided_by="tester")
    for _ in range(2):
        resolve_suppliers(store, settings)
        with store.session() as session:
            pending = [(c.source_name, c.organisation_id) for c, _ in list_candidates(session)]
        assert ("Velmara Software", candidate.organisation_id) not in pending


def test_a_rejected_self_pair_never_creates_a_phantom_organisation(store: Store, settings: Settings, tmp_path: Path) -> None:
    """Issue 15: "wrong company" once rejected a KvK-identified supplier's own name against itself; its lines
    by name lost their link and the next run created an organisation without KvK number of the same name,
    so the supplier showed twice. Now the lines wait for a person, and no organisation is created."""
    spend(tmp_path, store, settings, [
        "Asito B.V.;04028976;100,00;01-01-2024;F1",  # row 2: by KvK
        "ASITO BV;;200,00;01-02-2024;F2",  # row 3: by name
        "Asito B.V.;;300,00;01-03-2024;F3",  # row 4: by name
    ])
    resolve_suppliers(store, settings)
    asito = org_of(store, "NL:id:04028976")
    assert set(links(store).values()) == {asito}
    with store.session() as session:
        organisations_before = session.scalar(select(func.count()).select_from(Organisation))
    with store.session() as session, session.begin():
        reject_match(session, source_name="Asito B.V.", organisation_id=asito, reason="wrong company",
                     decided_by="test")
    for _ in range(2):
        summary = resolve_suppliers(store, settings)
        by_row = links(store)
        assert by_row[2] == asito, "the line with the KvK number keeps its supplier"
        assert by_row[3] is None and by_row[4] is None, "lines by that name wait for a person"
        assert summary.organisations_created == 0 and summary.lines_pending_review == 2
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Organisation)) == organisations_before
        assert session.scalars(select(Organisation.name).where(Organisation.org_key.like("XX:internal:%"))).all() == []


def test_holding_and_operating_company_lines_never_become_one_supplier(store: Store, settings: Settings,
                                                                       tmp_path: Path) -> None:
    """Lines without KvK number are grouped by the matching key: a holding, a foundation and a municipality
    in another province keep keys of their own (issue 15)."""
    spend(tmp_path, store, settings, [
        "Asito B.V.;04028976;100,00;01-01-2024;F1",
        "Asito Holding B.V.;;200,00;01-02-2024;F2",
        "Stichting Asito;;300,00;01-03-2024;F3",
        "Gemeente Bergen (NH);;10,00;01-03-2024;F4",
        "Gemeente Bergen (L);;20,00;01-03-2024;F5",
    ])
    resolve_suppliers(store, settings)
    by_row = links(store)
    asito = org_of(store, "NL:id:04028976")
    assert by_row[3] != asito and by_row[4] != asito
    assert by_row[3] is None or len({by_row[3], by_row[4]}) == 2
    assert by_row[5] is None or by_row[5] != by_row[6]
