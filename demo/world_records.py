"""The demo world's records and fixed facts: buyers, suppliers, notices with their lots, the calendar's key days.

Plain frozen dataclasses, so that the world built from them (``demo.world``) is a value: the same seed gives
an equal world, and every renderer reads the same records.
"""

from __future__ import annotations

from collections import namedtuple
from dataclasses import MISSING, dataclass, field, fields
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any, Literal

DEFAULT_SEED = 20261101
FIRST_DAY = date(2019, 1, 2)
LAST_DAY = date(2026, 10, 30)
#: TED switched from the legacy R2.0.9 schema to eForms on this day.
EFORMS_FROM = date(2023, 11, 1)
#: European notices also announced on TenderNed (the de-duplication case) are taken from here on.
TENDERNED_EUROPEAN_FROM = date(2023, 6, 1)

TED_AWARD_NOTICES = 1250
NATIONAL_AWARD_NOTICES = 300
TENDERNED_EUROPEAN_NOTICES = 100
CONTRACT_NOTICE_SHARE = 0.2  # contract notices, relative to all award notices

Nature = Literal["services", "supplies", "works"]
Channel = Literal["ted", "national"]
NoticeKind = Literal["can", "cn"]

#: ISO 3166-1 alpha-2 to alpha-3, for the countries the world uses (eForms wants alpha-3).
ALPHA3 = {
    "NL": "NLD", "DE": "DEU", "BE": "BEL", "FR": "FRA", "IE": "IRL", "DK": "DNK",
    "US": "USA", "GB": "GBR", "CN": "CHN", "CH": "CHE", "NO": "NOR",
}
#: EU thresholds (rounded) below which an award is national only, in EUR.
EU_THRESHOLD = {"services": 215_000, "supplies": 215_000, "works": 5_380_000}


# --------------------------------------------------------------------------------------------
# Records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Buyer:
    id: str  # 8-digit KvK-like number
    name: str
    kind: str  # municipality, water-board, province, agency, hospital, university
    town: str
    postcode: str
    region: str
    nuts: str
    country: str = "NL"


@dataclass(frozen=True, slots=True)
class Supplier:
    id: str  # KvK number for Dutch companies, a VAT-like number elsewhere
    name: str
    legal_form: str
    country: str  # ISO alpha-2 ("GB", not "UK")
    town: str
    postcode: str
    founded: int
    size: str  # "large" or "sme"
    region: str | None  # Dutch region, for regional players
    nuts: str | None
    categories: tuple[str, ...]
    active_from: date
    active_until: date | None = None  # the last day it can win: an exit
    #: False: notices name it without any identifier (a sole trader whose KvK number the buyer left out). Only
    #: the long tail of a scaled world has such suppliers; left out of ``plain_record`` while True.
    identified: bool = field(default=True, metadata={"plain": "omit default"})


@dataclass(frozen=True, slots=True)
class Lot:
    number: int  # 1-based; a notice without lots has one lot, number 1
    title: str
    cpv: tuple[str, ...]
    winners: tuple[str, ...] = ()  # supplier ids; joint winners share one tender
    value: Decimal | None = None  # EUR; None when not published
    tenders_received: int | None = None
    framework: bool = False
    #: supplier ids of the tenders that lost, one tender each (ranked after the winning one); only eForms can say
    #: so, and only the long tail of a scaled world lists them (``demo.world_tail``)
    losers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Publication:
    """One notice: a contract award notice (``can``) or a contract notice (``cn``)."""

    key: str
    kind: NoticeKind
    channel: Channel  # "ted": European, published in the OJ S; "national": TenderNed only
    published: date  # on TED for European notices, on TenderNed for national ones
    dispatched: date
    buyer_id: str
    category: str
    cpv: tuple[str, ...]  # main first, no duplicates
    title: str
    description: str
    procedure: str  # eForms procurement-procedure-type code
    lots: tuple[Lot, ...]
    notice_uuid: str
    folder_uuid: str
    ted_number: str | None = None  # "123456-2024"
    tenderned_id: str | None = None  # 7 digits
    tenderned_date: date | None = None
    kenmerk: int | None = None

    @property
    def cpv_main(self) -> str:
        return self.cpv[0]

    @property
    def format(self) -> Literal["eforms", "ted-r209"]:
        """The format TED serves: legacy R2.0.9 before the eForms switch, national notices are eForms."""
        if self.channel == "ted" and self.published < EFORMS_FROM:
            return "ted-r209"
        return "eforms"

    @property
    def lotted(self) -> bool:
        return len(self.lots) > 1


#: A notice as the market makes it (``world_market``): a :class:`Publication`'s fields, in its order, but the four
#: identities ``world_calendar`` assigns afterwards (its last fields). A plain tuple, so that each notice becomes a
#: frozen record once, with its identities: a frozen dataclass sets each of its 18 fields by ``object.__setattr__``.
Draft = namedtuple("Draft", [f.name for f in fields(Publication)[:-4]])  # type: ignore[misc]
assert [f.name for f in fields(Publication)[-4:]] == ["ted_number", "tenderned_id", "tenderned_date", "kenmerk"]


def plain_record(record: Any) -> dict[str, Any]:
    """A record as JSON values: dates as ISO text, tuples as lists; a field marked "omit default" only when it
    is not its default (so a field added later leaves the records that do not use it as they were)."""
    plain: dict[str, Any] = {}
    for name, omit_default, default in _plain_fields(type(record)):
        value = getattr(record, name)
        if not omit_default or value != default:
            plain[name] = value.isoformat() if isinstance(value, date) else list(value) if isinstance(value, tuple) else value
    return plain


@cache
def _plain_fields(kind: type) -> tuple[tuple[str, bool, Any], ...]:
    """Per field of a record type: its name, whether it is left out at its default, the default. Worked out once
    per type, not per record (a scale-54 world has ~63,000 buyers and suppliers)."""
    return tuple((f.name, f.metadata.get("plain") == "omit default" and f.default is not MISSING, f.default)
                 for f in fields(kind))
