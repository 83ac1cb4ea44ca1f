"""Reference tables filled from the files shipped with the project."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from reference.cpv import cpv_codes
from store.notices import dialect_insert
from store.schema import CpvLabel


def ensure_cpv_labels(session: Session) -> int:
    """Load the CPV 2008 labels when the table is missing some; returns the rows added."""
    codes = cpv_codes()
    before = session.scalar(select(func.count()).select_from(CpvLabel)) or 0
    if before == len(codes):
        return 0
    rows = [{"code": c.code, "label_en": c.label_en, "label_nl": c.label_nl} for c in codes.values()]
    for start in range(0, len(rows), 1000):
        stmt = dialect_insert(session.get_bind(), CpvLabel).values(rows[start : start + 1000])
        session.execute(stmt.on_conflict_do_nothing(index_elements=["code"]))
    return len(rows) - before
