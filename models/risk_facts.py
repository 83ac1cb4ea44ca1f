"""The facts one scoring run rests on, as plain types: what ``store.risk`` reads and ``models.risk_run`` scores.

Why a module of their own: the store fills them and the models read them, and the import rule lets the
store import types from the models, never the other way round. Keeping them here, apart from the
composition in :mod:`models.risk_run`, makes that one-way hand-over plain to see. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from models.dependency import ContractFact
from models.features import EventFact


@dataclass(frozen=True, slots=True)
class OrgFact:
    """One organisation as scoring needs it: its name, country and key (``org_key``) for the readers."""

    id: int
    name: str
    country: str | None
    org_key: str
    postcode: str | None = None


@dataclass(frozen=True, slots=True)
class WinFact:
    """One counted award win of one winner: the award market and the failure model's win history."""

    organisation_id: int
    published: date
    cpv: str | None
    value: float | None


#: The currency our spend sums in (``store.spend_period.SPEND_CURRENCY``).
EURO = "EUR"


@dataclass(frozen=True, slots=True)
class SpendFact:
    """One resolved spend line of ours; ``booked_on`` None when the export has no date. ``currency``: its ISO code;
    only a line in euros (``EURO``) has an amount that sums (none is converted), but every line says who we buy from."""

    organisation_id: int
    cpv: str | None
    amount: float
    booked_on: date | None
    currency: str = EURO

    @property
    def in_euros(self) -> bool:
        return self.currency == EURO


@dataclass
class ScoringInputs:
    """Everything one scoring run reads, loaded in a few bulk queries (never one per supplier)."""

    as_of: date
    organisations: dict[int, OrgFact]
    wins: list[WinFact]
    events: dict[int, list[EventFact]]
    spend: list[SpendFact]
    contracts: list[ContractFact]
    #: Whether a contract register was imported at all: without one, lock-in is unknown, not zero.
    contracts_known: bool
    profiles: dict[int, dict] = field(default_factory=dict)
    profiles_year_ago: dict[int, dict] = field(default_factory=dict)
    tone: dict[str, list[tuple[date, float]]] = field(default_factory=dict)
    sources: frozenset[str] = frozenset()
    #: Organisations with a KvK number (the Dutch registers cover them); None: judge by country alone.
    kvk_registered: frozenset[int] | None = None
