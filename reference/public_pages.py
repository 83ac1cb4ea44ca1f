"""The public page a person can open for a record we hold: never an API endpoint, never a SOAP service.

Sources hand us machine addresses (the KvK API, the insolvency register's SOAP endpoint) or none at
all (TED award notices). What a category manager follows is the page a person reads: the TED notice
page, the TenderNed publication, the KvK register search, the public insolvency register. Pure
functions over identifiers; nothing here fetches anything.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

TED_NOTICE = "https://ted.europa.eu/en/notice/-/detail/{pubno}"
TENDERNED_PUBLICATION = "https://www.tenderned.nl/aankondigingen/overzicht/{publication_id}"
KVK_REGISTER = "https://www.kvk.nl/zoeken/?source=all&q={kvk}"
INSOLVENCY_REGISTER = "https://insolventies.rechtspraak.nl/"
INSOLVENCY_PUBLICATION = "https://insolventies.rechtspraak.nl/#!/details/{kenmerk}"

_TED_PUBNO = re.compile(r"\b(\d{1,8}-\d{4})\b")
_KVK = re.compile(r"(?<!\d)(\d{8})(?!\d)")
#: A CIR publication mark, e.g. ``16.mid.26.162.F.1300.1.26``.
_KENMERK = re.compile(r"\b(\d{2}\.[a-z]{3}\.\d{2}\.\d+\.[A-Z]\.\d{4}\.\d+\.\d{2})\b")
_API_HOSTS = ("api.kvk.nl", "webservice.rechtspraak.nl")


def ted_notice(pubno: str | None) -> str | None:
    """The TED notice page of a publication number like ``123456-2024``."""
    match = _TED_PUBNO.search(pubno or "")
    return TED_NOTICE.format(pubno=match.group(1)) if match else None


def tenderned_publication(publication_id: str | int | None) -> str | None:
    text = str(publication_id or "").strip()
    return TENDERNED_PUBLICATION.format(publication_id=text) if text.isdigit() else None


def kvk_register(kvk_number: str | None) -> str | None:
    match = _KVK.search(kvk_number or "")
    return KVK_REGISTER.format(kvk=match.group(1)) if match else None


def insolvency_register(reference: str | None) -> str:
    """The publication's page in the public register when its mark is known, else the register itself."""
    match = _KENMERK.search(reference or "")
    return INSOLVENCY_PUBLICATION.format(kenmerk=quote(match.group(1))) if match else INSOLVENCY_REGISTER


def public_page(source: str | None, ref: str | None = None, url: str | None = None) -> str | None:
    """The page a person can open for a record of ``source`` (its reference and machine URL if any).

    A web page we were given is kept; API and SOAP addresses are replaced by the register's public
    page; TED and TenderNed records without a link get their notice page from the reference.
    """
    source = (source or "").lower()
    host = ""
    if url:
        try:
            host = (urlsplit(url).hostname or "").lower()
        except ValueError:
            host = ""
    if source == "cir" or host == "webservice.rechtspraak.nl" or source.startswith("insolvency"):
        return insolvency_register(ref)
    if source.startswith("kvk") or host == "api.kvk.nl":
        return kvk_register(ref) or kvk_register(urlsplit(url).path if url else None)
    if url and host and host not in _API_HOSTS:
        return url
    if source.startswith("ted"):
        return ted_notice(ref)
    if source.startswith("tenderned"):
        return tenderned_publication(ref)
    return None
