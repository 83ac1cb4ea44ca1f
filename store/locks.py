"""Telling "another writer held the SQLite store too long" apart from other database errors.

Why: SQLite waits ``busy_timeout`` (30 s) for a lock, then fails with "database is locked". A
collection that meets it has lost nothing (each page, watermark and ETag is one transaction), but
the run must end with a message that says what happened and what to do, not a traceback.
"""

from __future__ import annotations

from sqlalchemy.exc import OperationalError

LOCKED_ADVICE = (
    "the SQLite store was locked by another writer (an import or collection) for more than 30 s; nothing "
    "stored was lost and the next run resumes where this one stopped. Run them one after the other, or move "
    "the store to PostgreSQL when they must run at the same time"
)


def is_locked(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) and "database is locked" in str(exc.orig or exc)
