"""Round trip: typed notices -> store rows -> facts for the models, on SQLite and PostgreSQL.

Covers idempotent upserts (the same batch twice changes nothing), replacement of a changed
notice with its children, one organisation per key, cross-source de-duplication (TED wins over
TenderNed), quarantine and its resolution, watermarks that never move back, and migrations.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from connectors.errors import MalformedNoticeError
from connectors.records import Award, Lot, Notice, Party
from store.bookkeeping import (
    get_watermark,
    open_quarantine,
    quarantine,
    resolve_quarantined,
    set_watermark,
)
from store.db import Store
from store.identity import org_key
from store.migrate import current_revision, head_revision
from store.notices import save_notices
from store.queries import award_fact_groups, award_facts, notice_facts, notice_groups
from store.schema import AwardWinner, CpvLabel, Organisation
from store.schema import Lot as LotRow
from store.schema import Notice as NoticeRow

BUYER = Party("Gemeente Voorbeeld", "NL", "12345678", "Utrecht", "3511 AB")
ACME = Party("Acme ICT B.V.", "NL", "87654321")
BETA = Party("Beta Systems GmbH", "DE", None, "Berlin")


def ted_notice(number: str = "100-2024", *, value: str = "1000.00", winners=(ACME,), uuid: str = "uuid-1") -> Notice:
    return Notice(
        notice_id=number,
        format="eforms",
        notice_type="can-standard",
        subtype="29",
        kind="award",
        published=date(2024, 3, 1),
        buyer=BUYER,
        cpv_main="72200000",
        cpv=("72200000", "48000000"),
        title="Software development",
        lots=(Lot("LOT-0001", "Lot 1", ("72200000",)), Lot("LOT-0002", "Lot 2", ())),
        awards=(
            Award("LOT-0001", winners, Decimal(value), "EUR", 3),
            Award("LOT-0002", (BETA,), Decimal("250.50"), "EUR", 1),
        ),
        source="ted",
        same_as=(f"eforms:{uuid}", f"ted:{number}"),
    )


def count(store: Store, table) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(table))


def save(store: Store, notices) -> object:
    with store.session() as session, session.begin():
        return save_notices(session, notices)


def test_migrations_reach_head_and_cpv_labels_are_loaded(store: Store) -> None:
    assert current_revision(store.engine) == head_revision()
    assert count(store, CpvLabel) == 9454
    with store.session() as session:
        assert session.get(CpvLabel, "72000000").label_nl.startswith("IT-diensten")


def test_saving_the_same_batch_twice_changes_nothing(store: Store) -> None:
    first = save(store, [ted_notice()])
    assert (first.added, first.updated, first.unchanged) == (1, 0, 0)
    with store.session() as session:
        before = session.execute(select(NoticeRow.id, NoticeRow.content_hash, NoticeRow.collected_at)).all()
    second = save(store, [ted_notice()])
    assert (second.added, second.updated, second.unchanged) == (0, 0, 1)
    with store.session() as session:
        assert session.execute(select(NoticeRow.id, NoticeRow.content_hash, NoticeRow.collected_at)).all() == before
    assert count(store, NoticeRow) == 1
    assert count(store, Organisation) == 3
    assert count(store, AwardWinner) == 2


def test_a_changed_notice_replaces_its_children(store: Store) -> None:
    save(store, [ted_notice()])
    changed = ted_notice(value="2000.00", winners=(ACME, BETA))
    changed = replace(changed, lots=changed.lots[:1], awards=changed.awards[:1])
    result = save(store, [changed])
    assert (result.added, result.updated) == (0, 1)
    assert count(store, LotRow) == 1
    with store.session() as session:
        facts = award_facts(session, "72")
    assert len(facts) == 1
    assert facts[0].value == Decimal("2000.00")
    assert [w.name for w in facts[0].winners] == ["Acme ICT B.V.", "Beta Systems GmbH"]


def test_one_organisation_per_key_across_notices(store: Store) -> None:
    save(store, [ted_notice("100-2024"), ted_notice("101-2024", uuid="uuid-2")])
    assert count(store, Organisation) == 3
    with store.session() as session:
        keys = set(session.scalars(select(Organisation.org_key)))
    assert org_key(ACME) == "NL:id:87654321" and org_key(ACME) in keys
    assert org_key(BETA) == "DE:name:beta systems gmbh"


def test_the_same_award_from_ted_and_tenderned_counts_once(store: Store) -> None:
    ted = ted_notice()
    tenderned = replace(
        ted, source="tenderned", format="tenderned", notice_id="7654321",
        same_as=("tenderned:7654321", "eforms:uuid-1", "ted:100-2024"),
    )
    # TenderNed first, TED later: the TED copy becomes the counted one whichever arrives first.
    save(store, [tenderned])
    save(store, [ted])
    with store.session() as session:
        rows = {source: dup for source, dup in session.execute(select(NoticeRow.source, NoticeRow.duplicate_of_id))}
        ted_pk = session.scalar(select(NoticeRow.id).where(NoticeRow.source == "ted"))
        facts = award_facts(session, "72")
        notices = notice_facts(session, "7")
    assert rows == {"ted": None, "tenderned": ted_pk}
    assert {f.source for f in facts} == {"ted"} and len(facts) == 2
    assert len(notices) == 1


def test_a_national_tenderned_notice_is_counted(store: Store) -> None:
    national = replace(
        ted_notice(), source="tenderned", format="tenderned", notice_id="1111111",
        same_as=("tenderned:1111111", "eforms:uuid-national"),
    )
    save(store, [ted_notice(), national])
    with store.session() as session:
        assert {f.source for f in award_facts(session, "72")} == {"ted", "tenderned"}


def test_quarantine_keeps_the_reason_counts_attempts_and_resolves(store: Store) -> None:
    error = MalformedNoticeError("https://ted.europa.eu/en/notice/5-2024/xml", "no buyer", record="5-2024", field="cac:ContractingParty")
    with store.session() as session, session.begin():
        quarantine(session, "ted", error, payload=b"<xml/>")
        quarantine(session, "ted", error, payload=b"<xml/>")
    with store.session() as session:
        (row,) = open_quarantine(session)
        assert (row.record_key, row.attempts, row.field, row.payload) == ("5-2024", 2, "cac:ContractingParty", b"<xml/>")
        assert "no buyer" in row.reason and "5-2024" in row.reason
    with store.session() as session, session.begin():
        resolve_quarantined(session, "ted", ["5-2024"])
    with store.session() as session:
        assert open_quarantine(session) == []


def test_watermarks_only_move_forward(store: Store) -> None:
    with store.session() as session, session.begin():
        set_watermark(session, "ted", "scope", "2024-03-01")
        set_watermark(session, "ted", "scope", "2024-02-01")
    with store.session() as session:
        assert get_watermark(session, "ted", "scope") == "2024-03-01"
        assert get_watermark(session, "ted", "other") is None


def test_facts_filter_by_cpv_prefix_and_date(store: Store) -> None:
    other = replace(ted_notice("200-2024", uuid="u2"), cpv_main="90910000", cpv=("90910000",))
    save(store, [ted_notice(), other])
    with store.session() as session:
        assert {f.cpv_main for f in award_facts(session, "72")} == {"72200000"}
        assert {f.cpv_main for f in award_facts(session, "9091")} == {"90910000"}
        assert award_facts(session, "72", until=date(2024, 2, 1)) == []
        assert len(award_facts(session, "")) == 4


def test_a_copy_without_winners_does_not_erase_stored_awards(store: Store) -> None:
    """TenderNed's API without its XML must not wipe the winners its open-data set brought in."""
    save(store, [ted_notice()])
    bare = replace(ted_notice(), lots=(), awards=(), title="Software development (API copy)")
    result = save(store, [bare])
    assert result.unchanged == 1
    with store.session() as session:
        assert len(award_facts(session, "72")) == 2


def test_award_facts_stream_one_notice_at_a_time(store: Store) -> None:
    """The scans read the store as a stream: each batch is one notice's facts (winners with them), in
    publication order, and together they are ``award_facts``; notices come one notice id at a time."""
    joint = replace(ted_notice("300-2024", uuid="u3", winners=(ACME, BETA)), published=date(2024, 1, 5))
    other = replace(ted_notice("200-2024", uuid="u2"), cpv_main="90910000", cpv=("90910000",))
    save(store, [ted_notice(), other, joint])
    with store.session() as session:
        groups = list(award_fact_groups(session, ""))
        whole = award_facts(session, "")
        versions = list(notice_groups(session, "", since=date(2024, 1, 1), until=date(2024, 12, 31)))
    notices = [{(f.published, f.notice_id) for f in group} for group in groups]
    assert all(len(notice) == 1 for notice in notices)
    assert [next(iter(n)) for n in notices] == sorted(next(iter(n)) for n in notices)
    assert len(notices) == 3 and [f for group in groups for f in group] == whole
    assert groups[0][0].notice_id == "300-2024"  # published first
    assert [w.name for w in groups[0][0].winners] == ["Acme ICT B.V.", "Beta Systems GmbH"]  # a joint award
    assert sorted(len(v) for v in versions) == [1, 1, 1]
    assert {v[0].notice_id for v in versions} == {"100-2024", "200-2024", "300-2024"}


def test_a_change_notice_counts_instead_of_the_notice_it_changes_in_either_order(store: Store) -> None:
    """An eForms change notice (BT-758) republishes the notice it changes, corrected: one notice, counted once, in
    its newest version, whichever of the two was collected first."""
    original = ted_notice("100-2024", winners=(ACME,), uuid="u-original")
    change = replace(ted_notice("150-2024", winners=(BETA,), uuid="u-change"), published=date(2024, 3, 20),
                     same_as=("eforms:u-change", "ted:150-2024", "ted:100-2024"))
    unrelated = ted_notice("200-2024", uuid="u-other")
    for order in ([original, unrelated], [change]), ([change], [original, unrelated]):
        with store.session() as session, session.begin():
            session.query(NoticeRow).delete()
        for batch in order:
            save(store, batch)
        with store.session() as session:
            counted = {number for number, dup in session.execute(select(NoticeRow.notice_id, NoticeRow.duplicate_of_id))
                       if dup is None}
            winners = sorted(tuple(w.key for w in f.winners) for f in award_facts(session, "72")
                             if f.notice_id in ("100-2024", "150-2024"))
        assert counted == {"150-2024", "200-2024"}, order
        assert winners == [(org_key(BETA),), (org_key(BETA),)], order  # the corrected award, once per lot
