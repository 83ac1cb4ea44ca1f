"""The organisation's spend export (invoices or payments per supplier), one ``SpendRecord`` per row.

Domain
  Every ERP (Exact, AFAS, SAP, Unit4, Oracle) can export its creditor invoices to CSV or XLSX:
  supplier (creditor) name, sometimes its KvK number, an amount, a booking or invoice date, an
  invoice number, a description and, with luck, a purchasing category. The headers differ per
  system and per organisation: ``config/own_data_columns.yaml`` lists the spellings; reading the
  file (encoding, delimiter, header) is ``connectors.tabular``'s job.

Caveats
  - About a third of real spend rows carry no usable supplier id; names are typed by hand. A row
    with a KvK number that is not 8 digits keeps its name and loses the number (``kvk_invalid``).
  - Credit notes are negative amounts, also written ``250,00-`` or ``(250,00)``.
  - A value that does not parse is not fatal here: ``parse_spend_row`` returns the record with
    the value empty and a ``RowIssue`` naming the column. Whether too many of them refuse the
    file is the importer's decision (``pipelines.import_own_data``).

Arguments
  ``parse_spend_row(info, row_number, raw, category_cpv)`` -> ``(SpendRecord, [RowIssue])``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from connectors.cells import parse_amount, parse_cpv, parse_date, parse_kvk, text
from connectors.currencies import NO_CURRENCY, ledger_currency
from connectors.tabular import TableInfo


@dataclass(frozen=True, slots=True)
class RowIssue:
    """Something wrong with one value of one row; ``code`` is stable (the quality report groups by it)."""

    row: int
    code: str
    column: str | None
    message: str
    raw: str | None = None


@dataclass(frozen=True, slots=True)
class SpendRecord:
    row_number: int
    supplier_name: str | None
    supplier_kvk: str | None
    supplier_vat: str | None
    supplier_ref: str | None
    category: str | None
    cpv: str | None
    amount: Decimal | None
    #: The amount cell as written: part of the row's identity even when it does not parse.
    amount_text: str | None
    currency: str  # ISO 4217 (``row_currency``)
    #: The currency cell as written, for the row's identity (``store.own_data.spend_content``).
    currency_text: str | None
    booked_on: date | None
    invoice_number: str | None
    description: str | None
    contract_ref: str | None


class RowValues:
    """Takes values off a raw row, collecting an issue for each one that does not parse."""

    def __init__(self, info: TableInfo, row: int, raw: Mapping[str, Any]) -> None:
        self.info, self.row, self.raw = info, row, raw
        self.issues: list[RowIssue] = []

    def get(self, name: str, parse: Callable[[object], Any], code: str) -> Any:  # parsed value
        value = self.raw.get(name)
        try:
            return parse(value)
        except ValueError as exc:
            self.issue(code, name, str(exc), value)
            return None

    def issue(self, code: str, name: str | None, message: str, value: object = None) -> None:
        column = self.info.column(name) if name else None
        raw = None if value is None else str(value)[:500]
        self.issues.append(RowIssue(self.row, code, column, message, raw))


def row_currency(values: RowValues) -> str:
    """The row's ISO 4217 currency (an empty cell: the euro, the ledger's own). A cell that names none ("$",
    "EURO's") is a ``currency_invalid`` issue and the row is kept with ``NO_CURRENCY``: its amount then counts in
    no sum of our spend, where the cell cut to three letters was taken for a currency of its own ("$", "EUR" for
    "EURO's" by luck)."""
    raw = values.raw.get("currency")
    code = ledger_currency(raw)
    if code is None:
        values.issue("currency_invalid", "currency", f"{str(raw)[:40]!r} is not an ISO 4217 currency code", raw)
        return NO_CURRENCY
    return code


def category_code(category: str | None, category_cpv: Mapping[str, str]) -> str | None:
    """A CPV code for a category cell: a code-like cell ("48", "90910000") or a name listed in the mapping."""
    if not category:
        return None
    known = category_cpv.get(" ".join(category.casefold().split()))
    if known:
        return known
    try:
        return parse_cpv(category)
    except ValueError:
        return None


def parse_spend_row(
    info: TableInfo, row_number: int, raw: Mapping[str, Any], category_cpv: Mapping[str, str]
) -> tuple[SpendRecord, list[RowIssue]]:
    values = RowValues(info, row_number, raw)
    name = text(raw.get("supplier_name"))
    kvk = values.get("supplier_kvk", parse_kvk, "kvk_invalid")
    if name is None and kvk is None:
        values.issue("no_supplier", "supplier_name", "no supplier name or KvK number")
    amount = values.get("amount", parse_amount, "amount_unparsed")
    if amount is None and raw.get("amount") in (None, ""):
        values.issue("amount_missing", "amount", "no amount")
    booked_on = values.get("booked_on", parse_date, "date_unparsed")
    if booked_on is None and raw.get("booked_on") in (None, ""):
        values.issue("date_missing", "booked_on", "no booking date")
    category = text(raw.get("category"))
    cpv = values.get("cpv", parse_cpv, "cpv_invalid") or category_code(category, category_cpv)
    record = SpendRecord(
        row_number=row_number,
        supplier_name=name,
        supplier_kvk=kvk,
        supplier_vat=text(raw.get("supplier_vat")),
        supplier_ref=text(raw.get("supplier_ref")),
        category=category,
        cpv=cpv,
        amount=amount,
        amount_text=text(raw.get("amount")),
        currency=row_currency(values),
        currency_text=text(raw.get("currency")),
        booked_on=booked_on,
        invoice_number=text(raw.get("invoice_number")),
        description=text(raw.get("description")),
        contract_ref=text(raw.get("contract_ref")),
    )
    return record, values.issues


__all__ = ["RowIssue", "RowValues", "SpendRecord", "category_code", "parse_spend_row"]
