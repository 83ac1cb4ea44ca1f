"""Reads behind the category pages: our spend in a category, its running contracts, the categories we
buy in, and a category's Kraljic position from the latest scoring run.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import extract, func, or_, select
from sqlalchemy.orm import Session

from reference.cpv import cpv_prefix
from store.category_access import in_categories
from store.schema import Contract, ScoringRun, SpendLine
from store.spend_period import (
    OtherCurrency,
    SpendPeriod,
    in_spend_currency,
    net_spend,
    net_spend_by,
    other_currencies,
    spend_period,
)

#: Running contracts a category page lists, the soonest to end first.
CATEGORY_CONTRACTS = 100


@dataclass(frozen=True, slots=True)
class CategorySpend:
    by_year: list[tuple[int | None, Decimal, int]]
    total: Decimal | None  # our spend: net, in ``period``; None when every line of it is in another currency
    lines: int
    contracts: list[Contract]
    period: SpendPeriod | None = None
    matched: Decimal = Decimal(0)  # the part with suppliers we matched (what the dependency scores rest on)
    #: what ``total`` leaves out: the period's lines in other currencies (``store.spend_period.other_currencies``)
    others: tuple[OtherCurrency, ...] = ()


def category_spend(session: Session, prefix: str, period: SpendPeriod | None = None) -> CategorySpend:
    """Our net spend in the category over ``period``, its years (net, each year whole) and running contracts."""
    period = period or spend_period(session)
    year = extract("year", SpendLine.booked_on)
    rows = session.execute(
        select(year, func.coalesce(func.sum(SpendLine.amount), 0), func.count())
        .where(SpendLine.cpv.startswith(prefix), in_spend_currency())
        .group_by(year)
        .order_by(year.desc())
    ).all()
    by_year = [(int(y) if y is not None else None, Decimal(total), n) for y, total, n in rows]
    running = or_(Contract.end_date.is_(None), Contract.end_date >= date.today(), Contract.extension_until >= date.today())
    contracts = list(
        session.scalars(
            select(Contract)
            .where(Contract.cpv.startswith(prefix), running)
            .order_by(Contract.end_date.nulls_last(), Contract.contract_ref)
            .limit(CATEGORY_CONTRACTS)
        )
    )
    euros = net_spend_by(session, period, "cpv", prefix=prefix)  # the codes with a line counted in the period
    others = other_currencies(session, period, SpendLine.cpv.startswith(prefix)).get(None, ())
    return CategorySpend(
        by_year=by_year, total=sum(euros.values(), Decimal(0)) if euros or not others else None,
        lines=sum(r[2] for r in by_year), contracts=contracts, period=period,
        matched=net_spend(session, period, prefix=prefix, matched_only=True), others=others,
    )


def our_categories(session: Session, prefixes: Sequence[str] | None,
                   period: SpendPeriod | None = None) -> list[tuple[str, Decimal | None, int, tuple[OtherCurrency, ...]]]:
    """CPV codes we spend in or hold contracts in (inside ``prefixes``): (code, net spend in ``period``, contracts,
    the period's spend in other currencies). The spend is None where every line of the period is in another currency
    (unknown in euros), 0 where there is none in it."""
    period = period or spend_period(session)
    ever = set(session.scalars(
        select(SpendLine.cpv).where(SpendLine.cpv.is_not(None), in_categories(SpendLine.cpv, prefixes)).distinct()
    ))
    spend = {code: amount for code, amount in net_spend_by(session, period, "cpv").items()
             if code in ever}
    contracts = dict(
        tuple(r) for r in session.execute(
            select(Contract.cpv, func.count())
            .where(Contract.cpv.is_not(None), in_categories(Contract.cpv, prefixes))
            .group_by(Contract.cpv)
        )
    )
    others = other_currencies(session, period, in_categories(SpendLine.cpv, prefixes), by="cpv")
    codes = sorted(ever | set(spend) | set(contracts))
    return [(code, spend[code] if code in spend else (None if code in others else Decimal(0)), contracts.get(code, 0),
             others.get(code, ())) for code in codes]


def kraljic_of(session: Session, prefix: str) -> dict[str, Any] | None:
    """The category's Kraljic position from the latest finished scoring run (kept in the run's details)."""
    run = session.scalars(
        select(ScoringRun).where(ScoringRun.status == "ok").order_by(ScoringRun.as_of.desc(), ScoringRun.id.desc())
        .limit(1)  # without it the ORM builds every run with its details before taking the first
    ).first()
    if run is None or not isinstance(run.details, dict):
        return None
    for entry in run.details.get("kraljic") or []:
        if isinstance(entry, dict) and cpv_prefix(str(entry.get("category", ""))) == prefix:
            return {**entry, "as_of": run.as_of, "model_version": run.model_version}
    return None
