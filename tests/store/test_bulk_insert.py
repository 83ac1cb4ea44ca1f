"""``store.bulk.insert_rows``: the rows it sends to the driver are stored as ``session.execute(insert)`` stores them.

Runs on SQLite and, when ``SUPPLYRADAR_TEST_POSTGRES_URL`` is set, on PostgreSQL (the ``store`` fixture).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from store.bulk import insert_returning, insert_rows, select_in, update_by_key, update_from_values
from store.db import Store
from store.notices import dialect_insert
from store.schema import Award, Notice, NoticeCpv, Organisation

NOW = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


def organisation(key: str, name: str) -> dict:
    return {"org_key": key, "name": name, "country": "NL", "company_id": None, "town": None, "postcode": None,
            "first_seen": NOW, "updated_at": NOW}


def notice(notice_id: str, buyer_id: int, title: str, codes: list[str] | None) -> dict:
    return {"source": "ted", "notice_id": notice_id, "format": "eforms", "notice_type": "Award", "subtype": "29",
            "kind": "award", "published": date(2024, 5, 6), "buyer_id": buyer_id, "cpv_main": None,
            "category_scheme": "CPV" if codes is None else "UNSPSC", "category_codes": codes, "title": title,
            "procedure_type": None, "source_url": None, "content_hash": "h", "collected_at": NOW}


def stored(store: Store, table) -> list[tuple]:
    with store.session() as session:
        return [tuple(row) for row in session.execute(select(*[c for c in table.__table__.columns if c.key != "id"])
                                                        .order_by(*table.__table__.primary_key.columns))]


def test_rows_are_stored_as_sqlalchemy_stores_them(store: Store) -> None:
    rows = [notice("1-2024", 0, "één", None), notice("2-2024", 0, "two", ["43000000"])]
    with store.session() as session, session.begin():
        buyer = session.execute(Organisation.__table__.insert().returning(Organisation.__table__.c.id),
                                organisation("NL:name:b", "B")).scalar_one()
        for row in rows:
            row["buyer_id"] = buyer
        session.execute(Notice.__table__.insert(), rows)
    expected = stored(store, Notice)
    with store.session() as session, session.begin():
        session.execute(delete(Notice.__table__))
        insert_rows(session, Notice.__table__, rows)
    assert stored(store, Notice) == expected
    # a changed copy replaces the stored row's fields through ON CONFLICT DO UPDATE; an unseen key is inserted
    changed = [{**rows[0], "title": "new"}, notice("3-2024", buyer, "three", None)]
    with store.session() as session, session.begin():
        insert_rows(session, Notice.__table__, changed, conflict=("update", ("source", "notice_id"), ("title",)))
    titles = {row[1]: row[11] for row in stored(store, Notice)}
    assert titles == {"1-2024": "new", "2-2024": "two", "3-2024": "three"}


def test_conflicts_do_nothing_or_fail_as_sqlalchemy_raises(store: Store) -> None:
    with store.session() as session, session.begin():
        insert_rows(session, Organisation.__table__, [organisation("NL:name:a", "A")])
        insert_rows(session, Organisation.__table__, [organisation("NL:name:a", "A later"), organisation("NL:name:c", "C")],
                    conflict=("nothing", ("org_key",), ()))
    assert [(row[0], row[1]) for row in stored(store, Organisation)] == [("NL:name:a", "A"), ("NL:name:c", "C")]
    with pytest.raises(IntegrityError), store.session() as session, session.begin():
        insert_rows(session, Organisation.__table__, [organisation("NL:name:a", "again")])


def test_a_column_left_to_its_default_goes_through_sqlalchemy(store: Store) -> None:
    with store.session() as session, session.begin():
        buyer = session.execute(Organisation.__table__.insert().returning(Organisation.__table__.c.id),
                                organisation("NL:name:b", "B")).scalar_one()
        session.execute(Notice.__table__.insert(), notice("1-2024", buyer, "t", None))
        pk = session.scalar(select(Notice.__table__.c.id))
        insert_rows(session, NoticeCpv.__table__, [{"notice_pk": pk, "code": "43000000"}])  # is_main: its default
        insert_rows(session, Award.__table__, [{"notice_pk": pk, "seq": 0, "lot_id": "LOT-1", "value": Decimal("12.5"),
                                                "currency": "EUR", "tenders_received": 3, "contract_id": None}])
    assert stored(store, NoticeCpv) == [(pk, "43000000", False)]
    assert stored(store, Award) == [(pk, 0, "LOT-1", Decimal("12.5"), "EUR", 3, None)]


def test_select_in_reads_the_rows_sqlalchemy_reads(store: Store) -> None:
    with store.session() as session, session.begin():
        insert_rows(session, Organisation.__table__, [organisation(f"NL:name:{n}", f"N{n}") for n in range(5)])
        keys = ["NL:name:1", "NL:name:3", "NL:name:9"]
        expected = {tuple(row) for row in session.execute(select(Organisation.__table__.c.org_key, Organisation.__table__.c.id)
                                                           .where(Organisation.__table__.c.org_key.in_(keys)))}
        assert set(select_in(session, Organisation.__table__, ("org_key", "id"), "org_key", keys)) == expected
        assert len(expected) == 2
        assert select_in(session, Organisation.__table__, ("org_key",), "org_key", keys, equal={"name": "N3"}) == [("NL:name:3",)]
        assert select_in(session, Organisation.__table__, ("country",), "org_key", keys, distinct=True) == [("NL",)]
        assert select_in(session, Organisation.__table__, ("id",), "org_key", []) == []


def test_insert_returning_returns_and_stores_what_sqlalchemy_does(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("store.bulk.RETURNING_PAGE_ROWS", 2)  # several statements of a few rows each
    rows = [organisation(f"NL:name:{n}", f"N{n} é") for n in range(7)]
    with store.session() as session, session.begin():
        table = Organisation.__table__
        expected = session.execute(
            dialect_insert(session.get_bind(), table).on_conflict_do_nothing(index_elements=["org_key"])
            .returning(table.c.id, table.c.org_key), rows[:4]).all()
        stored_by_sqlalchemy = stored(store, Organisation)
        session.execute(delete(table))
        got = insert_returning(session, table, rows[:4], ("id", "org_key"), conflict=("nothing", ("org_key",), ()))
        assert [key for _id, key in got] == [key for _id, key in expected]
        assert stored(store, Organisation) == stored_by_sqlalchemy
        # known keys are left alone and not returned; new ones come back with their ids, over several pages
        again = insert_returning(session, table, rows, ("org_key",), conflict=("nothing", ("org_key",), ()))
        assert sorted(again) == [(f"NL:name:{n}",) for n in range(4, 7)]
        ids = dict(session.execute(select(table.c.org_key, table.c.id)).all())
        assert all(ids[key] == line_id for line_id, key in got)
        assert insert_returning(session, table, [], ("id",)) == []


def test_update_by_key_sets_the_column_and_counts_the_rows_found(store: Store) -> None:
    with store.session() as session, session.begin():
        insert_rows(session, Organisation.__table__, [organisation(f"NL:name:{n}", f"N{n}") for n in range(3)])
        ids = dict(session.execute(select(Organisation.__table__.c.org_key, Organisation.__table__.c.id)).all())
        pairs = [(ids["NL:name:0"], "Nul"), (ids["NL:name:2"], "Twee"), (max(ids.values()) + 99, "nobody")]
        assert update_by_key(session, Organisation.__table__, "id", "name", pairs) == 2  # SQLite and psycopg both sum
        assert update_by_key(session, Organisation.__table__, "id", "name", []) == 0
    assert [row[1] for row in stored(store, Organisation)] == ["Nul", "N1", "Twee"]


def test_update_from_values_updates_as_update_by_key_over_pages(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("store.bulk.UPDATE_PAGE_PAIRS", 2)  # three statements for five pairs
    with store.session() as session, session.begin():
        insert_rows(session, Organisation.__table__, [organisation(f"NL:name:{n}", f"N{n}") for n in range(5)])
        ids = dict(session.execute(select(Organisation.__table__.c.org_key, Organisation.__table__.c.id)).all())
        pairs = [(ids["NL:name:0"], "Nul"), (ids["NL:name:2"], "Twee"), (max(ids.values()) + 99, "nobody"),
                 (ids["NL:name:3"], "Drie"), (ids["NL:name:4"], "Vier")]
        assert update_from_values(session, Organisation.__table__, "id", "name", pairs) == 4
        assert update_from_values(session, Organisation.__table__, "id", "name", []) == 0
    assert [row[1] for row in stored(store, Organisation)] == ["Nul", "N1", "Twee", "Drie", "Vier"]
