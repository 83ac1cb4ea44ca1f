"""Event detection from pairs of KvK snapshots (models.company_events), table-driven."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from models.company_events import NOT_FOUND_STATUS, Thresholds, compare_snapshots

DAY, BEFORE = date(2026, 6, 30), date(2026, 3, 31)
BASE: dict[str, Any] = {
    "kvk_number": "12345678", "name": "Kwint Bouw B.V.", "legal_form": "Besloten Vennootschap", "employees": 40,
    "ended_on": None, "sbi": [{"code": "41200", "description": "Bouw", "main": True}],
    "address": {"street": "Industrieweg", "house_number": "4", "postcode": "1234AB", "town": "Zwolle", "country": "Nederland"},
}
NOT_FOUND = {"status": NOT_FOUND_STATUS, "kvk_number": "12345678", "code": "IPD0005", "message": "niet geleverd"}


def changed(**values: Any) -> dict[str, Any]:
    return {**BASE, **values}


CASES = [
    ("unchanged", BASE, BASE, []),
    ("dissolved, dated by the register", BASE, changed(ended_on="2026-05-02"), [("kvk.dissolved", date(2026, 5, 2))]),
    ("still dissolved: no second event", changed(ended_on="2026-05-02"), changed(ended_on="2026-05-02"), []),
    ("legal form", BASE, changed(legal_form="Eenmanszaak"), [("kvk.legal_form_changed", DAY)]),
    ("main SBI", BASE, changed(sbi=[{"code": "43210", "description": "x", "main": True}]), [("kvk.sbi_changed", DAY)]),
    ("secondary SBI only", BASE, changed(sbi=BASE["sbi"] + [{"code": "43210", "description": "x", "main": False}]), []),
    ("moved", BASE, changed(address={**BASE["address"], "postcode": "9999ZZ", "town": "Venlo"}), [("kvk.address_moved", DAY)]),
    ("renamed", BASE, changed(name="Kwint Groep B.V."), [("kvk.name_changed", DAY)]),
    ("name case and spacing only", BASE, changed(name="KWINT  Bouw B.V."), []),
    ("employees -25% and -10", BASE, changed(employees=30), [("kvk.employees_changed", DAY)]),
    ("employees -20%", BASE, changed(employees=32), []),
    ("small company +50% but only +2", changed(employees=4), changed(employees=6), []),
    ("employees unknown", BASE, changed(employees=None), []),
    ("no longer found after a confirmed 404", BASE, NOT_FOUND, [("kvk.not_found", DAY)]),
    ("still not found", NOT_FOUND, NOT_FOUND, []),
    ("found again after not found: baseline", NOT_FOUND, changed(name="Other"), []),
    ("first observation", None, BASE, []),
    ("first observation of a dissolved company", None, changed(ended_on="2020-01-31"), [("kvk.dissolved", date(2020, 1, 31))]),
    ("first observation not found", None, NOT_FOUND, []),
    ("moved and shrank", BASE, changed(address={**BASE["address"], "house_number": "8"}, employees=20),
     [("kvk.address_moved", DAY), ("kvk.employees_changed", DAY)]),
]


@pytest.mark.parametrize("previous, current, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_changes_between_snapshots(previous, current, expected) -> None:
    changes = compare_snapshots(previous, current, observed_on=DAY, previous_observed_on=BEFORE)
    assert [(c.kind, c.occurred_on) for c in changes] == expected
    for change in changes:
        assert change.title and change.details["observed_on"] == DAY.isoformat()
        assert change.details["date_basis"].startswith("register" if change.kind == "kvk.dissolved" else "observed")


def test_details_carry_old_new_and_the_window() -> None:
    (change,) = compare_snapshots(BASE, changed(employees=20), observed_on=DAY, previous_observed_on=BEFORE)
    assert change.details["old"] == 40 and change.details["new"] == 20 and change.details["change_ratio"] == -0.5
    assert change.details["previous_observed_on"] == BEFORE.isoformat()
    assert "shrank from 40 to 20" in change.title


def test_thresholds_are_settings() -> None:
    strict = Thresholds(employees_ratio=0.1, employees_min=1)
    assert compare_snapshots(BASE, changed(employees=32), observed_on=DAY, thresholds=strict)
