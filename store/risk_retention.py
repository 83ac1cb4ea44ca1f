"""Score history kept bounded: daily runs for a while, then one run per month.

Why: every scoring run stores a row per supplier and score kind (about 2.4 KB a row on SQLite with
its reasons and inputs inline; ~0.8 KB since they are stored once in ``score_documents``). Kept for
ever, a daily run at national scale adds ~70 MB a day (was ~210 MB) and the pages that draw trends
slow down as they read it. A month's last finished run is enough to show a
trend over years; the recent weeks stay whole so a change can be explained day by day.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from store import score_documents
from store.schema import RiskScore, ScoringRun


def thin_scoring_runs(session: Session, *, before: date) -> int:
    """Delete runs dated before ``before`` except each month's last finished one; the number deleted.

    Runs that never finished ("running" or "failed") before that day go too: they carry no scores a
    page reads. Scores go with their runs, and the reasons and inputs documents no score points at
    any more (``store.score_documents.prune``) with them.
    """
    rows = session.execute(
        select(ScoringRun.id, ScoringRun.as_of, ScoringRun.status).where(ScoringRun.as_of < before)
        .order_by(ScoringRun.as_of, ScoringRun.id)
    ).all()
    keep: dict[tuple[int, int], int] = {}
    for run_id, as_of, status in rows:
        if status == "ok":
            keep[as_of.year, as_of.month] = run_id  # ordered: the month's last finished run wins
    doomed = [run_id for run_id, _, _ in rows if run_id not in set(keep.values())]
    for start in range(0, len(doomed), 500):
        chunk = doomed[start:start + 500]
        session.execute(delete(RiskScore).where(RiskScore.run_id.in_(chunk)))
        session.execute(delete(ScoringRun).where(ScoringRun.id.in_(chunk)))
    if doomed:
        score_documents.prune(session)
    return len(doomed)
