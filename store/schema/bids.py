"""Tenders received (won or lost) and contract modifications, the children of a notice beside its awards.

Who bid and lost is market knowledge and the best list of alternatives, so every tender a notice
lists is kept as a ``bids`` row with its tenderers (a consortium is one bid by several). A
modification (TED F20, eForms can-modif) changes an existing contract: it is kept in
``contract_modifications``, never as an award, so market statistics cannot count it; it is linked to
the original award through ``original_notice`` (a publication number) and ``contract_id`` when read.

Like awards, these rows belong to their notice: a changed notice replaces them all (see
``store.notices``). The revision is ``store/migrations/versions/0009_issue14_bids.py``.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.schema.base import Base


class Bid(Base):
    """One tender received for a lot; ``won`` is None where the notice does not say."""

    __tablename__ = "bids"
    __table_args__ = (UniqueConstraint("notice_pk", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: (no index of its own: the unique constraint's index begins with it)
    notice_pk: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    lot_id: Mapped[str] = mapped_column(String(100))
    won: Mapped[bool | None]
    rank: Mapped[int | None] = mapped_column(Integer)
    value: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    tender_id: Mapped[str | None] = mapped_column(String(100))

    tenderers: Mapped[list[BidTenderer]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class BidTenderer(Base):
    __tablename__ = "bid_tenderers"

    bid_id: Mapped[int] = mapped_column(ForeignKey("bids.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)


class ContractModification(Base):
    """A change to an existing contract; ``original_notice`` is the award notice's publication number."""

    __tablename__ = "contract_modifications"
    __table_args__ = (UniqueConstraint("notice_pk", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: (no index of its own: the unique constraint's index begins with it)
    notice_pk: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    lot_id: Mapped[str | None] = mapped_column(String(100))
    original_notice: Mapped[str | None] = mapped_column(String(100), index=True)
    contract_id: Mapped[str | None] = mapped_column(String(200))
    value_before: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    value_after: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    #: The contract's value at conclusion as the modification restates it (F20 Section V).
    original_value: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    original_currency: Mapped[str | None] = mapped_column(String(3))
    reason: Mapped[str | None] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)

    contractors: Mapped[list[ModificationContractor]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class ModificationContractor(Base):
    __tablename__ = "modification_contractors"

    modification_id: Mapped[int] = mapped_column(
        ForeignKey("contract_modifications.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)
