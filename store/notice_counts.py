"""Counts the file imports report beside what ``save_notices`` returns.

Why apart: ``save_notices`` says how many notices were added, changed or unchanged, not how many
award rows they brought; the imports count a batch's awards before and after saving it.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from store.schema import Award, Notice

#: Notice ids per ``IN (...)`` list (SQLite's and PostgreSQL's parameter limits stay far away).
CHUNK = 500


def count_awards(session: Session, source: str, notice_ids: Sequence[str]) -> int:
    """How many award rows the ``source`` notices with these ids hold."""
    total = 0
    for start in range(0, len(notice_ids), CHUNK):
        total += session.scalar(
            select(func.count(Award.id))
            .join(Notice, Notice.id == Award.notice_pk)
            .where(Notice.source == source, Notice.notice_id.in_(notice_ids[start : start + CHUNK]))
        ) or 0
    return total
