"""The organisation's contract register, one ``ContractRecord`` per row (CSV or XLSX).

Domain
  A contract register (from a contract-management system or a spreadsheet kept by hand) lists per
  contract: its number, the supplier, category or CPV, start and end, the options to extend, the
  value, who manages it and whether it was single-sourced. Alerts route by the owner and warn
  before the end; risk weighs a supplier by what we have contracted with it.

Caveats
  - Options to extend come in three shapes, all understood: an end date with every option used
    (``Einddatum incl. opties``), text such as ``2 x 1 jaar``, ``2x12 maanden``, ``1 jaar`` or
    ``geen``, or a number of options with the length of one in months. ``extension_until`` is the
    latest end either way.
  - The single-sourcing flag is ``Ja``/``Nee``, ``yes``/``no``, ``x``, ``1``/``0`` or ``true``.
  - A row without a contract number cannot be stored (the number is its identity): it is reported
    (``no_reference``) and skipped. Values that do not parse are reported and left empty.

Arguments
  ``parse_contract_row(info, row_number, raw, category_cpv)`` -> ``(ContractRecord | None, [RowIssue])``;
  ``raw`` comes from ``connectors.tabular.open_table`` with the ``contracts`` mapping.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from connectors.cells import parse_amount, parse_cpv, parse_date, parse_kvk, text
from connectors.spend_file import RowIssue, RowValues, category_code, row_currency
from connectors.tabular import TableInfo

_YES = {"ja", "j", "yes", "y", "x", "1", "true", "waar", "enkelvoudig", "single"}
_NO = {"nee", "n", "no", "0", "false", "onwaar", "meervoudig", "-"}
_NONE = {"geen", "none", "nvt", "n.v.t.", "0", "-", "nee"}
_OPTIONS = re.compile(
    r"^(?:(\d+)\s*[x×*]\s*)?(\d+(?:[.,]\d+)?)\s*(jaar|jaren|jr|year|years|yr|maand|maanden|mnd|month|months|mo)$"
)


@dataclass(frozen=True, slots=True)
class ContractRecord:
    row_number: int
    contract_ref: str
    title: str | None
    supplier_name: str | None
    supplier_kvk: str | None
    supplier_vat: str | None
    category: str | None
    cpv: str | None
    start_date: date | None
    end_date: date | None
    extension_until: date | None
    value: Decimal | None
    currency: str
    owner: str | None
    single_sourced: bool | None


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months, on the last day of a shorter month when needed (31 Jan + 1 = 28/29 Feb)."""
    import calendar

    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def parse_options(value: object) -> int | None:
    """Total months of extension in a cell like "2 x 1 jaar", "2x12 maanden", "1 jaar", "geen"; None if empty."""
    raw = text(value)
    if raw is None:
        return None
    folded = raw.casefold().strip()
    if folded in _NONE:
        return 0
    found = _OPTIONS.match(folded)
    if not found:
        raise ValueError(f"{raw!r} is not an extension option like '2 x 1 jaar' or '12 maanden'")
    count = int(found.group(1) or 1)
    length = float(found.group(2).replace(",", "."))
    months = length * 12 if found.group(3).startswith(("j", "y")) else length
    return int(round(count * months))


def parse_flag(value: object) -> bool | None:
    raw = text(value)
    if raw is None:
        return None
    folded = raw.casefold()
    if folded in _YES:
        return True
    if folded in _NO:
        return False
    raise ValueError(f"{raw!r} is not yes or no")


def _whole(value: object) -> int | None:
    amount = parse_amount(value)
    if amount is None:
        return None
    if amount != amount.to_integral_value() or amount < 0:
        raise ValueError(f"{value!r} is not a whole number")
    return int(amount)


def parse_contract_row(
    info: TableInfo, row_number: int, raw: Mapping[str, Any], category_cpv: Mapping[str, str]
) -> tuple[ContractRecord | None, list[RowIssue]]:
    """The record (None when the row has no contract number) and the issues of its values."""
    values = RowValues(info, row_number, raw)
    ref = text(raw.get("contract_ref"))
    if ref is None:
        values.issue("no_reference", "contract_ref", "no contract number: the row cannot be stored")
        return None, values.issues
    name = text(raw.get("supplier_name"))
    kvk = values.get("supplier_kvk", parse_kvk, "kvk_invalid")
    if name is None and kvk is None:
        values.issue("no_supplier", "supplier_name", "no supplier name or KvK number")
    start = values.get("start_date", parse_date, "date_unparsed")
    end = values.get("end_date", parse_date, "date_unparsed")
    if start and end and end < start:
        values.issue("end_before_start", "end_date", f"ends {end} before it starts {start}", raw.get("end_date"))
    until = values.get("extension_until", parse_date, "date_unparsed")
    if until is None and end is not None:
        months = values.get("extension_options", parse_options, "options_unparsed")
        if months is None:
            count = values.get("extension_count", _whole, "options_unparsed")
            length = values.get("extension_months", _whole, "options_unparsed")
            months = count * length if count is not None and length is not None else None
        until = add_months(end, months) if months is not None else None
    if until is not None and end is not None and until < end:
        values.issue("options_before_end", "extension_until", f"options end {until} before the contract {end}")
    category = text(raw.get("category"))
    cpv = values.get("cpv", parse_cpv, "cpv_invalid") or category_code(category, category_cpv)
    record = ContractRecord(
        row_number=row_number,
        contract_ref=ref[:100],
        title=text(raw.get("title")),
        supplier_name=name,
        supplier_kvk=kvk,
        supplier_vat=text(raw.get("supplier_vat")),
        category=category,
        cpv=cpv,
        start_date=start,
        end_date=end,
        extension_until=until,
        value=values.get("value", parse_amount, "amount_unparsed"),
        currency=row_currency(values),
        owner=text(raw.get("owner")),
        single_sourced=values.get("single_sourced", parse_flag, "flag_unparsed"),
    )
    return record, values.issues


__all__ = ["ContractRecord", "add_months", "parse_contract_row", "parse_flag", "parse_options"]
