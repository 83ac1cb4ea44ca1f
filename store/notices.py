"""Idempotent writes of parsed notices, one batch (a source page) per transaction.

Collecting the same notices twice changes nothing: a notice whose parsed content hashes the
same as the stored one is skipped, a changed one is replaced with all its children, a new one
is inserted. Organisations are inserted once per ``org_key`` and never overwritten by a later
spelling. The same notice from two sources (TED and TenderNed) is linked through its
identifiers, and the TED copy is the one counted.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from connectors.records import Notice, Party
from store.identity import org_key
from store.schema import (
    Award,
    AwardWinner,
    Lot,
    NoticeCpv,
    NoticeIdentifier,
    Organisation,
)
from store.schema import Notice as NoticeRow

#: Sources in order of preference when one notice reaches us twice.
SOURCE_PREFERENCE = ("ted", "tenderned")


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


def content_hash(notice: Notice) -> str:
    canonical = json.dumps(notice.to_json(), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def dialect_insert(engine: Engine | None, table):  # returns a dialect Insert
    """``INSERT ... ON CONFLICT`` for the engine's dialect (SQLite and PostgreSQL)."""
    name = engine.dialect.name if engine is not None else "sqlite"
    if name == "postgresql":
        return postgresql.insert(table)
    if name == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"upserts are written for SQLite and PostgreSQL, not {name}")


def upsert_organisations(session: Session, parties: Iterable[Party], now: datetime) -> dict[str, int]:
    """Insert unseen organisations; return ``org_key -> id`` for all of them."""
    rows: dict[str, dict] = {}
    for party in parties:
        key = org_key(party)
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
    if not rows:
        return {}
    keys = list(rows)
    ids: dict[str, int] = {}
    for chunk_start in range(0, len(keys), 500):
        chunk = keys[chunk_start : chunk_start + 500]
        stmt = dialect_insert(session.get_bind(), Organisation).values([rows[k] for k in chunk])
        session.execute(stmt.on_conflict_do_nothing(index_elements=["org_key"]))
        ids.update(tuple(r) for r in session.execute(select(Organisation.org_key, Organisation.id).where(Organisation.org_key.in_(chunk))))
    return ids


def _children(notice: Notice, org_ids: dict[str, int]) -> tuple[list, list, list, list]:
    cpv_rows = [NoticeCpv(code=code, is_main=code == notice.cpv_main) for code in dict.fromkeys(notice.cpv)]
    if notice.cpv_main and notice.cpv_main not in notice.cpv:
        cpv_rows.insert(0, NoticeCpv(code=notice.cpv_main, is_main=True))
    lot_rows = [Lot(lot_id=lot.lot_id, title=lot.title, cpv=list(lot.cpv)) for lot in _unique_by(notice.lots, "lot_id")]
    identifiers = [NoticeIdentifier(identifier=i) for i in dict.fromkeys((f"{notice.source}:{notice.notice_id}", *notice.same_as))]
    award_rows = []
    for seq, award in enumerate(notice.awards):
        winner_ids = list(dict.fromkeys(org_ids[org_key(w)] for w in award.winners))
        award_rows.append(
            Award(
                seq=seq,
                lot_id=award.lot,
                value=award.value,
                currency=award.currency,
                tenders_received=award.tenders_received,
                winners=[AwardWinner(organisation_id=oid, position=i) for i, oid in enumerate(winner_ids)],
            )
        )
    return cpv_rows, lot_rows, identifiers, award_rows


def _unique_by(items: Sequence, attribute: str) -> list:
    """Keep the first item per key: a notice that repeats a lot must not break the unique key."""
    seen: dict[str, object] = {}
    for item in items:
        seen.setdefault(getattr(item, attribute), item)
    return list(seen.values())


def save_notices(session: Session, notices: Sequence[Notice], *, now: datetime | None = None) -> SaveResult:
    """Write one batch; the caller owns the transaction (``with store.session.begin()``)."""
    now = now or datetime.now(UTC)
    latest: dict[tuple[str, str], Notice] = {(n.source, n.notice_id): n for n in notices}
    result = SaveResult()
    if not latest:
        return result
    parties = [p for n in latest.values() for p in (n.buyer, *(w for a in n.awards for w in a.winners))]
    org_ids = upsert_organisations(session, parties, now)

    existing: dict[tuple[str, str], tuple[int, str]] = {}
    with_awards: set[int] = set()
    for source in {s for s, _ in latest}:
        ids = [i for s, i in latest if s == source]
        for chunk_start in range(0, len(ids), 500):
            query = select(NoticeRow.source, NoticeRow.notice_id, NoticeRow.id, NoticeRow.content_hash).where(
                NoticeRow.source == source, NoticeRow.notice_id.in_(ids[chunk_start : chunk_start + 500])
            )
            for src, nid, pk, digest in session.execute(query):
                existing[(src, nid)] = (pk, digest)
    known_pks = [pk for pk, _ in existing.values()]
    for chunk_start in range(0, len(known_pks), 500):
        chunk = known_pks[chunk_start : chunk_start + 500]
        with_awards.update(session.scalars(select(Award.notice_pk).where(Award.notice_pk.in_(chunk)).distinct()))

    written: list[tuple[NoticeRow, Notice]] = []
    for key, notice in latest.items():
        digest = content_hash(notice)
        known = existing.get(key)
        if known and (known[1] == digest or (not notice.awards and known[0] in with_awards)):
            # Unchanged, or a copy without the winners (e.g. TenderNed's API without its XML) that must
            # not erase the awards another copy (its open-data set) brought in.
            result.unchanged += 1
            continue
        fields = {
            "format": notice.format,
            "notice_type": notice.notice_type[:200],
            "subtype": notice.subtype,
            "kind": notice.kind,
            "published": notice.published,
            "buyer_id": org_ids[org_key(notice.buyer)],
            "cpv_main": notice.cpv_main,
            "title": notice.title,
            "procedure_type": notice.procedure_type,
            "source_url": notice.source_url,
            "content_hash": digest,
            "collected_at": now,
        }
        if known:
            pk = known[0]
            for child in (Award, Lot, NoticeCpv, NoticeIdentifier):
                session.execute(delete(child).where(child.notice_pk == pk))
            session.execute(update(NoticeRow).where(NoticeRow.id == pk).values(**fields))
            row = session.get(NoticeRow, pk)
            result.updated += 1
        else:
            row = NoticeRow(source=notice.source, notice_id=notice.notice_id, **fields)
            session.add(row)
            result.added += 1
        cpv_rows, lot_rows, identifiers, award_rows = _children(notice, org_ids)
        row.cpv_codes, row.lots, row.identifiers, row.awards = cpv_rows, lot_rows, identifiers, award_rows
        written.append((row, notice))
    session.flush()
    link_duplicates(session, [row for row, _ in written])
    return result


def link_duplicates(session: Session, rows: Sequence[NoticeRow]) -> None:
    """Mark the less preferred copy of a notice that two sources share as a duplicate of the other."""
    if not rows:
        return
    by_pk = {row.id: row for row in rows}
    identifiers = select(NoticeIdentifier.identifier).where(NoticeIdentifier.notice_pk.in_(list(by_pk)))
    # Identifiers that name a notice in its own source are unique to it; only cross-source ones link.
    shared = (
        select(NoticeIdentifier.identifier, NoticeRow.id, NoticeRow.source)
        .join(NoticeRow, NoticeRow.id == NoticeIdentifier.notice_pk)
        .where(NoticeIdentifier.identifier.in_(identifiers))
    )
    groups: dict[str, list[tuple[int, str]]] = {}
    for identifier, pk, source in session.execute(shared):
        groups.setdefault(identifier, []).append((pk, source))
    for members in groups.values():
        if len({pk for pk, _ in members}) < 2:
            continue
        ranked = sorted(set(members), key=lambda m: (_preference(m[1]), m[0]))
        canonical = ranked[0][0]
        others = [pk for pk, _ in ranked[1:] if pk != canonical]
        session.execute(update(NoticeRow).where(NoticeRow.id.in_(others)).values(duplicate_of_id=canonical))
        session.execute(update(NoticeRow).where(NoticeRow.id == canonical).values(duplicate_of_id=None))


def _preference(source: str) -> int:
    return SOURCE_PREFERENCE.index(source) if source in SOURCE_PREFERENCE else len(SOURCE_PREFERENCE)
