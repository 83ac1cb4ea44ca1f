"""The relational schema of supplyradar's own store (SQLAlchemy 2, typed), one module per area.

``base`` holds the declarative base, ``shared`` the tables every area reads (notices, awards,
organisations, events, spend, contracts, scores, bookkeeping), and each area module its own
tables. Importing the package imports them all, so ``Base.metadata`` (Alembic, tests) always
sees every table; the modules import ``base`` only, never this package, so there is no circle.
Changing a table means a new Alembic revision in ``store/migrations``.
"""

from __future__ import annotations

from store.schema import alerts, bids, companies, markets, news, own_data, risk, web
from store.schema.base import NAMING_CONVENTION, Base
from store.schema.shared import (
    Award,
    AwardWinner,
    CollectionRun,
    Contract,
    CountryTone,
    CpvLabel,
    Lot,
    Notice,
    NoticeCpv,
    NoticeIdentifier,
    Organisation,
    OrganisationIdentifier,
    QuarantinedRecord,
    RiskScore,
    ScoreDocument,
    ScoringRun,
    SpendLine,
    StoreMeta,
    SupplierEvent,
    Watermark,
)

__all__ = [
    "NAMING_CONVENTION", "Award", "AwardWinner", "Base", "CollectionRun", "Contract", "CountryTone", "CpvLabel", "Lot",
    "Notice", "NoticeCpv", "NoticeIdentifier", "Organisation", "OrganisationIdentifier", "QuarantinedRecord",
    "RiskScore", "ScoreDocument", "ScoringRun", "SpendLine", "StoreMeta", "SupplierEvent", "Watermark", "alerts", "bids",
    "companies", "markets", "news", "own_data", "risk", "web",
]
