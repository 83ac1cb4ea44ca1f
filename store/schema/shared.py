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
    BigInteger,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.engine import Result
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, object_session, relationship

from store.schema.base import Base


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
    #: indexed: the newest change is part of the stamp prepared alert facts are checked against
    updated_at: Mapped[datetime] = mapped_column(index=True)


class Notice(Base):
    __tablename__ = "notices"
    __table_args__ = (
        UniqueConstraint("source", "notice_id"),
        #: The newest notice per source (the source status page) without reading every notice.
        Index("ix_notices_source_published", "source", "published"),
    )

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
    #: "CPV", or the name of the scheme an OCDS file classifies with (UNSPSC, ...). A non-CPV notice keeps
    #: ``cpv_main`` and ``notice_cpv`` empty, so no CPV query ever matches its codes; they are in ``category_codes``.
    category_scheme: Mapped[str] = mapped_column(String(40), default="CPV", server_default="CPV")
    category_codes: Mapped[list[str] | None] = mapped_column(JSON)
    title: Mapped[str | None] = mapped_column(Text)
    procedure_type: Mapped[str | None] = mapped_column(String(100))
    source_url: Mapped[str | None] = mapped_column(String(1000))
    #: Hash of the parsed notice: an unchanged notice collected again is not rewritten.
    content_hash: Mapped[str] = mapped_column(String(64))
    #: Set when the same notice reached us from another source first (TED wins over TenderNed).
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"), index=True)
    #: indexed: the newest change is part of the stamp prepared alert facts are checked against
    collected_at: Mapped[datetime] = mapped_column(index=True)

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
    """One contract awarded for a lot (a framework with several winners is one award with several winners)."""

    __tablename__ = "awards"
    __table_args__ = (UniqueConstraint("notice_pk", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: (no index of its own: the unique constraint's index begins with it)
    notice_pk: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"))
    #: Position of the award in its notice: lots can carry several awards.
    seq: Mapped[int] = mapped_column(Integer)
    lot_id: Mapped[str] = mapped_column(String(100))
    value: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    tenders_received: Mapped[int | None] = mapped_column(Integer)
    #: The contract's id in its notice (eForms CON-xxxx, legacy CONTRACT_NO): one contract over several
    #: lots is several award rows with one contract id, counted once (``store.queries.award_facts``).
    contract_id: Mapped[str | None] = mapped_column(String(200))

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
    #: "pending": the answer said nothing about the record (cut, 404 right after listing, 5xx): the
    #: next run fetches it again; "refused": a well-formed answer that is not a valid record.
    kind: Mapped[str] = mapped_column(String(20), default="refused", server_default="refused")


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


# --------------------------------------------------------------------------------------------
# Shared by the supplier watch, the risk models and the alerts (revision 0002). Area-specific
# tables live in ``store/schema_<area>.py`` modules, imported at the end of this file so that
# ``Base.metadata`` always holds every table.
# --------------------------------------------------------------------------------------------


class OrganisationIdentifier(Base):
    """Every identifier a source gives an organisation: KvK number, VAT, national id, internal id.

    ``(scheme, value)`` is unique: one KvK number belongs to one organisation row.
    """

    __tablename__ = "organisation_identifiers"
    __table_args__ = (UniqueConstraint("scheme", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    #: "kvk", "vestiging", "rsin", "vat", "national", "internal"
    scheme: Mapped[str] = mapped_column(String(20))
    value: Mapped[str] = mapped_column(String(100))
    #: Which source said so ("kvk", "spend", "contracts", "ted", ...).
    source: Mapped[str] = mapped_column(String(30))
    first_seen: Mapped[datetime]


class SupplierEvent(Base):
    """Something that happened to an organisation, as one source reported it, with its date.

    One table for every kind of signal (company-register changes, insolvency publications,
    classified news, sanctions hits) so that scoring and alerting read one place. ``kind`` is
    dotted: ``kvk.dissolved``, ``kvk.legal_form_changed``, ``kvk.address_moved``,
    ``kvk.name_changed``, ``kvk.sbi_changed``, ``kvk.employees_changed``, ``kvk.not_found``,
    ``insolvency.bankruptcy_declared``, ``insolvency.suspension_provisional``,
    ``insolvency.suspension_final``, ``insolvency.ended``, ``news.<event class>``,
    ``sanctions.possible_match``. Re-detecting the same event is a no-op (unique key).
    """

    __tablename__ = "supplier_events"
    __table_args__ = (
        UniqueConstraint("organisation_id", "source", "kind", "source_ref"),
        Index("ix_supplier_events_org_day", "organisation_id", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60), index=True)
    #: When it happened (or was published), as the source dates it.
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    #: "kvk", "cir", "rss", "gdelt", "sanctions-eu", ...
    source: Mapped[str] = mapped_column(String(30))
    #: The source's own reference: insolvency number + publication, snapshot pair, article URL hash...
    source_ref: Mapped[str] = mapped_column(String(300))
    source_url: Mapped[str | None] = mapped_column(String(1000))
    #: One line a person can read ("Faillissement uitgesproken, F.13/26/123, rechtbank Midden-Nederland").
    title: Mapped[str] = mapped_column(Text)
    #: Kind-specific facts: old and new values, case number, court, article class probabilities...
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: How sure the link to this organisation and the classification are, 0..1 (1: by KvK number).
    confidence: Mapped[float] = mapped_column(default=1.0)
    detected_at: Mapped[datetime]

    organisation: Mapped[Organisation] = relationship()


class SpendLine(Base):
    """One line of the organisation's own spend (an invoice or a payment), as imported.

    ``row_key`` (a hash of the normalised row) makes re-importing the same file a no-op.
    ``organisation_id`` is empty until identity matching resolves the supplier.
    """

    __tablename__ = "spend_lines"
    # what we buy from whom (alert runs, market pages) and whom we bought from lately (an alert run's current
    # suppliers): read off the indexes alone, not the lines; each also serves its first column alone
    __table_args__ = (Index("ix_spend_lines_org_cpv", "organisation_id", "cpv"),
                      Index("ix_spend_lines_booked_on_org", "booked_on", "organisation_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    row_key: Mapped[str] = mapped_column(String(64), unique=True)
    source_file: Mapped[str] = mapped_column(String(500))
    row_number: Mapped[int] = mapped_column(Integer)
    supplier_name: Mapped[str | None] = mapped_column(String(500))
    supplier_kvk: Mapped[str | None] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    #: 8-digit CPV code when the row has one (or one derived from its category).
    cpv: Mapped[str | None] = mapped_column(String(8), index=True)
    category: Mapped[str | None] = mapped_column(String(200))
    amount: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    booked_on: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)
    imported_at: Mapped[datetime]


class Contract(Base):
    """One contract of the organisation's contract register; ``contract_ref`` is its own number."""

    __tablename__ = "contracts"

    id: Mapped[int] = mapped_column(primary_key=True)
    contract_ref: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str | None] = mapped_column(Text)
    source_file: Mapped[str] = mapped_column(String(500))
    row_number: Mapped[int] = mapped_column(Integer)
    supplier_name: Mapped[str | None] = mapped_column(String(500))
    supplier_kvk: Mapped[str | None] = mapped_column(String(20))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"), index=True)
    cpv: Mapped[str | None] = mapped_column(String(8), index=True)
    category: Mapped[str | None] = mapped_column(String(200))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date, index=True)
    #: The latest end date if every option to extend is used.
    extension_until: Mapped[date | None] = mapped_column(Date)
    value: Mapped[Decimal | None] = mapped_column(Numeric(20, 2))
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    #: Who manages it (a category manager's name or e-mail), as the register says.
    owner: Mapped[str | None] = mapped_column(String(200))
    #: True when the contract was awarded without competition or to the only bidder.
    single_sourced: Mapped[bool | None]
    content_hash: Mapped[str] = mapped_column(String(64))
    imported_at: Mapped[datetime]


class ScoringRun(Base):
    """One run of the scorers: which model, when, on data as of which day."""

    __tablename__ = "scoring_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    as_of: Mapped[date] = mapped_column(Date)
    #: e.g. "failure-logit-2026-11-01+sklearn-1.9.1" or "failure-baseline-v1"
    model_version: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="running")
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class RiskScore(Base):
    """One score of one organisation (and category, for per-category scores) in one scoring run.

    Never a verdict: ``reasons`` (ranked contributions with a readable line each), ``inputs``
    (sources and their dates), ``coverage`` (share of the inputs present) and ``confidence``
    travel with the value, so any past score can be explained again.
    """

    __tablename__ = "risk_scores"
    __table_args__ = (
        UniqueConstraint("run_id", "organisation_id", "category", "kind"),
        Index("ix_risk_scores_org_kind", "organisation_id", "kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: (no index of its own: the unique constraint's index begins with it)
    run_id: Mapped[int] = mapped_column(ForeignKey("scoring_runs.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    #: CPV prefix for per-category scores ("72", "90910000"); "" for supplier-level scores.
    category: Mapped[str] = mapped_column(String(8), default="")
    #: "dependency", "failure", "geopolitical", "combined"
    kind: Mapped[str] = mapped_column(String(20))
    value: Mapped[float]
    #: "low", "medium", "high" (thresholds in config)
    band: Mapped[str] = mapped_column(String(10))
    confidence: Mapped[float]
    coverage: Mapped[float]
    #: Keys into ``score_documents`` of the reasons, in order: ``reasons`` gives the items back.
    reason_refs: Mapped[list[int]] = mapped_column(JSON, default=list)
    #: Key into ``score_documents`` of the inputs list: ``inputs`` gives it back.
    inputs_ref: Mapped[int | None] = mapped_column(BigInteger)
    #: The feature values the score was computed from.
    features: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    scored_at: Mapped[datetime]

    @property
    def reasons(self) -> list[dict[str, Any]]:
        """[{"feature": ..., "value": ..., "contribution": ..., "text": ...}], largest first."""
        return self._documents()[0]

    @reasons.setter
    def reasons(self, value: list[dict[str, Any]]) -> None:
        self.set_documents(list(value or []), self._documents()[1] if self._loaded_or_pending() else [])
        self.__dict__["_score_pending"] = True

    @property
    def inputs(self) -> list[dict[str, Any]]:
        """[{"source": "kvk", "as_of": "2026-10-01", "ref": ...}]"""
        return self._documents()[1]

    @inputs.setter
    def inputs(self, value: list[dict[str, Any]]) -> None:
        self.set_documents(self._documents()[0] if self._loaded_or_pending() else [], list(value or []))
        self.__dict__["_score_pending"] = True

    def set_documents(self, reasons: list[dict[str, Any]], inputs: list[dict[str, Any]]) -> None:
        """The reasons and inputs as read (``store.score_documents.attach``) or to be written."""
        self.__dict__["_score_documents"] = (reasons, inputs)

    def _loaded_or_pending(self) -> bool:
        return "_score_documents" in self.__dict__ or self.__dict__.get("reason_refs") is not None

    def _documents(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        if "_score_documents" not in self.__dict__:
            from store import score_documents  # imported here: it imports this module

            session = object_session(self)
            if session is None:
                if self.__dict__.get("reason_refs") is None and self.__dict__.get("inputs_ref") is None:
                    return [], []
                raise RuntimeError("a score's reasons are read in its session (store.score_documents.attach)")
            score_documents.attach(session, [self])
        return self.__dict__["_score_documents"]


@event.listens_for(RiskScore, "before_insert")
@event.listens_for(RiskScore, "before_update")
def _store_score_documents(_mapper: Any, connection: Any, target: RiskScore) -> None:
    """Scores added through the ORM (tests, hand fixes) store their reasons and inputs as documents."""
    if not target.__dict__.pop("_score_pending", False):
        return
    from store import score_documents  # imported here: it imports this module

    documents: dict[int, Any] = {}
    reasons, inputs = target.__dict__["_score_documents"]
    target.reason_refs, target.inputs_ref = score_documents.encode(reasons, inputs, documents)
    score_documents.put(connection, documents)


@event.listens_for(Session, "do_orm_execute")
def _attach_loaded_scores(state: ORMExecuteState) -> Result[Any] | None:
    """A query that loads ``RiskScore`` objects loads their reasons and inputs with them (one query per 900 keys).

    So a score read in a session keeps its reasons after the session closes, as when they were columns.
    """
    if not state.is_select or state.is_column_load or state.is_relationship_load:
        return None
    if not any(d.get("type") is RiskScore for d in state.statement.column_descriptions):
        return None
    from store import score_documents  # imported here: it imports this module

    frozen = state.invoke_statement().freeze()
    score_documents.attach(state.session, [obj for row in frozen().all() for obj in row if isinstance(obj, RiskScore)])
    return frozen()


class ScoreDocument(Base):
    """A score's reasons item or inputs list, stored once and keyed by a hash of its JSON text.

    ``risk_scores`` rows point here (``reason_refs``, ``inputs_ref``); see ``store.score_documents``.
    The key is the row id itself (SQLite's rowid), so the table needs no second index.
    """

    __tablename__ = "score_documents"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
                                    autoincrement=False)
    body: Mapped[Any] = mapped_column(JSON)


class CountryTone(Base):
    """The news tone about a country on a day (GDELT ``timelinetone``): an input of geopolitical exposure."""

    __tablename__ = "country_tone"

    country: Mapped[str] = mapped_column(String(2), primary_key=True)  # ISO alpha-2
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    source: Mapped[str] = mapped_column(String(30), primary_key=True)  # "gdelt"
    #: Average tone, GDELT's scale (about -10 very negative .. +10 very positive).
    tone: Mapped[float]
    articles: Mapped[int | None]
    collected_at: Mapped[datetime]
