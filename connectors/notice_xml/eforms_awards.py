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
from typing import Any, Final

from connectors.notice_xml.builders import constructor, new_award, new_bid
from connectors.notice_xml.eforms_parties import Organisations
from connectors.notice_xml.eforms_result_parts import LotResultParts, ResultParts, Tender
from connectors.notice_xml.problems import currency, warn
from connectors.notice_xml.values import amount, unique
from connectors.records import Award, Bid, Party

logger: Final = logging.getLogger(__name__)

WINNER_CHOSEN: Final = "selec-w"
__all__ = ["Results", "Tender", "results"]


@dataclasses.dataclass(frozen=True, slots=True)
class Results:
    """What a notice result says: awards, bids, and the index the modification reader needs."""

    awards: tuple[Award, ...]
    bids: tuple[Bid, ...]
    tenders: dict[str, Tender]
    contracts: dict[str, list[str]]  # contract id -> tender ids
    tendering_parties: dict[str, list[str]]  # party id -> org ids


#: One per notice: ``builders.constructor`` sets the slots directly (no default factories to call), where the frozen
#: dataclass ``__init__`` goes through ``object.__setattr__`` for each field.
new_results = constructor(Results)


class _Reader:
    """Reads one notice result; holds the indexes so helpers need not pass them around."""

    def __init__(self, parts: ResultParts, organisations: Organisations, where: str, notice_id: str) -> None:
        self.where, self.notice_id, self.organisations = where, notice_id, organisations
        self.tenders = parts.tenders
        self.parties = parts.parties
        self.contracts = parts.contracts
        self.awards: dict[tuple[str | None, str], Award] = {}  # (lot or group, contract); a group's id may be blank
        self.bids: dict[tuple[str, str], Bid] = {}
        self._tenderers: dict[str, tuple[Party, ...]] = {}  # a tender's is asked for its award and its bid

    def tenderers(self, tender_id: str) -> tuple[Party, ...]:
        known = self._tenderers.get(tender_id)
        if known is not None:
            return known
        tender = self.tenders.get(tender_id)
        named: list[Party] = []
        if tender is not None and tender.party is not None:
            for org_id in unique(self.parties.get(tender.party, ())):  # a plain loop: two generators cost more here
                party = self.organisations.party(org_id)
                if party is not None:
                    named.append(party)
        found = tuple(named)
        self._tenderers[tender_id] = found
        return found

    def add_award(self, lot: str, key: str, contract_id: str | None, tender_ids: list[str], received: int | None,
                  tenders: list[Tender] | None = None) -> None:
        """One award per (lot, contract); per (group, contract) where the tenders are for a group of lots, so
        that lot results of the group's lots naming the same contract do not repeat its award. ``tenders``: the
        records of ``tender_ids`` in the notice, where the caller has them already."""
        if tenders is None:
            tenders = [self.tenders[t] for t in tender_ids if t in self.tenders]
        if len(tenders) == 1:  # nearly always: what the general case below gives for one tender
            slot = tenders[0].lot if tenders[0].for_group else lot
        else:
            groups = {tender.lot for tender in tenders if tender.for_group}
            slot = groups.pop() if tenders and len(groups) == 1 and all(t.for_group for t in tenders) else lot
        if (slot, key) in self.awards:
            return
        if len(tender_ids) == 1 and len(found := self.tenderers(tender_ids[0])) < 2:  # nothing to deduplicate
            winners = found
        else:
            winners = tuple(dict.fromkeys([party for tender_id in tender_ids for party in self.tenderers(tender_id)]))
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
        parts = LotResultParts(lot_result)
        lot, code, named = parts.lot, parts.code, unique(parts.named)
        if lot is None:
            warn(self.where, self.notice_id, "efac:LotResult/efac:TenderLot/cbc:ID", "lot result without a lot: skipped")
            return
        if code is not None and code != WINNER_CHOSEN:
            logger.debug("lot result for lot %s with result code %s: no award", lot, code)
            for tender_id in named:
                self.add_bid(lot, tender_id, False)
            return
        received = parts.tenders_received()
        contract_ids = unique(parts.contract_ids)
        winning, decided = self.settled(lot, contract_ids, named, received), True
        if not winning and not any(award.lot == lot for award in self.awards.values()):
            winning, decided = self.without_contracts(lot, named, received, bool(contract_ids))
        if len(named) == 1 and len(winning) == 1 and named[0] in winning:  # nearly always: the one tender won
            self.add_bid(lot, named[0], True if decided else None)
            return
        for tender_id in unique([*named, *winning]):
            self.add_bid(lot, tender_id, (tender_id in winning) if decided else None)

    def settled(self, lot: str, contract_ids: tuple[str, ...], named: tuple[str, ...], received: int | None) -> set[str]:
        """Awards of the settled contracts a lot result names; returns the winning tender ids."""
        winning: set[str] = set()
        for contract_id in contract_ids:
            if contract_id not in self.contracts:
                reason = "settled contract not in the notice: award kept, winner unknown"
                warn(self.where, self.notice_id, _contract_field(contract_id), reason)
                self.add_award(lot, contract_id, contract_id, [], received)
                continue
            tender_ids = self.contracts[contract_id]
            # The contract's tenders for this lot (a contract may cover several lots), or that the lot
            # result names itself (converted notices give the tender another spelling of the lot); one loop
            # sorts each tender into missing, mine or neither, and keeps the records mine are given for.
            missing: list[str] = []
            mine: list[str] = []
            records: list[Tender] = []
            for tender_id in tender_ids:
                tender = self.tenders.get(tender_id)
                if tender is None:
                    missing.append(tender_id)
                elif tender.for_lot(lot) or tender_id in named:
                    mine.append(tender_id)
                    records.append(tender)
            if missing or not tender_ids:
                reason = f"points at tender {', '.join(missing)} missing from the notice" if missing else "names no tender"
                if not mine and len(contract_ids) == 1:
                    # The lot result's own choice stands in: its tender ranked first, or its only tender.
                    mine = self.ranked_first(named) or (list(named) if len(named) == 1 else [])
                    records = [self.tenders[t] for t in mine if t in self.tenders]
                outcome = f"winner taken from the lot result's tender {', '.join(mine)}" if mine else "winner unknown"
                warn(self.where, self.notice_id, f"{_contract_field(contract_id)}/efac:LotTender", f"{reason}: award kept, {outcome}")
            if tender_ids and not missing and not mine:
                # A contract shared by lot results of several lots: its tenders are for another lot.
                logger.debug("contract %s names no tender for lot %s", contract_id, lot)
                continue
            self.add_award(lot, contract_id, contract_id, mine, received, records)
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


def results(result: Any | None, organisations: Organisations, where: str, notice_id: str) -> Results:
    """Awards and bids of the notice whose (first) ``efac:NoticeResult`` is ``result`` (None where it has none)."""
    if result is None:
        return new_results((), (), {}, {}, {})
    parts = ResultParts(result, where, notice_id)
    reader = _Reader(parts, organisations, where, notice_id)
    lot_results = parts.lot_results
    for lot_result in lot_results:
        reader.lot_result(lot_result)
    if not lot_results:
        reader.no_lot_results()
    found = list(reader.awards.values())
    if len(found) == 1 and found[0].value is None:
        found[0] = _with_notice_value(found[0], parts.notice_value, where, notice_id)
    return new_results(tuple(found), tuple(reader.bids.values()), reader.tenders, reader.contracts, reader.parties)


def _contract_field(contract_id: str) -> str:
    """The path naming a settled contract in a warning: built only for a warning (a contract is read per lot result)."""
    return f"efac:SettledContract[cbc:ID='{contract_id}']"


def _contract_value(tenders: list[Tender]) -> tuple[Decimal | None, str | None]:
    """A contract's value: its tender's amount; for several tenders only if they all state the same one."""
    if len(tenders) == 1:  # nearly always: the one tender's amount, if stated
        tender = tenders[0]
        return (None, None) if tender.value is None else (tender.value, tender.currency)
    stated = {(tender.value, tender.currency) for tender in tenders if tender.value is not None}
    if len(stated) == 1:
        return next(iter(stated))
    if len(stated) > 1:
        logger.debug("contract with %d tenders of different amounts %s: value unknown, not added up", len(tenders), stated)
    return None, None


def _with_notice_value(award: Award, notice_value: Any | None, where: str, notice_id: str) -> Award:
    if notice_value is None:
        return award
    value = amount(notice_value.text)
    if value is None:
        return award
    logger.debug("lot %s: no tender amount, using the notice value (single award)", award.lot)
    money = currency(notice_value.get("currencyID"), where, notice_id, "efac:NoticeResult/cbc:TotalAmount/@currencyID")
    return dataclasses.replace(award, value=value, currency=money)
