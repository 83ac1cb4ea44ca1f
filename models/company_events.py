"""What changed between two observations of a company in the trade register (pure: no I/O).

A refresh of a KvK profile is compared with the last stored snapshot; each difference that matters
to a buyer becomes a typed change with a date: dissolved, legal form changed, main SBI activity
changed, moved, renamed, employees changed sharply, no longer found. The kinds are the
``supplier_events.kind`` names of ``store/schema/shared.py``.

Dates: the register states a date for the end of a registration (``ended_on``), so a dissolution
is dated by it; for everything else the register keeps no date of the change, so the change is
dated on the day it was observed, and ``details`` says which (``date_basis``) and the window in
which it happened (``previous_observed_on`` .. ``observed_on``).

"No longer found" is only ever concluded from a *confirmed* not-found answer (``NOT_FOUND``
snapshot); an outage never reaches this module, it leaves the last snapshot in place.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

#: The payload of a snapshot that records a confirmed "not in the register" answer.
NOT_FOUND_STATUS = "not_found"

DISSOLVED = "kvk.dissolved"
LEGAL_FORM = "kvk.legal_form_changed"
SBI = "kvk.sbi_changed"
MOVED = "kvk.address_moved"
RENAMED = "kvk.name_changed"
EMPLOYEES = "kvk.employees_changed"
NOT_FOUND = "kvk.not_found"


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a change in employees is "sharp": relative AND absolute, so 2 -> 3 people is no event."""

    employees_ratio: float = 0.25
    employees_min: int = 3


@dataclass(frozen=True, slots=True)
class CompanyChange:
    kind: str
    occurred_on: date
    title: str
    details: dict[str, Any] = field(default_factory=dict)


def compare_snapshots(
    previous: Mapping[str, Any] | None,
    current: Mapping[str, Any],
    *,
    observed_on: date,
    previous_observed_on: date | None = None,
    thresholds: Thresholds = Thresholds(),
) -> list[CompanyChange]:
    """The changes from ``previous`` to ``current`` (snapshot payloads: ``CompanyProfile.to_json()``
    or ``{"status": "not_found", ...}``).

    With no previous snapshot only a registration that has already ended is reported (dated by the
    register): the first observation is the baseline for everything else.
    """
    window = {"observed_on": observed_on.isoformat(),
              "previous_observed_on": previous_observed_on.isoformat() if previous_observed_on else None}
    if is_not_found(current):
        if previous is not None and not is_not_found(previous):
            return [CompanyChange(NOT_FOUND, observed_on, f"{previous.get('name')} is no longer found in the KvK register",
                                  {**window, "date_basis": "observed", "code": current.get("code"),
                                   "message": current.get("message")})]
        return []
    changes: list[CompanyChange] = []
    ended = _day(current.get("ended_on"))
    was_ended = _day(previous.get("ended_on")) if previous and not is_not_found(previous) else None
    if ended and not was_ended:
        changes.append(CompanyChange(DISSOLVED, ended, f"{current.get('name')}: registration ended on {ended.isoformat()}",
                                     {**window, "date_basis": "register (materieleRegistratie.datumEinde)",
                                      "ended_on": ended.isoformat()}))
    if previous is None or is_not_found(previous):
        return changes
    observed = {**window, "date_basis": "observed (the register keeps no date of this change)"}
    name = current.get("name")

    def changed(kind: str, old: Any, new: Any, title: str) -> None:
        changes.append(CompanyChange(kind, observed_on, title, {**observed, "old": old, "new": new}))

    if _norm(previous.get("name")) != _norm(name):
        changed(RENAMED, previous.get("name"), name, f"{previous.get('name')} is now called {name}")
    if _norm(previous.get("legal_form")) != _norm(current.get("legal_form")):
        changed(LEGAL_FORM, previous.get("legal_form"), current.get("legal_form"),
                f"{name}: legal form {previous.get('legal_form')} -> {current.get('legal_form')}")
    old_sbi, new_sbi = main_sbi(previous), main_sbi(current)
    if old_sbi and new_sbi and old_sbi.get("code") != new_sbi.get("code"):
        changed(SBI, old_sbi, new_sbi, f"{name}: main activity {old_sbi.get('code')} -> {new_sbi.get('code')} "
                                       f"({new_sbi.get('description') or 'no description'})")
    old_place, new_place = _place(previous.get("address")), _place(current.get("address"))
    if old_place and new_place and old_place != new_place:
        changed(MOVED, previous.get("address"), current.get("address"),
                f"{name} moved from {_where(previous.get('address'))} to {_where(current.get('address'))}")
    old_n, new_n = previous.get("employees"), current.get("employees")
    if sharp_change(old_n, new_n, thresholds):
        direction = "grew" if new_n > old_n else "shrank"
        changes.append(CompanyChange(EMPLOYEES, observed_on, f"{name} {direction} from {old_n} to {new_n} people",
                                     {**observed, "old": old_n, "new": new_n,
                                      "change_ratio": round((new_n - old_n) / old_n, 3)}))
    return changes


def is_not_found(snapshot: Mapping[str, Any] | None) -> bool:
    return bool(snapshot) and snapshot.get("status") == NOT_FOUND_STATUS


def sharp_change(old: int | None, new: int | None, thresholds: Thresholds) -> bool:
    """Both counts known, and the change at least ``employees_min`` people and ``employees_ratio`` of the old count."""
    if old is None or new is None or old <= 0:
        return False
    return abs(new - old) >= thresholds.employees_min and abs(new - old) / old >= thresholds.employees_ratio


def main_sbi(snapshot: Mapping[str, Any]) -> Mapping[str, Any] | None:
    activities = snapshot.get("sbi") or []
    return next((a for a in activities if a.get("main")), activities[0] if activities else None)


def _place(address: Mapping[str, Any] | None) -> tuple[str, ...] | None:
    """What identifies an address for "moved": postcode and house number, else street and town."""
    if not address:
        return None
    return tuple(_norm(address.get(k)) for k in ("postcode", "house_number", "street", "town"))


def _where(address: Mapping[str, Any] | None) -> str:
    if not address:
        return "an unknown address"
    street = " ".join(p for p in (address.get("street"), address.get("house_number")) if p)
    return ", ".join(p for p in (street, address.get("town")) if p) or "an unknown address"


def _norm(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value or "")).strip().casefold()


def _day(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    return date.fromisoformat(value) if value else None
