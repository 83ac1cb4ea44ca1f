"""``supplyradar supplier``'s card: counts in words and amounts a person can read."""

from __future__ import annotations

from reports.supplier_card import _amounts, _people


def test_people_working_in_words() -> None:
    assert [_people(n) for n in (1, 12, 0, None)] == ["1 person", "12 people", "0 people", "people working: unknown"]


def test_amounts_get_thousands_separators_and_cents_only_where_there_are_some() -> None:
    rows = [{"year": 2024, "amount": 30229.71}, {"year": 2025, "amount": 2722000.0}, {"year": 2026, "amount": None}]
    assert [row["amount"] for row in _amounts(rows, "amount")] == ["30,229.71", "2,722,000", None]
    assert rows[0]["amount"] == 30229.71  # the caller's rows are left as they were
