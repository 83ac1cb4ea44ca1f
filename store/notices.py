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
from store.notice_results import add_results, delete_results, result_parties
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
    is_cpv = _is_cpv(notice)
    cpv_rows = [NoticeCpv(code=code, is_main=code == notice.cpv_main) for code in dict.fromkeys(notice.cpv)] if is_cpv else []
    if is_cpv and notice.cpv_main and notice.cpv_main not in notice.cpv:
        cpv_rows.insert(0, NoticeCpv(code=notice.cpv_main, is_main=True))
    lot_rows = [Lot(lot_id=lot.lot_id, title=lot.title, cpv=list(lot.cpv) if is_cpv else [])
                for lot in _unique_by(notice.lots, "lot_id")]
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
                contract_id=award.contract_id and award.contract_id[:200],
                winners=[AwardWinner(organisation_id=oid, position=i) for i, oid in enumerate(winner_ids)],
            )
        )
    return cpv_rows, lot_rows, identifiers, award_rows


def _is_cpv(notice: Notice) -> bool:
    """CPV codes go to the CPV columns; another scheme's codes only to ``category_codes`` (never a CPV prefix)."""
    return notice.category_scheme.upper() == "CPV"


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
    parties = [
        p for n in latest.values() for p in (n.buyer, *(w for a in n.awards for w in a.winners), *result_parties(n))
    ]
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
        without_winners = not notice.awards and notice.kind != "modification"
        if known and (known[1] == digest or (without_winners and known[0] in with_awards)):
            # Unchanged, or a copy without the winners (e.g. TenderNed's API without its XML) that must
            # not erase the awards another copy (its open-data set) brought in. A modification has no
            # awards by definition: it replaces the awards an older parser wrongly gave it.
            result.unchanged += 1
            continue
        fields = {
            "format": notice.format,
            "notice_type": notice.notice_type[:200],
            "subtype": notice.subtype,
            "kind": notice.kind,
            "published": notice.published,
            "buyer_id": org_ids[org_key(notice.buyer)],
            "cpv_main": notice.cpv_main if _is_cpv(notice) else None,
            "category_scheme": "CPV" if _is_cpv(notice) else notice.category_scheme[:40],
            "category_codes": None if _is_cpv(notice) else [c for c in dict.fromkeys((notice.cpv_main, *notice.cpv)) if c],
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
            delete_results(session, pk)
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
    add_results(session, [(row.id, notice) for row, notice in written], org_ids)
    link_duplicates(session, [row for row, _ in written])
    return result


def link_duplicates(session: Session, rows: Sequence[NoticeRow]) -> None:
    """Mark the less preferred copies of a notice that several sources share as duplicates of the preferred one.

    Copies are linked through shared identifiers, transitively: a TenderNed row naming a TED number and the
    OCDS process naming that TenderNed publication are one award with the TED notice, even though the OCDS
    process never names the TED number itself. The preferred copy (``SOURCE_PREFERENCE``) of each group is
    the one counted.
    """
    if not rows:
        return
    sources: dict[int, str] = {row.id: row.source for row in rows}
    parent: dict[int, int] = {pk: pk for pk in sources}

    def find(pk: int) -> int:
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    seen_identifiers: set[str] = set()
    frontier = set(sources)
    while frontier:
        identifiers: set[str] = set()
        for chunk in _chunks(sorted(frontier)):
            identifiers.update(session.scalars(select(NoticeIdentifier.identifier).where(NoticeIdentifier.notice_pk.in_(chunk))))
        identifiers -= seen_identifiers
        seen_identifiers |= identifiers
        frontier = set()
        members: dict[str, list[int]] = {}
        for chunk in _chunks(sorted(identifiers)):
            shared = (
                select(NoticeIdentifier.identifier, NoticeRow.id, NoticeRow.source)
                .join(NoticeRow, NoticeRow.id == NoticeIdentifier.notice_pk)
                .where(NoticeIdentifier.identifier.in_(chunk))
            )
            for identifier, pk, source in session.execute(shared):
                if pk not in sources:
                    sources[pk], parent[pk] = source, pk
                    frontier.add(pk)
                members.setdefault(identifier, []).append(pk)
        for pks in members.values():
            for pk in pks[1:]:
                parent[find(pk)] = find(pks[0])
    groups: dict[int, list[int]] = {}
    for pk in sources:
        groups.setdefault(find(pk), []).append(pk)
    for group in groups.values():
        if len(group) < 2:
            continue
        canonical = min(group, key=lambda pk: (_preference(sources[pk]), pk))
        others = [pk for pk in group if pk != canonical]
        session.execute(update(NoticeRow).where(NoticeRow.id.in_(others)).values(duplicate_of_id=canonical))
        session.execute(update(NoticeRow).where(NoticeRow.id == canonical).values(duplicate_of_id=None))


def _chunks(values: Sequence, size: int = 500) -> Iterable[Sequence]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _preference(source: str) -> int:
    return SOURCE_PREFERENCE.index(source) if source in SOURCE_PREFERENCE else len(SOURCE_PREFERENCE)
