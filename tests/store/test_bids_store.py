"""Bids and modifications in the store, and what market statistics count: real and constructed notices
parsed, saved twice (nothing changes), read back as facts. Each contract counts once; a modification
never counts as an award, even when an older parser stored one for it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from connectors.notice_xml import parse_file, parse_notice
from connectors.records import Award, Party
from models.contract_changes import modifications_line
from store.db import Store
from store.notices import save_notices
from store.queries import award_facts, modification_facts
from store.schema import Award as AwardRow
from store.schema import Notice as NoticeRow
from store.schema import Organisation
from store.schema.bids import (
    Bid,
    BidTenderer,
    ContractModification,
    ModificationContractor,
)
from store.supplier_view import _awards

FIXTURES = Path(__file__).parents[1] / "fixtures" / "ted"
BELGIAN = FIXTURES / "constructed" / "can_cleaning_be_constructed.xml"
NORWEGIAN = FIXTURES / "constructed" / "can_framework_no_constructed.xml"
F20 = FIXTURES / "corpus-r209" / "2020-150863_F20.xml"


def save(store: Store, *paths: Path) -> None:
    with store.session() as session, session.begin():
        save_notices(session, [parse_file(path) for path in paths])


def rows(store: Store, table) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(table))


def test_bids_and_modifications_are_stored_once(store: Store) -> None:
    for _ in range(2):  # the same batch twice changes nothing
        save(store, BELGIAN, NORWEGIAN, F20)
    assert (rows(store, Bid), rows(store, BidTenderer)) == (14, 14)
    assert (rows(store, ContractModification), rows(store, ModificationContractor)) == (1, 1)
    with store.session() as session:
        lost = session.execute(
            select(Bid.lot_id, Organisation.name, Bid.rank, Bid.value)
            .join(BidTenderer, BidTenderer.bid_id == Bid.id)
            .join(Organisation, Organisation.id == BidTenderer.organisation_id)
            .where(Bid.won.is_(False))
            .order_by(Bid.lot_id, Organisation.name)
        ).all()
        assert [(lot, name) for lot, name, _, _ in lost] == [
            ("LOT-0001", "M&G"), ("LOT-0001", "Taper AS"), ("LOT-0002", "BFS"),
            ("LOT-0003", "M&G"), ("LOT-0004", "M&G"), ("LOT-0005", "M&G"),
        ]
        change = session.scalars(select(ContractModification)).one()
        assert (change.original_notice, change.contract_id, change.value_before, change.value_after) == (
            "431564-2016", "1", Decimal("2227135.70"), Decimal("3051031.70")
        )
        assert (change.original_value, change.original_currency, change.currency) == (Decimal("2227135.70"), "EUR", "EUR")
        assert change.reason.startswith("unforeseen circumstances")
        f20 = session.scalars(select(NoticeRow).where(NoticeRow.notice_id == "150863-2020")).one()
        assert session.scalar(select(func.count()).select_from(AwardRow).where(AwardRow.notice_pk == f20.id)) == 0


def test_a_changed_notice_replaces_its_bids(store: Store) -> None:
    save(store, BELGIAN)
    notice = parse_file(BELGIAN)
    with store.session() as session, session.begin():
        save_notices(session, [replace(notice, bids=notice.bids[:2])])
    assert rows(store, Bid) == 2


def test_each_contract_counts_once_and_modifications_never(store: Store) -> None:
    save(store, BELGIAN, NORWEGIAN, F20)
    with store.session() as session:
        cleaning = award_facts(session, "9091")
        copiers = award_facts(session, "3012")
    # BFS's one contract covers lots 1, 3, 4 and 5: one fact, its lots' values added (one currency).
    by_winner = {tuple(w.name for w in fact.winners): fact for fact in cleaning if fact.notice_id == "191534-2024"}
    assert set(by_winner) == {("BFS",), ("M&G",)}
    bfs = by_winner[("BFS",)]
    assert (bfs.lot, bfs.value, bfs.currency) == ("LOT-0001, LOT-0003, LOT-0004, LOT-0005", Decimal("413000"), "EUR")
    assert (by_winner[("M&G",)].lot, by_winner[("M&G",)].value) == ("LOT-0002", Decimal("112000"))
    # The Norwegian framework: one contract, three winners, no value (tender amounts differ, never added).
    [framework] = [fact for fact in cleaning if fact.notice_id == "123456-2024"]
    assert (len(framework.winners), framework.value) == (3, None)
    assert copiers == []  # the F20 is a modification, not an award


def test_awards_an_older_parser_gave_a_modification_are_not_counted(store: Store) -> None:
    stale = replace(parse_file(F20), awards=(Award("1", (Party("Ricoh Deutschland GmbH", "DE"),), Decimal("823896.00"), "EUR"),))
    with store.session() as session, session.begin():
        save_notices(session, [stale])
    with store.session() as session:
        assert award_facts(session, "3012") == []
    save(store, F20)  # collected again with this parser: the stale award is gone
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(AwardRow)) == 0


def test_supplier_view_counts_contracts_not_lots(store: Store) -> None:
    save(store, BELGIAN)
    with store.session() as session:
        bfs = session.scalars(select(Organisation.id).where(Organisation.name == "BFS")).one()
        summary = _awards(session, [bfs])
    assert summary["count"] == 1  # one contract over four lots


def test_modifications_have_their_own_line_in_a_scan(store: Store, tmp_path: Path) -> None:
    from pipelines.market_scan import run_market_scan

    save(store, F20)
    with store.session() as session:
        [change] = modification_facts(session, "3012")
    assert (change.original_notice, change.original_found, change.value_after) == ("431564-2016", False, Decimal("3051031.70"))
    assert [c.name for c in change.contractors] == ["Ricoh Deutschland GmbH"]
    line = modifications_line([change], date(2020, 1, 1), date(2020, 12, 31))
    assert line == (
        "1 contract modification in the window, not counted as awards above; 0 of 1 linked to an award notice in the "
        "store; where the value before and after is stated in EUR (1 of 1), contract values changed by +823,896 EUR."
    )
    output = run_market_scan(store, cpv="3012", start=date(2020, 1, 1), end=date(2020, 12, 31), output_dir=tmp_path)
    assert output.scan.window.coverage.awards == 0 and line in output.scan.notes
    assert "823,896 EUR" in output.html_path.read_text(encoding="utf-8")


def test_a_modification_is_linked_to_its_award_notice_by_number_or_uuid(store: Store) -> None:
    from tests.store.test_store import ted_notice

    modif = (FIXTURES / "eforms-sdk-examples" / "can-modif_24_value.xml").read_bytes().replace(
        b"342558-2018</efbc:ChangedNoticeIdentifier>", b"15377ca1-6cf7-4060-90f0-9290128957a3-01</efbc:ChangedNoticeIdentifier>"
    )
    award = parse_file(FIXTURES / "eforms-sdk-examples" / "can_24_maximal.xml")  # notice UUID 15377ca1-...
    with store.session() as session, session.begin():
        save_notices(session, [parse_notice(modif, where="modif.xml"), award, parse_file(F20)])
        save_notices(session, [replace(ted_notice("431564-2016"), cpv_main="30120000")])  # the F20's award notice
    with store.session() as session:
        changes = modification_facts(session, "")
    assert sorted((c.original_notice, c.original_found) for c in changes) == [
        ("15377ca1-6cf7-4060-90f0-9290128957a3", True), ("431564-2016", True)
    ]
