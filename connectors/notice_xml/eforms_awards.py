"""Awards of an eForms notice: who won which lot, for how much, against how many tenders.

The chain is ``efac:NoticeResult/efac:LotResult`` -> ``efac:LotTender`` ->
``efac:TenderingParty`` -> ``efac:Tenderer`` -> organisation. Choices, checked against the SDK
examples and the published and converted notices in ``shared/data/ted``:

- One ``Award`` per winning tender, not per lot. A framework lot with six winners has six
  tenders, each carrying the framework's value; summing them would multiply the value, and the
  legacy format likewise has one ``AWARD_CONTRACT`` per contract. So both formats give the same
  awards for the same notice.
- A lot result with ``cbc:TenderResultCode`` other than "selec-w" (no winner, still open) gives
  no award. Without a result code (VEAT, contract modifications) every tender the lot result
  points to is a winner. A lot result that points to no tender directly may point to settled
  contracts, which name the tender (VEAT examples do this); a notice with no lot result at all
  (veat_23) counts the tenders of its settled contracts, each for the lot the tender names.
- An award with no identifiable winner is left out rather than kept empty: ``Award`` is read
  as "someone won", and the lot's non-award is visible from the lot list anyway.
- Value: the tender's ``cac:LegalMonetaryTotal/cbc:PayableAmount``. No notice in the data
  carries a value on the lot result itself, so there is no lot-level fallback; when the notice
  has exactly one award and its tender has no amount, the notice value (BT-161,
  ``efac:NoticeResult/cbc:TotalAmount``) is that award's value (VEAT examples need this).
"""

from __future__ import annotations

import dataclasses
import logging
from decimal import Decimal
from typing import Any

from lxml import etree

from connectors.notice_xml.eforms_parties import Organisations
from connectors.notice_xml.namespaces import EFORMS_NS
from connectors.notice_xml.values import amount, count, unique
from connectors.notice_xml.xpath import by_ancestor, compiler, element_text, first, text, texts
from connectors.records import Award, Party

logger = logging.getLogger(__name__)
_x = compiler(EFORMS_NS)

WINNER_CHOSEN = "selec-w"

NOTICE_RESULT = _x("efac:NoticeResult")
NOTICE_VALUE = _x("cbc:TotalAmount")
LOT_RESULTS = _x("efac:LotResult")
# Each part of every tender, tendering party and contract in one call (see ``by_ancestor``).
TENDER_IDS = _x("efac:LotTender/cbc:ID")
TENDER_AMOUNTS = _x("efac:LotTender/cac:LegalMonetaryTotal/cbc:PayableAmount")
TENDER_PARTIES = _x("efac:LotTender/efac:TenderingParty/cbc:ID")
TENDER_LOTS = _x("efac:LotTender/efac:TenderLot/cbc:ID")
PARTY_IDS = _x("efac:TenderingParty/cbc:ID")
PARTY_TENDERERS = _x("efac:TenderingParty/efac:Tenderer/cbc:ID")
CONTRACT_IDS = _x("efac:SettledContract/cbc:ID")
CONTRACT_TENDERS = _x("efac:SettledContract/efac:LotTender/cbc:ID")
RESULT_CODE = _x("cbc:TenderResultCode/text()")
RESULT_LOT = _x("efac:TenderLot/cbc:ID/text()")
TENDER_REFS = _x("efac:LotTender/cbc:ID/text()")  # in a lot result or a settled contract
RESULT_CONTRACT_IDS = _x("efac:SettledContract/cbc:ID/text()")
STATISTICS = _x("efac:ReceivedSubmissionsStatistics")
STATISTICS_CODE = _x("efbc:StatisticsCode/text()")
STATISTICS_NUMBER = _x("efbc:StatisticsNumeric/text()")


@dataclasses.dataclass(frozen=True, slots=True)
class _Tender:
    party: str | None
    value: Decimal | None
    currency: str | None
    lot: str | None  # the lot (or group of lots) it was submitted for
    for_group: bool  # submitted for a group of lots ("LotsGroup"), not one lot


def awards(extension: Any | None, organisations: Organisations) -> tuple[Award, ...]:
    """The awards of the notice whose root ``efext:EformsExtension`` is ``extension``."""
    result = None if extension is None else first(NOTICE_RESULT, extension)
    if result is None:
        return ()
    tenders = _tenders(result)
    tendering_parties = _references(PARTY_IDS, PARTY_TENDERERS, result)
    contracts = _references(CONTRACT_IDS, CONTRACT_TENDERS, result)

    found: list[Award] = []
    for lot, tender_id, received in _winning_tenders(result, tenders, contracts):
        award = _award(lot, tender_id, tenders, tendering_parties, organisations, received)
        if award is not None:
            found.append(award)

    if len(found) == 1 and found[0].value is None:
        found[0] = _with_notice_value(found[0], first(NOTICE_VALUE, result))
    return tuple(found)


def _tenders(result: Any) -> dict[str, _Tender]:
    """Every ``efac:LotTender`` of the notice result by id, built in four XPath calls."""
    amounts = by_ancestor(TENDER_AMOUNTS, result, 2)
    parties = by_ancestor(TENDER_PARTIES, result, 2)
    lots = by_ancestor(TENDER_LOTS, result, 2)
    tenders = {}
    for id_element in TENDER_IDS(result):
        tender_id = element_text(id_element)
        if tender_id is None:
            continue
        tender = id_element.getparent()
        total = amounts.get(tender, (None,))[0]
        party = parties.get(tender, (None,))[0]
        lot = lots.get(tender, (None,))[0]
        tenders.setdefault(
            tender_id,
            _Tender(
                party=element_text(party),
                value=None if total is None else amount(total.text),
                currency=None if total is None else total.get("currencyID"),
                lot=element_text(lot),
                for_group=lot is not None and lot.get("schemeName") == "LotsGroup",
            ),
        )
    return tenders


def _references(ids: etree.XPath, references: etree.XPath, result: Any) -> dict[str, list[str]]:
    """Ids of tendering parties (or settled contracts) -> the ids they refer to (tenderers, tenders)."""
    referred = by_ancestor(references, result, 2)
    index: dict[str, list[str]] = {}
    for id_element in ids(result):
        own_id = element_text(id_element)
        if own_id is not None:
            values = (element_text(element) for element in referred.get(id_element.getparent(), ()))
            index.setdefault(own_id, [value for value in values if value])
    return index


def _winning_tenders(
    result: Any, tenders: dict[str, _Tender], contracts: dict[str, list[str]]
) -> list[tuple[str, str, int | None]]:
    """(lot, tender id, tenders received) of every winning tender, each (lot, tender) once."""
    winning: dict[tuple[str, str], int | None] = {}
    lot_results = LOT_RESULTS(result)
    if not lot_results:
        logger.debug("no efac:LotResult: the tenders of the settled contracts are the winners")
        for tender_id in unique(tender_id for tender_ids in contracts.values() for tender_id in tender_ids):
            tender = tenders.get(tender_id)
            if tender is not None and tender.lot is not None:
                winning.setdefault((tender.lot, tender_id), None)
    for lot_result in lot_results:
        lot = text(RESULT_LOT, lot_result)
        code = text(RESULT_CODE, lot_result)
        if lot is None or (code is not None and code != WINNER_CHOSEN):
            logger.debug("lot result for lot %s with result code %s: no award", lot, code)
            continue
        received = _tenders_received(lot_result)
        for tender_id in _winning_tender_ids(lot_result, lot, tenders, contracts):
            winning.setdefault((lot, tender_id), received)
    return [(lot, tender_id, received) for (lot, tender_id), received in winning.items()]


def _winning_tender_ids(
    lot_result: Any, lot: str, tenders: dict[str, _Tender], contracts: dict[str, list[str]]
) -> tuple[str, ...]:
    """Tenders the lot result names, directly or through the contracts it settled."""
    direct = texts(TENDER_REFS, lot_result)
    if direct:
        return unique(direct)
    via_contracts = []
    for contract_id in texts(RESULT_CONTRACT_IDS, lot_result):
        for tender_id in contracts.get(contract_id, ()):
            tender = tenders.get(tender_id)
            # A contract may be shared by lot results of several lots: keep only the tender
            # submitted for this lot (or for a group of lots).
            if tender is not None and not tender.for_group and tender.lot not in (None, lot):
                logger.debug("tender %s of contract %s is for lot %s, not %s", tender_id, contract_id, tender.lot, lot)
                continue
            via_contracts.append(tender_id)
    return unique(via_contracts)


def _award(
    lot: str,
    tender_id: str,
    tenders: dict[str, _Tender],
    tendering_parties: dict[str, list[str]],
    organisations: Organisations,
    received: int | None,
) -> Award | None:
    tender = tenders.get(tender_id)
    if tender is None or tender.party is None:
        logger.debug("lot %s: tender %s missing or without a tendering party", lot, tender_id)
        return None
    winners = _parties(tendering_parties.get(tender.party, ()), organisations)
    if not winners:
        logger.debug("lot %s: tender %s has no identifiable tenderer: not an award", lot, tender_id)
        return None
    return Award(lot=lot, winners=winners, value=tender.value, currency=tender.currency, tenders_received=received)


def _parties(org_ids: list[str] | tuple[str, ...], organisations: Organisations) -> tuple[Party, ...]:
    parties = (organisations.party(org_id) for org_id in unique(org_ids))
    return tuple(party for party in parties if party is not None)


def _tenders_received(lot_result: Any) -> int | None:
    for statistics in STATISTICS(lot_result):
        if text(STATISTICS_CODE, statistics) == "tenders":
            return count(text(STATISTICS_NUMBER, statistics))
    return None


def _with_notice_value(award: Award, notice_value: Any | None) -> Award:
    if notice_value is None:
        return award
    value = amount(notice_value.text)
    if value is None:
        return award
    logger.debug("lot %s: no tender amount, using the notice value (single award)", award.lot)
    return dataclasses.replace(award, value=value, currency=notice_value.get("currencyID"))
