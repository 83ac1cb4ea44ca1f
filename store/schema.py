"""The relational schema of supplyradar's own store (SQLAlchemy 2, typed).

Notices own their lots, CPV codes, identifiers and awards: a changed notice is replaced as a
whole, so the children never drift from the published document. Organisations (buyers and
winners) are shared and keyed by ``org_key``, the best identifier the sources give (see
``store.identity``). Changing this file means a new Alembic revision in ``store/migrations``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True), dict[str, Any]: JSON}


class Organisation(Base):
    """A buyer or supplier as the sources name it; ``org_key`` is its identity key."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_key: Mapped[str] = mapped_column(String(300), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    country: Mapped[str | None] = mapped_column(String(2))
    company_id: Mapped[str | None] = mapped_column(String(100))
    town: Mapped[str | None] = mapped_column(String(200))
    postcode: Mapped[str | None] = mapped_column(String(20))
    first_seen: Mapped[datetime]
    updated_at: Mapped[datetime]


class Notice(Base):
    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("source", "notice_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(30))
    notice_id: Mapped[str] = mapped_column(String(100))
    format: Mapped[str] = mapped_column(String(20))
    notice_type: Mapped[str] = mapped_column(String(200))
    subtype: Mapped[str | None] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    published: Mapped[date] = mapped_column(Date, index=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    cpv_main: Mapped[str | None] = mapped_column(String(8), index=True)
    title: Mapped[str | None] = mapped_column(Text)
    procedure_type: Mapped[str | None] = mapped_column(String(100))
    source_url: Mapped[str | None] = mapped_column(String(1000))
    #: Hash of the parsed notice: an unchanged notice collected again is not rewritten.
    content_hash: Mapped[str] = mapped_column(String(64))
    #: Set when the same notice reached us from another source first (TED wins over TenderNed).
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"), index=True)
    collected_at: Mapped[datetime]

    buyer: Mapped[Organisation] = relationship()
    lots: Mapped[list[Lot]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    cpv_codes: Mapped[list[NoticeCpv]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    identifiers: Mapped[list[NoticeIdentifier]] = relationship(cascade="all, delete-orphan", passive_deletes=True)
    awards: Mapped[list[Award]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class NoticeCpv(Base):
    __tablename__ = "notice_cpv"

    notice_pk: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), primary_key=True)
    code: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)
    is_main: Mapped[bool] = mapped_column(default=False)


class NoticeIdentifier(Base):
    """Other names of the same notice ("eforms:<uuid>", "ted:<pub no>", "tenderned:<id>")."""

    __tablename__ = "notice_identifiers"

    notice_pk: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), primary_key=True)
    identifier: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)


class Lot(Base):
    __tablename__ = "lots"

    notice_pk: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), primary_key=True)
    lot_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    title: Mapped[str | None] = mapped_column(Text)
    cpv: Mapped[list[str]] = mapped_column(JSON, default=list)


class Award(Base):
    """One winning tender (or legacy contract) of a lot: a framework lot has one per winner."""

    __tablename__ = "awards"
    __table_args__ = (UniqueConstraint("notice_pk", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_pk: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"), index=True)
    #: Position of the award in its notice: lots can carry several awards.
    seq: Mapped[int] = mapped_column(Integer)
    lot_id: Mapped[str] = mapped_column(String(100))
    value: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    tenders_received: Mapped[int | None] = mapped_column(Integer)

    winners: Mapped[list[AwardWinner]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class AwardWinner(Base):
    __tablename__ = "award_winners"

    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"), primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), primary_key=True, index=True)
    position: Mapped[int] = mapped_column(default=0)

    organisation: Mapped[Organisation] = relationship()


class CpvLabel(Base):
    """CPV 2008 labels, loaded from the shipped reference file so SQL reports can join on them."""

    __tablename__ = "cpv_codes"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    label_en: Mapped[str] = mapped_column(Text)
    label_nl: Mapped[str] = mapped_column(Text)


class Watermark(Base):
    """How far a source has been collected, per scope (a query or feed): collections resume here."""

    __tablename__ = "watermarks"

    source: Mapped[str] = mapped_column(String(30), primary_key=True)
    scope: Mapped[str] = mapped_column(String(300), primary_key=True)
    value: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime]


class QuarantinedRecord(Base):
    """A record that could not be taken in, with the reason; kept until a later run takes it."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("source", "record_key"), Index("ix_quarantine_open", "source", "resolved_at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(30))
    #: The record's id when known, else where it came from (file or URL).
    record_key: Mapped[str] = mapped_column(String(500))
    location: Mapped[str] = mapped_column(String(1000))
    field: Mapped[str | None] = mapped_column(String(300))
    reason: Mapped[str] = mapped_column(Text)
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    attempts: Mapped[int] = mapped_column(default=1)
    first_seen: Mapped[datetime]
    last_seen: Mapped[datetime]
    resolved_at: Mapped[datetime | None]


class CollectionRun(Base):
    """One run of one source's collection: what came in, what was set aside, how it ended."""

    __tablename__ = "collection_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(30), index=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")  # running, ok, failed
    fetched: Mapped[int] = mapped_column(default=0)
    added: Mapped[int] = mapped_column(default=0)
    updated: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    quarantined: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class StoreMeta(Base):
    """Facts about the store itself, e.g. that it holds the synthetic demo data set."""

    __tablename__ = "store_meta"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]
