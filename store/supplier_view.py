"""One supplier explained: who it is, what the sources say, what we buy from it, what happened to it.

Plain reads of the store (``supplyradar supplier KVK`` renders them; ``--json`` prints them). The
supplier is found by KvK number (or by ``org_key``); every organisation row that carries the
number (its identifier, its ``NL:id:`` key, its published company id) is shown as merged under it.
Spend, contracts and risk scores are written by other areas: an empty section says so instead of
failing, and a supplier without a score is "not scored yet".
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from store.companies import cases_for, organisations_for_kvk, snapshots_for
from store.contract_facts import contract_key
from store.current_facts import known_names
from store.schema import (
    Award,
    AwardWinner,
    Contract,
    Notice,
    Organisation,
    OrganisationIdentifier,
    SpendLine,
    SupplierEvent,
)
from store.score_history import supplier_scores

RECENT_EVENTS = 25
LATEST_AWARDS = 5
TREND_POINTS = 4
TOP_REASONS = 3


class SupplierNotFound(LookupError):
    """No organisation in the store carries this KvK number or key."""


@dataclass
class SupplierView:
    kvk_number: str | None
    name: str
    organisations: list[dict[str, Any]]
    identifiers: list[dict[str, Any]]
    register: dict[str, Any] | None  # latest KvK snapshot: state, from, confirmed, status
    register_history: list[dict[str, Any]]
    insolvency_cases: list[dict[str, Any]]
    sources: list[dict[str, Any]]
    spend: dict[str, Any]
    contracts: list[dict[str, Any]]
    awards: dict[str, Any]
    events: list[dict[str, Any]]
    risk: list[dict[str, Any]] = field(default_factory=list)
    #: Current and former names and addresses from the KvK states ("formerly ...": ``store.current_facts``).
    names: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return _plain(asdict(self))


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def find_organisations(session: Session, key: str) -> tuple[str | None, list[Organisation]]:
    """The KvK number (if any) and the organisations ``key`` names: a KvK number or an org_key."""
    key = key.strip()
    if re.fullmatch(r"\d{8}", key):
        return key, organisations_for_kvk(session, key)
    row = session.scalar(select(Organisation).where(Organisation.org_key == key))
    if row is None:
        return None, []
    match = re.match(r"^NL:id:(\d{8})$", row.org_key)
    kvk = match.group(1) if match else session.scalar(select(OrganisationIdentifier.value).where(
        OrganisationIdentifier.organisation_id == row.id, OrganisationIdentifier.scheme == "kvk"))
    return (kvk, organisations_for_kvk(session, kvk)) if kvk else (None, [row])


def supplier_view(session: Session, key: str) -> SupplierView:
    """Everything the store knows about the supplier ``key`` (KvK number or org_key)."""
    kvk, organisations = find_organisations(session, key)
    if not organisations:
        raise SupplierNotFound(f"no organisation with KvK number or key {key!r} in the store")
    ids = [o.id for o in organisations]
    snapshots = snapshots_for(session, kvk) if kvk else []
    latest = snapshots[-1] if snapshots else None
    name = (latest.payload.get("name") if latest and latest.status == "found" else None) or organisations[0].name
    identifiers = [
        {"scheme": i.scheme, "value": i.value, "source": i.source, "first_seen": i.first_seen}
        for i in session.scalars(select(OrganisationIdentifier).where(OrganisationIdentifier.organisation_id.in_(ids))
                                 .order_by(OrganisationIdentifier.scheme, OrganisationIdentifier.value))
    ]
    cases = cases_for(session, kvk) if kvk else []
    view = SupplierView(
        kvk_number=kvk,
        name=name,
        organisations=[{"id": o.id, "org_key": o.org_key, "name": o.name, "country": o.country, "town": o.town,
                        "first_seen": o.first_seen} for o in organisations],
        identifiers=identifiers,
        register=_register(latest),
        register_history=[{"observed_on": s.observed_on, "confirmed_on": s.confirmed_on, "status": s.status,
                           "name": s.payload.get("name"), "employees": s.payload.get("employees"),
                           "town": (s.payload.get("address") or {}).get("town")} for s in snapshots],
        insolvency_cases=[{"case_number": c.case_number, "court": c.court, "removed_on": c.removed_on,
                           "publications": [{"published_on": p.published_on, "code": p.code, "description": p.description,
                                             "event_kind": p.event_kind} for p in sorted(c.publications, key=lambda p: p.published_on)]}
                          for c in cases],
        sources=[],
        spend=_spend(session, ids),
        contracts=_contracts(session, ids),
        awards=_awards(session, ids),
        events=_events(session, ids),
        risk=_risk(session, ids),
    )
    view.sources = _sources(view, snapshots, cases)
    known = known_names(session, ids)
    if known:
        view.names = max(known.values(), key=lambda k: (k.address_since or date.min, k.organisation_id)).as_json()
    return view


def _register(latest: Any) -> dict[str, Any] | None:
    if latest is None:
        return None
    return {"status": latest.status, "observed_on": latest.observed_on, "confirmed_on": latest.confirmed_on,
            "source_url": latest.source_url, **latest.payload}


def _spend(session: Session, ids: list[int]) -> dict[str, Any]:
    rows = session.execute(
        select(func.extract("year", SpendLine.booked_on).label("year"), SpendLine.currency, func.count(),
               func.sum(SpendLine.amount), func.min(SpendLine.booked_on), func.max(SpendLine.booked_on))
        .where(SpendLine.organisation_id.in_(ids))
        .group_by("year", SpendLine.currency).order_by("year")
    ).all()
    by_year = [{"year": int(year) if year is not None else None, "currency": currency, "lines": count,
                "amount": total or Decimal(0)} for year, currency, count, total, _first, _last in rows]
    firsts = [first for *_rest, first, _last in rows if first]
    lasts = [last for *_rest, last in rows if last]
    return {"lines": sum(r["lines"] for r in by_year), "by_year": by_year,
            "total": {cur: sum(r["amount"] for r in by_year if r["currency"] == cur) for cur in {r["currency"] for r in by_year}},
            "first": min(firsts) if firsts else None, "last": max(lasts) if lasts else None}


def _contracts(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    query = select(Contract).where(Contract.organisation_id.in_(ids)).order_by(Contract.end_date.desc().nulls_last())
    return [{"contract_ref": c.contract_ref, "title": c.title, "category": c.category, "cpv": c.cpv,
             "start": c.start_date, "end": c.end_date, "extension_until": c.extension_until, "value": c.value,
             "currency": c.currency, "owner": c.owner, "single_sourced": c.single_sourced}
            for c in session.scalars(query)]


def _awards(session: Session, ids: list[int]) -> dict[str, Any]:
    buyer = aliased(Organisation)
    query = (
        select(Notice.notice_id, Notice.source, Notice.published, Notice.cpv_main, Notice.title, Award.lot_id, Award.value,
               Award.currency, buyer.name, Notice.id.label("notice_pk"), Notice.format, Award.contract_id,
               Award.id.label("award_id"))
        .join(Award, Award.notice_pk == Notice.id)
        .join(AwardWinner, AwardWinner.award_id == Award.id)
        .join(buyer, buyer.id == Notice.buyer_id)
        .where(AwardWinner.organisation_id.in_(ids), Notice.duplicate_of_id.is_(None), Notice.kind != "modification")
        .order_by(Notice.published.desc())
    )
    rows = session.execute(query).all()
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for row in rows:
        if row.value is not None:
            totals[row.currency or "EUR"] += row.value
    return {
        # Each contract once: an eForms contract over several lots is several award rows.
        "count": len({contract_key(r.notice_pk, r.format, r.contract_id, r.award_id) for r in rows}),
        "total_value": dict(totals),
        "first": rows[-1].published if rows else None, "last": rows[0].published if rows else None,
        "buyers": len({r.name for r in rows}),
        "latest": [{"notice_id": r.notice_id, "source": r.source, "published": r.published, "buyer": r.name,
                    "cpv": r.cpv_main, "lot": r.lot_id, "value": r.value, "currency": r.currency, "title": r.title}
                   for r in rows[:LATEST_AWARDS]],
    }


def _events(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    query = (select(SupplierEvent).where(SupplierEvent.organisation_id.in_(ids))
             .order_by(SupplierEvent.occurred_on.desc(), SupplierEvent.id.desc()).limit(RECENT_EVENTS))
    return [{"occurred_on": e.occurred_on, "kind": e.kind, "source": e.source, "title": e.title, "confidence": e.confidence,
             "source_url": e.source_url, "source_ref": e.source_ref, "date_basis": (e.details or {}).get("date_basis")}
            for e in session.scalars(query)]


def _risk(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    """The newest score per (kind, category), with its top reasons and the last few values as a trend."""
    return [
        {
            "kind": v.kind, "category": v.category, "value": None if v.band == "unknown" else v.value, "band": v.band,
            "confidence": v.confidence,
            "coverage": v.coverage, "as_of": v.as_of, "model_version": v.model_version,
            "reasons": [r.get("text") or r.get("feature") for r in v.reasons[:TOP_REASONS]],
            "trend": [{"as_of": p.as_of, "value": round(p.value, 3)} for p in v.history[-TREND_POINTS:]],
        }
        for v in supplier_scores(session, ids, None)
    ]


def _sources(view: SupplierView, snapshots: list[Any], cases: list[Any]) -> list[dict[str, Any]]:
    """Which source contributed what, and from/until when."""
    sources = []
    if snapshots:
        sources.append({"source": "kvk", "what": f"{len(snapshots)} register state(s)", "first": snapshots[0].observed_on,
                        "last": snapshots[-1].confirmed_on})
    if cases:
        days = [p.published_on for c in cases for p in c.publications]
        sources.append({"source": "cir", "what": f"{len(cases)} insolvency case(s)", "first": min(days, default=None),
                        "last": max(days, default=None)})
    if view.awards["count"]:
        sources.append({"source": "ted/tenderned", "what": f"{view.awards['count']} award(s)", "first": view.awards["first"],
                        "last": view.awards["last"]})
    if view.spend["lines"]:
        sources.append({"source": "spend", "what": f"{view.spend['lines']} spend line(s)", "first": view.spend["first"],
                        "last": view.spend["last"]})
    if view.contracts:
        sources.append({"source": "contracts", "what": f"{len(view.contracts)} contract(s)",
                        "first": min((c["start"] for c in view.contracts if c["start"]), default=None),
                        "last": max((c["end"] for c in view.contracts if c["end"]), default=None)})
    by_source: dict[str, list[date]] = defaultdict(list)
    for event in view.events:
        if event["source"] not in ("kvk", "cir"):
            by_source[event["source"]].append(event["occurred_on"])
    for source, days in sorted(by_source.items()):
        sources.append({"source": source, "what": f"{len(days)} recent event(s)", "first": min(days), "last": max(days)})
    for identifier in view.identifiers:
        sources.append({"source": identifier["source"], "what": f"identifier {identifier['scheme']} {identifier['value']}",
                        "first": identifier["first_seen"], "last": None})
    return sources
