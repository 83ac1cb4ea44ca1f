"""Old scoring runs thinned to each month's last finished run; recent runs and their scores kept whole."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select

from store.db import Store
from store.risk_retention import thin_scoring_runs
from store.schema import Organisation, RiskScore, ScoringRun


def _run(session, as_of: date, org_id: int, status: str = "ok") -> int:
    now = datetime.now(UTC)
    run = ScoringRun(started_at=now, finished_at=now, as_of=as_of, model_version="test", status=status)
    session.add(run)
    session.flush()
    session.add(RiskScore(run_id=run.id, organisation_id=org_id, category="", kind="failure", value=0.1, band="low",
                          confidence=0.5, coverage=1.0, reasons=[], inputs=[], scored_at=now))
    return run.id


def test_old_runs_keep_one_per_month_and_recent_ones_stay(store: Store) -> None:
    now = datetime.now(UTC)
    with store.session() as session, session.begin():
        org = Organisation(org_key="NL:kvk:87654321", name="Voorbeeld B.V.", first_seen=now, updated_at=now)
        session.add(org)
        session.flush()
        jan = [_run(session, date(2026, 1, d), org.id) for d in (5, 12, 19)]
        jan_failed = _run(session, date(2026, 1, 26), org.id, status="failed")
        feb = [_run(session, date(2026, 2, d), org.id) for d in (2, 9)]
        recent = [_run(session, date(2026, 4, d), org.id) for d in (1, 2, 3)]
    with store.session() as session, session.begin():
        assert thin_scoring_runs(session, before=date(2026, 3, 1)) == 4
    with store.session() as session:
        kept = set(session.scalars(select(ScoringRun.id)))
        scores = session.scalar(select(func.count()).select_from(RiskScore))
    assert kept == {jan[-1], feb[-1], *recent}
    assert jan_failed not in kept
    assert scores == len(kept)
    with store.session() as session, session.begin():
        assert thin_scoring_runs(session, before=date(2026, 3, 1)) == 0  # re-running changes nothing
