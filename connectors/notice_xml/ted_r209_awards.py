"""Awards and parties of a legacy TED R2.0.9 form.

One ``Award`` per awarded contract, as the form states them (a framework lot with six
contractors has six ``AWARD_CONTRACT`` sections), which is also how the eForms parser counts.
The layouts met in the real notices, and where they keep lot, winners, value and tender count:

- ``AWARD_CONTRACT/AWARDED_CONTRACT`` (F03, F06, F15, F21, F22, F25): contractors in
  ``CONTRACTORS/CONTRACTOR`` or, in older exports, directly in ``CONTRACTOR``; the value in
  ``VALUES/VAL_TOTAL`` (older: ``VAL_TOTAL``); ``TENDERS/NB_TENDERS_RECEIVED``.
- ``RESULTS/AWARDED_PRIZE`` (F13, results of a design contest): ``WINNER/ADDRESS_WINNER``,
  ``VAL_PRIZE``, ``NB_PARTICIPANTS``.
- ``MODIFICATIONS_CONTRACT/DESCRIPTION_PROCUREMENT`` (F20, contract modification): contractors
  as above; the value after the modification when stated, else the contract's value. No F20
  is among the real notices we hold, so this follows the R2.0.9 schema only.

Only the awarded value is read (``VAL_TOTAL``); ``VAL_ESTIMATED_TOTAL`` and
``VAL_RANGE_TOTAL`` are estimates or ranges, not what the contract is worth. An
``AWARD_CONTRACT`` that says ``NO_AWARDED_CONTRACT`` (unsuccessful, discontinued) is no award.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
from typing import Any

from lxml import etree

from connectors.notice_xml.codes import country_alpha2
from connectors.notice_xml.values import amount, count
from connectors.notice_xml.xpath import child_text, children, first, prefixed_compiler, qualified, text
from connectors.records import Award, Party

logger = logging.getLogger(__name__)

#: Lot of an unlotted notice, as ``records.Lot`` documents it.
SINGLE_LOT = "1"
CONTRACTORS = "t:CONTRACTORS/t:CONTRACTOR/t:ADDRESS_CONTRACTOR | t:CONTRACTOR/t:ADDRESS_CONTRACTOR"


@dataclasses.dataclass(frozen=True, slots=True)
class _Layout:
    """Where one layout keeps an awarded contract's parts, relative to the awarded element."""

    awarded: etree.XPath  # from the form to each awarded contract
    lot: etree.XPath
    winners: etree.XPath
    values: tuple[etree.XPath, ...]  # tried in order
    received: etree.XPath | None


@functools.cache
def _address_tags(namespace: str) -> dict[str, str]:
    names = ("OFFICIALNAME", "NATIONALID", "TOWN", "POSTAL_CODE", "COUNTRY")
    return {qualified(namespace, name): name for name in names}


@functools.cache
def _layouts(namespace: str) -> tuple[_Layout, ...]:
    x = prefixed_compiler("t", namespace)
    return (
        _Layout(
            awarded=x("t:AWARD_CONTRACT/t:AWARDED_CONTRACT"),
            lot=x("../t:LOT_NO/text()"),
            winners=x(CONTRACTORS),
            values=(x("t:VALUES/t:VAL_TOTAL | t:VAL_TOTAL"),),
            received=x("t:TENDERS/t:NB_TENDERS_RECEIVED/text() | t:NB_TENDERS_RECEIVED/text()"),
        ),
        _Layout(
            awarded=x("t:RESULTS/t:AWARDED_PRIZE"),
            lot=x("t:LOT_NO/text() | ../t:LOT_NO/text()"),
            winners=x("t:WINNER/t:ADDRESS_WINNER"),
            values=(x("t:VAL_PRIZE"),),
            received=x("t:NB_PARTICIPANTS/text()"),
        ),
        _Layout(
            awarded=x("t:MODIFICATIONS_CONTRACT/t:DESCRIPTION_PROCUREMENT"),
            lot=x("../../t:OBJECT_CONTRACT/t:OBJECT_DESCR/t:LOT_NO/text()"),
            winners=x(CONTRACTORS),
            values=(x("../t:INFO_MODIFICATIONS/t:VALUES/t:VAL_TOTAL_AFTER"), x("t:VALUES/t:VAL_TOTAL")),
            received=None,
        ),
    )


@functools.cache
def _not_awarded(namespace: str) -> etree.XPath:
    return prefixed_compiler("t", namespace)("t:AWARD_CONTRACT[t:NO_AWARDED_CONTRACT]")


def address_party(address: Any | None, namespace: str) -> Party | None:
    """A buyer, contractor or prize winner from its ``ADDRESS_*`` element; ``None`` without a name."""
    if address is None:
        return None
    found = children(address, _address_tags(namespace))
    name = child_text(found, "OFFICIALNAME")
    if name is None:
        return None
    country = found.get("COUNTRY")
    return Party(
        name=" ".join(name.split()),
        country=country_alpha2(country[0].get("VALUE")) if country else None,
        company_id=child_text(found, "NATIONALID"),
        town=child_text(found, "TOWN"),
        postcode=child_text(found, "POSTAL_CODE"),
    )


def awards(form: Any, namespace: str) -> tuple[Award, ...]:
    """Every awarded contract of ``form`` (the form element in the original language)."""
    if logger.isEnabledFor(logging.DEBUG):
        for section in _not_awarded(namespace)(form):
            logger.debug("AWARD_CONTRACT ITEM=%s: not awarded", section.get("ITEM"))
    found = []
    for layout in _layouts(namespace):
        for awarded in layout.awarded(form):
            award = _award(layout, awarded, namespace)
            if award is not None:
                found.append(award)
    return tuple(found)


def _award(layout: _Layout, awarded: Any, namespace: str) -> Award | None:
    addresses = layout.winners(awarded)
    winners = tuple(party for address in addresses if (party := address_party(address, namespace)) is not None)
    lot = text(layout.lot, awarded) or SINGLE_LOT
    if not winners:
        logger.debug("lot %s: awarded contract without a named contractor: not an award", lot)
        return None
    value_element = next((found for xpath in layout.values if (found := first(xpath, awarded)) is not None), None)
    return Award(
        lot=lot,
        winners=winners,
        value=None if value_element is None else amount(value_element.text),
        currency=None if value_element is None else value_element.get("CURRENCY"),
        tenders_received=None if layout.received is None else count(text(layout.received, awarded)),
    )
