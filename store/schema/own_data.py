"""Tables of the own data area: imports and their row issues, spend line details, supplier matching.

Revision ``0004_own_data``. The spend lines and contracts themselves live in the shared tables
(``spend_lines``, ``contracts`` in ``store/schema/shared.py``); these tables hold what only this area
needs: which files were imported and what was wrong with their rows (the data-quality report),
the invoice numbers (for duplicate detection), the match candidates a person reviews, the human
decisions that must outlive every re-run, and the merges of one organisation into another.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from store.schema.base import Base


class OwnDataImport(Base):
    """One imported file, recognised by its content (kind and SHA-256), not its name: how it was read and
    what it brought. ERP exports carry the same name every month; each is its own import."""

    __tablename__ = "own_data_imports"
    __table_args__ = (UniqueConstraint("kind", "file_sha256"), Index("ix_own_data_imports_name", "kind", "file_name"))

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "spend" or "contracts"
    kind: Mapped[str] = mapped_column(String(20))
    file_name: Mapped[str] = mapped_column(String(500))
    file_sha256: Mapped[str] = mapped_column(String(64))
    encoding: Mapped[str] = mapped_column(String(30))
    delimiter: Mapped[str | None] = mapped_column(String(5))
    rows_read: Mapped[int] = mapped_column(Integer, default=0)
    rows_added: Mapped[int] = mapped_column(Integer, default=0)
    rows_updated: Mapped[int] = mapped_column(Integer, default=0)
    rows_unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rows_removed: Mapped[int] = mapped_column(Integer, default=0)
    rows_skipped: Mapped[int] = mapped_column(Integer, default=0)
    imported_at: Mapped[datetime]


class OwnDataIssue(Base):
    """A problem with one row of an imported file that did not refuse the file (see ``pipelines.import_own_data``)."""

    __tablename__ = "own_data_issues"
    __table_args__ = (Index("ix_own_data_issues_kind_code", "kind", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("own_data_imports.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    source_file: Mapped[str] = mapped_column(String(500))
    row_number: Mapped[int] = mapped_column(Integer)
    column: Mapped[str | None] = mapped_column(String(200))
    #: "amount_unparsed", "date_unparsed", "kvk_invalid", "no_supplier", "no_reference", ...
    code: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    raw_value: Mapped[str | None] = mapped_column(String(500))


class SpendLineDetail(Base):
    """What a spend line says beyond the shared columns: invoice number, ERP supplier number, contract."""

    __tablename__ = "spend_line_details"

    spend_line_id: Mapped[int] = mapped_column(ForeignKey("spend_lines.id", ondelete="CASCADE"), primary_key=True)
    invoice_number: Mapped[str | None] = mapped_column(String(100))
    supplier_ref: Mapped[str | None] = mapped_column(String(100))
    contract_ref: Mapped[str | None] = mapped_column(String(100))


class MatchCandidate(Base):
    """A name that may be an organisation: awaiting review, or how an automatic match was made.

    ``name_key`` is the normalised name (``models.matching.normalise``): every spelling that
    normalises alike shares one candidate and one decision.
    """

    __tablename__ = "match_candidates"
    __table_args__ = (UniqueConstraint("name_key", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name_key: Mapped[str] = mapped_column(String(500))
    #: One spelling as a source wrote it, for people.
    source_name: Mapped[str] = mapped_column(String(500))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    score: Mapped[float]
    #: "review" (a person decides), "auto" (taken by the matcher), "accepted", "rejected"
    status: Mapped[str] = mapped_column(String(20), index=True)
    #: Where the name was seen: "spend", "contracts", "notices".
    sources: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: The score components, the blocking key and the normalised names (``models.matching.Match.as_json``).
    explanation: Mapped[dict[str, Any]]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class MatchDecision(Base):
    """A person's decision that a name is (accept) or is not (reject) an organisation: never overwritten by a run."""

    __tablename__ = "match_decisions"
    __table_args__ = (UniqueConstraint("name_key", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name_key: Mapped[str] = mapped_column(String(500))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    #: "accept" or "reject"
    decision: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime]


class OrganisationMerge(Base):
    """``organisation_id`` is the same company as ``canonical_id`` (e.g. a name-only notice winner and its KvK row).

    The merged row stays (notices keep pointing at it); readers map ids through
    ``store.matching.canonical_organisation_id``. Canonical ids are never merged themselves.
    """

    __tablename__ = "organisation_merges"

    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True)
    canonical_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    #: "auto" (matcher), "accepted" (a person)
    method: Mapped[str] = mapped_column(String(20))
    score: Mapped[float | None]
    merged_at: Mapped[datetime]
