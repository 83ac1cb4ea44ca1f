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

from store.bulk import insert_returning
from store.schema import SupplierEvent

#: Organisations per read of ``recent_events``: well inside SQLite's and PostgreSQL's parameter limits.
CHUNK = 500
_ON_CONFLICT = ("nothing", ("organisation_id", "source", "kind", "source_ref"), ())


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
    """Insert the events not stored before; the number actually added.

    Through ``store.bulk.insert_returning``: a ``.values(rows)`` statement of 500 rows was compiled anew for
    every chunk (no cache holds a statement with its values), a tenth of the news stage's CPU time.
    """
    now = now or datetime.now(UTC)
    rows = [
        {
            "organisation_id": e.organisation_id, "kind": e.kind, "occurred_on": e.occurred_on, "source": e.source,
            "source_ref": e.source_ref[:300], "source_url": (e.source_url or None) and e.source_url[:1000],
            "title": e.title, "details": e.details, "confidence": round(e.confidence, 4), "detected_at": now,
        }
        for e in events
    ]
    # only inserted rows come back (rowcount is -1 on psycopg)
    return len(insert_returning(session, SupplierEvent.__table__, rows, ("id",), conflict=_ON_CONFLICT))


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
