"""Watermarks, the quarantine and collection runs: what lets a collection resume and be audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from connectors.errors import RecordError
from store.notices import dialect_insert
from store.schema import CollectionRun, QuarantinedRecord, StoreMeta, Watermark

#: Payloads larger than this are not kept in the quarantine (the location still says where to find them).
MAX_PAYLOAD_BYTES = 2_000_000


def get_watermark(session: Session, source: str, scope: str) -> str | None:
    return session.scalar(select(Watermark.value).where(Watermark.source == source, Watermark.scope == scope))


def set_watermark(session: Session, source: str, scope: str, value: str) -> None:
    """Advance (never move back) the watermark; values are ISO dates or other sortable strings."""
    current = get_watermark(session, source, scope)
    if current is not None and current >= value:
        return
    now = datetime.now(UTC)
    stmt = dialect_insert(session.get_bind(), Watermark).values(source=source, scope=scope, value=value, updated_at=now)
    session.execute(stmt.on_conflict_do_update(index_elements=["source", "scope"], set_={"value": value, "updated_at": now}))


def record_key(error: RecordError) -> str:
    return (error.record or error.where)[:500]


def quarantine(session: Session, source: str, error: RecordError, payload: bytes | None = None) -> None:
    """Set a record aside with its reason; seeing it again counts an attempt and reopens it."""
    now = datetime.now(UTC)
    if payload is not None and len(payload) > MAX_PAYLOAD_BYTES:
        payload = None
    values: dict[str, Any] = {
        "source": source,
        "record_key": record_key(error),
        "location": error.where[:1000],
        "field": error.field,
        "reason": str(error),
        "payload": payload,
        "attempts": 1,
        "first_seen": now,
        "last_seen": now,
        "resolved_at": None,
    }
    stmt = dialect_insert(session.get_bind(), QuarantinedRecord).values(**values)
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=["source", "record_key"],
            set_={
                "location": stmt.excluded.location,
                "field": stmt.excluded.field,
                "reason": stmt.excluded.reason,
                "payload": stmt.excluded.payload,
                "attempts": QuarantinedRecord.attempts + 1,
                "last_seen": now,
                "resolved_at": None,
            },
        )
    )


def resolve_quarantined(session: Session, source: str, keys: Iterable[str]) -> None:
    """Records that came in fine this time leave the quarantine (kept, marked resolved, for audit)."""
    keys = list(keys)
    now = datetime.now(UTC)
    for start in range(0, len(keys), 500):
        session.execute(
            update(QuarantinedRecord)
            .where(
                QuarantinedRecord.source == source,
                QuarantinedRecord.record_key.in_(keys[start : start + 500]),
                QuarantinedRecord.resolved_at.is_(None),
            )
            .values(resolved_at=now)
        )


def open_quarantine(session: Session, source: str | None = None) -> list[QuarantinedRecord]:
    query = select(QuarantinedRecord).where(QuarantinedRecord.resolved_at.is_(None)).order_by(QuarantinedRecord.last_seen.desc())
    if source:
        query = query.where(QuarantinedRecord.source == source)
    return list(session.scalars(query))


def start_run(session: Session, source: str) -> int:
    run = CollectionRun(source=source, started_at=datetime.now(UTC), status="running")
    session.add(run)
    session.flush()
    return run.id


def finish_run(session: Session, run_id: int, *, status: str, error: str | None = None, **counts: int) -> None:
    session.execute(
        update(CollectionRun)
        .where(CollectionRun.id == run_id)
        .values(status=status, error=error, finished_at=datetime.now(UTC), **counts)
    )


def get_meta(session: Session, key: str) -> str | None:
    return session.scalar(select(StoreMeta.value).where(StoreMeta.key == key))


def set_meta(session: Session, key: str, value: str) -> None:
    now = datetime.now(UTC)
    stmt = dialect_insert(session.get_bind(), StoreMeta).values(key=key, value=value, updated_at=now)
    session.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value, "updated_at": now}))
