"""The parts of an eForms notice result (``efac:NoticeResult``), read in one pass over its children.

A notice result holds lot results, tenders, settled contracts and tendering parties side by side,
each a few children deep. Reading them with one XPath call per part cost about twenty calls per
notice, each about a microsecond of fixed cost (context, namespaces, result list), several times
what the small notices' parts are worth; a walk over the children reads each tag once (tens of
nanoseconds with the element alive) and dispatches on it. Each reader gives exactly what the
XPath it replaces gave (named beside it), first matches and document order included: the text
of a ``.../text()`` path is read with ``node_text`` / ``add_node_texts``, which see the same text
nodes XPath does.
"""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from typing import Any, Final

from connectors.notice_xml.builders import constructor
from connectors.notice_xml.namespaces import eforms_tag
from connectors.notice_xml.problems import currency
from connectors.notice_xml.values import amount, count
from connectors.notice_xml.xpath import add_node_texts, child_text, element_text, first_child, node_text

AMOUNT_FIELD: Final = "efac:NoticeResult/efac:LotTender/cac:LegalMonetaryTotal/cbc:PayableAmount/@currencyID"

ID: Final = eforms_tag("cbc:ID")
TOTAL_AMOUNT: Final = eforms_tag("cbc:TotalAmount")
LOT_RESULT: Final = eforms_tag("efac:LotResult")
LOT_TENDER: Final = eforms_tag("efac:LotTender")
SETTLED_CONTRACT: Final = eforms_tag("efac:SettledContract")
TENDERING_PARTY: Final = eforms_tag("efac:TenderingParty")
TENDERER: Final = eforms_tag("efac:Tenderer")
TENDER_LOT: Final = eforms_tag("efac:TenderLot")
RANK_CODE: Final = eforms_tag("cbc:RankCode")
MONETARY_TOTAL: Final = eforms_tag("cac:LegalMonetaryTotal")
PAYABLE_AMOUNT: Final = eforms_tag("cbc:PayableAmount")
RESULT_CODE: Final = eforms_tag("cbc:TenderResultCode")
STATISTICS: Final = eforms_tag("efac:ReceivedSubmissionsStatistics")
STATISTICS_CODE: Final = eforms_tag("efbc:StatisticsCode")
STATISTICS_NUMBER: Final = eforms_tag("efbc:StatisticsNumeric")


@dataclasses.dataclass(frozen=True, slots=True)
class Tender:
    party: str | None
    value: Decimal | None
    currency: str | None
    lot: str | None  # the lot (or group of lots) it was submitted for
    for_group: bool  # submitted for a group of lots ("LotsGroup"), not one lot
    rank: int | None

    def for_lot(self, lot: str) -> bool:
        return self.for_group or self.lot in (None, lot)


new_tender = constructor(Tender)


class ResultParts:
    """What one walk over a notice result finds; plain attributes, built once per notice."""

    __slots__ = ("contracts", "lot_results", "notice_value", "parties", "tenders")

    def __init__(self, result: Any, where: str, notice_id: str) -> None:
        self.notice_value: Any | None = None  # first cbc:TotalAmount
        self.lot_results: list[Any] = []  # efac:LotResult
        self.tenders: dict[str, Tender] = {}  # efac:LotTender by cbc:ID, the first of an id kept
        self.contracts: dict[str, list[str]] = {}  # efac:SettledContract id -> efac:LotTender/cbc:ID
        self.parties: dict[str, list[str]] = {}  # efac:TenderingParty id -> efac:Tenderer/cbc:ID
        for child in result[:]:
            tag = child.tag  # read once: lxml builds the string on every read
            if tag == LOT_RESULT:
                self.lot_results.append(child)
            elif tag == LOT_TENDER:
                _add_tender(self.tenders, child, where, notice_id)
            elif tag == SETTLED_CONTRACT:
                _add_references(self.contracts, child, LOT_TENDER)
            elif tag == TENDERING_PARTY:
                _add_references(self.parties, child, TENDERER)
            elif tag == TOTAL_AMOUNT and self.notice_value is None:
                self.notice_value = child


def _add_tender(tenders: dict[str, Tender], tender: Any, where: str, notice_id: str) -> None:
    """One ``efac:LotTender``: its first ``cac:LegalMonetaryTotal/cbc:PayableAmount``,
    ``efac:TenderingParty/cbc:ID``, ``efac:TenderLot/cbc:ID`` and ``cbc:RankCode``, under each of its ids."""
    ids = []
    total = party = lot = rank = None
    for child in tender[:]:
        tag = child.tag
        if tag == ID:
            ids.append(child)
        elif tag == RANK_CODE:
            rank = child if rank is None else rank
        elif tag == MONETARY_TOTAL:
            total = first_child(child, PAYABLE_AMOUNT) if total is None else total
        elif tag == TENDERING_PARTY:
            party = first_child(child, ID) if party is None else party
        elif tag == TENDER_LOT:
            lot = first_child(child, ID) if lot is None else lot
    for id_element in ids:
        tender_id = element_text(id_element)
        if tender_id is None:
            continue
        # Built for every id, as before: the currency check warns once per id element.
        tenders.setdefault(
            tender_id,
            new_tender(
                party=element_text(party),
                value=None if total is None else amount(total.text),
                currency=None if total is None else currency(total.get("currencyID"), where, notice_id, AMOUNT_FIELD),
                lot=element_text(lot),
                for_group=lot is not None and lot.get("schemeName") == "LotsGroup",
                rank=count(element_text(rank)),
            ),
        )


def _add_references(index: dict[str, list[str]], element: Any, reference: str) -> None:
    """A tendering party (or settled contract) id -> the ``cbc:ID`` of each of its ``reference`` children
    (tenderers, tenders); the first element of an id wins."""
    own_ids = []
    values: list[str] = []
    for child in element[:]:
        tag = child.tag
        if tag == ID:
            own_ids.append(child)
        elif tag == reference:
            for grandchild in child[:]:
                if grandchild.tag == ID:
                    value = grandchild.text  # ``element_text`` written out: a reference or two per element
                    if value is not None and (value := value.strip()):
                        values.append(value)
    for id_element in own_ids:
        own_id = id_element.text
        if own_id is not None and (own_id := own_id.strip()) and own_id not in index:
            index[own_id] = list(values)


class LotResultParts:
    """One ``efac:LotResult``: its lot, result code, the tenders and contracts it names, its statistics."""

    __slots__ = ("code", "contract_ids", "lot", "named", "statistics")

    def __init__(self, lot_result: Any) -> None:
        self.lot: str | None = None  # efac:TenderLot/cbc:ID/text()
        self.code: str | None = None  # cbc:TenderResultCode/text()
        self.named: list[str] = []  # efac:LotTender/cbc:ID/text()
        self.contract_ids: list[str] = []  # efac:SettledContract/cbc:ID/text()
        self.statistics: list[Any] = []  # efac:ReceivedSubmissionsStatistics
        for child in lot_result[:]:
            tag = child.tag
            if tag == LOT_TENDER:
                _add_id_texts(self.named, child)
            elif tag == SETTLED_CONTRACT:
                _add_id_texts(self.contract_ids, child)
            elif tag == STATISTICS:
                self.statistics.append(child)
            elif tag == TENDER_LOT:
                if self.lot is None:
                    self.lot = child_text(child, ID)
            elif tag == RESULT_CODE and self.code is None:
                self.code = node_text(child)

    def tenders_received(self) -> int | None:
        """``efbc:StatisticsNumeric`` of the first statistics whose ``efbc:StatisticsCode`` is "tenders"."""
        for statistics in self.statistics:
            code = number = None  # each the first non-blank of its children, in one walk
            for child in statistics[:]:
                tag = child.tag
                if tag == STATISTICS_CODE:
                    code = node_text(child) if code is None else code
                elif tag == STATISTICS_NUMBER:
                    number = node_text(child) if number is None else number
            if code == "tenders":
                return count(number)
        return None


def _add_id_texts(found: list[str], element: Any) -> None:
    for child in element[:]:
        if child.tag == ID:
            add_node_texts(found, child)
