"""Idempotent writes of parsed notices, one batch (a source page) per transaction.

Collecting the same notices twice changes nothing: a notice whose parsed content hashes the
same as the stored one is skipped, a changed one is replaced with all its children, a new one
is inserted. Organisations are inserted once per ``org_key`` and never overwritten by a later
spelling. The same notice from two sources (TED and TenderNed) is linked through its
identifiers, and the TED copy is the one counted.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import compress

from sqlalchemy import Engine, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from connectors.records import Notice, Party
from store.bulk import insert_rows, select_in, update_by_key
from store.identity import org_key
from store.notice_rows import NOTICE_FIELDS, ChildRows, content_hash, notice_parties, notice_row
from store.schema import (
    Award,
    AwardWinner,
    Lot,
    NoticeCpv,
    NoticeIdentifier,
    Organisation,
)
from store.schema import Notice as NoticeRow
from store.schema.bids import Bid, BidTenderer, ContractModification, ModificationContractor

__all__ = ["SOURCE_PREFERENCE", "SaveResult", "content_hash", "dialect_insert", "link_duplicates", "save_notices",
           "upsert_organisations"]

_NOTICES = NoticeRow.__table__
_ORGS = Organisation.__table__
_AWARDS = Award.__table__
_IDENTIFIERS = NoticeIdentifier.__table__
#: What a changed notice loses before its new version is written (members of awards, bids and
#: modifications go by ``ON DELETE CASCADE``).
_CHILD_TABLES = (_AWARDS, Lot.__table__, NoticeCpv.__table__, NoticeIdentifier.__table__, Bid.__table__,
                 ContractModification.__table__)

#: Sources in order of preference when one notice reaches us twice.
#: OCDS before TenderNed's own files: TenderNed's OCDS JSON lists every supplier of a publication, its XLSX
#: one row per lot (see connectors.ocds).
SOURCE_PREFERENCE = ("ted", "ocds", "tenderned")


@dataclass(slots=True)
class SaveResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: SaveResult) -> SaveResult:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self

    @property
    def total(self) -> int:
        return self.added + self.updated + self.unchanged


def dialect_insert(engine: Engine | None, table):  # returns a dialect Insert
    """``INSERT ... ON CONFLICT`` for the engine's dialect (SQLite and PostgreSQL)."""
    name = engine.dialect.name if engine is not None else "sqlite"
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"upserts are written for SQLite and PostgreSQL, not {name}")


def upsert_organisations(session: Session, parties: Iterable[Party], now: datetime) -> dict[str, int]:
    """Insert unseen organisations; return ``org_key -> id`` for all of them.

    Known keys are read first, so a batch of known organisations writes nothing; the unseen ones
    go in with ``ON CONFLICT DO NOTHING`` (a concurrent writer may have added one meanwhile: it is
    read back after). An organisation is never overwritten by a later spelling.
    """
    return _upsert_keyed(session, ((org_key(party), party) for party in parties), now)


def _upsert_keyed(session: Session, keyed: Iterable[tuple[str, Party]], now: datetime) -> dict[str, int]:
    """``upsert_organisations`` for parties whose keys are known already."""
    rows: dict[str, dict] = {}
    for key, party in keyed:
        if key not in rows:
            rows[key] = {
                "org_key": key,
                "name": party.name[:500],
                "country": (party.country or None) and party.country[:2],
                "company_id": party.company_id,
                "town": party.town,
                "postcode": party.postcode,
                "first_seen": now,
                "updated_at": now,
            }
    ids: dict[str, int] = {}
    for chunk in _chunks(list(rows)):
        ids.update(select_in(session, _ORGS, ("org_key", "id"), "org_key", chunk))
    unseen = [rows[key] for key in rows if key not in ids]
    # a plain executemany, then the new ids read back (see _insert_children on RETURNING)
    insert_rows(session, _ORGS, unseen, conflict=("nothing", ("org_key",), ()))
    for chunk in _chunks([row["org_key"] for row in unseen]):
        ids.update(select_in(session, _ORGS, ("org_key", "id"), "org_key", chunk))
    return ids


def save_notices(session: Session, notices: Sequence[Notice], *, now: datetime | None = None) -> SaveResult:
    """Write one batch; the caller owns the transaction (``with store.session.begin()``).

    Table by table over the whole batch (``store.bulk``, no ORM objects): organisations, the new notices
    as one ``INSERT`` and the changed ones as one ``INSERT ... ON CONFLICT (source, notice_id) DO UPDATE``,
    their ids read back, then every child table in one ``executemany`` each. A changed notice's children
    are deleted first (its awards' winners, bids' tenderers and modifications' contractors go by cascade).
    """
    now = now or datetime.now(UTC)
    latest: dict[tuple[str, str], Notice] = {(n.source, n.notice_id): n for n in notices}
    result = SaveResult()
    if not latest:
        return result
    keys_of: dict[Party, str] = {}
    for notice in latest.values():
        for party in notice_parties(notice):
            if party not in keys_of:
                keys_of[party] = org_key(party)
    org_ids = _upsert_keyed(session, ((key, party) for party, key in keys_of.items()), now)

    def org_id(party: Party) -> int:
        return org_ids[keys_of[party]]

    existing, with_awards = _stored(session, latest)
    rows: list[dict] = []
    replaced: list[int] = []
    new: list[bool] = []  # per row: a notice not stored before
    for key, notice in latest.items():
        digest = content_hash(notice)
        known = existing.get(key)
        without_winners = not notice.awards and notice.kind != "modification"
        if known and (known[1] == digest or (without_winners and known[0] in with_awards)):
            # Unchanged, or a copy without the winners (e.g. TenderNed's API without its XML) that must
            # not erase the awards another copy (its open-data set) brought in. A modification has no
            # awards by definition: it replaces the awards an older parser wrongly gave it.
            result.unchanged += 1
            continue
        if known:
            replaced.append(known[0])
            result.updated += 1
        else:
            result.added += 1
        rows.append(notice_row(notice, org_id(notice.buyer), digest, now))
        new.append(not known)
    if not rows:
        return result
    for chunk in _chunks(replaced):
        for child in _CHILD_TABLES:
            session.execute(delete(child).where(child.c.notice_pk.in_(chunk)))
    # New notices as a plain INSERT, only the changed ones as an upsert onto their rows: on SQLite with foreign keys
    # on, ``ON CONFLICT DO UPDATE`` costs three times a plain insert's CPU for every row, new or not (the 31,360
    # notices of a scale-16 collection: 0.95 against 0.33 CPU-s; the same with foreign keys off). A notice another
    # writer stored since ``_stored`` read fails here, as its identifier row failed below when all were upserted.
    insert_rows(session, _NOTICES, list(compress(rows, new)))
    insert_rows(session, _NOTICES, [row for row, added in zip(rows, new, strict=True) if not added],
                conflict=("update", ("source", "notice_id"), NOTICE_FIELDS))
    pks = _notice_pks(session, [(row["source"], row["notice_id"]) for row in rows])
    children = ChildRows()
    for (source, notice_id), pk in pks.items():
        children.add(pk, latest[(source, notice_id)], org_id)
    _insert_children(session, children)
    link_duplicates(session, [(pk, source, latest[(source, notice_id)].published) for (source, notice_id), pk in pks.items()],
                    identifiers=[row["identifier"] for row in children.identifiers])
    return result


def _stored(session: Session, latest: dict[tuple[str, str], Notice]) -> tuple[dict[tuple[str, str], tuple[int, str]], set[int]]:
    """``(source, notice_id) -> (pk, content hash)`` of the batch's stored notices, and which of them have awards."""
    existing: dict[tuple[str, str], tuple[int, str]] = {}
    for source in {s for s, _ in latest}:
        for chunk in _chunks([i for s, i in latest if s == source]):
            columns = ("source", "notice_id", "id", "content_hash")
            for src, nid, pk, digest in select_in(session, _NOTICES, columns, "notice_id", chunk, equal={"source": source}):
                existing[(src, nid)] = (pk, digest)
    with_awards: set[int] = set()
    for chunk in _chunks([pk for pk, _ in existing.values()]):
        with_awards.update(pk for (pk,) in select_in(session, _AWARDS, ("notice_pk",), "notice_pk", chunk, distinct=True))
    return existing, with_awards


def _notice_pks(session: Session, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], int]:
    """``(source, notice_id) -> id`` of notices just written."""
    pks: dict[tuple[str, str], int] = {}
    for source in {s for s, _ in keys}:
        for chunk in _chunks([n for s, n in keys if s == source]):
            rows = select_in(session, _NOTICES, ("notice_id", "id"), "notice_id", chunk, equal={"source": source})
            pks.update(((source, notice_id), pk) for notice_id, pk in rows)
    return pks


def _insert_children(session: Session, children: ChildRows) -> None:
    """One ``executemany`` per child table; parents with members get their ids read back by ``(notice_pk, seq)``.

    Plain ``executemany`` rather than ``INSERT ... RETURNING``: SQLAlchemy sends RETURNING over many
    rows as long multi-row statements that psycopg parses anew each time (about half the CPU time
    of a batch on PostgreSQL), where a plain executemany is prepared once (pipelined on psycopg);
    reading the ids back is one indexed query per 500 notices.
    """
    for table, rows in ((NoticeCpv.__table__, children.cpv), (Lot.__table__, children.lots),
                        (_IDENTIFIERS, children.identifiers)):
        insert_rows(session, table, rows)
    for parents, table, members, member_key in (
        (children.awards, _AWARDS, AwardWinner.__table__, "award_id"),
        (children.bids, Bid.__table__, BidTenderer.__table__, "bid_id"),
        (children.modifications, ContractModification.__table__, ModificationContractor.__table__, "modification_id"),
    ):
        if not parents:
            continue
        insert_rows(session, table, [row for row, _ in parents])
        ids = {}
        for chunk in _chunks(sorted({row["notice_pk"] for row, _ in parents})):
            rows = select_in(session, table, ("notice_pk", "seq", "id"), "notice_pk", chunk)
            ids.update(((notice_pk, seq), pk) for notice_pk, seq, pk in rows)
        member_rows = [{member_key: ids[(row["notice_pk"], row["seq"])], "organisation_id": oid, "position": position}
                       for row, org_ids in parents for position, oid in enumerate(org_ids)]
        insert_rows(session, members, member_rows)


def link_duplicates(session: Session, rows: Sequence[tuple[int, str, date]], *,
                    identifiers: Iterable[str] | None = None) -> None:
    """Mark the less preferred copies of a notice that several sources share as duplicates of the preferred one.

    Copies are linked through shared identifiers, transitively: a TenderNed row naming a TED number and the
    OCDS process naming that TenderNed publication are one award with the TED notice, even though the OCDS
    process never names the TED number itself; an eForms change notice names the notice it changes (BT-758).
    The preferred copy of each group is the one counted: the preferred source's (``SOURCE_PREFERENCE``), and of
    that source's copies the newest, so a change notice counts instead of the version it corrects, whichever
    arrived first. ``rows`` are ``(notice pk, source, published)``; ``identifiers``, when the caller has just
    written them, are those rows' identifiers (saves reading them back).
    """
    if not rows:
        return
    sources: dict[int, str] = {pk: source for pk, source, _ in rows}
    published: dict[int, date] = {pk: day for pk, _, day in rows}
    parent: dict[int, int] = {pk: pk for pk in sources}

    def find(pk: int) -> int:
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    seen_identifiers: set[str] = set()
    frontier = set(sources)
    known = set(identifiers) if identifiers is not None else None
    while frontier:
        found: set[str] = set()
        if known is not None:
            found, known = known, None
        else:
            for chunk in _chunks(sorted(frontier)):
                found.update(identifier for (identifier,) in select_in(session, _IDENTIFIERS, ("identifier",), "notice_pk", chunk))
        found -= seen_identifiers
        seen_identifiers |= found
        members: dict[str, list[int]] = {}
        for chunk in _chunks(sorted(found)):
            for identifier, pk in select_in(session, _IDENTIFIERS, ("identifier", "notice_pk"), "identifier", chunk):
                members.setdefault(identifier, []).append(pk)
        # the notices met for the first time: their source and date (nearly all the rows found are the batch's own)
        met = {pk for pks in members.values() for pk in pks if pk not in sources}
        for chunk in _chunks(sorted(met)):
            for pk, source, day in session.execute(  # Core, not the driver's SQL: the dialect's dates
                    select(_NOTICES.c.id, _NOTICES.c.source, _NOTICES.c.published).where(_NOTICES.c.id.in_(chunk))):
                sources[pk], published[pk], parent[pk] = source, day, pk
        frontier = met & sources.keys()
        if frontier != met:  # an identifier row without its notice (foreign keys off): left out, as the join did
            members = {identifier: [pk for pk in pks if pk in sources] for identifier, pks in members.items()}
        for pks in members.values():
            for pk in pks[1:]:
                parent[find(pk)] = find(pks[0])
    groups: dict[int, list[int]] = {}
    for pk in sources:
        groups.setdefault(find(pk), []).append(pk)
    links: list[tuple[int, int | None]] = []  # (notice, the copy it duplicates: None for the counted one)
    for group in groups.values():
        if len(group) < 2:
            continue
        canonical = min(group, key=lambda pk: (_preference(sources[pk]), -published[pk].toordinal(), pk))
        links += [(pk, canonical) for pk in group if pk != canonical]
        links.append((canonical, None))
    # one executemany for the batch (groups are disjoint: each notice is set once), not two statements a group
    update_by_key(session, _NOTICES, "id", "duplicate_of_id", links)


def _chunks(values: Sequence, size: int = 500) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _preference(source: str) -> int:
    return SOURCE_PREFERENCE.index(source) if source in SOURCE_PREFERENCE else len(SOURCE_PREFERENCE)
