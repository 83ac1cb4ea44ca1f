"""Reads behind the web workspace's supplier page: plain facts out of the store.

Every read that can reveal a category takes ``prefixes``: the CPV prefixes the reader may see
(``None``: all of them; ``store.category_access``). A category manager's pages are built only from
rows inside their categories, so another category's spend or contracts never reach their browser.
The supplier list is ``store.supplier_list``, the scores ``store.score_history``, the category
pages ``store.category_pages``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import extract, func, select
from sqlalchemy.orm import Session, aliased

from store.category_access import covers, disjoint, in_categories
from store.companies import cases_for, snapshots_for
from store.schema import (
    Award,
    AwardWinner,
    Contract,
    Notice,
    Organisation,
    OrganisationIdentifier,
    RiskScore,
    SpendLine,
    SupplierEvent,
)
from store.schema.own_data import MatchCandidate, MatchDecision
from store.score_history import ScoreView, supplier_scores
from store.spend_period import SpendPeriod, net_spend, spend_period

__all__ = [
    "SupplierPage", "awards_won", "match_decisions", "may_see_supplier", "organisation_ids", "register_facts",
    "supplier_cpvs", "supplier_page",
]


@dataclass(slots=True)
class SupplierPage:
    organisation: Organisation
    identifiers: list[OrganisationIdentifier]
    spend_by_year: list[tuple[int | None, str | None, Decimal, int, str]]  # year, CPV, net, lines, currency
    spend_total: Decimal
    contracts: list[Contract]
    events: list[SupplierEvent]
    scores: list[ScoreView]
    awards: list[dict[str, Any]] = field(default_factory=list)
    spend_period: SpendPeriod | None = None  # the period of ``spend_total`` (our net spend)


def supplier_cpvs(session: Session, organisation_id: int) -> set[str]:
    """Every CPV the supplier is filed under: our spend and contracts, category scores, awards won."""
    cpvs: set[str] = set()
    cpvs.update(session.scalars(select(SpendLine.cpv).where(SpendLine.organisation_id == organisation_id).distinct()))
    cpvs.update(session.scalars(select(Contract.cpv).where(Contract.organisation_id == organisation_id).distinct()))
    cpvs.update(
        session.scalars(
            select(RiskScore.category).where(RiskScore.organisation_id == organisation_id, RiskScore.category != "").distinct()
        )
    )
    cpvs.update(
        session.scalars(
            select(Notice.cpv_main)
            .join(Award, Award.notice_pk == Notice.id)
            .join(AwardWinner, AwardWinner.award_id == Award.id)
            .where(AwardWinner.organisation_id == organisation_id)
            .distinct()
        )
    )
    return {c for c in cpvs if c}


def may_see_supplier(session: Session, organisation_id: int, prefixes: Sequence[str] | None) -> bool:
    if prefixes is None:
        return True
    return any(covers(prefixes, cpv) for cpv in supplier_cpvs(session, organisation_id))


def supplier_page(session: Session, organisation_id: int, prefixes: Sequence[str] | None,
                  period: SpendPeriod | None = None) -> SupplierPage | None:
    org = session.get(Organisation, organisation_id)
    period = period or spend_period(session)
    if org is None:
        return None
    identifiers = list(
        session.scalars(
            select(OrganisationIdentifier)
            .where(OrganisationIdentifier.organisation_id == organisation_id)
            .order_by(OrganisationIdentifier.scheme, OrganisationIdentifier.value)
        )
    )
    year = extract("year", SpendLine.booked_on)
    # every line the supplier's page may show, each currency apart (our spend's sums count euros alone)
    spend_rows = session.execute(
        select(year, SpendLine.cpv, func.coalesce(func.sum(SpendLine.amount), 0), func.count(), SpendLine.currency)
        .where(SpendLine.organisation_id == organisation_id, in_categories(SpendLine.cpv, prefixes))
        .group_by(year, SpendLine.cpv, SpendLine.currency)
        .order_by(year.desc(), SpendLine.cpv, SpendLine.currency)
    ).all()
    spend_by_year = [(int(y) if y is not None else None, cpv, Decimal(total), n, currency)
                     for y, cpv, total, n, currency in spend_rows]
    contracts = list(
        session.scalars(
            select(Contract)
            .where(Contract.organisation_id == organisation_id, in_categories(Contract.cpv, prefixes))
            .order_by(Contract.end_date.desc().nulls_last(), Contract.contract_ref)
        )
    )
    events = list(
        session.scalars(
            select(SupplierEvent)
            .where(SupplierEvent.organisation_id == organisation_id)
            .order_by(SupplierEvent.occurred_on.desc(), SupplierEvent.id.desc())
            .limit(200)
        )
    )
    return SupplierPage(
        organisation=org,
        identifiers=identifiers,
        spend_by_year=spend_by_year,
        spend_total=net_spend(session, period, organisation_id=organisation_id) if prefixes is None else sum(
            (net_spend(session, period, prefix=p, organisation_id=organisation_id) for p in disjoint(prefixes)),
            Decimal(0)),
        spend_period=period,
        contracts=contracts,
        events=events,
        scores=supplier_scores(session, organisation_id, prefixes),
        awards=awards_won(session, organisation_id, prefixes),
    )


def awards_won(
    session: Session, organisation_id: int, prefixes: Sequence[str] | None, limit: int = 25
) -> list[dict[str, Any]]:
    buyer = aliased(Organisation)
    rows = session.execute(
        select(Notice.notice_id, Notice.source, Notice.published, Notice.cpv_main, Notice.title, Notice.source_url,
               buyer.name, Award.value, Award.currency)
        .join(Award, Award.notice_pk == Notice.id)
        .join(AwardWinner, AwardWinner.award_id == Award.id)
        .join(buyer, buyer.id == Notice.buyer_id)
        .where(AwardWinner.organisation_id == organisation_id, Notice.duplicate_of_id.is_(None),
               Notice.kind != "modification", in_categories(Notice.cpv_main, prefixes))
        .order_by(Notice.published.desc())
        .limit(limit)
    ).all()
    keys = ("notice_id", "source", "published", "cpv", "title", "url", "buyer", "value", "currency")
    return [dict(zip(keys, row, strict=True)) for row in rows]


def match_decisions(session: Session, organisation_id: int) -> list[dict[str, Any]]:
    """The people's decisions and the matcher's links for this organisation."""
    rows: list[dict[str, Any]] = [
        {"name": d.name_key, "status": d.decision, "reason": d.reason, "by": d.decided_by, "at": d.decided_at, "score": None}
        for d in session.scalars(
            select(MatchDecision).where(MatchDecision.organisation_id == organisation_id).order_by(MatchDecision.decided_at.desc())
        )
    ]
    decided = {r["name"] for r in rows}
    rows += [
        {"name": c.source_name, "status": c.status, "reason": None, "by": "matcher" if c.status in ("auto", "review") else None,
         "at": c.updated_at, "score": c.score}
        for c in session.scalars(
            select(MatchCandidate).where(MatchCandidate.organisation_id == organisation_id).order_by(MatchCandidate.score.desc())
        )
        if c.name_key not in decided
    ]
    return rows


def organisation_ids(session: Session, org_keys: Iterable[str]) -> dict[str, int]:
    """org_key -> organisation id, for linking names that other areas store by key (alternatives)."""
    keys = sorted({k for k in org_keys if k})
    found: dict[str, int] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        rows = session.execute(select(Organisation.org_key, Organisation.id).where(Organisation.org_key.in_(chunk)))
        found.update(dict(tuple(r) for r in rows))
    return found


def register_facts(session: Session, kvk_number: str | None) -> dict[str, Any] | None:
    """The latest company-register snapshot and the insolvency cases for a KvK number, via ``store.companies``.

    None without a KvK number; nothing here depends on a category.
    """
    if not kvk_number:
        return None
    from store.current_facts import known_names

    snapshots = snapshots_for(session, kvk_number)
    latest = snapshots[-1] if snapshots else None
    payload = dict(latest.payload or {}) if latest else {}
    address = payload.get("address") if isinstance(payload.get("address"), dict) else {}
    sbi = [s for s in payload.get("sbi") or [] if isinstance(s, dict)]
    known = known_names(session, {s.organisation_id for s in snapshots}) if snapshots else {}
    history = max(known.values(), key=lambda k: k.address_since or date.min) if known else None
    return {
        "trade_names": list(history.trade_names) if history else [],
        "former_names": history.former_names if history else [],
        "former_towns": [(a.get("town"), until) for a, until in history.former_addresses] if history else [],
        "kvk_number": kvk_number,
        "status": latest.status if latest else None,
        "observed_on": latest.observed_on if latest else None,
        "name": payload.get("name"),
        "legal_form": payload.get("legal_form_extended") or payload.get("legal_form"),
        "town": address.get("town"),
        "employees": payload.get("employees"),
        "registered_on": payload.get("registered_on"),
        "ended_on": payload.get("ended_on"),
        "sbi": [f"{s.get('code', '')} {s.get('description', '')}".strip() for s in sbi],
        "cases": [
            {"case_number": c.case_number, "court": c.court, "removed_on": c.removed_on,
             "publications": [(p.published_on, p.description) for p in sorted(c.publications, key=lambda p: p.published_on)]}
            for c in cases_for(session, kvk_number)
        ],
    }
