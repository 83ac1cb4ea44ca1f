"""The reads behind alternative suppliers: company status as of a day, failure bands, organisations.

``pipelines.alternatives`` loads through these (and ``store.queries.award_facts``/``bid_facts`` for
the award and bid history) and hands plain facts to the pure model (``models.alternatives``).
A company's status is what the supplier events said up to the reference day, never later: a
backtest must not know of a bankruptcy that had not happened yet.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.alternative_history import CompanyFacts
from store.schema import Organisation, RiskScore, ScoringRun, SupplierEvent

#: SQLite's bound-parameter limit is 999: ``IN`` lists are sent in chunks of this size.
CHUNK = 900
#: The supplier events that decide whether a company can be suggested at all.
STATUS_EVENTS = (
    "kvk.dissolved", "sanctions.possible_match", "insolvency.bankruptcy_declared",
    "insolvency.suspension_provisional", "insolvency.suspension_final", "insolvency.ended",
)


def company_facts(session: Session, keys: Iterable[str], *, as_of: date) -> dict[str, CompanyFacts]:
    """Name, country, register and sanctions status and failure band of each org_key, as of ``as_of``."""
    wanted = sorted(set(keys))
    # Plain columns, not ORM entities: a learning run asks for every winner and bidder of the whole history,
    # and building and identity-mapping an Organisation per row was most of this read.
    orgs: dict[int, tuple[str, str, str | None]] = {}
    for start in range(0, len(wanted), CHUNK):
        for org_id, key, name, country in session.execute(
            select(Organisation.id, Organisation.org_key, Organisation.name, Organisation.country)
            .where(Organisation.org_key.in_(wanted[start : start + CHUNK]))
        ):
            orgs[org_id] = key, name, country
    status = _status_as_of(session, list(orgs), as_of=as_of)
    bands = failure_bands(session, list(orgs), as_of=as_of)
    facts = {
        key: CompanyFacts(
            key=key, name=name, country=country,
            dissolved_on=status[org_id].get("dissolved"), insolvent_since=status[org_id].get("insolvent"),
            sanctioned_on=status[org_id].get("sanctioned"), failure_band=bands.get(org_id),
        )
        for org_id, (key, name, country) in orgs.items()
    }
    # By key, whatever order the database returns its rows in: the facts of a subset of the keys are then those of
    # all of them, taken in order (``pipelines.alternatives.WholeHistory.companies_of``).
    return {key: facts[key] for key in sorted(facts)}


def _status_as_of(session: Session, ids: list[int], *, as_of: date) -> dict[int, dict[str, date | None]]:
    """Per organisation: dissolved / sanctioned / insolvent since (None once an insolvency ended), in date order."""
    status: dict[int, dict[str, date | None]] = defaultdict(dict)
    for start in range(0, len(ids), CHUNK):
        events = session.execute(
            select(SupplierEvent.organisation_id, SupplierEvent.kind, SupplierEvent.occurred_on)
            .where(
                SupplierEvent.organisation_id.in_(ids[start : start + CHUNK]),
                SupplierEvent.occurred_on <= as_of,
                SupplierEvent.kind.in_(STATUS_EVENTS),
            )
            .order_by(SupplierEvent.occurred_on, SupplierEvent.id)
        )
        for org_id, kind, day in events:
            state = status[org_id]
            if kind == "kvk.dissolved":
                state["dissolved"] = day
            elif kind == "sanctions.possible_match":
                state["sanctioned"] = day
            elif kind == "insolvency.ended":
                state["insolvent"] = None
            elif state.get("insolvent") is None:
                state["insolvent"] = day
    return status


def company_stamp(session: Session, *, as_of: date) -> str:
    """What ``company_facts`` as of ``as_of`` rests on besides the organisations: the scoring run whose bands it
    reads and the status events (how many, the newest): facts kept under another stamp may be out of date."""
    count, newest = session.execute(
        select(func.count(), func.max(SupplierEvent.id)).where(SupplierEvent.kind.in_(STATUS_EVENTS))).one()
    return f"{_latest_run(session, as_of=as_of)}|{count}|{newest}"


def _latest_run(session: Session, *, as_of: date) -> int | None:
    return session.scalar(
        select(ScoringRun.id)
        .where(ScoringRun.as_of <= as_of, ScoringRun.status.not_in(("running", "failed")))
        .order_by(ScoringRun.as_of.desc(), ScoringRun.id.desc())
        .limit(1)
    )


def failure_bands(session: Session, ids: list[int], *, as_of: date) -> dict[int, str]:
    """The failure band of each organisation in the latest scoring run on data up to ``as_of``."""
    run_id = _latest_run(session, as_of=as_of)
    if run_id is None or not ids:
        return {}
    bands: dict[int, str] = {}
    for start in range(0, len(ids), CHUNK):
        for org_id, band in session.execute(
            select(RiskScore.organisation_id, RiskScore.band).where(
                RiskScore.run_id == run_id, RiskScore.kind == "failure", RiskScore.category == "",
                RiskScore.organisation_id.in_(ids[start : start + CHUNK]),
            )
        ):
            bands[org_id] = band
    return bands


def organisation_key(session: Session, organisation_id: int | None) -> str | None:
    """The org_key of an organisation id (None for None or an unknown id)."""
    if not organisation_id:
        return None
    return session.scalar(select(Organisation.org_key).where(Organisation.id == organisation_id))


def organisation_address(session: Session, org_key: str) -> tuple[str, str | None, str | None] | None:
    """(name, country, postcode) of an org_key, None when the store has no such organisation."""
    if not org_key:
        return None
    row = session.execute(
        select(Organisation.name, Organisation.country, Organisation.postcode).where(Organisation.org_key == org_key)
    ).first()
    return (row[0], row[1], row[2]) if row else None
