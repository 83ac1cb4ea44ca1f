"""Warnings for notice data that is kept but doubtful, and the currency check that raises most of them.

A doubtful field (an amount in a currency nobody knows, a settled contract pointing at a tender
the notice does not contain, a modification without its original) is no reason to lose the
notice: the record is kept and a warning names the file, the record and the field, in the same
words as a RecordError so that logs read alike.
"""

from __future__ import annotations

import logging
from typing import Final

from connectors.errors import RecordWarning

logger: Final = logging.getLogger("connectors.notice_xml")

#: ISO 4217 codes (Debian iso-codes 4.15 iso_4217.json, 181 entries), plus the codes of
#: currencies replaced by the euro or redenominated since 2014 that older notices still state.
ISO_4217: frozenset[str] = frozenset(
    [
    "AED", "AFN", "ALL", "AMD", "ANG", "AOA", "ARS", "AUD", "AWG", "AZN", "BAM", "BBD", "BDT", "BGN", "BHD", "BIF",
    "BMD", "BND", "BOB", "BOV", "BRL", "BSD", "BTN", "BWP", "BYN", "BZD", "CAD", "CDF", "CHE", "CHF", "CHW", "CLF",
    "CLP", "CNY", "COP", "COU", "CRC", "CUC", "CUP", "CVE", "CZK", "DJF", "DKK", "DOP", "DZD", "EGP", "ERN", "ETB",
    "EUR", "FJD", "FKP", "GBP", "GEL", "GHS", "GIP", "GMD", "GNF", "GTQ", "GYD", "HKD", "HNL", "HRK", "HTG", "HUF",
    "IDR", "ILS", "INR", "IQD", "IRR", "ISK", "JMD", "JOD", "JPY", "KES", "KGS", "KHR", "KMF", "KPW", "KRW", "KWD",
    "KYD", "KZT", "LAK", "LBP", "LKR", "LRD", "LSL", "LYD", "MAD", "MDL", "MGA", "MKD", "MMK", "MNT", "MOP", "MRU",
    "MUR", "MVR", "MWK", "MXN", "MXV", "MYR", "MZN", "NAD", "NGN", "NIO", "NOK", "NPR", "NZD", "OMR", "PAB", "PEN",
    "PGK", "PHP", "PKR", "PLN", "PYG", "QAR", "RON", "RSD", "RUB", "RWF", "SAR", "SBD", "SCR", "SDG", "SEK", "SGD",
    "SHP", "SLE", "SLL", "SOS", "SRD", "SSP", "STN", "SVC", "SYP", "SZL", "THB", "TJS", "TMT", "TND", "TOP", "TRY",
    "TTD", "TWD", "TZS", "UAH", "UGX", "USD", "USN", "UYI", "UYU", "UYW", "UZS", "VED", "VES", "VND", "VUV", "WST",
    "XAF", "XAG", "XAU", "XBA", "XBB", "XBC", "XBD", "XCD", "XDR", "XOF", "XPD", "XPF", "XPT", "XSU", "XTS", "XUA",
    "XXX", "YER", "ZAR", "ZMW", "ZWL",
    ]
    + ["LTL", "LVL", "EEK", "SKK", "CYP", "MTL", "SIT", "ROL", "MRO", "STD", "VEF", "BYR"]
)


def warn(where: str, record: str | None, field: str, reason: str) -> None:
    """Log that field of record in where is doubtful; the record itself is kept."""
    logger.warning("%s", RecordWarning(where, reason, record=record, field=field))


def currency(code: str | None, where: str, record: str | None, field: str) -> str | None:
    """An ISO 4217 code, upper-cased; an unknown code is kept as published, with a warning."""
    if code is None:
        return None
    code = code.strip().upper()
    if not code:
        return None
    if code not in ISO_4217:
        warn(where, record, field, f"unknown currency {code!r}: amount kept, currency as published")
    return code
