"""Tables of the companies area: KvK snapshots and insolvency cases (revision 0003_companies).

A snapshot is one state of a company in the trade register; an unchanged refresh adds no row, it
only moves ``confirmed_on``. So the rows of one KvK number are its history: each row says from when
(``observed_on``) until when (``confirmed_on``) the register showed that state. Insolvency cases are
kept whole (with their publications) whether or not a watched supplier is concerned: a supplier
added to the watch list later is linked to its past cases by KvK number.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from store.schema.base import Base


class CompanySnapshot(Base):
    """One observed state of a company's KvK profile (``payload`` is ``CompanyProfile.to_json()``)."""

    __tablename__ = "company_snapshots"
    __table_args__ = (
        UniqueConstraint("kvk_number", "observed_on"),
        Index("ix_company_snapshots_org_day", "organisation_id", "observed_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    kvk_number: Mapped[str] = mapped_column(String(8))
    #: The first day this state was seen.
    observed_on: Mapped[date] = mapped_column(Date)
    #: The last day this state was seen again (an unchanged refresh moves it).
    confirmed_on: Mapped[date] = mapped_column(Date)
    #: "found" or "not_found" (a confirmed IPD5200/IPD0005, never an outage).
    status: Mapped[str] = mapped_column(String(12))
    payload: Mapped[dict[str, Any]]
    content_hash: Mapped[str] = mapped_column(String(64))
    source_url: Mapped[str | None] = mapped_column(String(1000))
    fetched_at: Mapped[datetime]


class InsolvencyCase(Base):
    """One case of the Centraal Insolventieregister, as ``getCase`` last gave it."""

    __tablename__ = "insolvency_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_number: Mapped[str] = mapped_column(String(40), unique=True)
    kvk_number: Mapped[str | None] = mapped_column(String(8), index=True)
    name: Mapped[str | None] = mapped_column(String(500))
    court: Mapped[str | None] = mapped_column(String(200))
    legal_person: Mapped[bool]
    payload: Mapped[dict[str, Any]]
    content_hash: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[datetime]
    #: Set when ``searchRemovedSince`` reports the case gone (e.g. its findability term ended).
    removed_on: Mapped[date | None] = mapped_column(Date)
    removed_reason: Mapped[str | None] = mapped_column(String(200))

    publications: Mapped[list[InsolvencyPublication]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class InsolvencyPublication(Base):
    __tablename__ = "insolvency_publications"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("insolvency_cases.id", ondelete="CASCADE"), index=True)
    kenmerk: Mapped[str] = mapped_column(String(60), unique=True)
    published_on: Mapped[date] = mapped_column(Date, index=True)
    code: Mapped[str] = mapped_column(String(4))
    description: Mapped[str] = mapped_column(Text)
    #: The supplier_events kind this publication means, if any (see connectors.insolvency.PUBLICATION_KINDS).
    event_kind: Mapped[str | None] = mapped_column(String(60))


class InsolvencyCheck(Base):
    """A watched KvK number was looked up in the insolvency register (``searchUndertaking``) once,
    when it joined the watch list: its older cases are found even if they predate the watermark."""

    __tablename__ = "insolvency_checks"

    kvk_number: Mapped[str] = mapped_column(String(8), primary_key=True)
    checked_on: Mapped[date] = mapped_column(Date)
    cases: Mapped[int] = mapped_column(default=0)
