"""Watermarks, the quarantine and collection runs: what lets a collection resume and be audited."""

from __future__ import annotations

import os
import socket
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from connectors.errors import PendingRecord, RecordError
from store.bulk import insert_rows, select_in
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
    """Set a record aside with its reason; seeing it again counts an attempt and reopens it.

    A ``PendingRecord`` is kept as ``kind="pending"``: the next run fetches it again by its key.
    """
    now = datetime.now(UTC)
    kind = "pending" if isinstance(error, PendingRecord) else "refused"
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
        "kind": kind,
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
                "kind": kind,
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


#: A pending record is fetched again automatically this many times; after that only on demand
#: (``supplyradar quarantine retry``), so a notice withdrawn for good does not cost every run a request.
MAX_PENDING_ATTEMPTS = 10


def pending_keys(
    session: Session, source: str, *, include_refused: bool = False, limit: int = 5000
) -> list[tuple[str, str]]:
    """(key, location) of the source's open entries to fetch again: pending ones still under
    ``MAX_PENDING_ATTEMPTS``, or (``include_refused``, the on-demand retry) every open entry."""
    query = select(QuarantinedRecord.record_key, QuarantinedRecord.location).where(
        QuarantinedRecord.source == source, QuarantinedRecord.resolved_at.is_(None)
    )
    if not include_refused:
        query = query.where(QuarantinedRecord.kind == "pending", QuarantinedRecord.attempts < MAX_PENDING_ATTEMPTS)
    return [(key, location) for key, location in session.execute(query.order_by(QuarantinedRecord.first_seen).limit(limit))]


def start_run(session: Session, source: str) -> int:
    """Open a run, after closing this source's runs whose process died half-way (see ``close_dead_runs``).

    The run records the host and process id that own it, so the next start can tell a run still
    going from one killed with ``kill -9`` or a power cut.
    """
    close_dead_runs(session, source)
    run = CollectionRun(source=source, started_at=datetime.now(UTC), status="running", details=process_owner())
    session.add(run)
    session.flush()
    return run.id


def process_owner() -> dict[str, Any]:
    return {"host": socket.gethostname(), "pid": os.getpid()}


def close_dead_runs(session: Session, source: str | None = None) -> int:
    """Mark "running" runs whose process is gone (``dead_owner``) as ``killed``; the number marked."""
    query = select(CollectionRun).where(CollectionRun.status == "running")
    if source is not None:
        query = query.where(CollectionRun.source == source)
    killed = 0
    for run in session.scalars(query):
        gone = dead_owner(run.details)
        if gone is None:
            continue
        run.status, run.finished_at = "killed", None
        run.error = f"{gone}; found at the next start"
        killed += 1
    session.flush()
    return killed


def dead_owner(details: dict[str, Any] | None) -> str | None:
    """Why a "running" run whose ``details`` name its owner (``process_owner``) is dead, or None.

    Shared by collection and scoring runs. Dead: it names this host and a process id that no longer
    exists, or this very process (which is starting a new run, so its old one cannot still be
    going). Another host's runs, or runs from before they named their owner, are not: we cannot know.
    """
    owner = details or {}
    pid, host = owner.get("pid"), socket.gethostname()
    if owner.get("host") != host or not isinstance(pid, int):
        return None
    if pid != os.getpid() and _alive(pid):
        return None
    return f"the process ({host} pid {pid}) ended without finishing this run"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def finish_run(session: Session, run_id: int, *, status: str, error: str | None = None, **counts: int) -> None:
    """Close a run with its counts; a run that added many records also refreshes the planner's statistics."""
    session.execute(
        update(CollectionRun)
        .where(CollectionRun.id == run_id)
        .values(status=status, error=error, finished_at=datetime.now(UTC), **counts)
    )
    if (counts.get("added") or 0) + (counts.get("updated") or 0) >= ANALYZE_AFTER_RECORDS:
        refresh_statistics(session)


#: A run that added or changed at least this many records refreshes PostgreSQL's statistics.
ANALYZE_AFTER_RECORDS = 5_000


def refresh_statistics(session: Session) -> bool:
    """``ANALYZE`` on PostgreSQL, so the planner sees what a bulk load brought (True when it ran).

    Why: autovacuum's analyse comes late after a large load, and until then PostgreSQL plans reads
    as if the tables were nearly empty (a supplier page took 373 ms before, 80 ms after). SQLite's
    planner needs no statistics here, so nothing runs there.
    """
    if session.get_bind().dialect.name != "postgresql":
        return False
    session.execute(text("ANALYZE"))
    return True


#: The store_meta key that marks a store holding the synthetic demo data, so every report says so.
SYNTHETIC_MARKER = "dataset.synthetic"


def get_meta(session: Session, key: str) -> str | None:
    """The value stored under ``key``, if any. Read as the driver's own statement (``store.bulk.select_in``): a KvK
    refresh reads and writes its month's query count once per batch (816 batches at the demo's scale 54), and a
    statement built anew per call cost SQLAlchemy its cache-key work each time."""
    found = select_in(session, StoreMeta.__table__, ("value",), "key", (key,))
    return found[0][0] if found else None


def set_meta(session: Session, key: str, value: str) -> None:
    """Store ``value`` under ``key`` (an upsert), as one driver statement compiled once (``store.bulk.insert_rows``;
    the new row's values on conflict: the same ``value`` and ``updated_at`` the insert carries)."""
    row = {"key": key, "value": value, "updated_at": datetime.now(UTC)}
    insert_rows(session, StoreMeta.__table__, [row], conflict=("update", ("key",), ("value", "updated_at")))
