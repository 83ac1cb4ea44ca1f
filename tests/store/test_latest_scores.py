"""The lists' scores are the latest finished run's (issue 20): older runs are history, a failed or running run
is no score, and a supplier the latest finished run did not score has none."""

from __future__ import annotations

from datetime import UTC, date, datetime

from reference.cpv import cpv_prefix
from store.db import Store
from store.schema import Organisation, RiskScore, ScoringRun
from store.score_history import LatestScore, latest_run_id, latest_scores


def _run(session, as_of: date, status: str, scores: dict[int, list[tuple[str, str, float]]]) -> int:
    now = datetime.now(UTC)
    run = ScoringRun(started_at=now, finished_at=now, as_of=as_of, model_version="test", status=status)
    session.add(run)
    session.flush()
    for org_id, rows in scores.items():
        for kind, category, value in rows:
            session.add(RiskScore(run_id=run.id, organisation_id=org_id, category=category, kind=kind, value=value,
                                  band="high" if value > 0.5 else "low", confidence=0.5, coverage=1.0, reasons=[],
                                  inputs=[], scored_at=now))
    return run.id


def test_latest_finished_run_only(store: Store) -> None:
    now = datetime.now(UTC)
    with store.sessions.begin() as session:
        orgs = [Organisation(org_key=f"NL:id:{n}", name=f"Org {n}", first_seen=now, updated_at=now) for n in (1, 2, 3)]
        session.add_all(orgs)
        session.flush()
        a, b, c = (o.id for o in orgs)
        _run(session, date(2026, 10, 1), "ok", {a: [("failure", "", 0.9)], b: [("combined", "", 0.8)], c: [("failure", "", 0.7)]})
        latest = _run(session, date(2026, 11, 1), "ok", {
            a: [("failure", "", 0.2), ("combined", "", 0.3), ("combined", "90910000", 0.6)],
            b: [("failure", "", 0.4)],
        })
        _run(session, date(2026, 11, 2), "failed", {a: [("combined", "", 0.99)]})
    with store.session() as session:
        assert latest_run_id(session) == latest
        plain = latest_scores(session, [a, b, c])
        in_category = latest_scores(session, [a, b, c], cpv_prefix("90910000"))  # as a category page asks
    assert plain == {a: LatestScore("combined", "", 0.3, "low"), b: LatestScore("failure", "", 0.4, "low")}
    assert c not in plain  # scored in October only: not a current score
    assert in_category[a] == LatestScore("combined", "90910000", 0.6, "high")  # the category's score beats the supplier's


def test_no_finished_run_no_scores(store: Store) -> None:
    now = datetime.now(UTC)
    with store.sessions.begin() as session:
        org = Organisation(org_key="NL:id:9", name="Org 9", first_seen=now, updated_at=now)
        session.add(org)
        session.flush()
        _run(session, date(2026, 11, 1), "running", {org.id: [("failure", "", 0.5)]})
        org_id = org.id
    with store.session() as session:
        assert latest_run_id(session) is None
        assert latest_scores(session, [org_id]) == {}


def test_the_best_ranked_row_wins_whatever_the_order_written_and_ties_go_to_the_first(store: Store) -> None:
    """The rows are read without ORDER BY (the run's index would make SQLite walk every row of the run): the
    choice must not depend on the order they come in."""
    now = datetime.now(UTC)
    with store.sessions.begin() as session:
        org = Organisation(org_key="NL:id:7", name="Org 7", first_seen=now, updated_at=now)
        session.add(org)
        session.flush()
        _run(session, date(2026, 11, 1), "ok", {org.id: [
            ("dependency", "", 0.1), ("failure", "", 0.2), ("combined", "", 0.3),  # worst kind first, best last
            ("failure", "90910000", 0.7), ("failure", "9091", 0.8),  # one rank for category "9091": the first wins
        ]})
        org_id = org.id
    with store.session() as session:
        plain = latest_scores(session, [org_id])
        in_category = latest_scores(session, [org_id], "9091")
    assert plain[org_id] == LatestScore("combined", "", 0.3, "low")
    assert in_category[org_id] == LatestScore("combined", "", 0.3, "low")  # combined outranks a category's failure
    with store.sessions.begin() as session:
        session.query(RiskScore).filter(RiskScore.kind == "combined").delete()
    with store.session() as session:
        assert latest_scores(session, [org_id], "9091")[org_id] == LatestScore("failure", "90910000", 0.7, "high")
        assert latest_scores(session, [org_id])[org_id] == LatestScore("failure", "", 0.2, "low")


def test_each_supplier_gets_its_best_kind_when_the_kinds_are_read_one_after_another(store: Store) -> None:
    """The kinds are read in their order, each for the suppliers no earlier kind settled: a supplier with only a
    later kind, one with only a kind outside the known ones, and one with a category score only all get theirs."""
    now = datetime.now(UTC)
    with store.sessions.begin() as session:
        orgs = [Organisation(org_key=f"NL:id:k{n}", name=f"Org k{n}", first_seen=now, updated_at=now) for n in range(5)]
        session.add_all(orgs)
        session.flush()
        combined, dependency, other, category_only, none = (o.id for o in orgs)
        _run(session, date(2026, 11, 1), "ok", {
            combined: [("geopolitical", "", 0.9), ("combined", "", 0.3)],
            dependency: [("newkind", "", 0.9), ("dependency", "", 0.6)],
            other: [("newkind", "72", 0.9), ("newkind", "", 0.1)],
            category_only: [("failure", "72", 0.8)],
        })
    with store.session() as session:
        plain = latest_scores(session, [combined, dependency, other, category_only, none])
        in_72 = latest_scores(session, [combined, dependency, other, category_only, none], "72")
    assert plain == {combined: LatestScore("combined", "", 0.3, "low"), dependency: LatestScore("dependency", "", 0.6, "high"),
                     other: LatestScore("newkind", "", 0.1, "low")}
    assert in_72 == {**plain, other: LatestScore("newkind", "72", 0.9, "high"),
                     category_only: LatestScore("failure", "72", 0.8, "high")}
