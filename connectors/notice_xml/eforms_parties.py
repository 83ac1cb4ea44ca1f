"""The organisations of an eForms notice, looked up by their ORG-xxxx id.

eForms names every party once, in ``efac:Organizations``, and refers to it by id from the
buyer, the tendering parties, review bodies and so on. The index is built once per notice and
``Party`` records are made only for the organisations actually referred to.
"""

from __future__ import annotations

import logging
from typing import Any, Final

from connectors.notice_xml.builders import new_party
from connectors.notice_xml.codes import country_alpha2
from connectors.notice_xml.namespaces import EFORMS_NS, eforms_tag
from connectors.notice_xml.xpath import child_text, compiler, first, in_language, node_text, text
from connectors.records import Party

logger: Final = logging.getLogger(__name__)
_x = compiler(EFORMS_NS)

COMPANY_IDS: Final = _x("efac:Organizations/efac:Organization/efac:Company/cac:PartyIdentification/cbc:ID")
CITY: Final = _x("cbc:CityName/text()")
POSTCODE: Final = _x("cbc:PostalZone/text()")
COUNTRY: Final = _x("cac:Country/cbc:IdentificationCode/text()")
# A company's parts, read in one walk over its children (see ``Organisations._make``).
_PARTY_NAME: Final = eforms_tag("cac:PartyName")
_NAME: Final = eforms_tag("cbc:Name")
_POSTAL_ADDRESS: Final = eforms_tag("cac:PostalAddress")
_LEGAL_ENTITY: Final = eforms_tag('cac:PartyLegalEntity')
_COMPANY_ID: Final = eforms_tag('cbc:CompanyID')
_CITY: Final = eforms_tag("cbc:CityName")
_POSTCODE: Final = eforms_tag("cbc:PostalZone")
_COUNTRY: Final = eforms_tag("cac:Country")
_COUNTRY_CODE: Final = eforms_tag("cbc:IdentificationCode")

BUSINESS: Final = _x("cac:BusinessParty/cac:PartyLegalEntity")
REGISTRATION_NAME: Final = _x("cbc:RegistrationName")
REGISTRATION_ID: Final = _x("cbc:CompanyID/text()")
REGISTRATION_ADDRESS: Final = _x("cac:CorporateRegistrationScheme/cac:JurisdictionRegionAddress")


class Organisations:
    """``efac:Organization`` companies by id, turned into ``Party`` records on first use."""

    def __init__(self, extension: Any | None, language: str | None) -> None:
        self._language = language
        self._ids: dict[str, Any] = {}  # org id -> its cac:PartyIdentification/cbc:ID element
        self._parties: dict[str, Party | None] = {}
        if extension is None:
            return
        for id_element in COMPANY_IDS(extension):  # one call for all
            org_id = id_element.text  # ``element_text`` written out: once per organisation, three or so a notice
            if org_id is not None and (org_id := org_id.strip()):
                self._ids.setdefault(org_id, id_element)

    def party(self, org_id: str) -> Party | None:
        """The organisation ``org_id`` as a Party; ``None`` when it is missing or has no name."""
        if org_id not in self._parties:
            id_element = self._ids.get(org_id)
            # The company is two levels up; found only for the organisations a notice refers to (a few of many).
            party = None if id_element is None else self._make(id_element.getparent().getparent())
            if party is None:
                logger.debug("organisation %s: not in efac:Organizations or without a name", org_id)
            self._parties[org_id] = party
        return self._parties[org_id]

    def _make(self, company: Any) -> Party | None:
        """The party of an ``efac:Company``: its name (``cac:PartyName/cbc:Name`` in the notice's language), the
        first non-blank ``cac:PartyLegalEntity/cbc:CompanyID`` and the town, postcode and country of its first
        ``cac:PostalAddress``: one walk over the company's children instead of five XPath calls (a party is
        made for the buyer and each winner of every notice)."""
        names: list[Any] = []
        address = None
        company_id = None
        for child in company[:]:
            tag = child.tag  # read once: lxml builds the string on every read
            if tag == _PARTY_NAME:
                for name in child[:]:
                    if name.tag == _NAME:
                        names.append(name)
            elif tag == _POSTAL_ADDRESS:
                address = child if address is None else address
            elif tag == _LEGAL_ENTITY and company_id is None:
                company_id = child_text(child, _COMPANY_ID)
        name = in_language(names, self._language)
        if name is None:
            return None
        town = postcode = country = None
        if address is not None:
            for child in address[:]:
                tag = child.tag
                if tag == _CITY:
                    town = node_text(child) if town is None else town
                elif tag == _POSTCODE:
                    postcode = node_text(child) if postcode is None else postcode
                elif tag == _COUNTRY and country is None:
                    country = child_text(child, _COUNTRY_CODE)
        return new_party(name=name, country=country_alpha2(country), company_id=company_id, town=town, postcode=postcode)


def business_party(root: Any, language: str | None) -> Party | None:
    """The registered business of a business registration notice (X01, X02), which has no buyer."""
    entity = first(BUSINESS, root)
    if entity is None:
        return None
    name = in_language(REGISTRATION_NAME(entity), language)
    if name is None:
        return None
    return _with_address(name, text(REGISTRATION_ID, entity), first(REGISTRATION_ADDRESS, entity))


def _with_address(name: str, company_id: str | None, address: Any | None) -> Party:
    if address is None:
        return new_party(name=name, company_id=company_id)
    return new_party(
        name=name,
        country=country_alpha2(text(COUNTRY, address)),
        company_id=company_id,
        town=text(CITY, address),
        postcode=text(POSTCODE, address),
    )
