"""Counts of rows changed come from the rows themselves (RETURNING), never from a single statement's ``rowcount``.

psycopg may report ``rowcount`` -1 (unknown) where SQLite reports the number, and ``-1 or 0`` is -1:
"identifiers added" once went negative on PostgreSQL that way. The one exception is an executemany UPDATE
(``link_lines_to``), which has no RETURNING: both drivers sum its rowcount over the statements. Each count
here is checked against the rows it names, on SQLite and on PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from store.companies import mark_removed, save_case
from store.db import Store
from store.matching import link_lines, link_lines_to, merge_organisation, relink_merged
from store.schema import Organisation
from store.schema.shared import Contract

NOW = datetime(2026, 11, 1, tzinfo=UTC)


def _organisation(session, key: str) -> int:
    org = Organisation(org_key=key, name=key, first_seen=NOW, updated_at=NOW)
    session.add(org)
    session.flush()
    return org.id


def _contracts(session, count: int) -> list[int]:
    rows = [Contract(contract_ref=f"C-{i}", source_file="contracts.xlsx", row_number=i, supplier_name="Voorbeeld B.V.",
                     content_hash=f"{i:064d}", imported_at=NOW) for i in range(count)]
    session.add_all(rows)
    session.flush()
    return [row.id for row in rows]


def test_removed_cases_are_counted_once(store: Store) -> None:
    with store.session() as session, session.begin():
        for number in ("C.13/26/1 F", "C.13/26/2 F"):
            save_case(session, number, "12345678", "Voorbeeld B.V.", "Rechtbank", True, {"n": number}, [], NOW)
        assert mark_removed(session, [("C.13/26/1 F", "error"), ("C.13/26/9 F", None)], date(2026, 11, 2)) == 1
        assert mark_removed(session, [("C.13/26/1 F", "error")], date(2026, 11, 3)) == 0  # removed before


def test_linked_and_relinked_lines_are_counted(store: Store) -> None:
    with store.session() as session, session.begin():
        merged, canonical = _organisation(session, "NL:name:a"), _organisation(session, "NL:name:b")
        lines = _contracts(session, 3)
        assert link_lines(session, "contracts", lines, merged) == 3
        assert link_lines(session, "contracts", [], merged) == 0
        assert merge_organisation(session, merged, canonical, method="test", score=None)
        assert relink_merged(session) == 3
        assert relink_merged(session) == 0  # nothing left to move


def test_lines_linked_to_several_organisations_are_counted(store: Store) -> None:
    with store.session() as session, session.begin():
        first, second = _organisation(session, "NL:name:a"), _organisation(session, "NL:name:b")
        lines = _contracts(session, 3)
        missing = max(lines) + 100  # a line deleted since it was read is not counted
        assert link_lines_to(session, "contracts", {lines[2]: second, lines[0]: first, missing: first, lines[1]: second}) == 3
        assert link_lines_to(session, "contracts", {}) == 0
        linked = dict(session.execute(select(Contract.id, Contract.organisation_id)).all())
    assert linked == {lines[0]: first, lines[1]: second, lines[2]: second}
