"""Whether a supplier is one we depend on now: current, former, dissolved, or not ours at all.

Why: a risk list that puts a company dissolved three years ago, or one we stopped buying from, above the
suppliers we depend on today sends people after the wrong names. Risk lists and category pages show current
suppliers by default; the others only on request, marked with this status. Pure: no I/O.

The rule (stated in ``describe``):

- **current**: a contract that runs on the day (no end date, or end or extension on or after it) or spend
  booked in the last ``recent_months`` months. A supplier that went bankrupt or was deregistered within
  those months while we still depend on it stays current, its dissolution named first in ``why``: that is
  the supplier a category manager must see first, not one to hide;
- **dissolved**: a bankruptcy on record or a registration end on or before the day, otherwise;
- **former**: ours once (spend or a contract) but neither of the above;
- **not ours**: in the award market only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

CURRENT, FORMER, DISSOLVED, NOT_OURS = "current", "former", "dissolved", "not ours"
#: Statuses a risk list shows without ``--all``.
SHOWN_BY_DEFAULT = frozenset({CURRENT})


@dataclass(frozen=True, slots=True)
class Relationship:
    status: str
    #: One line a person can check: "contract C-12 runs to 2027-03-31", "last spend 2024-05-02".
    why: str


def relationship(as_of: date, *, spend_days: Iterable[date | None], contract_ends: Iterable[tuple[str, date | None]],
                 dissolved_on: date | None, recent_months: int = 12) -> Relationship:
    """The status of one supplier on ``as_of``; ``contract_ends`` are (reference, last day incl. extension or None)."""
    recent_from = as_of - timedelta(days=round(recent_months * 30.44))
    if dissolved_on is not None and dissolved_on <= as_of:
        gone = f"dissolved or bankrupt since {dissolved_on.isoformat()}"
        if dissolved_on < recent_from:
            return Relationship(DISSOLVED, gone)
        now = relationship(as_of, spend_days=spend_days, contract_ends=contract_ends, dissolved_on=None,
                           recent_months=recent_months)
        if now.status != CURRENT:
            return Relationship(DISSOLVED, gone)
        return Relationship(CURRENT, f"{gone}; {now.why}")
    contracts = list(contract_ends)
    running = [(ref, end) for ref, end in contracts if end is None or end >= as_of]
    if running:
        ref, end = max(running, key=lambda pair: pair[1] or date.max)
        return Relationship(CURRENT, f"contract {ref or '(no reference)'} "
                                     + ("has no end date" if end is None else f"runs to {end.isoformat()}"))
    booked = [day for day in spend_days if day is not None and day <= as_of]
    last_spend = max(booked) if booked else None
    if last_spend is not None and last_spend >= recent_from:
        return Relationship(CURRENT, f"last spend {last_spend.isoformat()}")
    if last_spend is not None or contracts:
        ended = max((end for _, end in contracts if end is not None), default=None)
        parts = [f"last spend {last_spend.isoformat()}" if last_spend else "",
                 f"last contract ended {ended.isoformat()}" if ended else ""]
        return Relationship(FORMER, "; ".join(p for p in parts if p) or "no recent spend or running contract")
    return Relationship(NOT_OURS, "no spend or contract of ours")


def describe(recent_months: int) -> str:
    return (f"current = a running contract or spend in the last {recent_months} months; former = ours before; "
            "dissolved = bankrupt or deregistered")
