"""Bids and contract modifications of a notice, written beside its awards by ``store.notices``.

Kept apart from ``store.notices`` because they are rows of their own tables
(``store.schema.bids``) that only need the notice's primary key: they are added after the notice
row is flushed, and deleted with it when a changed notice is replaced, so re-saving a notice is
idempotent.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import delete
from sqlalchemy.orm import Session

from connectors.records import Notice, Party
from store.identity import org_key
from store.schema.bids import (
    Bid,
    BidTenderer,
    ContractModification,
    ModificationContractor,
)


def result_parties(notice: Notice) -> Iterator[Party]:
    """Every organisation the notice's bids and modifications name (for ``upsert_organisations``)."""
    for bid in notice.bids:
        yield from bid.tenderers
    for change in notice.modifications:
        yield from change.contractors


def delete_results(session: Session, notice_pk: int) -> None:
    """Remove a notice's bids and modifications (their tenderers and contractors go by cascade)."""
    for table in (Bid, ContractModification):
        session.execute(delete(table).where(table.notice_pk == notice_pk))


def add_results(session: Session, written: Sequence[tuple[int, Notice]], org_ids: dict[str, int]) -> None:
    """Add the bids and modifications of each freshly written notice (``(notice_pk, notice)``)."""
    for notice_pk, notice in written:
        for seq, bid in enumerate(notice.bids):
            tenderer_ids = list(dict.fromkeys(org_ids[org_key(party)] for party in bid.tenderers))
            session.add(
                Bid(
                    notice_pk=notice_pk,
                    seq=seq,
                    lot_id=bid.lot[:100],
                    won=bid.won,
                    rank=bid.rank,
                    value=bid.value,
                    currency=_currency(bid.currency),
                    tender_id=bid.tender_id,
                    tenderers=[BidTenderer(organisation_id=oid, position=i) for i, oid in enumerate(tenderer_ids)],
                )
            )
        for seq, change in enumerate(notice.modifications):
            contractor_ids = list(dict.fromkeys(org_ids[org_key(party)] for party in change.contractors))
            original = change.original_award
            session.add(
                ContractModification(
                    notice_pk=notice_pk,
                    seq=seq,
                    lot_id=change.lot,
                    original_notice=change.original_notice,
                    contract_id=change.contract_id,
                    value_before=change.value_before,
                    value_after=change.value_after,
                    currency=_currency(change.currency),
                    original_value=None if original is None else original.value,
                    original_currency=None if original is None else _currency(original.currency),
                    reason=change.reason,
                    description=change.description,
                    contractors=[
                        ModificationContractor(organisation_id=oid, position=i) for i, oid in enumerate(contractor_ids)
                    ],
                )
            )


def _currency(code: str | None) -> str | None:
    """The column holds ISO 4217's three letters; a longer code (kept with a parser warning) is cut."""
    return None if code is None else code[:3]
