"""Contract modifications in a market category: their own line in a scan, never part of the awards.

A modification (TED F20, eForms can-modif) changes a contract already awarded: its value, its
term, sometimes its contractor. Counting it as an award would count the contract twice, so the
market statistics leave it out; this module says, in one sentence, what the modifications in the
window add: how many, how many are linked to an award notice we hold, and by how much they moved
contract values where both the value before and after are stated in the scan's currency. Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from models.market import Winner


@dataclass(frozen=True, slots=True)
class ContractChangeFact:
    """One modification as the store knows it."""

    notice_id: str
    source: str
    published: date
    cpv_main: str
    buyer_name: str
    lot: str | None
    contractors: tuple[Winner, ...]
    original_notice: str | None  # publication number of the award notice it modifies
    original_found: bool  # that award notice is in the store
    contract_id: str | None = None
    value_before: Decimal | None = None
    value_after: Decimal | None = None
    currency: str | None = None
    reason: str | None = None


def modifications_line(changes: Sequence[ContractChangeFact], start: date, end: date, currency: str = "EUR") -> str | None:
    """The scan's line about the window's modifications; None when there are none."""
    window = [c for c in changes if start <= c.published <= end]
    if not window:
        return None
    linked = sum(1 for c in window if c.original_found)
    priced = [
        c for c in window
        if c.value_before is not None and c.value_after is not None and (c.currency or "").upper() == currency.upper()
    ]
    noun = "modification" if len(window) == 1 else "modifications"
    line = (
        f"{len(window)} contract {noun} in the window, not counted as awards above; "
        f"{linked} of {len(window)} linked to an award notice in the store"
    )
    if priced:
        delta = sum((c.value_after - c.value_before for c in priced), Decimal(0))
        line += (
            f"; where the value before and after is stated in {currency.upper()} ({len(priced)} of {len(window)}), "
            f"contract values changed by {delta:+,.0f} {currency.upper()}"
        )
    return line + "."
