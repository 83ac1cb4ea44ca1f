"""Cell values of spreadsheets and CSV exports: amounts, dates, KvK numbers, CPV codes, text.

Shared by the file connectors (``connectors.spend_file``, ``connectors.contract_register``,
``connectors.tenderned_dataset``): one reading of "1.234,56", "31-12-2024" or an Excel day number for
every file we take in. Each parser returns ``None`` for an empty cell and raises ``ValueError`` with the
value in the message for one it cannot read, so that the caller can name the file, row and column.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

_AMOUNT_CLEAN = re.compile(r"[€\s\u00a0]|EUR", re.IGNORECASE)
#: "1.234": a thousands separator, not a decimal point.
_THOUSANDS_ONLY = re.compile(r"-?\d{1,3}\.\d{3}")


def parse_decimal(value: object) -> Decimal | None:
    """``1.234.567,89``, ``1234567.89``, ``1,5``, Excel numbers -> ``Decimal``; empty -> None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not an amount")
    if isinstance(value, (int, float, Decimal)):
        return Decimal(str(value))
    raw = _AMOUNT_CLEAN.sub("", str(value))
    if not raw:
        return None
    if "," in raw and "." in raw:
        thousands, decimal = (".", ",") if raw.rfind(",") > raw.rfind(".") else (",", ".")
        raw = raw.replace(thousands, "").replace(decimal, ".")
    elif "," in raw:
        raw = raw.replace(",", "") if raw.count(",") > 1 else raw.replace(",", ".")
    elif raw.count(".") > 1 or _THOUSANDS_ONLY.fullmatch(raw):
        raw = raw.replace(".", "")
    try:
        return Decimal(raw)
    except InvalidOperation:
        raise ValueError(f"{value!r} is not an amount") from None


_DATE_FORMATS = ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%d-%m-%y")
EXCEL_EPOCH = date(1899, 12, 30)
#: ``%d-%m-%Y`` written in full (``31-12-2024``), as ERP exports write their dates.
_DAY_MONTH_YEAR = re.compile(r"(\d{2})-(\d{2})-(\d{4})")
_DATE_TIME_SEPARATOR = re.compile(r"[T ]")


def parse_date(value: object) -> date | None:
    """``31-12-2024``, ``31/12/2024``, ISO dates and timestamps, Excel dates or day numbers -> ``date``."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 2_958_466:
        return EXCEL_EPOCH + timedelta(days=int(value))
    raw = str(value).strip()
    head = _DATE_TIME_SEPARATOR.split(raw, maxsplit=1)[0]
    if found := _DAY_MONTH_YEAR.fullmatch(head):  # the first format, read without strptime's cost (~8 us a call)
        try:
            return date(int(found[3]), int(found[2]), int(found[1]))
        except ValueError:
            pass  # no such day: the formats below decide, as they always did
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(head, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{value!r} is not a date")


_TRAILING_MINUS = re.compile(r"^(.*\d)\s*-$")
_PARENTHESISED = re.compile(r"^\((.*)\)$")
#: Compiled once, as the other patterns here: ``re.sub(pattern, ...)`` looks its pattern up in re's cache on
#: every call, several times per row of a spend export.
_AMOUNT_CHARS = re.compile(r"[0-9.,\s]+")
_KVK_PREFIX = re.compile(r"^(?:kvk|kvk-?nummer|kvknr|coc)[\s:.\-]*", re.IGNORECASE)
_KVK_SEPARATORS = re.compile(r"[\s.\-]")


def parse_amount(value: object) -> Decimal | None:
    """Dutch and plain amounts: ``1.234,56``, ``€ 1.234,56``, ``-250,00``, ``250,00-`` and ``(250,00)`` (credits)."""
    if isinstance(value, str):
        text = value.strip().replace("\u00a0", " ")
        negative = False
        for pattern in (_TRAILING_MINUS, _PARENTHESISED):
            if found := pattern.match(text):
                text, negative = found.group(1), True
        text = text.replace("€", "").replace("EUR", "").strip()
        if text.startswith("-"):
            text, negative = text[1:].strip(), not negative
        if text and not _AMOUNT_CHARS.fullmatch(text):
            raise ValueError(f"{value!r} is not an amount")
        amount = parse_decimal(text.replace(" ", ""))
        return -amount if negative and amount is not None else amount
    return parse_decimal(value)


def parse_kvk(value: object) -> str | None:
    """An 8-digit KvK number ("12345678"; dots, spaces and a "KvK" prefix dropped; a lost leading zero restored)."""
    if value is None or value == "":
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _KVK_PREFIX.sub("", str(value).strip())
    digits = _KVK_SEPARATORS.sub("", text)
    if not digits.isdigit() or not 7 <= len(digits) <= 8:
        raise ValueError(f"{value!r} is not a KvK number (8 digits)")
    return digits.zfill(8)


_CPV = re.compile(r"^(\d{2,8})(?:-\d)?$")


def parse_cpv(value: object) -> str | None:
    """A CPV code as 8 digits ("09310000-5", "9310000", 48 -> "48000000"); prefixes are padded."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        text = str(int(value))
        text = text.zfill(8) if len(text) == 7 else text
    else:
        text = str(value).strip()
    found = _CPV.match(text)
    if not found:
        raise ValueError(f"{value!r} is not a CPV code")
    digits = found.group(1)
    if len(digits) == 7:
        digits = digits.zfill(8)
    return digits.ljust(8, "0")


def text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    result = " ".join(str(value).split())
    return result or None
