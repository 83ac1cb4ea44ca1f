"""One meaning of "our spend": net spend (credit notes netted) booked in one stated period.

Every screen that shows a figure called "our spend" (the categories list, a category page, the
supplier list and page, the market scan) reads it here, over the same period: the
``spend_window_months`` (``config/risk.yaml``, 24 by default) up to the as-of day of the latest
finished scoring run, which is also the window the dependency scores and the Kraljic position
use; without a scoring run, up to today. A credit note is a negative line and lowers the sum.
Lines without a booking date count in every period, as the scoring run counts them (the quality
report lists them).

Our spend is in euros (``SPEND_CURRENCY``: what a Dutch or EU public body books in, and what every page writes
it in). A line in another currency is kept, but counts in no sum: no exchange rate is fetched, and adding its
amount to euros would make every figure built on it wrong without a sign. The quality report lists such lines
("spend rows in another currency"), with their suppliers, and the pages that show our spend name what such lines
leave out (``other_currencies``): where every line of a figure is in another currency, our spend in euros is
unknown ("–"), not € 0.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from store.schema import ScoringRun, SpendLine

DEFAULT_MONTHS = 24
#: The currency of "our spend": a line in another counts in no sum (``in_spend_currency``).
SPEND_CURRENCY = "EUR"


def in_spend_currency() -> ColumnElement[bool]:
    """The spend lines our spend sums: those in ``SPEND_CURRENCY``."""
    return SpendLine.currency == SPEND_CURRENCY


@dataclass(frozen=True, slots=True)
class SpendPeriod:
    """[start, end], both days included, and how many months that is."""

    start: date
    end: date
    months: int

    def condition(self) -> ColumnElement[bool]:
        return counted_in(self.start, self.end)


def counted_in(start: date, end: date) -> ColumnElement[bool]:
    """The lines our spend over [start, end] sums on every page: booked in it, or undated; in euros. (The scoring
    run reads the same lines in every currency, ``store.risk.spend_facts``, and sums the euros alone.)"""
    return and_(in_spend_currency(), booked_in(start, end))


def booked_in(start: date, end: date) -> ColumnElement[bool]:
    """The lines booked in [start, end], or undated (in any currency)."""
    return or_(SpendLine.booked_on.is_(None), SpendLine.booked_on.between(start, end))


#: Net spend of one figure's lines in one other currency: (ISO code, net amount, lines).
OtherCurrency = tuple[str, Decimal, int]


def other_currencies(session: Session, period: SpendPeriod, *where: ColumnElement[bool],
                     by: str | None = None) -> dict[object, tuple[OtherCurrency, ...]]:
    """What ``period``'s figures leave out: net spend booked in it (or undated) in a currency other than
    ``SPEND_CURRENCY``, per currency (alphabetical), for the lines ``where`` selects; grouped by the spend
    line's column ``by`` (``"cpv"``, ``"organisation_id"``; lines without one left out), else under ``None``.

    Why: such a line is kept but in no sum (no exchange rate is fetched), so a figure must say what it left out,
    and a figure all of whose lines are in another currency is unknown in euros, not 0."""
    groups = [getattr(SpendLine, by)] if by else []
    query = (select(SpendLine.currency, func.coalesce(func.sum(SpendLine.amount), 0), func.count(), *groups)
             .where(SpendLine.currency != SPEND_CURRENCY, booked_in(period.start, period.end), *where,
                    *[group.is_not(None) for group in groups])
             .group_by(SpendLine.currency, *groups)
             .order_by(SpendLine.currency))
    found: dict[object, list[OtherCurrency]] = {}
    for currency, amount, lines, *group in session.execute(query):
        found.setdefault(group[0] if group else None, []).append((currency, Decimal(amount), lines))
    return {group: tuple(amounts) for group, amounts in found.items()}


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (the last day of a shorter month)."""
    total = day.year * 12 + day.month - 1 - months
    year, month = divmod(total, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def spend_period(session: Session, *, months: int = DEFAULT_MONTHS, today: date | None = None) -> SpendPeriod:
    """The period "our spend" covers: ``months`` up to the latest finished scoring run's as-of day (else today)."""
    end = session.scalar(
        select(ScoringRun.as_of).where(ScoringRun.status == "ok").order_by(ScoringRun.as_of.desc(), ScoringRun.id.desc())
    ) or today or date.today()
    return SpendPeriod(start=months_before(end, months), end=end, months=months)


def _in_prefixes(prefixes: Sequence[str] | None) -> ColumnElement[bool]:
    if prefixes is None:
        return SpendLine.id.is_not(None)
    if not prefixes:
        return SpendLine.id.is_(None)
    return or_(*[SpendLine.cpv.startswith(p) for p in prefixes])


def net_spend(session: Session, period: SpendPeriod, *, prefix: str | None = None,
              organisation_id: int | None = None, matched_only: bool = False) -> Decimal:
    """Net spend booked in ``period``: a category (CPV prefix), a supplier, or all; optionally matched suppliers only."""
    query = select(func.coalesce(func.sum(SpendLine.amount), 0)).where(period.condition())
    if prefix:
        query = query.where(SpendLine.cpv.startswith(prefix))
    if organisation_id is not None:
        query = query.where(SpendLine.organisation_id == organisation_id)
    if matched_only:
        query = query.where(SpendLine.organisation_id.is_not(None))
    return Decimal(session.scalar(query) or 0)


def net_spend_by(session: Session, period: SpendPeriod, column: str, prefixes: Sequence[str] | None = None,
                 *, prefix: str | None = None) -> dict[object, Decimal]:
    """Net spend in ``period`` grouped by ``"cpv"`` or ``"organisation_id"``, inside ``prefixes``."""
    key = getattr(SpendLine, column)
    query = (select(key, func.coalesce(func.sum(SpendLine.amount), 0))
             .where(period.condition(), key.is_not(None), _in_prefixes(prefixes)).group_by(key))
    if prefix:
        query = query.where(SpendLine.cpv.startswith(prefix))
    return {k: Decimal(v) for k, v in session.execute(query)}
