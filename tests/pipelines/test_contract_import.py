"""Contract registers into the store (``connectors.contract_register`` through ``pipelines.import_own_data``): the
three shapes of options to extend, the single-sourcing flag, XLSX with a comment row, idempotent re-import and
updates on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select, update

from config.settings import Settings
from connectors.contract_register import add_months, parse_flag, parse_options
from pipelines.import_own_data import import_file
from store.db import Store
from store.risk import contract_facts
from store.schema import Contract, Organisation
from store.schema.own_data import OwnDataIssue

HEADER = ["Contractnummer", "Omschrijving", "Leverancier", "KvK-nummer", "CPV", "Startdatum", "Einddatum",
          "Verlengingsopties", "Einddatum incl. opties", "Aantal opties", "Duur optie (maanden)", "Waarde",
          "Contractmanager", "Enkelvoudig"]
ROWS = [
    ["C-1", "Schoonmaak", "Tonkeling Schoonmaak B.V.", "45968655", "90910000-5", date(2024, 1, 1), date(2026, 12, 31),
     "2 x 1 jaar", None, None, None, 1_200_000, "manager.90910000@demo.supplyradar.example", "Nee"],
    ["C-2", "Stroom", "Faltara Energie GmbH", None, "09310000", date(2023, 6, 1), date(2027, 4, 30),
     None, date(2028, 4, 30), None, None, 8_000_000.5, "manager.09310000@demo.supplyradar.example", "Ja"],
    ["C-3", "Software", "Velmara Software N.V.", "12345678", None, date(2022, 1, 1), date(2025, 12, 31),
     None, None, 3, 6, "650.000,00", "manager.48@demo.supplyradar.example", "x"],
    [None, "Zonder nummer", "Kwavant", None, None, None, None, None, None, None, None, None, None, None],
    ["C-1", "Dubbel", "Tonkeling", None, None, None, None, None, None, None, None, None, None, None],
    ["C-4", "Advies", "Morrel Advies", None, "79400000", date(2024, 1, 1), date(2023, 1, 1), "drie keer", None, None,
     None, None, None, "misschien"],
]


def workbook(path: Path, rows: list[list[object]] = ROWS) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(["# SYNTHETIC test register"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def contracts(store: Store) -> dict[str, Contract]:
    with store.session() as session:
        return {c.contract_ref: c for c in session.scalars(select(Contract))}


def test_register_with_every_shape_of_options(store: Store, settings: Settings, tmp_path: Path) -> None:
    report = import_file(store, workbook(tmp_path / "register.xlsx"), "contracts", settings)
    assert (report.rows_read, report.added, report.skipped) == (6, 4, 2)
    found = contracts(store)
    assert found["C-1"].extension_until == date(2028, 12, 31) and found["C-1"].cpv == "90910000"
    assert found["C-1"].single_sourced is False and found["C-1"].owner.startswith("manager.90910000@")
    assert found["C-2"].extension_until == date(2028, 4, 30) and found["C-2"].single_sourced is True
    assert found["C-2"].value == Decimal("8000000.50")
    assert found["C-3"].extension_until == date(2027, 6, 30) and found["C-3"].value == Decimal("650000.00")
    assert found["C-1"].row_number == 3 and found["C-1"].title == "Schoonmaak"  # the first C-1 is kept
    with store.session() as session:
        codes = {(i.row_number, i.code, i.column) for i in session.scalars(select(OwnDataIssue))}
    assert {(6, "no_reference", "Contractnummer"), (7, "duplicate_reference", "Contractnummer"),
            (8, "end_before_start", "Einddatum"), (8, "options_unparsed", "Verlengingsopties"),
            (8, "flag_unparsed", "Enkelvoudig")} <= codes


def test_reimport_is_idempotent_and_a_changed_row_is_updated(store: Store, settings: Settings, tmp_path: Path) -> None:
    path = workbook(tmp_path / "register.xlsx")
    import_file(store, path, "contracts", settings)
    again = import_file(store, path, "contracts", settings)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 4)
    changed = [list(r) for r in ROWS]
    changed[0][6] = date(2027, 6, 30)
    report = import_file(store, workbook(path, changed), "contracts", settings)
    assert (report.added, report.updated, report.unchanged) == (0, 1, 3)
    assert contracts(store)["C-1"].end_date == date(2027, 6, 30)


@pytest.mark.parametrize(
    ("text", "months"), [("2 x 1 jaar", 24), ("2x12 maanden", 24), ("1 jaar", 12), ("geen", 0), ("3 × 6 mnd", 18),
                         ("1,5 jaar", 18), (None, None)],
)
def test_options_to_extend(text: str | None, months: int | None) -> None:
    assert parse_options(text) == months


def test_flags_and_months() -> None:
    assert [parse_flag(v) for v in ("Ja", "nee", "X", None)] == [True, False, True, None]
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_the_demo_register_is_rebuilt_byte_for_byte_and_keeps_its_promises(tmp_path: Path) -> None:
    """The committed SYNTHETIC demo files are what the builder makes, and carry the two facts other areas use:
    a concentrated-category contract ending 4-9 months after 2026-11-01, and our failing supplier's contract
    running past that day."""
    from openpyxl import load_workbook

    from demo import build_own_data as demo
    from demo.story import STORY_TODAY, build_story
    from demo.world import build_world

    demo.build_own_data(tmp_path)
    for name in (demo.SPEND_FILE, demo.CONTRACTS_FILE, "README.md"):
        assert (tmp_path / name).read_bytes() == (demo.OUT_DIR / name).read_bytes(), f"{name} is stale: rebuild it"
    sheet = load_workbook(demo.OUT_DIR / demo.CONTRACTS_FILE, read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert "SYNTHETIC" in rows[0][0]
    header = rows[1]
    records = [dict(zip(header, row, strict=False)) for row in rows[2:]]
    low, high = add_months(STORY_TODAY, 4), add_months(STORY_TODAY, 9)
    retender = [r for r in records if str(r["CPV"] or "").startswith(("09310000", "48"))
                and low <= r["Einddatum"].date() <= high]
    assert retender and all(r["Contractmanager"].endswith("@demo.supplyradar.example") for r in records)
    world, story = build_world(), build_story()
    failing = world.supplier_by_id[story.our_failure_id]
    ends = [r["Einddatum"].date() for r in records if r["KvK-nummer"] == failing.id or r["Leverancier"] == failing.name]
    assert ends and max(ends) > STORY_TODAY


def test_a_contract_in_another_currency_has_no_value_in_the_scores_facts(store: Store, settings: Settings,
                                                                         tmp_path: Path) -> None:
    """Its value is kept as written, with its currency, but the dependency scores' facts count euros alone: the
    dollar contract adds nothing to its category's contract value (it was added as if it were euros)."""
    rows = [[*row[:12], currency, *row[12:]] for row, currency in zip(ROWS[:3], ("€", "USD", ""), strict=True)]
    header = [*HEADER[:12], "Valuta", *HEADER[12:]]
    book = Workbook()
    book.active.append(header)
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / "register.xlsx")
    import_file(store, tmp_path / "register.xlsx", "contracts", settings)
    found = contracts(store)
    assert [(found[ref].currency, found[ref].value) for ref in ("C-1", "C-2", "C-3")] == [
        ("EUR", Decimal("1200000")), ("USD", Decimal("8000000.5")), ("EUR", Decimal("650000"))]
    with store.session() as session, session.begin():  # resolved, as the scoring run reads them
        supplier = Organisation(org_key="test:one", name="One", first_seen=datetime(2026, 1, 1),
                                updated_at=datetime(2026, 1, 1))
        session.add(supplier)
        session.flush()
        session.execute(update(Contract).values(organisation_id=supplier.id))
    with store.session() as session:
        facts, _any = contract_facts(session, lambda cpv: cpv or "")
    assert sorted((fact.ref, fact.value) for fact in facts) == [("C-1", 1_200_000.0), ("C-2", None), ("C-3", 650_000.0)]
