"""Whether the store answers, and how much it holds: the figures a health check and the demo's summary show.

Read-only; the web's ``/healthz`` and the ``demo`` command ask here rather than writing their own SQL.
"""

from __future__ import annotations

from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from store.bookkeeping import open_quarantine
from store.schema import Award, Notice, Organisation, SupplierEvent


def shown_url(url: str) -> str:
    """The database URL as a person may see it: a PostgreSQL URL's password hidden."""
    return make_url(url).render_as_string(hide_password=True)


def ping(session: Session) -> None:
    """The cheapest round trip to the database; raises ``SQLAlchemyError`` when it does not answer."""
    session.execute(text("SELECT 1"))


def notice_count(session: Session) -> int:
    """How many notices the store holds (0 for an empty store)."""
    return session.scalar(select(func.count()).select_from(Notice)) or 0


def table_counts(session: Session) -> dict[str, int]:
    """Rows in the main tables, named as a person reads them, and the records still in quarantine."""
    return {
        "notices": notice_count(session),
        "awards": session.scalar(select(func.count()).select_from(Award)),
        "organisations": session.scalar(select(func.count()).select_from(Organisation)),
        "supplier events": session.scalar(select(func.count()).select_from(SupplierEvent)),
        "quarantined": len(open_quarantine(session)),
    }
