"""Writing the shared ``supplier_events`` table: every area's signals go through here.

An event is unique on (organisation, source, kind, source reference), so detecting the same thing
again, in a re-run or from an overlapping window, adds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from store.notices import dialect_insert
from store.schema import SupplierEvent

#: Rows per INSERT: well inside SQLite's and PostgreSQL's parameter limits.
CHUNK = 500


@dataclass(frozen=True, slots=True)
class NewEvent:
    """One event to store: what a register change, an insolvency publication, an article or a sanctions hit says."""

    organisation_id: int
    kind: str
    occurred_on: date
    source: str
    source_ref: str
    title: str
    details: dict[str, Any]
    source_url: str | None = None
    confidence: float = 1.0


def save_events(session: Session, events: Iterable[NewEvent], *, now: datetime | None = None) -> int:
    """Insert the events not stored before; the number actually added."""
    now = now or datetime.now(UTC)
    pending = list(events)
    added = 0
    for start in range(0, len(pending), CHUNK):
        rows = [
            {
                "organisation_id": e.organisation_id, "kind": e.kind, "occurred_on": e.occurred_on, "source": e.source,
                "source_ref": e.source_ref[:300], "source_url": (e.source_url or None) and e.source_url[:1000],
                "title": e.title, "details": e.details, "confidence": round(e.confidence, 4), "detected_at": now,
            }
            for e in pending[start : start + CHUNK]
        ]
        stmt = dialect_insert(session.get_bind(), SupplierEvent).values(rows).on_conflict_do_nothing(
            index_elements=["organisation_id", "source", "kind", "source_ref"]
        ).returning(SupplierEvent.id)  # only inserted rows come back (rowcount is -1 on psycopg)
        added += len(session.execute(stmt).all())
    return added


def recent_events(session: Session, organisation_ids: Iterable[int], *, since: date, until: date) -> list[dict[str, Any]]:
    """Events of these organisations between two days, newest first, as plain rows for a terminal."""
    from sqlalchemy import select

    from store.schema import Organisation

    wanted = sorted(set(organisation_ids))
    rows: list[dict[str, Any]] = []
    for start in range(0, len(wanted), CHUNK):
        query = (
            select(SupplierEvent, Organisation.name)
            .join(Organisation, Organisation.id == SupplierEvent.organisation_id)
            .where(SupplierEvent.organisation_id.in_(wanted[start : start + CHUNK]),
                   SupplierEvent.occurred_on >= since, SupplierEvent.occurred_on <= until)
        )
        rows += [
            {"day": e.occurred_on.isoformat(), "supplier": name, "kind": e.kind, "source": e.source,
             "confidence": round(e.confidence, 2), "title": e.title}
            for e, name in session.execute(query)
        ]
    return sorted(rows, key=lambda r: (r["day"], r["supplier"], r["kind"]), reverse=True)
