"""Awards and bids of an eForms notice: who won which lot, who bid and lost, for how much.

The chain is ``efac:NoticeResult/efac:LotResult`` -> ``efac:SettledContract`` -> ``efac:LotTender``
-> ``efac:TenderingParty`` -> ``efac:Tenderer`` -> organisation. A lot result lists the tenders
it received, the losing ones too (real notices do: TED 191534-2024 lists every cleaning company
on every lot); the winners are the tenders that a settled contract of that lot result refers to.
Choices, checked against the SDK examples and the real notices in ``shared/data/ted``:

- One ``Award`` per settled contract and lot. A framework agreement concluded with several
  tenderers as one contract is one award with several winners; a contract that covers several
  lots gives one award per lot it covers (the tender it names for that lot), as the legacy
  format has one ``AWARD_CONTRACT`` per lot; a tender for a group of lots is one award (and one
  bid) for the group however many of its lots' results name it. The store counts the award rows
  of one contract once (``store.contract_facts``). The value is the contract's tender amount; for a
  contract with several tenders of different amounts it is left unknown, never added up (the
  amounts of a multi-winner framework are each bidder's price for the same framework).
- A lot result without settled contracts (VEAT and older notices do this) falls back to its
  tenders ranked first (``cbc:RankCode`` 1), and only where no tender is ranked to all the
  tenders it names, one award each; a warning says so.
- Every tender a lot result names is also a ``Bid``: ``won`` True for the winners, False for
  the others, None where only the "all tenders" fallback decided.
- A lot result with ``cbc:TenderResultCode`` other than "selec-w" (no winner, still open) gives
  no award; its tenders are lost bids.
- A settled contract whose tender is missing from the notice, or which the notice does not
  define, is still an award (a contract was concluded) with unknown winners, and a warning
  naming the file, the notice and the contract.
- Value: the tender's ``cac:LegalMonetaryTotal/cbc:PayableAmount``; when the notice has exactly
  one award and no amount for it, the notice value (BT-161, ``efac:NoticeResult/cbc:TotalAmount``).
"""

from __future__ import annotations

import dataclasses
import logging
from decimal import Decimal
from typing import Any

from lxml import etree

from connectors.notice_xml.builders import constructor, new_award, new_bid
from connectors.notice_xml.eforms_parties import Organisations
from connectors.notice_xml.namespaces import EFORMS_NS
from connectors.notice_xml.problems import currency, warn
from connectors.notice_xml.values import amount, count, unique
from connectors.notice_xml.xpath import by_ancestor, compiler, element_text, first, text, texts
from connectors.records import Award, Bid, Party

logger = logging.getLogger(__name__)
_x = compiler(EFORMS_NS)

WINNER_CHOSEN = "selec-w"
AMOUNT_FIELD = "efac:NoticeResult/efac:LotTender/cac:LegalMonetaryTotal/cbc:PayableAmount/@currencyID"

NOTICE_RESULT = _x("efac:NoticeResult")
NOTICE_VALUE = _x("cbc:TotalAmount")
LOT_RESULTS = _x("efac:LotResult")
# Each part of every tender, tendering party and contract in one call (see ``by_ancestor``).
TENDER_IDS = _x("efac:LotTender/cbc:ID")
TENDER_AMOUNTS = _x("efac:LotTender/cac:LegalMonetaryTotal/cbc:PayableAmount")
TENDER_PARTIES = _x("efac:LotTender/efac:TenderingParty/cbc:ID")
TENDER_LOTS = _x("efac:LotTender/efac:TenderLot/cbc:ID")
TENDER_RANKS = _x("efac:LotTender/cbc:RankCode")
PARTY_IDS = _x("efac:TenderingParty/cbc:ID")
PARTY_TENDERERS = _x("efac:TenderingParty/efac:Tenderer/cbc:ID")
CONTRACT_IDS = _x("efac:SettledContract/cbc:ID")
CONTRACT_TENDERS = _x("efac:SettledContract/efac:LotTender/cbc:ID")
RESULT_CODE = _x("cbc:TenderResultCode/text()")
RESULT_LOT = _x("efac:TenderLot/cbc:ID/text()")
TENDER_REFS = _x("efac:LotTender/cbc:ID/text()")  # in a lot result
RESULT_CONTRACT_IDS = _x("efac:SettledContract/cbc:ID/text()")
STATISTICS = _x("efac:ReceivedSubmissionsStatistics")
STATISTICS_CODE = _x("efbc:StatisticsCode/text()")
STATISTICS_NUMBER = _x("efbc:StatisticsNumeric/text()")


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


@dataclasses.dataclass(frozen=True, slots=True)
class Results:
    """What a notice result says: awards, bids, and the index the modification reader needs."""

    awards: tuple[Award, ...] = ()
    bids: tuple[Bid, ...] = ()
    tenders: dict[str, Tender] = dataclasses.field(default_factory=dict)
    contracts: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # contract id -> tender ids
    tendering_parties: dict[str, list[str]] = dataclasses.field(default_factory=dict)  # party id -> org ids


class _Reader:
    """Reads one notice result; holds the indexes so helpers need not pass them around."""

    def __init__(self, result: Any, organisations: Organisations, where: str, notice_id: str) -> None:
        self.where, self.notice_id, self.organisations = where, notice_id, organisations
        self.tenders = _tenders(result, where, notice_id)
        self.parties = _references(PARTY_IDS, PARTY_TENDERERS, result)
        self.contracts = _references(CONTRACT_IDS, CONTRACT_TENDERS, result)
        self.awards: dict[tuple[str, str], Award] = {}
        self.bids: dict[tuple[str, str], Bid] = {}
        self._tenderers: dict[str, tuple[Party, ...]] = {}  # a tender's is asked for its award and its bid

    def tenderers(self, tender_id: str) -> tuple[Party, ...]:
        known = self._tenderers.get(tender_id)
        if known is not None:
            return known
        tender = self.tenders.get(tender_id)
        if tender is None or tender.party is None:
            found: tuple[Party, ...] = ()
        else:
            parties = (self.organisations.party(org_id) for org_id in unique(self.parties.get(tender.party, ())))
            found = tuple(party for party in parties if party is not None)
        self._tenderers[tender_id] = found
        return found

    def add_award(self, lot: str, key: str, contract_id: str | None, tender_ids: list[str], received: int | None) -> None:
        """One award per (lot, contract); per (group, contract) where the tenders are for a group of lots, so
        that lot results of the group's lots naming the same contract do not repeat its award."""
        tenders = [self.tenders[t] for t in tender_ids if t in self.tenders]
        groups = {tender.lot for tender in tenders if tender.for_group}
        slot = groups.pop() if tenders and len(groups) == 1 and all(t.for_group for t in tenders) else lot
        if (slot, key) in self.awards:
            return
        winners = tuple(dict.fromkeys(party for tender_id in tender_ids for party in self.tenderers(tender_id)))
        if not winners:
            logger.debug("%s: lot %s, contract %s: no identifiable winner", self.where, lot, contract_id)
        value, money = _contract_value(tenders)
        self.awards[(slot, key)] = new_award(lot, winners, value, money, received, contract_id)

    def add_bid(self, lot: str, tender_id: str, won: bool | None) -> None:
        tender = self.tenders.get(tender_id)
        tenderers = self.tenderers(tender_id)
        if tender is None or not tenderers:
            logger.debug("%s: lot %s: tender %s has no identifiable tenderer: no bid", self.where, lot, tender_id)
            return
        slot = tender.lot if tender.for_group and tender.lot else lot  # a group tender is one bid for all its lots
        known = self.bids.get((slot, tender_id))
        if known is not None and (known.won or won is None):
            return
        self.bids[(slot, tender_id)] = new_bid(lot, tenderers, won, tender.rank, tender.value, tender.currency, tender_id)

    def lot_result(self, lot_result: Any) -> None:
        lot = text(RESULT_LOT, lot_result)
        code = text(RESULT_CODE, lot_result)
        named = unique(texts(TENDER_REFS, lot_result))
        if lot is None:
            warn(self.where, self.notice_id, "efac:LotResult/efac:TenderLot/cbc:ID", "lot result without a lot: skipped")
            return
        if code is not None and code != WINNER_CHOSEN:
            logger.debug("lot result for lot %s with result code %s: no award", lot, code)
            for tender_id in named:
                self.add_bid(lot, tender_id, False)
            return
        received = _tenders_received(lot_result)
        contract_ids = unique(texts(RESULT_CONTRACT_IDS, lot_result))
        winning, decided = self.settled(lot, contract_ids, named, received), True
        if not winning and not any(award.lot == lot for award in self.awards.values()):
            winning, decided = self.without_contracts(lot, named, received, bool(contract_ids))
        for tender_id in unique([*named, *winning]):
            self.add_bid(lot, tender_id, (tender_id in winning) if decided else None)

    def settled(self, lot: str, contract_ids: tuple[str, ...], named: tuple[str, ...], received: int | None) -> set[str]:
        """Awards of the settled contracts a lot result names; returns the winning tender ids."""
        winning: set[str] = set()
        for contract_id in contract_ids:
            field = f"efac:SettledContract[cbc:ID='{contract_id}']"
            if contract_id not in self.contracts:
                warn(self.where, self.notice_id, field, "settled contract not in the notice: award kept, winner unknown")
                self.add_award(lot, contract_id, contract_id, [], received)
                continue
            tender_ids = self.contracts[contract_id]
            missing = [tender_id for tender_id in tender_ids if tender_id not in self.tenders]
            # The contract's tenders for this lot (a contract may cover several lots), or that the lot
            # result names itself (converted notices give the tender another spelling of the lot).
            mine = [t for t in tender_ids if t in self.tenders and (self.tenders[t].for_lot(lot) or t in named)]
            if missing or not tender_ids:
                reason = f"points at tender {', '.join(missing)} missing from the notice" if missing else "names no tender"
                if not mine and len(contract_ids) == 1:
                    # The lot result's own choice stands in: its tender ranked first, or its only tender.
                    mine = self.ranked_first(named) or (list(named) if len(named) == 1 else [])
                outcome = f"winner taken from the lot result's tender {', '.join(mine)}" if mine else "winner unknown"
                warn(self.where, self.notice_id, f"{field}/efac:LotTender", f"{reason}: award kept, {outcome}")
            if tender_ids and not missing and not mine:
                # A contract shared by lot results of several lots: its tenders are for another lot.
                logger.debug("contract %s names no tender for lot %s", contract_id, lot)
                continue
            self.add_award(lot, contract_id, contract_id, mine, received)
            winning.update(mine)
        return winning

    def without_contracts(
        self, lot: str, named: tuple[str, ...], received: int | None, had_contracts: bool
    ) -> tuple[set[str], bool]:
        """Winners of a lot result with no settled contract for its lot: rank 1, else every tender named."""
        ranked = self.ranked_first(named)
        chosen = ranked or list(named)
        if chosen:
            how = "its tender ranked first" if ranked else f"all {len(chosen)} tenders it names"
            problem = "its settled contracts name no tender for it" if had_contracts else "result without settled contract"
            warn(self.where, self.notice_id, "efac:LotResult/efac:SettledContract",
                 f"lot {lot}: {problem}: winners taken from {how}")
        for tender_id in chosen:
            self.add_award(lot, f"tender:{tender_id}", None, [tender_id], received)
        return set(chosen), bool(ranked) or len(chosen) <= 1

    def ranked_first(self, named: tuple[str, ...]) -> list[str]:
        return [tender_id for tender_id in named if tender_id in self.tenders and self.tenders[tender_id].rank == 1]

    def no_lot_results(self) -> None:
        """A notice with settled contracts but no lot result (veat_23): each contract, for its tenders' lots."""
        logger.debug("no efac:LotResult: the tenders of the settled contracts are the winners")
        for contract_id, tender_ids in self.contracts.items():
            by_lot: dict[str, list[str]] = {}
            for tender_id in tender_ids:
                tender = self.tenders.get(tender_id)
                if tender is not None and tender.lot is not None:
                    by_lot.setdefault(tender.lot, []).append(tender_id)
            for lot, mine in by_lot.items():
                self.add_award(lot, contract_id, contract_id, mine, None)
                for tender_id in mine:
                    self.add_bid(lot, tender_id, True)


def results(extension: Any | None, organisations: Organisations, where: str, notice_id: str) -> Results:
    """Awards and bids of the notice whose root ``efext:EformsExtension`` is ``extension``."""
    result = None if extension is None else first(NOTICE_RESULT, extension)
    if result is None:
        return Results()
    reader = _Reader(result, organisations, where, notice_id)
    lot_results = LOT_RESULTS(result)
    for lot_result in lot_results:
        reader.lot_result(lot_result)
    if not lot_results:
        reader.no_lot_results()
    found = list(reader.awards.values())
    if len(found) == 1 and found[0].value is None:
        found[0] = _with_notice_value(found[0], first(NOTICE_VALUE, result), where, notice_id)
    return Results(tuple(found), tuple(reader.bids.values()), reader.tenders, reader.contracts, reader.parties)


def _tenders(result: Any, where: str, notice_id: str) -> dict[str, Tender]:
    """Every ``efac:LotTender`` of the notice result by id, built in five XPath calls."""
    amounts = by_ancestor(TENDER_AMOUNTS, result, 2)
    parties = by_ancestor(TENDER_PARTIES, result, 2)
    lots = by_ancestor(TENDER_LOTS, result, 2)
    ranks = by_ancestor(TENDER_RANKS, result, 1)
    tenders = {}
    for id_element in TENDER_IDS(result):
        tender_id = element_text(id_element)
        if tender_id is None:
            continue
        tender = id_element.getparent()
        total = amounts.get(tender, (None,))[0]
        party = parties.get(tender, (None,))[0]
        lot = lots.get(tender, (None,))[0]
        rank = ranks.get(tender, (None,))[0]
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
    return tenders


def _references(ids: etree.XPath, references: etree.XPath, result: Any) -> dict[str, list[str]]:
    """Ids of tendering parties (or settled contracts) -> the ids they refer to (tenderers, tenders)."""
    referred = by_ancestor(references, result, 2)
    index: dict[str, list[str]] = {}
    for id_element in ids(result):
        own_id = element_text(id_element)
        if own_id is not None and own_id not in index:
            values = []
            for element in referred.get(id_element.getparent(), ()):
                value = element_text(element)
                if value:
                    values.append(value)
            index[own_id] = values
    return index


def _contract_value(tenders: list[Tender]) -> tuple[Decimal | None, str | None]:
    """A contract's value: its tender's amount; for several tenders only if they all state the same one."""
    stated = {(tender.value, tender.currency) for tender in tenders if tender.value is not None}
    if len(stated) == 1:
        return next(iter(stated))
    if len(stated) > 1:
        logger.debug("contract with %d tenders of different amounts %s: value unknown, not added up", len(tenders), stated)
    return None, None


def _tenders_received(lot_result: Any) -> int | None:
    for statistics in STATISTICS(lot_result):
        if text(STATISTICS_CODE, statistics) == "tenders":
            return count(text(STATISTICS_NUMBER, statistics))
    return None


def _with_notice_value(award: Award, notice_value: Any | None, where: str, notice_id: str) -> Award:
    if notice_value is None:
        return award
    value = amount(notice_value.text)
    if value is None:
        return award
    logger.debug("lot %s: no tender amount, using the notice value (single award)", award.lot)
    money = currency(notice_value.get("currencyID"), where, notice_id, "efac:NoticeResult/cbc:TotalAmount/@currencyID")
    return dataclasses.replace(award, value=value, currency=money)
