"""Small readers of OCDS JSON values for ``connectors.ocds``: lists, texts, dates, codes and identifiers.

OCDS files are untrusted JSON: any field may be missing, null or of another type than the schema says.
Every reader here returns None (or an empty list) for what it cannot use instead of raising, so the
mapper decides what a missing value means (a warning, a quarantine, or nothing).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from connectors.notice_xml.values import publication_number
from connectors.records import Party

KVK_SCHEMES = frozenset({"NL-KVK", "KVK", "NL-KVK-NUMMER"})
CPV_ID = re.compile(r"^\s*(\d{7,8})(?:-\d)?\s*$")
KVK_PARTY_ID = re.compile(r"^NL-KVK-(\d{8})\b", re.IGNORECASE)
TED_URL_NUMBER = re.compile(r"ted\.europa\.eu\S*?(\d{1,8}-(?:19|20)\d\d)(?!\d)", re.IGNORECASE)
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
TENDERNED_URL = re.compile(r"tenderned\.nl/aankondigingen/overzicht/(\d+)", re.IGNORECASE)




def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def get(value: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else None


def text(value: Any) -> str | None:
    """A scalar as stripped text; None for blanks, objects, lists and booleans."""
    if value is None or isinstance(value, (dict, list, bool)):
        return None
    stripped = str(value).strip()
    return stripped or None


def clip(value: str | None, length: int) -> str | None:
    """Text cut to the store's column width (an over-long postcode must not fail a whole batch)."""
    return value[:length] if value else value


def count(value: Any) -> int | None:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return int(number) if number.is_finite() and number == number.to_integral_value() and number >= 0 else None


def tags(release: Mapping[str, Any]) -> list[str]:
    found = release.get("tag")
    return [str(t) for t in found if t] if isinstance(found, list) else ([found] if isinstance(found, str) else [])


def status(award: Mapping[str, Any]) -> str | None:
    found = text(award.get("status"))
    return found.lower() if found else None


def day(value: Any) -> date | None:
    """The date part of an OCDS date-time; None when it is not one."""
    raw = text(value)
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw[:10]).date()
    except ValueError:
        return None


def amendments(contract: Mapping[str, Any]) -> list[dict[str, Any]]:
    amendments = [a for a in as_list(contract.get("amendments")) if isinstance(a, dict)]
    single = contract.get("amendment")
    return amendments or ([single] if isinstance(single, dict) else [])


def classifications(item: Mapping[str, Any]) -> Iterable[dict[str, Any]]:
    if isinstance(item.get("classification"), dict):
        yield item["classification"]
    for extra in as_list(item.get("additionalClassifications")):
        if isinstance(extra, dict):
            yield extra


def is_cpv(classification: Mapping[str, Any]) -> bool:
    scheme = (text(classification.get("scheme")) or "").upper()
    code = text(classification.get("id")) or ""
    return bool(CPV_ID.match(code)) and (scheme == "CPV" or (not scheme and "-" in code))


def cpv_code(classification: Mapping[str, Any]) -> str | None:
    match = CPV_ID.match(text(classification.get("id")) or "")
    return match.group(1).zfill(8) if match else None


def kvk(organisation: Mapping[str, Any]) -> str | None:
    """The KvK number where an identifier (or an ``NL-KVK-`` party id) says so."""
    identifiers = [organisation.get("identifier"), *as_list(organisation.get("additionalIdentifiers"))]
    for identifier in identifiers:
        scheme = (text(get(identifier, "scheme")) or "").upper()
        number = re.sub(r"\D", "", text(get(identifier, "id")) or "")
        if scheme in KVK_SCHEMES and 1 <= len(number) <= 8:
            return number.zfill(8)
    match = KVK_PARTY_ID.match(text(organisation.get("id")) or "")
    return match.group(1) if match else None


def identity(party: Party) -> str:
    """A party's identity for telling won bids: its company id where known, else its folded name."""
    return f"id:{party.company_id}" if party.company_id else f"name:{' '.join(party.name.casefold().split())}"


def ted_number(value: str | None) -> str | None:
    return publication_number(value) if value else None


def link_ids(entries: Any) -> list[str]:
    """``ted:<number>`` and ``tenderned:<id>`` from the URLs of documents or links."""
    found = []
    for entry in as_list(entries):
        url = text(get(entry, "url")) or text(get(entry, "href")) or ""
        if match := TED_URL_NUMBER.search(url):
            number = publication_number(match.group(1))
            if number:
                found.append(f"ted:{number}")
        if match := TENDERNED_URL.search(url):
            found.append(f"tenderned:{match.group(1)}")
    return found
