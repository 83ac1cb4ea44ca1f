"""Awards and parties of a legacy TED R2.0.9 form.

One ``Award`` per awarded contract, as the form states them (a framework lot with six
contractors has six ``AWARD_CONTRACT`` sections), which is also how the eForms parser counts.
The layouts met in the 3,102 real notices of ``shared/data/ted/corpus-r209``, and where they
keep lot, winners, value and tender count:

- ``AWARD_CONTRACT/AWARDED_CONTRACT`` (F03, F06, F15, F21, F22, F23, F25, MOVE T02): contractors
  in ``CONTRACTORS/CONTRACTOR`` or, in older exports, directly in ``CONTRACTOR``; the value in
  ``VALUES/VAL_TOTAL``, in ``VALUE/VAL_TOTAL`` (2016-2018 utilities notices, F06 and F15) or bare
  ``VAL_TOTAL``; ``TENDERS/NB_TENDERS_RECEIVED``; the contract number in ``CONTRACT_NO``.
- ``RESULTS/AWARDED_PRIZE`` (F13, results of a design contest): ``WINNER/ADDRESS_WINNER``, or in
  newer exports ``WINNERS/WINNER/ADDRESS_WINNER``; ``VAL_PRIZE``; ``NB_PARTICIPANTS`` bare or in
  ``PARTICIPANTS``. One prize section is one award, with as many winners as it names.

An awarded contract whose contractor is not published (utilities may withhold it, F06 and F15
often do) is still an award: a contract was concluded, for a value where one is stated; its
winners are unknown, not absent, so ``winners`` is empty. An ``AWARD_CONTRACT`` without
``AWARDED_CONTRACT`` (``NO_AWARDED_CONTRACT``: unsuccessful, discontinued) is no award.

Section V of an F20 (modification) restates the original award: it is read by
``ted_r209_modifications``, never here.

Only the awarded value is read (``VAL_TOTAL``); ``VAL_ESTIMATED_TOTAL`` and
``VAL_RANGE_TOTAL`` are estimates or ranges, not what the contract is worth.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from typing import Any, Final

from lxml import etree

from connectors.notice_xml.builders import new_award, new_party
from connectors.notice_xml.codes import country_alpha2
from connectors.notice_xml.problems import currency
from connectors.notice_xml.values import amount, count
from connectors.notice_xml.xpath import element_text, first, prefixed_compiler, qualified, text
from connectors.records import Award, Party

logger: Final = logging.getLogger(__name__)

#: Lot of an unlotted notice, as ``records.Lot`` documents it.
SINGLE_LOT: Final = "1"
CONTRACTORS: Final = "t:CONTRACTORS/t:CONTRACTOR/t:ADDRESS_CONTRACTOR | t:CONTRACTOR/t:ADDRESS_CONTRACTOR"
CONTRACT_VALUE: Final = "t:VALUES/t:VAL_TOTAL | t:VALUE/t:VAL_TOTAL | t:VAL_TOTAL"
PRIZE_VALUE_FIELD: Final = "RESULTS/AWARDED_PRIZE/VAL_PRIZE"


@dataclasses.dataclass(frozen=True, slots=True)
class _Prizes:
    """Where a design contest's results keep a prize's parts, relative to ``AWARDED_PRIZE`` (found by ``ted_r209_parts``)."""

    lot: etree.XPath
    winners: etree.XPath
    value: etree.XPath
    received: etree.XPath


_ADDRESS_PARTS: Final = ("OFFICIALNAME", "NATIONALID", "TOWN", "POSTAL_CODE", "COUNTRY")


@functools.cache
def _address_tags(namespace: str) -> dict[str, int]:
    """Tag -> position in ``_ADDRESS_PARTS``."""
    return {qualified(namespace, name): position for position, name in enumerate(_ADDRESS_PARTS)}


@functools.cache
def _prizes(namespace: str) -> _Prizes:
    x = prefixed_compiler("t", namespace)
    return _Prizes(
        lot=x("t:LOT_NO/text() | ../t:LOT_NO/text()"),
        winners=x("t:WINNER/t:ADDRESS_WINNER | t:WINNERS/t:WINNER/t:ADDRESS_WINNER"),
        value=x("t:VAL_PRIZE"),
        received=x("t:NB_PARTICIPANTS/text() | t:PARTICIPANTS/t:NB_PARTICIPANTS/text()"),
    )


@functools.cache
def contractor_paths(namespace: str) -> tuple[etree.XPath, etree.XPath]:
    """(contractors, contract value) relative to an element holding them, for the F20 reader."""
    x = prefixed_compiler("t", namespace)
    return x(CONTRACTORS), x(CONTRACT_VALUE)


@functools.cache
def _not_awarded(namespace: str) -> etree.XPath:
    return prefixed_compiler("t", namespace)("t:AWARD_CONTRACT[t:NO_AWARDED_CONTRACT]")


def address_party(address: Any | None, namespace: str) -> Party | None:
    """A buyer, contractor or prize winner from its ``ADDRESS_*`` element; ``None`` without a name.

    Each part is the first child of its name (one pass, each tag read once: building a tag string
    is the dearest step of a child walk).
    """
    if address is None:
        return None
    tags = _address_tags(namespace)
    found: list[Any] = [None] * len(_ADDRESS_PARTS)
    for child in address[:]:
        position = tags.get(child.tag)
        if position is not None and found[position] is None:
            found[position] = child
    name_element, national_id, town, postcode, country = found
    name = element_text(name_element)
    if name is None:
        return None
    return new_party(
        name=" ".join(name.split()),
        country=None if country is None else country_alpha2(country.get("VALUE")),
        company_id=element_text(national_id),
        town=element_text(town),
        postcode=element_text(postcode),
    )


def parties(addresses: list[Any], namespace: str) -> tuple[Party, ...]:
    """The named parties among ``addresses``, each once (some notices repeat a contractor)."""
    if len(addresses) == 1:  # nearly always
        party = address_party(addresses[0], namespace)
        return () if party is None else (party,)
    found: dict[Party, None] = {}  # a plain loop: on Python 3.11 each generator expression makes a function and a frame
    for address in addresses:
        party = address_party(address, namespace)
        if party is not None:
            found.setdefault(party)
    return tuple(found)


def awards(form: Any, awarded: list[Any], prizes: list[Any], namespace: str, where: str, notice_id: str) -> tuple[Award, ...]:
    """Every award of ``form`` (the form element in the original language): its ``AWARD_CONTRACT/AWARDED_CONTRACT``
    elements ``awarded``, then its ``RESULTS/AWARDED_PRIZE`` elements ``prizes``, both found by the caller."""
    if logger.isEnabledFor(logging.DEBUG):
        for section in _not_awarded(namespace)(form):
            logger.debug("AWARD_CONTRACT ITEM=%s: not awarded", section.get("ITEM"))
    found = []  # a plain loop: on Python 3.11 a list comprehension makes a function and a frame, per notice
    for element in awarded:
        found.append(award_of(element, namespace, where, notice_id))
    if prizes:  # design contests only: most forms have none to read
        paths = _prizes(namespace)
        found += [_prize(paths, prize, namespace, where, notice_id) for prize in prizes]
    return tuple(found)


def award_of(awarded: Any, namespace: str, where: str, notice_id: str) -> Award:
    """The award an ``AWARDED_CONTRACT`` element states (also the original award an F20 restates).

    The same reading as the first layout's XPaths, in one pass over the children: most awards of
    most notices are this layout, and child iteration is several times cheaper than five XPath calls.
    """
    t = _awarded_tags(namespace)
    value, received, addresses = _awarded_parts(awarded, t)
    lot_no = contract_no = None
    for child in awarded.getparent()[:]:  # AWARD_CONTRACT: its first LOT_NO and CONTRACT_NO
        name = child.tag
        if name == t.lot_no:
            lot_no = child if lot_no is None else lot_no
        elif name == t.contract_no:
            contract_no = child if contract_no is None else contract_no
    lot = element_text(lot_no) or SINGLE_LOT
    winners = parties(addresses, namespace)
    if not winners:
        logger.debug("%s: lot %s: awarded contract without a published contractor: winners unknown", where, lot)
    field = "AWARD_CONTRACT/AWARDED_CONTRACT/VAL_TOTAL"  # the element ``value`` is, in any of its wrappers
    return new_award(
        lot=lot,
        winners=winners,
        value=None if value is None else amount(value.text),
        currency=None if value is None else currency(value.get("CURRENCY"), where, notice_id, field),
        tenders_received=count(element_text(received)),
        contract_id=element_text(contract_no),
    )


def _awarded_parts(awarded: Any, t: _AwardedTags) -> tuple[Any | None, Any | None, list[Any]]:
    """(value, tenders received, contractor addresses) elements of an ``AWARDED_CONTRACT``, in any layout.

    Plain loops: a generator or comprehension per wrapper costs more here than the elements it finds.
    """
    value = received = None
    addresses: list[Any] = []
    for child in awarded[:]:
        name = child.tag  # read once: lxml builds the string on every read
        if name == t.val_total:
            value = child if value is None else value
        elif name in t.value_wrappers:
            value = _first_child(child, t.val_total) if value is None else value
        elif name == t.received:
            received = child if received is None else received
        elif name == t.tenders:
            received = _first_child(child, t.received) if received is None else received
        elif name == t.contractors:
            for contractor in child[:]:
                if contractor.tag == t.contractor:
                    _add_children(addresses, contractor, t.address)
        elif name == t.contractor:
            _add_children(addresses, child, t.address)
    return value, received, addresses


def _first_child(element: Any, tag: str) -> Any | None:
    for child in element[:]:
        if child.tag == tag:
            return child
    return None


def _add_children(found: list[Any], element: Any, tag: str) -> None:
    for child in element[:]:
        if child.tag == tag:
            found.append(child)


@dataclasses.dataclass(frozen=True, slots=True)
class _AwardedTags:
    val_total: str
    value_wrappers: tuple[str, str]
    received: str
    tenders: str
    contractors: str
    contractor: str
    address: str
    lot_no: str
    contract_no: str


@functools.cache
def _awarded_tags(namespace: str) -> _AwardedTags:
    q = functools.partial(qualified, namespace)
    return _AwardedTags(
        q("VAL_TOTAL"), (q("VALUES"), q("VALUE")), q("NB_TENDERS_RECEIVED"), q("TENDERS"), q("CONTRACTORS"),
        q("CONTRACTOR"), q("ADDRESS_CONTRACTOR"), q("LOT_NO"), q("CONTRACT_NO"),
    )


def _prize(paths: _Prizes, prize: Any, namespace: str, where: str, notice_id: str) -> Award:
    """One ``AWARDED_PRIZE``: one award, with as many winners as it names."""
    winners = parties(paths.winners(prize), namespace)
    lot = text(paths.lot, prize) or SINGLE_LOT
    if not winners:
        logger.debug("%s: lot %s: prize without a published winner: winners unknown", where, lot)
    value = first(paths.value, prize)
    return new_award(
        lot=lot,
        winners=winners,
        value=None if value is None else amount(value.text),
        currency=None if value is None else currency(value.get("CURRENCY"), where, notice_id, PRIZE_VALUE_FIELD),
        tenders_received=count(text(paths.received, prize)),
    )
