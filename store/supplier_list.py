"""The list of our suppliers: who we depend on now (or did), with spend, contracts and the score they
rank by; dissolved and bankrupt ones marked from the registers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from operator import itemgetter

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from models.relationship import CURRENT, relationship
from store.category_access import in_categories
from store.companies import latest_profiles
from store.schema import Contract, Organisation, SpendLine, SupplierEvent
from store.score_history import latest_scores
from store.spend_period import OtherCurrency, SpendPeriod, other_currencies, spend_period


@dataclass(frozen=True, slots=True)
class SupplierRow:
    id: int
    name: str
    country: str | None
    company_id: str | None
    #: our net spend in the period, in euros; None when every line of it is in another currency (unknown in euros)
    spend: Decimal | None
    contracts: int
    score: float | None
    band: str | None
    score_kind: str | None
    #: "current", "former" or "dissolved" (models.relationship), and the line that says why.
    status: str = "current"
    status_why: str = ""
    #: what ``spend`` leaves out: the period's lines in other currencies (``store.spend_period.other_currencies``)
    others: tuple[OtherCurrency, ...] = ()


def our_suppliers(
    session: Session, prefixes: Sequence[str] | None, *, search: str = "", category: str | None = None, limit: int = 200,
    period: SpendPeriod | None = None, include_former: bool = False, today: date | None = None,
) -> list[SupplierRow]:
    """Suppliers we depend on now (a running contract or recent spend, in ``prefixes`` and ``category``), riskiest
    first; with ``include_former`` also former and dissolved ones, marked. Unknown risks sort after known ones.

    Their spend is our net spend in ``period`` (``store.spend_period``); whether they are current
    depends on their latest spend and contracts, whatever the period.
    """
    period = period or spend_period(session)
    today = today or date.today()
    spend_filter = [in_categories(SpendLine.cpv, prefixes), SpendLine.organisation_id.is_not(None)]
    contract_filter = [in_categories(Contract.cpv, prefixes), Contract.organisation_id.is_not(None)]
    if category:
        spend_filter.append(SpendLine.cpv.startswith(category))
        contract_filter.append(Contract.cpv.startswith(category))
    spend: dict[int, Decimal] = {}  # net spend in the period
    last_spend: dict[int, date | None] = {}  # latest booking, whatever the period
    for org_id, total, last in session.execute(  # one pass over the spend lines for both
        select(SpendLine.organisation_id, func.sum(case((period.condition(), SpendLine.amount), else_=None)),
               func.max(SpendLine.booked_on))
        .where(*spend_filter).group_by(SpendLine.organisation_id)
    ):
        last_spend[org_id] = last
        if total is not None:
            spend[org_id] = total
    others = other_currencies(session, period, *spend_filter, by="organisation_id")
    contract_ends: dict[int, list[tuple[str, date | None]]] = defaultdict(list)
    for org_id, ref, end, extension in session.execute(
        select(Contract.organisation_id, Contract.contract_ref, Contract.end_date, Contract.extension_until).where(*contract_filter)
    ):
        contract_ends[org_id].append((ref or "", max((d for d in (end, extension) if d is not None), default=None)))
    ids = set(last_spend) | set(spend) | set(contract_ends)
    if not ids:
        return []
    query = select(Organisation.id, Organisation.name, Organisation.country, Organisation.company_id).where(
        Organisation.id.in_(ids))
    if search:
        query = query.where(Organisation.name.ilike(f"%{search.strip()}%"))
    orgs = list(session.execute(query))  # plain columns: a list of thousands needs no ORM objects
    dissolved = dissolved_on(session, [o.id for o in orgs], today)
    scores = latest_scores(session, [o.id for o in orgs], category)
    # Every supplier is ranked, but only the ``limit`` shown become rows: the ranking needs a supplier's status,
    # score, spend and name, and building all 2,000 rows of a national list cost a fifth of the page.
    ranked = []
    for o in orgs:
        rel = relationship(today, spend_days=[last_spend.get(o.id)], contract_ends=contract_ends.get(o.id, ()),
                           dissolved_on=dissolved.get(o.id))
        if rel.status != CURRENT and not include_former:
            continue
        score = scores.get(o.id)
        money = Decimal(spend[o.id]) if o.id in spend else (None if o.id in others else Decimal(0))
        value = score.value if score else None
        key = (rel.status != CURRENT, value is None or score.band == "unknown", -(value or 0.0), -(money or 0), o.name)
        ranked.append((key, o, rel, score, money))
    ranked.sort(key=itemgetter(0))
    return [
        SupplierRow(
            id=o.id, name=o.name, country=o.country, company_id=o.company_id, spend=money,
            contracts=len(contract_ends.get(o.id, ())), score=score.value if score else None,
            band=score.band if score else None, score_kind=score.kind if score else None,
            status=rel.status, status_why=rel.why, others=others.get(o.id, ()),
        )
        for _, o, rel, score, money in ranked[:limit]
    ]


def dissolved_on(session: Session, organisation_ids: Sequence[int], today: date) -> dict[int, date]:
    """The first bankruptcy on record, or the registration end of the newest company snapshot, per organisation."""
    out: dict[int, date] = {}
    ids = list(organisation_ids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for org_id, day in session.execute(
            select(SupplierEvent.organisation_id, func.min(SupplierEvent.occurred_on))
            .where(SupplierEvent.organisation_id.in_(chunk), SupplierEvent.kind == "insolvency.bankruptcy_declared")
            .group_by(SupplierEvent.organisation_id)
        ):
            out[org_id] = day
    for org_id, profile in latest_profiles(session, ids, today).items():
        ended = profile.get("registration_end")
        day = ended if isinstance(ended, date) else _iso_day(ended)
        if day is not None and (org_id not in out or day < out[org_id]):
            out[org_id] = day
    return out


def _iso_day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
