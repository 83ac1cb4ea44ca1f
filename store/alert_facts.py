"""The facts the alert rules are evaluated on, read from the store: events, score changes, expiring contracts.

``pipelines.send_alerts`` reads them here and hands them to ``alerts.evaluate`` (pure). Every
organisation is taken as its canonical one (merges by the supplier matching), so an event about a
trade name and a score of the merged company meet the same subject.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from operator import itemgetter
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, null, or_, select
from sqlalchemy.orm import Session, aliased

from alerts.evaluate import UNKNOWN_BAND, ContractFact, EventFact, ScoreChange, ScorePoint, Subject
from alerts.score_sieve import SieveTerms
from store import score_documents
from store.matching import canonical_organisation_ids
from store.schema import Contract, Organisation, RiskScore, ScoringRun, SpendLine, SupplierEvent
from store.schema.own_data import OrganisationMerge

#: An organisation id -> its canonical organisation id.
Canonical = Callable[[int], int]


class CanonicalIds:
    """``store.matching.canonical_organisation_id``, remembered per organisation for the run.

    Readers ``prefetch`` the ids of the rows they read in one query per thousand ids: one query per
    organisation cost a round trip each, thousands of them per alert run on a national store.
    """

    def __init__(self, session: Session) -> None:
        self._session = session
        self._cache: dict[int, int] = {}

    def prefetch(self, org_ids: Iterable[int]) -> None:
        missing = {org for org in org_ids if org is not None and org not in self._cache}
        if missing:
            self._cache.update(canonical_organisation_ids(self._session, missing))

    def __call__(self, org_id: int) -> int:
        if org_id not in self._cache:
            self.prefetch((org_id,))
        return self._cache[org_id]


def canonical_lookup(session: Session) -> CanonicalIds:
    """A run's canonical-id lookup (see ``CanonicalIds``)."""
    return CanonicalIds(session)


def _prefetch(canonical: Canonical, org_ids: Iterable[int]) -> None:
    """Bulk-resolve ``org_ids`` when the lookup can (a plain function, e.g. the identity, needs nothing)."""
    if isinstance(canonical, CanonicalIds):
        canonical.prefetch(org_ids)


class OurCpvs:
    """Organisation (a canonical id) -> the CPV codes we buy from it under: its contracts and spend lines, and those of
    the organisations merged into it.

    Read for the organisations an alert run names only (``prefetch``, one query per table and thousand ids): the
    distinct codes of every spend line of a national store were a tenth of a run that names a few hundred.
    """

    def __init__(self, session: Session, canonical: Canonical) -> None:
        self._session = session
        self._canonical = canonical
        self._cpvs: dict[int, set[str]] = defaultdict(set)
        self._read: set[int] = set()

    def prefetch(self, canonical_ids: Iterable[int]) -> None:
        wanted = set(canonical_ids) - self._read
        if not wanted:
            return
        behind = _ids_behind(self._session, wanted)
        for model in (Contract, SpendLine):
            for start in range(0, len(behind), 900):
                rows = self._session.execute(
                    select(model.organisation_id, model.cpv)
                    .where(model.organisation_id.in_(behind[start : start + 900]), model.cpv.is_not(None)).distinct()
                ).all()
                _prefetch(self._canonical, (org_id for org_id, _cpv in rows))
                for org_id, cpv in rows:
                    self._cpvs[self._canonical(org_id)].add(cpv)
        self._read |= wanted

    def get(self, org_id: int, default: Iterable[str] = ()) -> Iterable[str]:
        self.prefetch((org_id,))
        return self._cpvs.get(org_id, default)


def our_cpvs(session: Session, canonical: Canonical) -> OurCpvs:
    """The CPV codes we buy from each organisation under, read as they are asked for (see ``OurCpvs``)."""
    return OurCpvs(session, canonical)


def _subjects(session: Session, ids: Iterable[int], cpvs: OurCpvs) -> dict[int, Subject]:
    wanted = sorted(set(ids))
    cpvs.prefetch(wanted)
    out: dict[int, Subject] = {}
    for start in range(0, len(wanted), 900):
        for org_id, org_key, name in session.execute(
            select(Organisation.id, Organisation.org_key, Organisation.name).where(Organisation.id.in_(wanted[start : start + 900]))
        ):
            out[org_id] = Subject(org_id, org_key, name, tuple(sorted(cpvs.get(org_id, ()))))
    return out


def read_events(session: Session, *, as_of: date, max_age_days: int, canonical: Canonical, cpvs: OurCpvs) -> list[EventFact]:
    rows = list(
        session.scalars(
            select(SupplierEvent)
            .where(SupplierEvent.occurred_on <= as_of, SupplierEvent.occurred_on >= as_of - timedelta(days=max_age_days))
            .order_by(SupplierEvent.occurred_on, SupplierEvent.id)
        )
    )
    _prefetch(canonical, (r.organisation_id for r in rows))
    subjects = _subjects(session, {canonical(r.organisation_id) for r in rows}, cpvs)
    return [
        EventFact(
            event_id=r.id, subject=subjects[canonical(r.organisation_id)], kind=r.kind, occurred_on=r.occurred_on,
            source=r.source, source_ref=r.source_ref, source_url=r.source_url, title=r.title, confidence=r.confidence,
            details=r.details,
        )
        for r in rows
        if canonical(r.organisation_id) in subjects
    ]


def _finished_runs(session: Session, as_of: date) -> list[ScoringRun]:
    return list(
        session.scalars(
            select(ScoringRun)
            .where(ScoringRun.status.not_in(("running", "failed")), ScoringRun.as_of <= as_of)
            .order_by(ScoringRun.as_of.desc(), ScoringRun.id.desc())
            .limit(2)
        )
    )


def read_score_changes(session: Session, *, as_of: date, canonical: Canonical, cpvs: OurCpvs,
                       organisations: set[int] | None = None, documents: bool = True,
                       ours: set[int] | None = None) -> list[ScoreChange]:
    """Each score of our current suppliers in the latest finished run, with the same score in the run before it.

    Only the score rows of our suppliers (and of the organisations merged into them) are read: a national
    store scores tens of thousands of companies a run, of which an alert run uses a few hundred.
    ``organisations``: only these of our suppliers (canonical ids). ``documents=False``: without the current
    scores' reasons and inputs (empty), for deciding which changes alert before reading what the alerts show.
    ``ours``: our current suppliers (``current_suppliers``) when the caller has read them already.
    """
    runs = _finished_runs(session, as_of)
    if not runs:
        return []
    current_run, previous_run = runs[0], (runs[1] if len(runs) > 1 else None)
    ours = set(current_suppliers(session, as_of=as_of, canonical=canonical) if ours is None else ours)
    if organisations is not None:
        ours &= organisations
    scored_as = _ids_behind(session, ours)

    def points(run: ScoringRun, *, documents_wanted: bool = True) -> dict[tuple[int, str, str], ScorePoint]:
        out: dict[tuple[int, str, str], ScorePoint] = {}
        # the references to reasons and inputs only when they are wanted: each is a JSON value to decode
        columns = (RiskScore.id, RiskScore.organisation_id, RiskScore.category, RiskScore.kind, RiskScore.value,
                   RiskScore.band, RiskScore.confidence, RiskScore.coverage)
        if documents_wanted:
            columns += (RiskScore.reason_refs, RiskScore.inputs_ref)
        for start in range(0, len(scored_as), 900):
            rows = session.execute(
                select(*columns).where(RiskScore.run_id == run.id, RiskScore.organisation_id.in_(scored_as[start : start + 900]))
            ).all()
            documents = score_documents.fetch(session, score_documents.keys_of(rows)) if documents_wanted else {}
            for row in rows:
                reasons, inputs = (score_documents.decode_shared(row.reason_refs, row.inputs_ref, documents)
                                   if documents_wanted else ((), ()))
                out[(row.id, canonical(row.organisation_id), row.category, row.kind)] = ScorePoint(
                    run_id=run.id, as_of=run.as_of, value=row.value, band=row.band, confidence=row.confidence,
                    coverage=row.coverage, reasons=reasons, inputs=inputs,
                )
        # in row order, so that of two organisations merged into one the later row wins, as it always did
        return {key[1:]: point for key, point in sorted(out.items())}

    current = points(current_run, documents_wanted=documents)
    # the rules compare with the previous run's value and band only: its reasons and inputs are never shown, so
    # not read (with N times our suppliers they were a fifth of an alert run's reads)
    previous = points(previous_run, documents_wanted=False) if previous_run else {}
    subjects = _subjects(session, {org for org, _c, _k in current if org in ours}, cpvs)
    return [
        ScoreChange(subject=subjects[org], kind=kind, category=category, current=point,
                    previous=previous.get((org, category, kind)))
        for (org, category, kind), point in sorted(current.items())
        if org in subjects
    ]


#: (canonical organisation, category, kind) -> (value, band) in the latest finished run, and in the run before.
ScoreValues = dict[tuple[int, str, str], tuple[tuple[float, str], tuple[float, str] | None]]


def read_score_values(session: Session, *, as_of: date, canonical: Canonical, ours: set[int],
                      terms: SieveTerms | None = None) -> ScoreValues:
    """The value and band of each score of ``ours`` (our current suppliers, canonical ids) in the latest finished
    run and the run before: what ``alerts.score_sieve.score_sieve`` tests, read as plain rows.

    The same scores as ``read_score_changes`` (of two organisations merged into one, the later row wins), without
    building a subject, points and a change for each: the alert run tests every score of ours and reads those
    of the few suppliers that may alert again, in full.

    ``terms`` (``alerts.score_sieve.sieve_terms`` of the run's rules): only the scores that may pass that sieve
    are returned (a superset: the sieve still decides). The database compares each score with the previous
    run's and returns the few that moved as a rule watches, instead of some 20,000 rows of a national store
    for Python to compare. A supplier with organisations merged into it is read whole, as before: its scores
    in two runs may come from different organisations of the group, which only the later-row rule pairs.
    """
    runs = _finished_runs(session, as_of)
    if not runs:
        return {}
    current_run, previous_run = runs[0].id, (runs[1].id if len(runs) > 1 else None)
    merged = _merged_into(session, ours)
    found: ScoreValues = {}
    singles = sorted(ours - merged.keys())
    for start in range(0, len(singles), 900):
        found.update(_paired_values(session, current_run, previous_run, singles[start : start + 900], terms))
    if merged:
        found.update(_group_values(session, current_run, previous_run, canonical,
                                   sorted({*merged, *(org for group in merged.values() for org in group)}), ours))
    return found


#: How far the database's comparisons are loosened: its float arithmetic may differ from Python's in the last bit,
#: and the read must never drop a score the sieve keeps (the sieve then decides exactly).
_SLACK = 1e-9


def _paired_values(session: Session, current_run: int, previous_run: int | None, organisations: list[int],
                   terms: SieveTerms | None) -> ScoreValues:
    """The scores of ``organisations`` (none of them with others merged into it) in ``current_run``, each with its
    own row in ``previous_run``; with ``terms``, only those that may pass the sieve."""
    current = aliased(RiskScore)
    previous = aliased(RiskScore) if previous_run is not None else None
    # a first run: nothing to pair (an outer join on nothing would scan the table for each row)
    before = (previous.value, previous.band) if previous is not None else (null(), null())
    query = select(current.organisation_id, current.category, current.kind, current.value, current.band, *before)
    if previous is not None:
        query = query.outerjoin(previous, and_(
            previous.run_id == previous_run, previous.organisation_id == current.organisation_id,
            previous.category == current.category, previous.kind == current.kind,
        ))
    query = query.where(current.run_id == current_run, current.organisation_id.in_(organisations))
    if terms is not None:
        query = query.where(_may_pass(current, *before, terms))
    return {
        (org, category, kind): ((value, band), (value_before, band_before) if band_before is not None else None)
        for org, category, kind, value, band, value_before, band_before in session.connection().execute(query)
    }


def _may_pass(current: Any, value_before: Any, band_before: Any, terms: SieveTerms) -> ColumnElement[bool]:
    """SQL that is true for every score ``score_sieve`` may keep (and for some it drops), as the sieve reads a score
    without a previous one (value 0, band low): no unknown band, and a band changed in a kind a band rule
    watches, a threshold crossed, or a rise as large as a rule asks (a rise only from a previous score)."""
    previous_value, previous_band = func.coalesce(value_before, 0.0), func.coalesce(band_before, "low")
    tests: list[ColumnElement[bool]] = [false()]
    if terms.bands:
        tests.append(and_(current.kind.in_(sorted(terms.bands)), current.band != previous_band))
    for kind, direction, threshold in terms.thresholds:
        lower, upper = (previous_value, current.value) if direction == "up" else (current.value, previous_value)
        tests.append(and_(current.kind == kind, lower < threshold + _SLACK, upper >= threshold - _SLACK))
    for kind, minimum in sorted(terms.rises.items()):  # NULL (no previous score) compares as false
        tests.append(and_(current.kind == kind, current.value - value_before >= minimum - _SLACK))
    return and_(current.band != UNKNOWN_BAND, previous_band != UNKNOWN_BAND, or_(*tests))


def _group_values(session: Session, current_run: int, previous_run: int | None, canonical: Canonical,
                  scored_as: list[int], ours: set[int]) -> ScoreValues:
    """The scores of the organisations ``scored_as`` keyed by their canonical id: of two organisations merged into
    one, the later row wins (in each run)."""

    def values(run_id: int) -> dict[tuple[int, str, str], tuple[float, str]]:
        rows: list[Any] = []
        columns = (RiskScore.id, RiskScore.organisation_id, RiskScore.category, RiskScore.kind, RiskScore.value,
                   RiskScore.band)
        connection = session.connection()  # plain rows: no ORM loading step
        for start in range(0, len(scored_as), 900):
            rows += connection.execute(
                select(*columns).where(RiskScore.run_id == run_id, RiskScore.organisation_id.in_(scored_as[start : start + 900]))
            ).all()
        rows.sort(key=itemgetter(0))
        _prefetch(canonical, {row[1] for row in rows})
        canonical_of = {org: canonical(org) for org in {row[1] for row in rows}}
        return {(canonical_of[org], category, kind): (value, band) for _id, org, category, kind, value, band in rows}

    current = values(current_run)
    previous = values(previous_run) if previous_run is not None else {}
    return {key: (point, previous.get(key)) for key, point in current.items() if key[0] in ours}


def _merged_into(session: Session, canonical_ids: Iterable[int]) -> dict[int, list[int]]:
    """Of ``canonical_ids``, those with organisations merged into them: canonical id -> the merged ids."""
    wanted = sorted(set(canonical_ids))
    groups: dict[int, list[int]] = defaultdict(list)
    for start in range(0, len(wanted), 900):
        for org, into in session.execute(
            select(OrganisationMerge.organisation_id, OrganisationMerge.canonical_id)
            .where(OrganisationMerge.canonical_id.in_(wanted[start : start + 900]))
        ):
            groups[into].append(org)
    return dict(groups)


def _ids_behind(session: Session, canonical_ids: Iterable[int]) -> list[int]:
    """The canonical ids and every organisation merged into one of them, sorted."""
    wanted = sorted(set(canonical_ids))
    found = set(wanted)
    for start in range(0, len(wanted), 900):
        found.update(session.scalars(
            select(OrganisationMerge.organisation_id).where(OrganisationMerge.canonical_id.in_(wanted[start : start + 900]))
        ))
    return sorted(found)


#: Spend booked this recently still makes a supplier "ours" for score alerts.
RECENT_SPEND_DAYS = 365


def current_suppliers(session: Session, *, as_of: date, canonical: Canonical) -> set[int]:
    """Suppliers we depend on now: a contract running (or extendable) on ``as_of``, or spend in the last year.

    A score change of a former supplier (a company that failed years ago, a contract long ended)
    is no reason to wake a category manager: score alerts are limited to these.
    """
    # distinct: a supplier once, not once per spend line of the year (tens of thousands on a large store)
    running = select(Contract.organisation_id).where(
        Contract.organisation_id.is_not(None),
        (Contract.start_date.is_(None)) | (Contract.start_date <= as_of),
        (Contract.end_date >= as_of) | (Contract.extension_until >= as_of),
    ).distinct()
    spending = select(SpendLine.organisation_id).where(
        SpendLine.organisation_id.is_not(None),
        SpendLine.booked_on > as_of - timedelta(days=RECENT_SPEND_DAYS),
        SpendLine.booked_on <= as_of,
    ).distinct()
    orgs = [*session.scalars(running), *session.scalars(spending)]
    _prefetch(canonical, orgs)
    return {canonical(org) for org in orgs}


def read_contracts(session: Session, *, as_of: date, months: int, canonical: Canonical, cpvs: OurCpvs) -> list[ContractFact]:
    # the columns a fact shows, as plain rows: an ORM object per contract cost more than the rest of the read
    rows = session.execute(
        select(Contract.id, Contract.contract_ref, Contract.title, Contract.organisation_id, Contract.supplier_name,
               Contract.cpv, Contract.end_date, Contract.extension_until, Contract.owner, Contract.value).where(
            Contract.end_date >= as_of, Contract.end_date <= as_of + timedelta(days=int(months * 30.4375) + 1),
            Contract.cpv.is_not(None),
        )
    ).all()
    _prefetch(canonical, (r.organisation_id for r in rows if r.organisation_id))
    subjects = _subjects(session, {canonical(r.organisation_id) for r in rows if r.organisation_id}, cpvs)
    return [
        ContractFact(
            contract_id=r.id, ref=r.contract_ref, title=r.title,
            subject=subjects.get(canonical(r.organisation_id)) if r.organisation_id else None,
            supplier_name=r.supplier_name, cpv=r.cpv, end_date=r.end_date, extension_until=r.extension_until,
            owner=r.owner, value=float(r.value) if r.value is not None else None,
        )
        for r in rows
    ]
