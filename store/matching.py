"""Supplier identity in the store: identifiers, merges, match candidates and the human decisions on them.

How one company ends up as one supplier
  - ``organisation_identifiers`` holds every identifier an organisation is known by: ``kvk`` (8
    digits), ``vat``, ``national`` (a foreign company id from notices) and ``internal`` (a stable
    id we give a supplier that only our own files know, ``own:<hash of its normalised name>``).
  - ``organisation_merges`` maps an organisation row to the one it is the same company as: a
    winner that notices name without a company id (``NL:name:...``), or a supplier only our files
    knew, onto the KvK-keyed row. The merged row stays, so notices keep pointing at it; everybody
    reading by organisation maps ids with ``canonical_organisation_id(s)``. Spend lines and
    contracts always carry the canonical id (``relink_merged`` keeps them so).
  - ``match_decisions`` are people's decisions per (normalised name, organisation). A rejected
    pair is excluded from every later lookup; an accepted one is used before any scoring.

Only this module writes these tables. ``reject_match`` is the entry point for other areas (the
alerts' "wrong entity" feedback).
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from models.matching import Candidate, normalise
from store.bulk import update_from_values
from store.current_facts import known_names
from store.notices import dialect_insert
from store.schema import AwardWinner, Contract, Organisation, OrganisationIdentifier, SpendLine
from store.schema.own_data import MatchCandidate, MatchDecision, OrganisationMerge

CHUNK = 500
INTERNAL_SCHEME = "internal"
#: The tables whose rows name a supplier and carry its organisation id.
LINE_TABLES = (SpendLine, Contract)


class UnknownCandidateError(LookupError):
    """``match accept/reject ID`` with an id that is not a candidate."""


# --- Canonical ids ------------------------------------------------------------------------------


def canonical_organisation_id(session: Session, organisation_id: int) -> int:
    """The organisation ``organisation_id`` is the same company as (itself when it was never merged)."""
    canonical = session.scalar(select(OrganisationMerge.canonical_id).where(OrganisationMerge.organisation_id == organisation_id))
    return canonical if canonical is not None else organisation_id


def canonical_organisation_ids(session: Session, organisation_ids: Iterable[int]) -> dict[int, int]:
    """Bulk ``canonical_organisation_id``: every given id -> its canonical id."""
    ids = list(set(organisation_ids))
    result = {i: i for i in ids}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        result.update(session.execute(
            select(OrganisationMerge.organisation_id, OrganisationMerge.canonical_id).where(OrganisationMerge.organisation_id.in_(chunk))
        ).all())
    return result


def merged_into(session: Session, canonical_id: int) -> list[int]:
    """The canonical id and every organisation merged into it."""
    return [canonical_id, *session.scalars(select(OrganisationMerge.organisation_id).where(OrganisationMerge.canonical_id == canonical_id))]


def merge_organisation(session: Session, organisation_id: int, canonical_id: int, *, method: str, score: float | None) -> bool:
    """Record that ``organisation_id`` is ``canonical_id``; False when it would chain or loop (then nothing changes)."""
    canonical_id = canonical_organisation_id(session, canonical_id)
    if canonical_id == organisation_id or session.get(OrganisationMerge, organisation_id) is not None:
        return False
    # Anything merged into the organisation now moves on to the new canonical one: no chains.
    session.execute(update(OrganisationMerge).where(OrganisationMerge.canonical_id == organisation_id).values(canonical_id=canonical_id))
    session.add(OrganisationMerge(organisation_id=organisation_id, canonical_id=canonical_id, method=method, score=score,
                                  merged_at=datetime.now(UTC)))
    session.flush()
    return True


def relink_merged(session: Session) -> int:
    """Spend lines and contracts that point at a merged organisation point at its canonical one instead."""
    moved = 0
    pairs = list(session.execute(select(OrganisationMerge.organisation_id, OrganisationMerge.canonical_id)).all())
    by_canonical: dict[int, list[int]] = defaultdict(list)
    for org_id, canonical in pairs:
        by_canonical[canonical].append(org_id)
    for canonical, merged in by_canonical.items():
        for table in LINE_TABLES:
            moved += len(session.execute(  # counted from RETURNING: rowcount may be -1 (unknown) on psycopg
                update(table).where(table.organisation_id.in_(merged)).values(organisation_id=canonical).returning(table.id)
            ).all())
    return moved


# --- Organisations and identifiers --------------------------------------------------------------


def organisations_by_identifier(session: Session, scheme: str, values: Iterable[str]) -> dict[str, int]:
    values = list(set(values))
    found: dict[str, int] = {}
    for start in range(0, len(values), CHUNK):
        found.update(session.execute(
            select(OrganisationIdentifier.value, OrganisationIdentifier.organisation_id).where(
                OrganisationIdentifier.scheme == scheme, OrganisationIdentifier.value.in_(values[start : start + CHUNK])
            )
        ).all())
    return found


def add_identifiers(session: Session, rows: Sequence[tuple[int, str, str, str]]) -> int:
    """Insert (organisation id, scheme, value, source) rows unseen so far; a value already owned stays with its owner.

    One executemany (SQLAlchemy batches it into multi-row INSERTs): building a 500-row VALUES clause per chunk cost
    more than inserting it.
    """
    if not rows:
        return 0
    now = datetime.now(UTC)
    unique = {(scheme, value): (org_id, source) for org_id, scheme, value, source in rows}
    values = [{"organisation_id": org_id, "scheme": scheme, "value": value[:100], "source": source[:30], "first_seen": now}
              for (scheme, value), (org_id, source) in unique.items()]
    table = OrganisationIdentifier.__table__
    stmt = dialect_insert(session.get_bind(), table).on_conflict_do_nothing(index_elements=["scheme", "value"])
    # Counted from RETURNING: psycopg reports rowcount -1 for such inserts, which made the count negative.
    return len(session.execute(stmt.returning(table.c.id), values).all())


def ensure_organisations(session: Session, rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Insert organisations by ``org_key`` unless present (never overwriting a name); ``org_key -> id``."""
    if not rows:
        return {}
    now = datetime.now(UTC)
    by_key = {r["org_key"]: r for r in rows}
    values = [{"country": None, "company_id": None, "town": None, "postcode": None, **r, "first_seen": now, "updated_at": now}
              for r in by_key.values()]
    table = Organisation.__table__
    session.execute(dialect_insert(session.get_bind(), table).on_conflict_do_nothing(index_elements=["org_key"]), values)
    keys = list(by_key)
    ids: dict[str, int] = {}
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        ids.update(session.execute(select(Organisation.org_key, Organisation.id).where(Organisation.org_key.in_(chunk))).all())
    return ids


def internal_id(name_key: str) -> str:
    """The stable internal id of a supplier only our files know: the same normalised name, the same id."""
    return "own:" + hashlib.sha1(name_key.encode("utf-8")).hexdigest()[:16]  # an id, not security


def index_candidates(session: Session, *, only_with_id: bool = False) -> list[Candidate]:
    """Every canonical organisation (merged ones are represented by their canonical row), with its KvK trade
    names and former names as other names to match (``store.current_facts.known_names``).

    Read as plain rows from the table (no ORM loading per row: a resolution reads every organisation twice)."""
    o = Organisation.__table__.c
    merged = select(OrganisationMerge.organisation_id)
    query = select(o.id, o.name, o.country, o.postcode, o.town).where(o.id.not_in(merged))
    if only_with_id:
        query = query.where(o.org_key.like("%:id:%"))
    rows = list(session.execute(query.order_by(o.id)))
    known = known_names(session, [row[0] for row in rows])
    return [Candidate(*row, other_names=known[row[0]].other_names() if row[0] in known else ()) for row in rows]


def name_keyed_organisations(session: Session) -> list[tuple[int, str, str | None, str | None, str | None]]:
    """Organisations without a company id that are not merged yet: (id, name, country, postcode, town)."""
    merged = select(OrganisationMerge.organisation_id)
    internal = select(OrganisationIdentifier.organisation_id).where(OrganisationIdentifier.scheme == INTERNAL_SCHEME)
    query = select(Organisation.id, Organisation.name, Organisation.country, Organisation.postcode, Organisation.town).where(
        Organisation.id.not_in(merged),
        (Organisation.org_key.like("%:name:%")) | Organisation.id.in_(internal),
    )
    return [tuple(row) for row in session.execute(query.order_by(Organisation.id))]


# --- Decisions ----------------------------------------------------------------------------------


def decisions_for(session: Session, name_keys: Iterable[str]) -> dict[str, dict[int, str]]:
    """name key -> {organisation id (canonical): "accept" | "reject"}."""
    keys = list(set(name_keys))
    found: dict[str, dict[int, str]] = defaultdict(dict)
    rows = []
    for start in range(0, len(keys), CHUNK):
        rows += session.execute(
            select(MatchDecision.name_key, MatchDecision.organisation_id, MatchDecision.decision).where(
                MatchDecision.name_key.in_(keys[start : start + CHUNK])
            )
        ).all()
    canonical = canonical_organisation_ids(session, [r[1] for r in rows])
    for key, org_id, decision in rows:
        found[key][canonical[org_id]] = decision
        found[key][org_id] = decision
    return dict(found)


def record_decision(session: Session, name_key: str, organisation_id: int, decision: str, *, reason: str | None,
                    decided_by: str) -> None:
    """A person's decision; a later one on the same pair replaces it (people may change their minds, runs may not)."""
    now = datetime.now(UTC)
    values = {"name_key": name_key[:500], "organisation_id": organisation_id, "decision": decision, "reason": reason,
              "decided_by": decided_by[:200], "decided_at": now}
    stmt = dialect_insert(session.get_bind(), MatchDecision).values(**values)
    session.execute(stmt.on_conflict_do_update(
        index_elements=["name_key", "organisation_id"],
        set_={"decision": decision, "reason": reason, "decided_by": values["decided_by"], "decided_at": now},
    ))
    session.execute(
        update(MatchCandidate).where(MatchCandidate.name_key == name_key, MatchCandidate.organisation_id == organisation_id)
        .values(status="accepted" if decision == "accept" else "rejected", updated_at=now)
    )


# --- Candidates ---------------------------------------------------------------------------------


def upsert_candidate(session: Session, *, name_key: str, source_name: str, organisation_id: int, score: float, status: str,
                     sources: Sequence[str], explanation: dict[str, Any]) -> None:
    """Remember how a name met an organisation; a decided candidate keeps its decided status."""
    row = candidate_row(name_key=name_key, source_name=source_name, organisation_id=organisation_id, score=score,
                        status=status, sources=sources, explanation=explanation)
    session.execute(_candidate_upsert(session), row)
    _drop_other_reviews(session, name_key, organisation_id)


def candidate_row(*, name_key: str, source_name: str, organisation_id: int, score: float, status: str,
                  sources: Sequence[str], explanation: dict[str, Any]) -> dict[str, Any]:
    """One candidate as ``upsert_candidates`` takes it: the values ``upsert_candidate`` writes, and under ``key``
    the name key as given (not cut to the column's 500 characters), which the other reviews are found by."""
    now = datetime.now(UTC)
    return {"name_key": name_key[:500], "source_name": source_name[:500], "organisation_id": organisation_id,
            "score": score, "status": status, "sources": sorted(set(sources)), "explanation": explanation,
            "created_at": now, "updated_at": now, "key": name_key}


def upsert_candidates(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """``upsert_candidate`` for many names (``candidate_row``s, each name once), with the same effect in the same order.

    The upserts go in one executemany; a name that waits for review on another organisation first has the upserts
    before it written, then its own, then that review removed, as one by one. Which names have such a review is read
    once (few do), instead of a DELETE per name.
    """
    keys = [row["key"] for row in rows]
    if len(set(keys)) != len(keys):
        raise ValueError("upsert_candidates takes each name once")
    reviewed: dict[str, set[int]] = defaultdict(set)
    for start in range(0, len(keys), CHUNK):
        for key, org_id in session.execute(select(MatchCandidate.name_key, MatchCandidate.organisation_id).where(
            MatchCandidate.name_key.in_(keys[start : start + CHUNK]), MatchCandidate.status == "review",
        )):
            reviewed[key].add(org_id)
    stmt = _candidate_upsert(session)
    pending: list[dict[str, Any]] = []
    for row in rows:
        pending.append(row)
        if reviewed.get(row["key"], set()) - {row["organisation_id"]}:
            session.execute(stmt, pending)
            pending = []
            _drop_other_reviews(session, row["key"], row["organisation_id"])
    if pending:
        session.execute(stmt, pending)


#: The candidate upsert per dialect name: built once (its ``excluded`` alias alone cost milliseconds a call).
_CANDIDATE_UPSERTS: dict[str, Any] = {}


def _candidate_upsert(session: Session):  # a dialect Insert
    """Insert a candidate, or update an undecided one (review, auto) with the new values."""
    bind = session.get_bind()
    stmt = _CANDIDATE_UPSERTS.get(bind.dialect.name)
    if stmt is not None:
        return stmt
    table = MatchCandidate.__table__
    insert = dialect_insert(bind, table).values(
        {c: bindparam(c) for c in ("name_key", "source_name", "organisation_id", "score", "status", "sources",
                                   "explanation", "created_at", "updated_at")}
    )
    new = insert.excluded
    stmt = _CANDIDATE_UPSERTS[bind.dialect.name] = insert.on_conflict_do_update(
        index_elements=["name_key", "organisation_id"],
        set_={"score": new.score, "status": new.status, "sources": new.sources, "explanation": new.explanation,
              "source_name": new.source_name, "updated_at": new.updated_at},
        where=(table.c.status == "review") | (table.c.status == "auto"),  # an IN list cannot go in an executemany
    )
    return stmt


def _drop_other_reviews(session: Session, name_key: str, organisation_id: int) -> None:
    """A name waits for review on one organisation at a time: the best one now."""
    session.execute(delete(MatchCandidate).where(
        MatchCandidate.name_key == name_key, MatchCandidate.organisation_id != organisation_id,
        MatchCandidate.status == "review",
    ))


def drop_review(session: Session, name_keys: Iterable[str]) -> None:
    """Names that no longer wait for review (resolved otherwise) leave the review list."""
    keys = list(set(name_keys))
    for start in range(0, len(keys), CHUNK):
        session.execute(delete(MatchCandidate).where(
            MatchCandidate.name_key.in_(keys[start : start + CHUNK]), MatchCandidate.status == "review",
        ))


def list_candidates(session: Session, status: str | None = "review") -> list[tuple[MatchCandidate, str]]:
    """Candidates (default: awaiting review) with the organisation's name, best score first."""
    query = select(MatchCandidate, Organisation.name).join(Organisation, Organisation.id == MatchCandidate.organisation_id)
    if status:
        query = query.where(MatchCandidate.status == status)
    return [tuple(row) for row in session.execute(query.order_by(MatchCandidate.score.desc(), MatchCandidate.id))]


def decide_candidate(session: Session, candidate_id: int, decision: str, *, reason: str | None, decided_by: str) -> MatchCandidate:
    """``match accept|reject ID``: record the decision and undo what contradicts it (links by that name)."""
    candidate = session.get(MatchCandidate, candidate_id)
    if candidate is None:
        raise UnknownCandidateError(f"no match candidate {candidate_id}; see `supplyradar match list`")
    if decision == "reject":
        reject_match(session, source_name=candidate.source_name, organisation_id=candidate.organisation_id,
                     reason=reason or "", decided_by=decided_by, name_key=candidate.name_key)
    else:
        record_decision(session, candidate.name_key, candidate.organisation_id, "accept", reason=reason, decided_by=decided_by)
        target = canonical_organisation_id(session, candidate.organisation_id)
        _unlink_by_name(session, candidate.name_key, keep=target)
        for org_id, name, *_ in name_keyed_organisations(session):
            if org_id != target and normalise(name).group_key == candidate.name_key:
                merge_organisation(session, org_id, target, method="accepted", score=candidate.score)
    session.flush()
    session.refresh(candidate)
    return candidate


def reject_match(session: Session, *, source_name: str, organisation_id: int, reason: str, decided_by: str,
                 name_key: str | None = None) -> None:
    """Record that ``source_name`` is not ``organisation_id`` and undo every link made by that name.

    Spend lines and contracts linked to the organisation (or anything merged into it) by that
    name, not by a KvK number of the organisation, lose the link; a merge of an organisation of
    that name into it is undone. The next resolution never offers the pair again.
    """
    key = name_key or normalise(source_name).group_key
    canonical = canonical_organisation_id(session, organisation_id)
    for org_id in {organisation_id, canonical}:
        record_decision(session, key, org_id, "reject", reason=reason, decided_by=decided_by)
    group = merged_into(session, canonical)
    for org_id in group[1:]:
        name = session.scalar(select(Organisation.name).where(Organisation.id == org_id))
        method = session.scalar(select(OrganisationMerge.method).where(OrganisationMerge.organisation_id == org_id))
        if name is not None and normalise(name).group_key == key and method != "identifier":
            session.execute(delete(OrganisationMerge).where(OrganisationMerge.organisation_id == org_id))
    kvks = set(session.scalars(select(OrganisationIdentifier.value).where(
        OrganisationIdentifier.organisation_id.in_(group), OrganisationIdentifier.scheme == "kvk"
    )))
    for table in LINE_TABLES:
        rows = session.execute(select(table.id, table.supplier_name, table.supplier_kvk).where(table.organisation_id.in_(group)))
        ids = [pk for pk, name, kvk in rows if name and (kvk is None or kvk not in kvks) and normalise(name).group_key == key]
        for start in range(0, len(ids), CHUNK):
            session.execute(update(table).where(table.id.in_(ids[start : start + CHUNK])).values(organisation_id=None))
    session.flush()


def _unlink_by_name(session: Session, name_key: str, *, keep: int) -> None:
    """Lines of that name without a KvK number linked elsewhere lose their link (an accepted match moves them)."""
    for table in LINE_TABLES:
        rows = session.execute(select(table.id, table.supplier_name).where(
            table.supplier_kvk.is_(None), table.organisation_id.is_not(None), table.organisation_id != keep,
            table.supplier_name.is_not(None),
        ))
        ids = [pk for pk, name in rows if normalise(name).group_key == name_key]
        for start in range(0, len(ids), CHUNK):
            session.execute(update(table).where(table.id.in_(ids[start : start + CHUNK])).values(organisation_id=None))


def winners_with_company_id(session: Session) -> list[tuple[int, str, str | None]]:
    """(organisation id, organisation key, country) of award winners keyed by a published company id
    (keys "<country>:id:<id>"), whose identifier can be recorded as such."""
    winners = select(AwardWinner.organisation_id)
    return [tuple(row) for row in session.execute(
        select(Organisation.id, Organisation.org_key, Organisation.country).where(
            Organisation.org_key.like("%:id:%"), Organisation.id.in_(winners)
        )
    )]


def existing_org_keys(session: Session, keys: Sequence[str]) -> set[str]:
    """Which of ``keys`` already name an organisation (to count the ones ``ensure_organisations`` creates)."""
    return set(session.scalars(select(Organisation.org_key).where(Organisation.org_key.in_(keys))))


# --- Lines --------------------------------------------------------------------------------------


def unresolved_lines(session: Session, *, with_kvk: bool) -> list[tuple[str, int, str | None, str | None]]:
    """(table name, id, supplier name, supplier kvk) of spend lines and contracts without an organisation
    (plain rows from the tables: every line is read, and the ORM's loading step per row cost more than the read)."""
    rows: list[tuple[str, int, str | None, str | None]] = []
    for table in LINE_TABLES:
        c = table.__table__.c
        condition = c.supplier_kvk.is_not(None) if with_kvk else c.supplier_kvk.is_(None) & c.supplier_name.is_not(None)
        rows += [(table.__tablename__, *row) for row in session.execute(
            select(c.id, c.supplier_name, c.supplier_kvk).where(c.organisation_id.is_(None), condition)
        )]
    return rows


def link_lines(session: Session, table_name: str, line_ids: Sequence[int], organisation_id: int) -> int:
    """Point the lines at one organisation; the number of lines found."""
    return link_lines_to(session, table_name, dict.fromkeys(line_ids, organisation_id))


def link_lines_to(session: Session, table_name: str, targets: Mapping[int, int]) -> int:
    """Point each line (id -> organisation id) at its organisation; the number of lines found.

    One ``UPDATE ... FROM (VALUES ...)`` per page of lines for any number of organisations (``store.bulk``): an
    UPDATE per organisation (most have a line or two) cost more than the rows it wrote, and an executemany of
    ``UPDATE ... WHERE id = ?`` a statement per line. Counted from the statements' rowcounts. In id order: the
    table's pages are then visited once each, not once per organisation.
    """
    if not targets:
        return 0
    table = next(t for t in LINE_TABLES if t.__tablename__ == table_name).__table__
    found = update_from_values(session, table, "id", "organisation_id", sorted(targets.items()))
    # a driver that cannot tell (-1): the ids were read in this transaction, so each names a line
    return found if found >= 0 else len(targets)


__all__ = [
    "INTERNAL_SCHEME", "UnknownCandidateError", "add_identifiers", "canonical_organisation_id",
    "canonical_organisation_ids", "decide_candidate", "decisions_for", "drop_review", "ensure_organisations",
    "candidate_row", "existing_org_keys", "index_candidates", "internal_id", "link_lines", "link_lines_to", "list_candidates",
    "merge_organisation", "merged_into",
    "name_keyed_organisations", "organisations_by_identifier", "record_decision", "reject_match", "relink_merged",
    "unresolved_lines", "upsert_candidate", "upsert_candidates", "winners_with_company_id",
]
