"""Modifications of a contract during its term: the legacy F20 form (``MODIFICATIONS_CONTRACT``).

An F20 announces that one existing contract changes; it awards nothing. Its Section V restates
the original award (contract number, contractors, the value at conclusion) and Section VII says
what changed: the procurement after the change (``DESCRIPTION_PROCUREMENT``, with the
contractors after it) and ``INFO_MODIFICATIONS`` (what, why: ``UNFORESEEN_CIRCUMSTANCE`` or
``ADDITIONAL_NEED``, and ``VAL_TOTAL_BEFORE`` / ``VAL_TOTAL_AFTER``, in ``VALUES`` or bare).
So each ``MODIFICATIONS_CONTRACT`` is one ``Modification``, never an ``Award``: counting it as one
would count the contract a second time (and a third, with the original award notice stored).

The original award is found through ``PROCEDURE/NOTICE_NUMBER_OJ`` (the publication number of
the award notice); without it the modification is kept, with a warning, unlinked.
"""

from __future__ import annotations

import dataclasses
import functools
from decimal import Decimal
from typing import Any, Final

from lxml import etree

from connectors.notice_xml.builders import new_modification
from connectors.notice_xml.problems import currency, warn
from connectors.notice_xml.ted_r209_awards import SINGLE_LOT, award_of, contractor_paths, parties
from connectors.notice_xml.values import amount, publication_number
from connectors.notice_xml.xpath import first, joined, prefixed_compiler, text
from connectors.records import Modification

ORIGINAL_FIELD: Final = "PROCEDURE/NOTICE_NUMBER_OJ"
REASONS = {"UNFORESEEN_CIRCUMSTANCE": "unforeseen circumstances", "ADDITIONAL_NEED": "additional need"}


@dataclasses.dataclass(frozen=True, slots=True)
class _Paths:
    sections: etree.XPath
    after: etree.XPath
    info: etree.XPath
    award: etree.XPath
    awarded: etree.XPath
    lot: etree.XPath
    contract: etree.XPath
    original: etree.XPath
    description: etree.XPath
    reason: etree.XPath
    before_value: etree.XPath
    after_value: etree.XPath


@functools.cache
def _paths(namespace: str) -> _Paths:
    x = prefixed_compiler("t", namespace)
    return _Paths(
        sections=x("t:MODIFICATIONS_CONTRACT"),
        after=x("t:DESCRIPTION_PROCUREMENT"),
        info=x("t:INFO_MODIFICATIONS"),
        award=x("t:AWARD_CONTRACT"),
        awarded=x("t:AWARDED_CONTRACT"),
        lot=x("t:LOT_NO/text() | ../t:OBJECT_CONTRACT/t:OBJECT_DESCR/t:LOT_NO/text()"),
        contract=x("t:CONTRACT_NO/text()"),
        original=x("t:PROCEDURE/t:NOTICE_NUMBER_OJ/text()"),
        description=x("t:SHORT_DESCR//text()"),
        reason=x("t:UNFORESEEN_CIRCUMSTANCE | t:ADDITIONAL_NEED"),
        before_value=x("t:VALUES/t:VAL_TOTAL_BEFORE | t:VAL_TOTAL_BEFORE"),
        after_value=x("t:VALUES/t:VAL_TOTAL_AFTER | t:VAL_TOTAL_AFTER"),
    )


def modifications(form: Any, namespace: str, where: str, notice_id: str) -> tuple[Modification, ...]:
    """The contract modifications an F20 ``form`` announces (one per ``MODIFICATIONS_CONTRACT``)."""
    p = _paths(namespace)
    contractors_path, value_path = contractor_paths(namespace)
    award = first(p.award, form)
    awarded = None if award is None else first(p.awarded, award)
    original_text = text(p.original, form)
    original = publication_number(original_text)
    if original is None:
        problem = f"unreadable original notice number {original_text!r}" if original_text else "no original notice"
        warn(where, notice_id, ORIGINAL_FIELD, f"{problem}: modification kept, not linked to its award")
    awarded_value = None if awarded is None else first(value_path, awarded)
    original_award = None if awarded is None else award_of(awarded, namespace, where, notice_id)

    found = []
    for section in p.sections(form):
        after, info = first(p.after, section), first(p.info, section)
        contractors = () if after is None else parties(contractors_path(after), namespace)
        if not contractors and awarded is not None:
            contractors = parties(contractors_path(awarded), namespace)
        before = None if info is None else first(p.before_value, info)
        after_value = None if info is None else first(p.after_value, info)
        money = after_value if after_value is not None else before if before is not None else awarded_value
        field = "MODIFICATIONS_CONTRACT/INFO_MODIFICATIONS/VALUES"
        found.append(
            new_modification(
                lot=(text(p.lot, award) if award is not None else None) or SINGLE_LOT,
                contractors=contractors,
                original_notice=original,
                contract_id=None if award is None else text(p.contract, award),
                value_before=_value(before),
                value_after=_value(after_value),
                original_award=original_award,
                currency=None if money is None else currency(money.get("CURRENCY"), where, notice_id, field),
                reason=None if info is None else _reason(first(p.reason, info)),
                description=None if info is None else joined(p.description, info),
            )
        )
    if not found:
        warn(where, notice_id, "MODIFICATIONS_CONTRACT", "modification notice without a modification section")
    return tuple(found)


def _value(element: Any | None) -> Decimal | None:
    return None if element is None else amount(element.text)


def _reason(element: Any | None) -> str | None:
    """"unforeseen circumstances: <the buyer's words>" (or "additional need: ...")."""
    if element is None:
        return None
    label = REASONS.get(etree.QName(element).localname, etree.QName(element).localname.lower())
    words = " ".join(" ".join(element.itertext()).split())
    return f"{label}: {words}" if words else label
