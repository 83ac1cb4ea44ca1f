"""The bulk notice writer (``store.notices`` over ``store.notice_rows``): what it must keep from the ORM writer.

The content hash must stay the digest stored notices already carry (else every stored notice
would look changed once), and one batch mixing new, changed and unchanged notices, copies of one
award from three sources, and organisations already stored must give the rows one notice at a
time gives. Runs on SQLite and, when ``SUPPLYRADAR_TEST_POSTGRES_URL`` is set, on PostgreSQL.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select

from connectors.notice_xml import parse_file
from connectors.records import Award, Bid, Modification, Notice, Party
from store.db import Store
from store.notice_rows import content_hash
from store.notices import save_notices
from store.schema import Award as AwardRow
from store.schema import AwardWinner, NoticeIdentifier, Organisation
from store.schema import Notice as NoticeRow
from store.schema.bids import BidTenderer, ModificationContractor
from tests.store.test_store import ACME, BETA, BUYER, ted_notice

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ted"


def json_hash(notice: Notice) -> str:
    """The digest as the ORM writer computed it, through ``Notice.to_json``."""
    canonical = json.dumps(notice.to_json(), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def full_notice() -> Notice:
    """A notice with every kind of field: amounts whole and not, bids, a modification, a non-CPV scheme."""
    gamma = Party("Gämma & Zoon \"Bouw\" V.O.F.", "NL", "KvK 1111.2222", "Ede", "6711 AA")
    return replace(
        ted_notice(),
        bids=(Bid("LOT-0001", (ACME, gamma), True, 1, Decimal("10.5"), "EUR", "TEN-1"), Bid("LOT-0001", (BETA,), False)),
        modifications=(Modification("LOT-0001", (gamma,), "99-2023", "CON-1", Decimal("1"), Decimal("2.25"),
                                    Award("LOT-0001", (gamma,), Decimal("3"), "EUR"), "EUR", "reason", "déscription"),),
        category_scheme="UNSPSC", cpv_main="43000000", cpv=("43000000", "43210000"),
    )


def test_the_content_hash_is_the_digest_stored_notices_carry() -> None:
    notices = [full_notice(), ted_notice()] + [parse_file(path) for path in sorted((FIXTURES / "eforms-published").glob("*.xml"))]
    assert len(notices) > 5
    for notice in notices:
        assert content_hash(notice) == json_hash(notice), notice.notice_id


def count(store: Store, table) -> int:
    with store.session() as session:
        return session.scalar(select(func.count()).select_from(table))


def test_one_batch_of_new_changed_and_unchanged_notices(store: Store) -> None:
    with store.session() as session, session.begin():
        save_notices(session, [ted_notice("1-2024", uuid="a"), ted_notice("2-2024", uuid="b")])
    changed = ted_notice("2-2024", uuid="b", value="5.00", winners=(BETA,))
    batch = [ted_notice("1-2024", uuid="a"), changed, full_notice()]
    with store.session() as session, session.begin():
        result = save_notices(session, batch)
    assert (result.added, result.updated, result.unchanged) == (1, 1, 1)
    assert count(store, NoticeRow) == 3
    # ACME, BETA, the buyer, and the full notice's Gämma (KvK keyed): no organisation twice
    assert count(store, Organisation) == 4
    with store.session() as session:
        winners = session.execute(
            select(NoticeRow.notice_id, AwardRow.seq, AwardRow.value, Organisation.name)
            .join(AwardRow, AwardRow.notice_pk == NoticeRow.id).join(AwardWinner, AwardWinner.award_id == AwardRow.id)
            .join(Organisation, Organisation.id == AwardWinner.organisation_id).order_by(NoticeRow.notice_id, AwardRow.seq)
        ).all()
        kvk_keyed = session.scalar(select(Organisation.org_key).where(Organisation.name.like("Gä%")))
    assert [(n, s, v, name) for n, s, v, name in winners if n == "2-2024"] == [
        ("2-2024", 0, Decimal("5.00"), BETA.name), ("2-2024", 1, Decimal("250.50"), BETA.name)]
    assert kvk_keyed == "NL:id:11112222"
    assert count(store, BidTenderer) == 3 and count(store, ModificationContractor) == 1
    with store.session() as session:
        buyers = set(session.scalars(select(Organisation.name).join(NoticeRow, NoticeRow.buyer_id == Organisation.id)))
    assert buyers == {BUYER.name}


def test_copies_in_one_batch_link_transitively_to_the_ted_notice(store: Store) -> None:
    ted = ted_notice("100-2024", uuid="u")
    tenderned = replace(ted, source="tenderned", format="tenderned", notice_id="77", same_as=("ted:100-2024",))
    ocds = replace(ted, source="ocds", format="ocds", notice_id="ocds-1", same_as=("tenderned:77",))
    with store.session() as session, session.begin():
        save_notices(session, [ocds, tenderned, ted])
    with store.session() as session:
        rows = dict(session.execute(select(NoticeRow.source, NoticeRow.duplicate_of_id)).all())
        ted_pk = session.scalar(select(NoticeRow.id).where(NoticeRow.source == "ted"))
    assert rows == {"ted": None, "tenderned": ted_pk, "ocds": ted_pk}
    assert count(store, NoticeIdentifier) == 2 + 2 + 2
