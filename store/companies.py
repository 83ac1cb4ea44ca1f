"""Writes and reads of the companies area: the watch list, KvK snapshots, insolvency cases, their events.

Everything here is idempotent: an unchanged profile adds no snapshot (it only moves
``confirmed_on``), an event is inserted once per ``(organisation_id, source, kind, source_ref)``,
a case is replaced only when its content changed.

Insolvency cases are stored for every company the register publishes, known or not. Events are
made only for organisations we know by KvK number, and ``link_insolvency_events`` runs on every
collection, so a supplier that joins the watch list later (an own-data import, an award) gets
its past insolvency events then. We do not create organisations from the insolvency register:
it names every bankrupt company in the country, and an organisation row means "a party in our
data", which the register does not make anyone.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, bindparam, delete, func, literal_column, or_, select, union, update
from sqlalchemy.orm import Session

from store.bulk import insert_rows, select_in
from store.events import NewEvent, save_events  # re-exported for the companies area
from store.notices import dialect_insert
from store.schema import Award, AwardWinner, Contract, Notice, Organisation, OrganisationIdentifier, SpendLine, SupplierEvent
from store.schema.bids import Bid, BidTenderer
from store.schema.companies import CompanySnapshot, InsolvencyCase, InsolvencyCheck, InsolvencyPublication
from store.schema.own_data import OrganisationMerge

KVK_SCHEME = "kvk"
_NL_ID_KEY = re.compile(r"^NL:id:(\d{8})$")


@dataclass(frozen=True, slots=True)
class WatchedCompany:
    organisation_id: int
    kvk_number: str
    name: str


@dataclass(frozen=True, slots=True)
class StoredSnapshot:
    id: int
    kvk_number: str
    observed_on: date
    confirmed_on: date
    status: str
    payload: dict[str, Any]
    content_hash: str

    def confirmed(self, day: date) -> StoredSnapshot:
        """The same state, confirmed on ``day`` (``dataclasses.replace`` costs several times this, per company)."""
        return StoredSnapshot(self.id, self.kvk_number, self.observed_on, day, self.status, self.payload, self.content_hash)


def payload_hash(payload: Mapping[str, Any]) -> str:
    canonical = _CANONICAL_JSON.encode(payload)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


#: What ``json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)`` writes, with the encoder made once
#: (``json.dumps`` makes one per call when given options: a fifth of hashing a profile, every company every refresh).
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, ensure_ascii=False, default=str)


def watch_list(session: Session) -> list[WatchedCompany]:
    """Organisations with a KvK number: an identifier of scheme "kvk", or an org_key ``NL:id:<8 digits>``.

    One entry per KvK number; the identifier's organisation wins over an org_key match (identity
    matching attaches the number to the organisation it resolved to).
    """
    found: dict[str, WatchedCompany] = {}
    by_identifier = (
        select(OrganisationIdentifier.value, Organisation.id, Organisation.name)
        .join(Organisation, Organisation.id == OrganisationIdentifier.organisation_id)
        .where(OrganisationIdentifier.scheme == KVK_SCHEME)
    )
    for value, org_id, name in session.execute(by_identifier):
        number = value.strip()
        if re.fullmatch(r"\d{8}", number):
            found.setdefault(number, WatchedCompany(org_id, number, name))
    by_key = select(Organisation.org_key, Organisation.id, Organisation.name).where(Organisation.org_key.like("NL:id:%"))
    for key, org_id, name in session.execute(by_key):
        match = _NL_ID_KEY.match(key)
        if match:
            found.setdefault(match.group(1), WatchedCompany(org_id, match.group(1), name))
    return [found[number] for number in sorted(found)]


def first_dated_appearances(session: Session) -> dict[int, date]:
    """``organisation id -> the earliest day a dated record of the store names it``: a notice it bought with
    (published), an award it won or a tender it lost (the notice's publication), our contract with it (start) or
    our spend with it (booked). Organisations merged as one company share their group's earliest day.

    A history replay (``pipelines.company_signals.collect_history``) watches a company from that day on, as
    daily runs would have: nobody asks the register about a company before any source had named it."""
    buyer, winner, tenderer, payee = (_unindexed(column) for column in (
        Notice.buyer_id, AwardWinner.organisation_id, BidTenderer.organisation_id, SpendLine.organisation_id))
    queries = [
        select(buyer, func.min(Notice.published)).group_by(buyer),
        select(winner, func.min(Notice.published))
        .join(Award, Award.id == AwardWinner.award_id).join(Notice, Notice.id == Award.notice_pk).group_by(winner),
        select(tenderer, func.min(Notice.published))
        .join(Bid, Bid.id == BidTenderer.bid_id).join(Notice, Notice.id == Bid.notice_pk).group_by(tenderer),
        select(Contract.organisation_id, func.min(Contract.start_date))
        .where(Contract.organisation_id.is_not(None)).group_by(Contract.organisation_id),
        select(payee, func.min(SpendLine.booked_on)).where(SpendLine.organisation_id.is_not(None)).group_by(payee),
    ]
    first: dict[int, date] = {}
    for query in queries:
        for organisation_id, day in session.execute(query):
            if day is not None and (organisation_id not in first or day < first[organisation_id]):
                first[organisation_id] = day
    groups: dict[int, list[int]] = {}
    for member, canonical in session.execute(select(OrganisationMerge.organisation_id, OrganisationMerge.canonical_id)):
        groups.setdefault(canonical, [canonical]).append(member)
    for members in groups.values():
        days = [first[m] for m in members if m in first]
        if days:
            for member in members:
                first[member] = min(days)
    return first


def _unindexed(column: Any) -> Any:  # a column expression
    """``column + 0``: the column's value, which SQLite's planner cannot read from the column's index. Grouping a
    whole table by an indexed column, SQLite walks that index and fetches every row by its rowid in the index's
    order (a random page each time): four times the cost of reading the table in order and grouping in a temporary
    B-tree (``first_dated_appearances`` at scale 54: 1.3 CPU-s, then 0.3)."""
    return column + literal_column("0")


def own_supplier_ids(session: Session) -> set[int]:
    """Organisations we have a contract or spend with, and the organisations merged into them (resolved contracts
    and spend point at the canonical organisation of a merged company: ``store.matching.relink_merged``)."""
    ours = union(select(Contract.organisation_id).where(Contract.organisation_id.is_not(None)),
                 select(SpendLine.organisation_id).where(SpendLine.organisation_id.is_not(None))).subquery()
    ids = set(session.scalars(select(ours.c[0])))
    ids.update(session.scalars(select(OrganisationMerge.organisation_id)
                               .where(OrganisationMerge.canonical_id.in_(select(ours.c[0])))))
    return ids


def organisations_by_kvk(session: Session, numbers: Iterable[str]) -> dict[str, int]:
    """``kvk number -> organisation id`` for the numbers we know (same precedence as ``watch_list``)."""
    wanted = sorted(set(numbers))
    result: dict[str, int] = {}
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        keys = {f"NL:id:{n}": n for n in chunk}
        for key, org_id in session.execute(select(Organisation.org_key, Organisation.id).where(Organisation.org_key.in_(keys))):
            result[keys[key]] = org_id
        identifiers = select(OrganisationIdentifier.value, OrganisationIdentifier.organisation_id).where(
            OrganisationIdentifier.scheme == KVK_SCHEME, OrganisationIdentifier.value.in_(chunk)
        )
        for value, org_id in session.execute(identifiers):
            result[value] = org_id
    return result


def latest_snapshots(session: Session, numbers: Sequence[str], *, on_or_before: date) -> dict[str, StoredSnapshot]:
    """The newest snapshot of each KvK number observed on or before ``on_or_before``.

    Read as plain rows (no ORM objects: a refresh reads every watched company's state on every day it runs)."""
    result: dict[str, StoredSnapshot] = {}
    for start in range(0, len(numbers), 500):
        chunk = list(numbers[start:start + 500])
        newest = (
            select(CompanySnapshot.kvk_number, func.max(CompanySnapshot.observed_on).label("day"))
            .where(CompanySnapshot.kvk_number.in_(chunk), CompanySnapshot.observed_on <= on_or_before)
            .group_by(CompanySnapshot.kvk_number)
            .subquery()
        )
        rows = session.execute(
            select(CompanySnapshot.id, CompanySnapshot.kvk_number, CompanySnapshot.observed_on,
                   CompanySnapshot.confirmed_on, CompanySnapshot.status, CompanySnapshot.payload,
                   CompanySnapshot.content_hash).join(
                newest, and_(CompanySnapshot.kvk_number == newest.c.kvk_number, CompanySnapshot.observed_on == newest.c.day)
            )
        )
        for row in rows:
            result[row.kvk_number] = StoredSnapshot(*row)
    return result


def stored_states(session: Session, rows: Sequence[Mapping[str, Any]]) -> dict[str, StoredSnapshot]:
    """The states ``save_snapshots`` has just stored from ``rows`` (``new_snapshot``'s), by KvK number: what
    ``latest_snapshots`` of their day reads for those numbers, but only the ids are read back (the rest is the
    rows' own: reading each payload back and decoding it was most of the cost, for every new state of a history),
    by the driver's own statement (``store.bulk.select_in``: SQLAlchemy binds and processes each number of an
    ``IN`` list anew), the day bound as SQLAlchemy binds a date for the dialect."""
    ids: dict[tuple[str, date], int] = {}
    table = CompanySnapshot.__table__
    bind_day = table.c.observed_on.type.dialect_impl(dialect := session.connection().dialect).bind_processor(dialect)
    for day in {row["observed_on"] for row in rows}:
        numbers = [row["kvk_number"] for row in rows if row["observed_on"] == day]
        equal = {"observed_on": bind_day(day) if bind_day else day}
        for start in range(0, len(numbers), 500):
            ids.update(((number, day), id_) for number, id_ in select_in(
                session, table, ("kvk_number", "id"), "kvk_number", numbers[start:start + 500], equal=equal))
    return {row["kvk_number"]: StoredSnapshot(ids[row["kvk_number"], row["observed_on"]], row["kvk_number"],
                                              row["observed_on"], row["confirmed_on"], row["status"], row["payload"],
                                              row["content_hash"]) for row in rows}


def snapshots_after(session: Session, day: date) -> bool:
    """Whether any KvK state observed after ``day`` is stored (a history that starts on ``day`` did not write it)."""
    return session.scalar(select(CompanySnapshot.id).where(CompanySnapshot.observed_on > day).limit(1)) is not None


def save_snapshot(session: Session, company: WatchedCompany, **state: Any) -> bool:
    """Store a new state (``new_snapshot``'s keywords) and return ``True``; an unchanged one returns ``False`` and
    is left to ``confirm_snapshots`` (one UPDATE per batch instead of one per company)."""
    row = new_snapshot(company, **state)
    if row is None:
        return False
    save_snapshots(session, [row])
    return True


def new_snapshot(
    company: WatchedCompany,
    *,
    observed_on: date,
    status: str,
    payload: dict[str, Any],
    previous: StoredSnapshot | None,
    source_url: str | None,
    fetched_at: datetime,
) -> dict[str, Any] | None:
    """The row ``save_snapshots`` stores for a changed state; ``None`` when ``previous`` has the same content."""
    digest = payload_hash(payload)
    if previous is not None and previous.content_hash == digest:
        return None
    return {
        "organisation_id": company.organisation_id, "kvk_number": company.kvk_number, "observed_on": observed_on,
        "confirmed_on": observed_on, "status": status, "payload": payload, "content_hash": digest,
        "source_url": source_url, "fetched_at": fetched_at,
    }


def save_snapshots(session: Session, rows: Sequence[Mapping[str, Any]]) -> None:
    """Store new states (``new_snapshot`` rows) in one statement, in their order; the organisations of the
    "found" ones get the register's newest name and address (``refresh_current_facts``).

    One driver ``executemany`` (``store.bulk.insert_rows``): SQLAlchemy's executemany builds and processes a dict
    of parameters per row, which was most of storing a batch (a history stores 56,000 states at scale 54)."""
    if not rows:
        return
    found = [row["organisation_id"] for row in rows if row["status"] == "found"]
    if len(set(found)) < len(found):
        # an organisation with two KvK numbers: each state refreshes it in turn, as one save at a time would
        for row in rows:
            save_snapshots(session, [row])
        return
    insert_rows(session, CompanySnapshot.__table__, rows, conflict=_SNAPSHOT_CONFLICT)
    if found:  # the register's newest name and address are the organisation's current ones
        from store.current_facts import refresh_current_facts

        refresh_current_facts(session, found)


#: A state stored again for the same number and day (a second run that day) replaces the day's state.
_SNAPSHOT_CONFLICT = ("update", ("kvk_number", "observed_on"),
                      ("status", "payload", "content_hash", "source_url", "fetched_at", "confirmed_on"))


def confirm_snapshots(session: Session, unchanged: Iterable[StoredSnapshot], observed_on: date) -> None:
    """The register still shows these states on ``observed_on``: move their ``confirmed_on``."""
    ids = [s.id for s in unchanged if observed_on > s.confirmed_on]
    for start in range(0, len(ids), 500):
        session.connection().execute(_CONFIRM, {"ids": ids[start:start + 500], "day": observed_on})


#: A plain UPDATE (no ORM objects to keep in step), built once: building it took a third of confirming a batch.
_CONFIRM = (update(CompanySnapshot.__table__).where(CompanySnapshot.id.in_(bindparam("ids", expanding=True)))
            .values(confirmed_on=bindparam("day")))


# --- insolvency cases ----------------------------------------------------------------------------------


def save_case(session: Session, case_number: str, kvk_number: str | None, name: str | None, court: str | None,
              legal_person: bool, payload: dict[str, Any], publications: Sequence[Mapping[str, Any]],
              fetched_at: datetime) -> str:
    """Insert or replace one case with its publications: "added", "updated" or "unchanged"."""
    digest = payload_hash(payload)
    row = session.scalar(select(InsolvencyCase).where(InsolvencyCase.case_number == case_number))
    if row is not None and row.content_hash == digest:
        return "unchanged"
    outcome = "updated" if row is not None else "added"
    if row is None:
        row = InsolvencyCase(case_number=case_number)
        session.add(row)
    row.kvk_number, row.name, row.court, row.legal_person = kvk_number, name, court, legal_person
    row.payload, row.content_hash, row.fetched_at = payload, digest, fetched_at
    session.flush()
    session.execute(delete(InsolvencyPublication).where(InsolvencyPublication.case_id == row.id))
    kenmerken = [p["kenmerk"] for p in publications]
    if kenmerken:  # a publication that moved to another case (a correction) moves with it
        session.execute(delete(InsolvencyPublication).where(InsolvencyPublication.kenmerk.in_(kenmerken)))
    session.add_all(InsolvencyPublication(case_id=row.id, **p) for p in publications)
    session.flush()
    return outcome


def mark_removed(session: Session, removed: Iterable[tuple[str, str | None]], day: date) -> int:
    """Cases the register no longer shows: kept (with their events), marked with the day and reason."""
    count = 0
    for case_number, reason in removed:
        marked = session.execute(  # counted from RETURNING: rowcount may be -1 (unknown) on psycopg
            update(InsolvencyCase)
            .where(InsolvencyCase.case_number == case_number, InsolvencyCase.removed_on.is_(None))
            .values(removed_on=day, removed_reason=(reason or "")[:200] or None)
            .returning(InsolvencyCase.id)
        )
        count += len(marked.all())
    return count


def link_insolvency_events(session: Session, *, url: str) -> int:
    """Events for every event-bearing publication of a case whose KvK number we know; the number added.

    Dated by the court's ruling when the text states it, else by the publication date.
    """
    # the columns it needs, as plain rows: every run of a history links every case again, and ORM entities would
    # load (and decode) each case's whole stored payload for it
    rows = session.execute(
        select(InsolvencyPublication.event_kind, InsolvencyPublication.kenmerk, InsolvencyPublication.code,
               InsolvencyPublication.description, InsolvencyPublication.published_on,
               InsolvencyCase.kvk_number, InsolvencyCase.case_number, InsolvencyCase.court)
        .join(InsolvencyCase, InsolvencyCase.id == InsolvencyPublication.case_id)
        .where(InsolvencyPublication.event_kind.is_not(None), InsolvencyCase.kvk_number.is_not(None))
    ).all()
    organisations = organisations_by_kvk(session, {row.kvk_number for row in rows})
    from connectors.insolvency import PUBLICATION_KINDS, ruling_date  # the code table lives with the connector

    # stored already (every run links every case again): not built nor offered again, the insert would skip them
    stored = set(session.execute(select(SupplierEvent.organisation_id, SupplierEvent.kind, SupplierEvent.source_ref)
                                 .where(SupplierEvent.source == "cir")).tuples())
    events = []
    for publication in rows:
        org_id = organisations.get(publication.kvk_number)
        if org_id is None or (org_id, publication.event_kind, f"{publication.case_number} {publication.kenmerk}"[:300]) in stored:
            continue
        ruled = ruling_date(publication.description)
        name = PUBLICATION_KINDS.get(publication.code, (publication.code, None))[0]
        events.append(NewEvent(
            organisation_id=org_id, kind=publication.event_kind, occurred_on=ruled or publication.published_on,
            source="cir", source_ref=f"{publication.case_number} {publication.kenmerk}", source_url=url,
            title=f"{publication.description}, {publication.case_number}, {publication.court or 'court unknown'}",
            details={"case_number": publication.case_number, "kenmerk": publication.kenmerk, "code": publication.code,
                     "kind_name": name, "court": publication.court, "published_on": publication.published_on.isoformat(),
                     "ruling_on": ruled.isoformat() if ruled else None,
                     "date_basis": "ruling date in the publication" if ruled else "publication date"},
        ))
    return save_events(session, events)


def unchecked_numbers(session: Session, numbers: Iterable[str], checked: set[str] | None = None) -> list[str]:
    """The KvK numbers never looked up in the insolvency register (``searchUndertaking``); ``checked``: those looked
    up, when the caller carries them (``checked_numbers``, kept up to date by a history's runs), else read here."""
    return sorted(set(numbers) - (checked_numbers(session) if checked is None else checked))


def checked_numbers(session: Session) -> set[str]:
    """Every KvK number looked up in the insolvency register already."""
    return set(session.scalars(select(InsolvencyCheck.kvk_number)))


def mark_checked(session: Session, found: Mapping[str, int], day: date) -> None:
    """Remember that these numbers were looked up, with the number of cases found (one statement: a first run
    checks the whole watch list)."""
    if not found:
        return
    stmt = dialect_insert(session.get_bind(), InsolvencyCheck).on_conflict_do_nothing(index_elements=["kvk_number"])
    session.connection().execute(stmt, [{"kvk_number": number, "checked_on": day, "cases": cases}
                                        for number, cases in found.items()])


def cases_for(session: Session, kvk_number: str) -> list[InsolvencyCase]:
    return list(session.scalars(select(InsolvencyCase).where(InsolvencyCase.kvk_number == kvk_number)
                                .order_by(InsolvencyCase.case_number)))


def snapshots_for(session: Session, kvk_number: str) -> list[CompanySnapshot]:
    return list(session.scalars(select(CompanySnapshot).where(CompanySnapshot.kvk_number == kvk_number)
                                .order_by(CompanySnapshot.observed_on)))


def organisations_for_kvk(session: Session, kvk_number: str) -> list[Organisation]:
    """Every organisation row that carries the number: its identifier, its org_key, or its published company id."""
    ids = select(OrganisationIdentifier.organisation_id).where(
        OrganisationIdentifier.scheme == KVK_SCHEME, OrganisationIdentifier.value == kvk_number)
    query = select(Organisation).where(or_(Organisation.id.in_(ids), Organisation.org_key == f"NL:id:{kvk_number}",
                                           Organisation.company_id == kvk_number)).order_by(Organisation.id)
    return list(session.scalars(query))


def newest_company_data(session: Session) -> dict[str, date | None]:
    """For ``supplyradar status``: the newest KvK confirmation and the newest insolvency publication stored."""
    return {
        "kvk": session.scalar(select(func.max(CompanySnapshot.confirmed_on))),
        "cir": session.scalar(select(func.max(InsolvencyPublication.published_on))),
    }


def latest_profiles(session: Session, organisation_ids: Sequence[int], as_of: date) -> dict[int, dict[str, Any]]:
    """The newest company snapshot per organisation observed on or before ``as_of``, flattened for scoring.

    Keys: ``kvk_number, name, legal_form, sbi_main, registration_start, registration_end, employees,
    town, postcode, country, observed_on``. A "not found" snapshot gives a row with ``not_found`` set
    and nothing else known. Only data seen by ``as_of`` is used, so training snapshots never see the future.
    """
    newest: dict[int, Any] = {}
    for row in _snapshots_until(session, organisation_ids, as_of):
        newest[row.organisation_id] = row  # ordered by day: the last one wins
    return {org: _flat_profile(row) for org, row in newest.items()}


def profile_history(session: Session, organisation_ids: Sequence[int], until: date
                    ) -> dict[int, list[tuple[date, dict[str, Any]]]]:
    """Every company snapshot observed on or before ``until`` per organisation, flattened as by
    :func:`latest_profiles`, oldest first (same day: in the order stored): one read for a caller that needs
    the profiles on many days (training's snapshots), where the newest entry on or before a day is
    ``latest_profiles`` of that day."""
    history: dict[int, list[tuple[date, dict[str, Any]]]] = {}
    for row in _snapshots_until(session, organisation_ids, until):
        history.setdefault(row.organisation_id, []).append((row.observed_on, _flat_profile(row)))
    return history


def _snapshots_until(session: Session, organisation_ids: Sequence[int], until: date) -> Iterator[Any]:
    """The organisations' snapshots observed on or before ``until``, by organisation, day and storage order: plain
    rows of the columns ``_flat_profile`` reads (a scoring run reads tens of thousands; no ORM objects needed)."""
    wanted = sorted(set(organisation_ids))
    for start in range(0, len(wanted), 900):
        yield from session.execute(
            select(CompanySnapshot.organisation_id, CompanySnapshot.kvk_number, CompanySnapshot.observed_on,
                   CompanySnapshot.status, CompanySnapshot.payload)
            .where(CompanySnapshot.organisation_id.in_(wanted[start : start + 900]), CompanySnapshot.observed_on <= until)
            .order_by(CompanySnapshot.organisation_id, CompanySnapshot.observed_on, CompanySnapshot.id)
        )


def _flat_profile(row: Any) -> dict[str, Any]:
    payload = row.payload or {}
    if row.status != "found":
        return {"kvk_number": row.kvk_number, "not_found": True, "observed_on": row.observed_on}
    address = payload.get("address") or {}
    main = next((s.get("code") for s in payload.get("sbi") or [] if s.get("main")), None)

    def day(value: Any) -> date | None:
        return date.fromisoformat(value) if isinstance(value, str) and value else None

    return {
        "kvk_number": row.kvk_number,
        "name": payload.get("name"),
        "legal_form": payload.get("legal_form"),
        "sbi_main": main,
        "registration_start": day(payload.get("started_on")) or day(payload.get("registered_on")),
        "registration_end": day(payload.get("ended_on")),
        "employees": payload.get("employees"),
        "town": address.get("town"),
        "postcode": address.get("postcode"),
        "country": "NL",
        "observed_on": row.observed_on,
    }
