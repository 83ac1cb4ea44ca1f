"""Reads behind the web workspace's supplier and category pages: plain facts out of the store.

Every read that can reveal a category takes ``prefixes``: the CPV prefixes the reader may see
(``None``: all of them). A category manager's pages are built only from rows inside their
categories, so another category's spend or contracts never reach their browser.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import extract, false, func, or_, select
from sqlalchemy.orm import Session, aliased

from models.relationship import CURRENT, relationship
from reference.cpv import cpv_prefix
from store.companies import cases_for, latest_profiles, snapshots_for
from store.schema import (
    Award,
    AwardWinner,
    Contract,
    Notice,
    Organisation,
    OrganisationIdentifier,
    RiskScore,
    ScoringRun,
    SpendLine,
    SupplierEvent,
)
from store.schema.own_data import MatchCandidate, MatchDecision
from store.spend_period import SpendPeriod, net_spend, net_spend_by, spend_period

#: Running contracts a category page lists, the soonest to end first.
CATEGORY_CONTRACTS = 100
#: Score kinds in the order the pages show them.
SCORE_KINDS = ("combined", "failure", "dependency", "geopolitical")


def in_categories(column: Any, prefixes: Sequence[str] | None) -> Any:  # SQL expressions
    """A filter keeping rows whose CPV starts with one of ``prefixes`` (all rows for ``None``)."""
    if prefixes is None:
        return column.is_not(None) | column.is_(None)
    if not prefixes:
        return false()
    return or_(*(column.startswith(p) for p in prefixes))


def covers(prefixes: Sequence[str] | None, cpv: str | None) -> bool:
    """May a reader with ``prefixes`` see something filed under ``cpv``?"""
    if prefixes is None:
        return True
    return bool(cpv) and any(cpv.startswith(p) for p in prefixes)


@dataclass(frozen=True, slots=True)
class ScorePoint:
    as_of: date
    value: float
    band: str


@dataclass(frozen=True, slots=True)
class ScoreView:
    """The latest score of one kind (and category) with its explanation, and its history."""

    kind: str
    category: str
    value: float
    band: str
    confidence: float
    coverage: float
    as_of: date
    model_version: str
    reasons: list[dict[str, Any]]
    inputs: list[dict[str, Any]]
    history: list[ScorePoint]


@dataclass(frozen=True, slots=True)
class SupplierRow:
    id: int
    name: str
    country: str | None
    company_id: str | None
    spend: Decimal
    contracts: int
    score: float | None
    band: str | None
    score_kind: str | None
    #: "current", "former" or "dissolved" (models.relationship), and the line that says why.
    status: str = "current"
    status_why: str = ""


@dataclass(slots=True)
class SupplierPage:
    organisation: Organisation
    identifiers: list[OrganisationIdentifier]
    spend_by_year: list[tuple[int | None, str | None, Decimal, int]]
    spend_total: Decimal
    contracts: list[Contract]
    events: list[SupplierEvent]
    scores: list[ScoreView]
    awards: list[dict[str, Any]] = field(default_factory=list)
    spend_period: SpendPeriod | None = None  # the period of ``spend_total`` (our net spend)


def _disjoint(prefixes: Sequence[str]) -> list[str]:
    """Prefixes with those inside another left out, so no spend line is counted twice."""
    ordered = sorted(set(prefixes), key=len)
    return [p for i, p in enumerate(ordered) if not any(p.startswith(q) for q in ordered[:i])]


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
    spend_rows = session.execute(
        select(year, SpendLine.cpv, func.coalesce(func.sum(SpendLine.amount), 0), func.count())
        .where(SpendLine.organisation_id == organisation_id, in_categories(SpendLine.cpv, prefixes))
        .group_by(year, SpendLine.cpv)
        .order_by(year.desc(), SpendLine.cpv)
    ).all()
    spend_by_year = [(int(y) if y is not None else None, cpv, Decimal(total), n) for y, cpv, total, n in spend_rows]
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
            (net_spend(session, period, prefix=p, organisation_id=organisation_id) for p in _disjoint(prefixes)),
            Decimal(0)),
        spend_period=period,
        contracts=contracts,
        events=events,
        scores=supplier_scores(session, organisation_id, prefixes),
        awards=awards_won(session, organisation_id, prefixes),
    )


def supplier_scores(session: Session, organisation_id: int | Sequence[int],
                    prefixes: Sequence[str] | None) -> list[ScoreView]:
    """Latest score per (kind, category) with its history, oldest run first in the history.

    ``organisation_id`` may be several ids: the organisations merged under one supplier. Only
    finished runs count (a run still writing, or one that failed, is no history).
    """
    ids = [organisation_id] if isinstance(organisation_id, int) else list(organisation_id)
    rows = session.execute(
        select(RiskScore, ScoringRun.as_of, ScoringRun.model_version)
        .join(ScoringRun, ScoringRun.id == RiskScore.run_id)
        .where(RiskScore.organisation_id.in_(ids), ScoringRun.status == "ok")
        .order_by(ScoringRun.as_of, ScoringRun.id)
    ).all()
    series: dict[tuple[str, str], list[tuple[RiskScore, date, str]]] = defaultdict(list)
    for score, as_of, version in rows:
        if score.category and not covers(prefixes, score.category):
            continue
        series[(score.kind, score.category)].append((score, as_of, version))
    views = []
    for (kind, category), points in series.items():
        latest, as_of, version = points[-1]
        views.append(
            ScoreView(
                kind=kind, category=category, value=latest.value, band=latest.band, confidence=latest.confidence,
                coverage=latest.coverage, as_of=as_of, model_version=version, reasons=list(latest.reasons or []),
                inputs=list(latest.inputs or []), history=[ScorePoint(d, s.value, s.band) for s, d, _ in points],
            )
        )
    order = {kind: i for i, kind in enumerate(SCORE_KINDS)}
    return sorted(views, key=lambda v: (order.get(v.kind, len(order)), v.kind, v.category))


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


@dataclass(frozen=True, slots=True)
class LatestScore:
    """The score a list ranks a supplier by: its kind and category, value and band."""

    kind: str
    category: str
    value: float
    band: str


def latest_scores(session: Session, organisation_ids: Iterable[int], category: str | None = None) -> dict[int, LatestScore]:
    """Per organisation, its most telling latest score: combined first, then failure, dependency...

    With ``category`` (a prefix), a score for that category beats the supplier-level one of the same
    kind. Only plain columns are read (no reasons): lists rank thousands of suppliers.
    """
    ids = list(organisation_ids)
    order = {kind: i for i, kind in enumerate(SCORE_KINDS)}
    latest: dict[tuple[int, str, str], LatestScore] = {}
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(RiskScore.organisation_id, RiskScore.kind, RiskScore.category, RiskScore.value, RiskScore.band)
            .join(ScoringRun, ScoringRun.id == RiskScore.run_id)
            .where(RiskScore.organisation_id.in_(ids[start : start + 500]), ScoringRun.status == "ok")
            .order_by(ScoringRun.as_of, ScoringRun.id)
        )
        for org_id, kind, cat, value, band in rows:
            if cat and (not category or cpv_prefix(cat) != category):
                continue
            latest[(org_id, kind, cat)] = LatestScore(kind, cat, value, band)

    def rank(score: LatestScore) -> tuple[int, int]:
        return order.get(score.kind, len(order)), 0 if score.category else 1

    best: dict[int, LatestScore] = {}
    for (org_id, _, _), score in latest.items():
        if org_id not in best or rank(score) < rank(best[org_id]):
            best[org_id] = score
    return best


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
    spend: dict[int, Decimal] = dict(
        tuple(r) for r in session.execute(
            select(SpendLine.organisation_id, func.coalesce(func.sum(SpendLine.amount), 0))
            .where(*spend_filter, period.condition()).group_by(SpendLine.organisation_id)
        )
    )
    last_spend: dict[int, date | None] = dict(
        tuple(r) for r in session.execute(
            select(SpendLine.organisation_id, func.max(SpendLine.booked_on)).where(*spend_filter)
            .group_by(SpendLine.organisation_id)
        )
    )
    contract_ends: dict[int, list[tuple[str, date | None]]] = defaultdict(list)
    for org_id, ref, end, extension in session.execute(
        select(Contract.organisation_id, Contract.contract_ref, Contract.end_date, Contract.extension_until).where(*contract_filter)
    ):
        contract_ends[org_id].append((ref or "", max((d for d in (end, extension) if d is not None), default=None)))
    ids = set(last_spend) | set(spend) | set(contract_ends)
    if not ids:
        return []
    query = select(Organisation).where(Organisation.id.in_(ids))
    if search:
        query = query.where(Organisation.name.ilike(f"%{search.strip()}%"))
    orgs = list(session.scalars(query))
    dissolved = dissolved_on(session, [o.id for o in orgs], today)
    scores = latest_scores(session, [o.id for o in orgs], category)
    rows = []
    for o in orgs:
        rel = relationship(today, spend_days=[last_spend.get(o.id)], contract_ends=contract_ends.get(o.id, ()),
                           dissolved_on=dissolved.get(o.id))
        if rel.status != CURRENT and not include_former:
            continue
        score = scores.get(o.id)
        rows.append(SupplierRow(
            id=o.id, name=o.name, country=o.country, company_id=o.company_id, spend=Decimal(spend.get(o.id, 0)),
            contracts=len(contract_ends.get(o.id, ())), score=score.value if score else None,
            band=score.band if score else None, score_kind=score.kind if score else None,
            status=rel.status, status_why=rel.why,
        ))
    rows.sort(key=lambda r: (r.status != CURRENT, r.score is None or r.band == "unknown", -(r.score or 0.0), -r.spend, r.name))
    return rows[:limit]


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


@dataclass(frozen=True, slots=True)
class CategorySpend:
    by_year: list[tuple[int | None, Decimal, int]]
    total: Decimal  # our spend: net, in ``period``
    lines: int
    contracts: list[Contract]
    period: SpendPeriod | None = None
    matched: Decimal = Decimal(0)  # the part with suppliers we matched (what the dependency scores rest on)


def category_spend(session: Session, prefix: str, period: SpendPeriod | None = None) -> CategorySpend:
    """Our net spend in the category over ``period``, its years (net, each year whole) and running contracts."""
    period = period or spend_period(session)
    year = extract("year", SpendLine.booked_on)
    rows = session.execute(
        select(year, func.coalesce(func.sum(SpendLine.amount), 0), func.count())
        .where(SpendLine.cpv.startswith(prefix))
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
    return CategorySpend(
        by_year=by_year, total=net_spend(session, period, prefix=prefix), lines=sum(r[2] for r in by_year),
        contracts=contracts, period=period, matched=net_spend(session, period, prefix=prefix, matched_only=True),
    )


def our_categories(session: Session, prefixes: Sequence[str] | None,
                   period: SpendPeriod | None = None) -> list[tuple[str, Decimal, int]]:
    """CPV codes we spend in or hold contracts in (inside ``prefixes``): (code, net spend in ``period``, contracts)."""
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
    codes = sorted(ever | set(spend) | set(contracts))
    return [(code, Decimal(spend.get(code, 0)), contracts.get(code, 0)) for code in codes]


def kraljic_of(session: Session, prefix: str) -> dict[str, Any] | None:
    """The category's Kraljic position from the latest finished scoring run (kept in the run's details)."""
    run = session.scalars(
        select(ScoringRun).where(ScoringRun.status == "ok").order_by(ScoringRun.as_of.desc(), ScoringRun.id.desc())
    ).first()
    if run is None or not isinstance(run.details, dict):
        return None
    for entry in run.details.get("kraljic") or []:
        if isinstance(entry, dict) and cpv_prefix(str(entry.get("category", ""))) == prefix:
            return {**entry, "as_of": run.as_of, "model_version": run.model_version}
    return None


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
