"""Turning the text of a notice into typed values, the same way for both formats.

Each function returns ``None`` for a value it cannot read (and logs it at DEBUG) instead of
raising: a bad amount or CPV code loses one field, not the whole notice. Only the parsers decide
which fields are required.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Final

from connectors.records import Lot

logger: Final = logging.getLogger(__name__)

_CPV: Final = re.compile(r"\s*(\d{8})(?:-\d)?\s*$")
_OJS_NUMBER: Final = re.compile(r"\s*0*(\d+)-(\d{4})\s*$")  # "00353237-2021"
_OJS_REFERENCE: Final = re.compile(r"\s*(\d{4})\s*/\s*S\s*\d+\s*-\s*0*(\d+)\s*$", re.IGNORECASE)  # "2021/S 006-008689"


def notice_date(text: str | None) -> date | None:
    """A date from eForms ("2023-05-17Z", "2023-05-16+03:00") or legacy ("20200331") text.

    The zone is dropped on purpose: the publication date is a calendar day in the Official
    Journal, and converting it to UTC would move notices published at "+02:00" a day back.
    """
    if not text:
        return None
    text = text.strip()
    try:
        if len(text) >= 10 and text[4] == "-":
            return date.fromisoformat(text[:10])
        if len(text) == 8 and text.isdigit():
            if text.isascii():  # nearly always: ISO 8601's basic format, read in C at a third of the cost of the below
                return date.fromisoformat(text)
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        pass
    logger.debug("unreadable date %r", text)
    return None


def amount(text: str | None) -> Decimal | None:
    """A monetary amount as ``Decimal``; TED writes a dot and no thousands separator."""
    if not text:
        return None
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        logger.debug("unreadable amount %r", text)
        return None
    return value if value.is_finite() else None


def count(text: str | None) -> int | None:
    """A count such as the number of tenders received ("6", "6.0" in some eForms files)."""
    if text:
        digits = text.strip()
        if digits.isdecimal() and digits.isascii():  # nearly always: what the Decimal below would give, cheaper
            return int(digits)
    value = amount(text)
    if value is None or value < 0 or value != value.to_integral_value():
        return None
    return int(value)


def cpv(text: str | None) -> str | None:
    """The 8 digits of a CPV code, whether written "45000000" or "45000000-7"."""
    if not text:
        return None
    if len(text) == 8 and text.isdecimal():  # nearly always: what the pattern gives for eight digits alone (\d is isdecimal)
        return text
    match = _CPV.match(text)
    if match is None:
        logger.debug("not a CPV code: %r", text)
        return None
    return match.group(1)


#: An eForms notice id (BT-701, a UUID), maybe with its version ("<uuid>-01"), as BT-758 names a changed notice.
_NOTICE_UUID: Final = re.compile(r"\s*([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?:-\d{2})?\s*$")


def notice_uuid(text: str | None) -> str | None:
    """The notice id where a notice is named by its id and version ("<uuid>-01" -> "<uuid>"); else None."""
    match = _NOTICE_UUID.match(text or "")
    return match.group(1) if match else None


def publication_number(text: str | None) -> str | None:
    """The OJ S publication number as TED shows it ("353237-2021"), from either spelling.

    eForms writes "00353237-2021", the legacy DOC_ID "008689-2021" and NO_DOC_OJS
    "2021/S 006-008689"; TED's own links use the number without leading zeros.
    """
    if not text:
        return None
    number, dash, year = text.partition("-")
    if dash and len(year) == 4 and year.isdecimal() and number.isdecimal():
        # Nearly always (DOC_ID, eForms): what ``_OJS_NUMBER`` gives for bare digits, a dash and four digits
        # (``\d`` is isdecimal; ``0*`` strips only ASCII zeros and leaves at least one digit), without the regex.
        return f"{number.lstrip('0') or '0'}-{year}"
    match = _OJS_NUMBER.match(text)
    if match:
        return f"{match.group(1)}-{match.group(2)}"
    match = _OJS_REFERENCE.match(text)
    if match:
        return f"{match.group(2)}-{match.group(1)}"
    logger.debug("not an OJ S publication number: %r", text)
    return None


def unique(values: Iterable[str | None]) -> tuple[str, ...]:
    """The values in first-seen order, without blanks or repeats (CPV lists, winners' ids)."""
    if values.__class__ is list and len(values) == 1:  # often: nothing to deduplicate
        value = values[0]
        return (value,) if value else ()
    return tuple(dict.fromkeys(filter(None, values)))


def with_lot_cpv(codes: list[str | None], lots: Iterable[Lot]) -> list[str | None]:
    """``codes`` (the notice's own CPV codes) followed by each lot's, with repeats (``unique`` drops them).

    A plain loop: on Python 3.11 a generator expression makes a function and a frame, once per notice."""
    for lot in lots:
        codes += lot.cpv
    return codes
