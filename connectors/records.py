"""Typed records that connectors hand to the store.

Every source (TED eForms, TED XML R2.0.9, TenderNed) is reduced to these small frozen
dataclasses, so that the store and the models never see a source's own format. Values
are kept as the source states them, normalised only where comparison needs it:
countries to ISO 3166-1 alpha-2, CPV codes to their 8 digits, amounts to ``Decimal``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

NoticeFormat = Literal["eforms", "ted-r209", "tenderned"]

#: A notice's place in the procurement cycle, comparable across formats.
NoticeKind = Literal["planning", "competition", "award", "modification", "other"]


@dataclass(frozen=True, slots=True)
class Party:
    """A buyer or a winner as the notice names it (identity resolution comes later)."""

    name: str
    country: str | None = None  # ISO 3166-1 alpha-2, "GB" not "UK"
    company_id: str | None = None  # free text in eForms (KvK, VAT, ...), kept as published
    town: str | None = None
    postcode: str | None = None


@dataclass(frozen=True, slots=True)
class Lot:
    lot_id: str  # "LOT-0001" in eForms, the lot number ("1") or "1" for an unlotted legacy notice
    title: str | None = None
    cpv: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Award:
    """One contract awarded for a lot: who won, for how much, against how many tenders.

    One award per concluded contract (an eForms settled contract, a legacy AWARD_CONTRACT, an OCDS award);
    a framework agreement with several winners is one award with several winners. Amounts are never
    added across currencies.
    """

    lot: str
    winners: tuple[Party, ...] = ()
    value: Decimal | None = None
    currency: str | None = None  # ISO 4217
    tenders_received: int | None = None
    #: The contract's own id where the source gives one (eForms CON-xxxx, legacy contract number, OCDS award id).
    contract_id: str | None = None


@dataclass(frozen=True, slots=True)
class Bid:
    """One tender received for a lot, won or lost: who bids and loses is market knowledge too.

    ``won`` is None where the source does not say; a consortium is one bid by several tenderers.
    """

    lot: str
    tenderers: tuple[Party, ...]
    won: bool | None = None
    rank: int | None = None
    value: Decimal | None = None
    currency: str | None = None
    tender_id: str | None = None  # eForms TEN-xxxx, OCDS bid id


@dataclass(frozen=True, slots=True)
class Modification:
    """A change to an existing contract during its term (TED F20, eForms subtypes 38-40, OCDS amendment).

    Never a new award: market statistics leave modifications out; a scan may show them on their own line.
    """

    lot: str | None
    contractors: tuple[Party, ...] = ()
    #: The original award's publication number or OCID, where the notice refers to it (an eForms notice may
    #: name it by its notice UUID instead, kept without the version suffix).
    original_notice: str | None = None
    contract_id: str | None = None
    value_before: Decimal | None = None
    value_after: Decimal | None = None
    #: The award as the modification notice restates it (F20 Section V: contractors and value at conclusion),
    #: which also finds the original award when the notice does not give its publication number.
    original_award: Award | None = None
    currency: str | None = None
    reason: str | None = None
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Notice:
    notice_id: str  # OJ S publication number as TED shows it ("353237-2021"); TenderNed: its publicatieId
    format: NoticeFormat
    notice_type: str  # eForms notice type code ("can-standard"), legacy TD_DOCUMENT_TYPE text, TenderNed type code
    subtype: str | None  # eForms subtype ("29"), legacy form ("F03"), None for TenderNed
    kind: NoticeKind
    published: date
    buyer: Party
    cpv_main: str | None  # 8 digits
    cpv: tuple[str, ...] = ()  # main first, then additional ones, no duplicates
    title: str | None = None
    procedure_type: str | None = None
    lots: tuple[Lot, ...] = ()
    awards: tuple[Award, ...] = ()
    source: str = "ted"  # "ted" or "tenderned"
    source_url: str | None = None
    #: Identifiers of the same notice elsewhere: the eForms notice UUID ("eforms:<uuid>"),
    #: the TED publication number ("ted:353237-2021"), the TenderNed id ("tenderned:123").
    #: Used to avoid counting one award twice when it reaches us from two sources.
    same_as: tuple[str, ...] = ()
    #: Every tender received where the source lists them (winners and losers), per lot.
    bids: tuple[Bid, ...] = ()
    #: Changes to existing contracts this notice announces (kind "modification").
    modifications: tuple[Modification, ...] = ()
    #: The classification scheme of ``cpv_main``/``cpv``: "CPV" (8 digits), or another hierarchical scheme's
    #: name as an OCDS file gives it (codes then kept exactly as published).
    category_scheme: str = "CPV"

    def to_json(self) -> dict[str, Any]:
        """The JSON shape of ``supplyradar notices parse``: plain types, ISO dates, numbers."""
        data = asdict(self)
        data["published"] = self.published.isoformat()
        for award in data["awards"]:
            award["value"] = _json_number(award["value"])
        for bid in data["bids"]:
            bid["value"] = _json_number(bid["value"])
        for change in data["modifications"]:
            change["value_before"] = _json_number(change["value_before"])
            change["value_after"] = _json_number(change["value_after"])
            if change["original_award"] is not None:
                change["original_award"]["value"] = _json_number(change["original_award"]["value"])
        return data


def _json_number(value: Decimal | None) -> int | float | None:
    """A Decimal as the plainest JSON number (an int where it is whole)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One row of a source's search result: enough to decide whether to fetch the full notice."""

    notice_id: str
    published: date | None
    xml_url: str | None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
