"""Reads that feed the risk models, and the scoring runs and scores they write back.

Every read is one query over all organisations (never one per supplier): scoring 50,000 suppliers
costs a handful of round trips. Writes are bulk inserts; scoring the same day again with the same
model version replaces that run's scores instead of adding a second copy.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Select, delete, func, select
from sqlalchemy.orm import Session

from models.dependency import ContractFact
from models.features import EventFact
from models.risk_facts import OrgFact, SpendFact, WinFact
from store import score_documents
from store.bookkeeping import dead_owner, process_owner
from store.bulk import insert_rows
from store.schema import (
    Award,
    AwardWinner,
    CollectionRun,
    Contract,
    CountryTone,
    Notice,
    Organisation,
    OrganisationIdentifier,
    RiskScore,
    ScoringRun,
    SpendLine,
    SupplierEvent,
)
from store.spend_period import SPEND_CURRENCY, booked_in

_CHUNK = 900


def _wins(*columns: Any, until: date) -> Select:
    """The counted award wins (one row per winner) published on or before ``until``, as ``columns``."""
    return (
        select(*columns)
        .join(Award, Award.id == AwardWinner.award_id)
        .join(Notice, Notice.id == Award.notice_pk)
        .where(Notice.duplicate_of_id.is_(None), Notice.published <= until)
    )


def win_facts(session: Session, *, until: date) -> list[WinFact]:
    """Every counted award win (one per winner) published on or before ``until``."""
    query = _wins(AwardWinner.organisation_id, Notice.published, Notice.cpv_main, Award.value, until=until)
    return [WinFact(org, published, cpv, float(value) if value is not None else None)
            for org, published, cpv, value in session.execute(query)]


def win_days(session: Session, *, until: date) -> list[tuple[int, date]]:
    """``win_facts``' wins as (organisation id, publication day) only (in no particular order).

    Why: training reads nothing else of a win, and a ``WinFact`` per win (with its code and value read and
    converted) was a tenth of training at scale 54."""
    return list(session.execute(_wins(AwardWinner.organisation_id, Notice.published, until=until)).tuples())


def event_facts(session: Session, *, until: date) -> dict[int, list[EventFact]]:
    """Supplier events dated on or before ``until``, per organisation, oldest first."""
    query = (
        select(SupplierEvent.organisation_id, SupplierEvent.kind, SupplierEvent.occurred_on, SupplierEvent.confidence,
               SupplierEvent.source, SupplierEvent.title, SupplierEvent.details)
        .where(SupplierEvent.occurred_on <= until)
        .order_by(SupplierEvent.organisation_id, SupplierEvent.occurred_on)
    )
    out: dict[int, list[EventFact]] = defaultdict(list)
    for org, kind, day, confidence, source, title, details in session.execute(query):
        out[org].append(EventFact(org, kind, day, float(confidence), source, title, details))
    return dict(out)


def event_sources(session: Session) -> frozenset[str]:
    """Which signal families are collected at all: "kvk", "insolvency", "news", "sanctions"."""
    kinds = {k for (k,) in session.execute(select(func.substr(SupplierEvent.kind, 1, 20)).distinct())}
    found = {family for family in ("kvk", "insolvency", "news", "sanctions")
             if any(kind.startswith(family + ".") for kind in kinds)}
    runs = {s for (s,) in session.execute(select(CollectionRun.source).distinct())}
    for source in runs:
        for family, names in (("kvk", ("kvk",)), ("insolvency", ("cir", "insolvency")),
                              ("news", ("rss", "gdelt", "feeds", "news")), ("sanctions", ("sanctions",))):
            if any(source.startswith(name) for name in names):
                found.add(family)
    return frozenset(found)


def spend_facts(session: Session, *, start: date, end: date) -> list[SpendFact]:
    """Resolved spend lines booked in [start, end] (lines without a date count when the window is open), in every
    currency: a line in another than ``store.spend_period.SPEND_CURRENCY`` sums nowhere (the model leaves its amount
    out and its supplier's spend share unknown), but it still says we buy from that supplier."""
    query = (
        select(SpendLine.organisation_id, SpendLine.cpv, SpendLine.amount, SpendLine.booked_on, SpendLine.currency)
        .where(SpendLine.organisation_id.is_not(None), SpendLine.amount.is_not(None), booked_in(start, end))
    )
    return [SpendFact(org, cpv, float(amount), day, currency) for org, cpv, amount, day, currency in session.execute(query)]


def contract_rows(session: Session) -> list[tuple[int, str | None, Contract]]:
    """Resolved contracts as (organisation id, cpv, row)."""
    query = select(Contract).where(Contract.organisation_id.is_not(None))
    return [(c.organisation_id, c.cpv, c) for c in session.scalars(query)]  # type: ignore[misc]


def contract_facts(session: Session, category_of: Any) -> tuple[list[ContractFact], bool]:
    """Our resolved contracts as model facts (category by ``category_of(cpv)``), and whether any contract exists.

    A contract's value counts in euros alone (``SPEND_CURRENCY``), as our spend does: one in another currency has
    no value here (not converted), so it adds nothing to its category's contract value, where it was added as if
    it were euros."""
    any_contract = session.execute(select(func.count()).select_from(Contract)).scalar_one() > 0
    facts = [
        ContractFact(org, category_of(cpv) or "", c.end_date, c.extension_until,
                     float(c.value) if c.value is not None and c.currency == SPEND_CURRENCY else None,
                     c.single_sourced, c.contract_ref)
        for org, cpv, c in contract_rows(session)
    ]
    return facts, any_contract


def organisations(session: Session, ids: Iterable[int]) -> dict[int, OrgFact]:
    out: dict[int, OrgFact] = {}
    id_list = sorted(set(ids))
    for start in range(0, len(id_list), _CHUNK):
        chunk = id_list[start:start + _CHUNK]
        q = select(Organisation.id, Organisation.name, Organisation.country, Organisation.org_key,
                   Organisation.postcode).where(Organisation.id.in_(chunk))
        for oid, name, country, key, postcode in session.execute(q):
            out[oid] = OrgFact(oid, name, country, key, postcode)
    return out


def kvk_numbers(session: Session, ids: Iterable[int]) -> dict[int, str]:
    """Organisation id -> KvK number (identifier table first, else a Dutch ``NL:id:`` key of 8 digits)."""
    id_list = sorted(set(ids))
    out: dict[int, str] = {}
    for start in range(0, len(id_list), _CHUNK):
        chunk = id_list[start:start + _CHUNK]
        for oid, key in session.execute(select(Organisation.id, Organisation.org_key).where(Organisation.id.in_(chunk))):
            number = key.removeprefix("NL:id:")
            if key.startswith("NL:id:") and len(number) == 8 and number.isdigit():
                out[oid] = number
        q = select(OrganisationIdentifier.organisation_id, OrganisationIdentifier.value).where(
            OrganisationIdentifier.scheme == "kvk", OrganisationIdentifier.organisation_id.in_(chunk))
        for oid, value in session.execute(q):
            out[oid] = value
    return out


def tone_series(session: Session, *, start: date, end: date) -> dict[str, list[tuple[date, float]]]:
    query = select(CountryTone.country, CountryTone.day, CountryTone.tone).where(CountryTone.day.between(start, end))
    out: dict[str, list[tuple[date, float]]] = defaultdict(list)
    for country, day, tone in session.execute(query):
        out[country.upper()].append((day, float(tone)))
    return dict(out)


# --------------------------------------------------------------------------------------------
# Runs and scores
# --------------------------------------------------------------------------------------------


def start_scoring_run(session: Session, *, as_of: date, model_version: str) -> int:
    """A run for ``as_of``; an earlier run of the same day and model is reused and its scores cleared.

    Runs a killed process left "running" are closed first (``close_dead_scoring_runs``), and the new
    run names its owner so the next start can tell.
    """
    close_dead_scoring_runs(session)
    now = datetime.now(UTC)
    existing = session.scalars(
        select(ScoringRun).where(ScoringRun.as_of == as_of, ScoringRun.model_version == model_version)
        .order_by(ScoringRun.id.desc())
    ).first()
    if existing is not None:
        session.execute(delete(RiskScore).where(RiskScore.run_id == existing.id))
        existing.started_at, existing.finished_at, existing.status = now, None, "running"
        existing.details = process_owner()
        session.flush()
        return existing.id
    run = ScoringRun(started_at=now, as_of=as_of, model_version=model_version, status="running",
                     details=process_owner())
    session.add(run)
    session.flush()
    return run.id


def close_dead_scoring_runs(session: Session) -> int:
    """Mark "running" scoring runs whose process is gone as "failed"; the number marked.

    "failed", not "killed": the readers of past runs (alerts, alternatives) skip "running" and
    "failed" runs, so a half-written run must be one of those. The reason goes into ``details``.
    """
    closed = 0
    for run in session.scalars(select(ScoringRun).where(ScoringRun.status == "running")):
        gone = dead_owner(run.details)
        if gone is None:
            continue
        run.status = "failed"
        run.details = {**(run.details or {}), "error": f"{gone} (killed); found at the next scoring start"}
        closed += 1
    session.flush()
    return closed


def save_scores(session: Session, run_id: int, rows: Sequence[dict[str, Any]]) -> int:
    """Bulk insert of score rows (dicts with RiskScore's columns but run_id and scored_at).

    ``reasons`` and ``inputs`` go into ``score_documents`` once each (``store.score_documents``);
    the rows keep their keys.

    One driver ``executemany`` (``store.bulk.insert_rows``: no dict of parameters built and processed per row)
    per set of columns the rows fill and chunk of 2,000; rows that leave out a column with a default are sent
    through SQLAlchemy, which fills it in.
    """
    now = datetime.now(UTC)
    documents: dict[int, Any] = {}
    seen: dict[int, tuple[Any, int]] = {}  # reason items shared by several rows are encoded once
    texts: dict[int, str] = {}  # and each document's text kept for put's check
    shapes: dict[frozenset[str], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        plain = {k: v for k, v in row.items() if k not in ("reasons", "inputs")}
        plain["reason_refs"], plain["inputs_ref"] = score_documents.encode(row.get("reasons"), row.get("inputs"),
                                                                           documents, seen, texts)
        shapes[frozenset(plain)].append({**plain, "run_id": run_id, "scored_at": now})
    score_documents.put(session, documents, texts)
    table = RiskScore.__table__
    for payload in shapes.values():
        for start in range(0, len(payload), 2000):
            insert_rows(session, table, payload[start:start + 2000])
    return len(rows)


def finish_scoring_run(session: Session, run_id: int, *, status: str, details: dict[str, Any]) -> None:
    run = session.get(ScoringRun, run_id)
    assert run is not None
    run.status, run.finished_at, run.details = status, datetime.now(UTC), details


def latest_run(session: Session) -> ScoringRun | None:
    return session.scalars(
        select(ScoringRun).where(ScoringRun.status == "ok").order_by(ScoringRun.as_of.desc(), ScoringRun.id.desc())
    ).first()


def run_scores(session: Session, run_id: int, *, kind: str | None = None, category: str | None = None,
               organisation_ids: Iterable[int] | None = None) -> list[tuple[RiskScore, Organisation]]:
    """The run's scores with their organisations; ``organisation_ids`` limits them to those (a reader that
    needs a few suppliers' scores then does not load, with their reasons, every supplier's)."""
    return [(score, org) for score, org in _scores(session, (RiskScore, Organisation), run_id, kind, category,
                                                   organisation_ids)]


def run_score_rows(session: Session, columns: Sequence[Any], run_id: int, *, kind: str | None = None,
                   category: str | None = None, organisation_ids: Iterable[int] | None = None) -> list[Any]:
    """``run_scores``' scores (the same rows, in the same order) as plain rows of ``columns`` of RiskScore and
    Organisation: for a reader of a few columns, which then loads no ORM objects and none of their reasons and
    inputs documents (``store.schema.shared._attach_loaded_scores``)."""
    return list(_scores(session, columns, run_id, kind, category, organisation_ids))


def _scores(session: Session, columns: Sequence[Any], run_id: int, kind: str | None, category: str | None,
            organisation_ids: Iterable[int] | None) -> Iterable[Any]:
    query = (select(*columns).join(Organisation, Organisation.id == RiskScore.organisation_id)
             .where(RiskScore.run_id == run_id))
    if kind is not None:
        query = query.where(RiskScore.kind == kind)
    if category is not None:
        query = query.where(RiskScore.category == category)
    if organisation_ids is None:
        return session.execute(query)
    ids = sorted(set(organisation_ids))
    return [row for start in range(0, len(ids), _CHUNK)
            for row in session.execute(query.where(RiskScore.organisation_id.in_(ids[start:start + _CHUNK])))]


def score_history(session: Session, organisation_ids: Iterable[int], kind: str,
                  category: str = "") -> dict[int, list[tuple[date, float, str]]]:
    """Per organisation, (as_of, value, model version) of its scores over all finished runs: the trend."""
    out: dict[int, list[tuple[date, float, str]]] = defaultdict(list)
    id_list = sorted(set(organisation_ids))
    for start in range(0, len(id_list), _CHUNK):
        query = (
            select(RiskScore.organisation_id, ScoringRun.as_of, RiskScore.value, ScoringRun.model_version)
            .join(ScoringRun, ScoringRun.id == RiskScore.run_id)
            .where(RiskScore.organisation_id.in_(id_list[start:start + _CHUNK]), RiskScore.kind == kind,
                   RiskScore.category == category, ScoringRun.status == "ok")
            .order_by(ScoringRun.as_of, ScoringRun.id)
        )
        for org, day, value, version in session.execute(query):
            out[org].append((day, float(value), version))
    return dict(out)
