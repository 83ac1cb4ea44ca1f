"""The defence and security forms inside R2.0.9 exports (Directive 2009/81/EC: F16-F19).

TED kept these four forms in their R2.0.8 structure when it moved the others to R2.0.9, so an
R2.0.9 ``TED_EXPORT`` may carry ``CONTRACT_AWARD_DEFENCE`` (F18, ``FORM="18"``) and its siblings:
deeply nested wrappers whose names change per form (``FD_CONTRACT_AWARD_DEFENCE/
CONTRACTING_AUTHORITY_INFORMATION_CONTRACT_AWARD_DEFENCE/NAME_ADDRESSES_CONTACT_CONTRACT_AWARD/
CA_CE_CONCESSIONAIRE_PROFILE/ORGANISATION/OFFICIALNAME``), awards in
``AWARD_OF_CONTRACT_DEFENCE`` (lot in ``LOT_NUMBER``, contract in ``CONTRACT_NUMBER``, winner in
``ECONOMIC_OPERATOR_NAME_ADDRESS``, tenders in ``OFFERS_RECEIVED_NUMBER``), amounts as
locale-formatted text with the machine value in ``@FMTVAL``
(``<VALUE_COST FMTVAL="1381073714.86">1 381 073 714,86</VALUE_COST>``), currency on
``COSTS_RANGE_AND_CURRENCY_WITH_VAT_RATE/@CURRENCY``.

The wrappers are reached with descendant paths on the stable leaf names, so that each of the
four forms is read by the same few paths. No defence form is among the real notices we hold; the
paths follow the R2.0.8 schema and published third-party readers of it, and the test fixture is
constructed from that layout (said so in ``tests/fixtures/ted/README.md``).
"""

from __future__ import annotations

import dataclasses
import functools
import re
from decimal import Decimal
from typing import Any, Final

from connectors.notice_xml.builders import new_award, new_party
from connectors.notice_xml.codes import country_alpha2
from connectors.notice_xml.problems import currency
from connectors.notice_xml.ted_r209_awards import SINGLE_LOT
from connectors.notice_xml.values import amount, count, cpv, unique
from connectors.notice_xml.xpath import first, joined, prefixed_compiler, text, texts
from connectors.records import Award, NoticeKind, Party

#: Root element of each defence form -> its standard form code and kind.
DEFENCE_FORMS: dict[str, tuple[str, NoticeKind]] = {
    "PRIOR_INFORMATION_DEFENCE": ("F16", "planning"),
    "CONTRACT_DEFENCE": ("F17", "competition"),
    "CONTRACT_AWARD_DEFENCE": ("F18", "award"),
    "CONTRACT_CONCESSIONAIRE_DEFENCE": ("F19", "competition"),
}
BUYER_FIELD: Final = "CONTRACTING_AUTHORITY_*//CA_CE_CONCESSIONAIRE_PROFILE/ORGANISATION/OFFICIALNAME"
_SPACES: Final = re.compile(r"[\s\u00a0\u202f]")


@dataclasses.dataclass(frozen=True, slots=True)
class _Paths:
    buyer: Any
    name: Any
    national_id: Any
    town: Any
    postcode: Any
    country: Any
    main_cpv: Any
    additional_cpv: Any
    title: Any
    awards: Any
    lot: Any
    contract: Any
    operator: Any
    received: Any
    value: Any


@functools.cache
def _paths(namespace: str) -> _Paths:
    x = prefixed_compiler("t", namespace)
    return _Paths(
        buyer=x("(.//t:CA_CE_CONCESSIONAIRE_PROFILE)[1]"),
        name=x("t:ORGANISATION/t:OFFICIALNAME//text() | t:ORGANISATION/text()"),
        national_id=x("t:ORGANISATION/t:NATIONALID/text()"),
        town=x("t:TOWN/text()"),
        postcode=x("t:POSTAL_CODE/text()"),
        country=x("t:COUNTRY/@VALUE"),
        main_cpv=x(".//t:CPV_MAIN/t:CPV_CODE/@CODE"),
        additional_cpv=x(".//t:CPV_ADDITIONAL/t:CPV_CODE/@CODE"),
        title=x("(.//t:TITLE_CONTRACT)[1]//text()"),
        awards=x(".//t:AWARD_OF_CONTRACT_DEFENCE | .//t:AWARD_OF_CONTRACT"),
        lot=x("t:LOT_NUMBER/text()"),
        contract=x("t:CONTRACT_NUMBER/text()"),
        operator=x(
            "t:ECONOMIC_OPERATOR_NAME_ADDRESS/t:CONTACT_DATA_WITHOUT_RESPONSIBLE_NAME"
            " | t:ECONOMIC_OPERATOR_NAME_ADDRESS[not(t:CONTACT_DATA_WITHOUT_RESPONSIBLE_NAME)]"
        ),
        received=x("t:OFFERS_RECEIVED_NUMBER/text()"),
        value=x("t:CONTRACT_VALUE_INFORMATION//t:VALUE_COST"),
    )


@dataclasses.dataclass(frozen=True, slots=True)
class DefenceForm:
    form_code: str
    kind: NoticeKind
    buyer: Party | None
    title: str | None
    cpv_main: str | None
    cpv: tuple[str, ...]
    awards: tuple[Award, ...]


def read(form: Any, local_name: str, namespace: str, where: str, notice_id: str) -> DefenceForm:
    """The parts of a defence ``form`` (its root element's local name is a key of ``DEFENCE_FORMS``)."""
    p = _paths(namespace)
    form_code, kind = DEFENCE_FORMS[local_name]
    main = cpv(text(p.main_cpv, form))
    awards = tuple(
        award for element in p.awards(form) if (award := _award(element, p, where, notice_id)) is not None
    )
    return DefenceForm(
        form_code=form_code,
        kind=kind,
        buyer=_party(first(p.buyer, form), p),
        title=joined(p.title, form),
        cpv_main=main,
        cpv=unique([main, *[cpv(code) for code in texts(p.additional_cpv, form)]]),
        awards=awards,
    )


def _party(element: Any | None, p: _Paths) -> Party | None:
    if element is None:
        return None
    name = " ".join(" ".join(p.name(element)).split())
    if not name:
        return None
    return new_party(
        name=name,
        country=country_alpha2(text(p.country, element)),
        company_id=text(p.national_id, element),
        town=text(p.town, element),
        postcode=text(p.postcode, element),
    )


def _award(element: Any, p: _Paths, where: str, notice_id: str) -> Award | None:
    winner = _party(first(p.operator, element), p)
    value_element = first(p.value, element)
    if winner is None and value_element is None:
        return None  # neither who nor how much: nothing was awarded here
    money = None if value_element is None else value_element.getparent().get("CURRENCY")
    return new_award(
        lot=text(p.lot, element) or SINGLE_LOT,
        winners=() if winner is None else (winner,),
        value=None if value_element is None else _amount(value_element),
        currency=currency(money, where, notice_id, "AWARD_OF_CONTRACT_DEFENCE//COSTS_RANGE_AND_CURRENCY_WITH_VAT_RATE"),
        tenders_received=count(text(p.received, element)),
        contract_id=text(p.contract, element),
    )


def _amount(element: Any) -> Decimal | None:
    """``@FMTVAL`` where given, else the text read as "1 381 073 714,86" (spaces, decimal comma)."""
    formatted = element.get("FMTVAL")
    if formatted:
        return amount(formatted)
    raw = _SPACES.sub("", element.text or "")
    if "," in raw and "." not in raw:
        raw = raw.replace(",", ".")
    return amount(raw)
