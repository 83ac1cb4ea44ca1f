"""Risk scores as the pages show them: each supplier's latest score per kind with its history, and the
one score a list ranks a supplier by. Only finished scoring runs count.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reference.cpv import cpv_prefix
from store.category_access import covers
from store.schema import RiskScore, ScoringRun

#: Score kinds in the order the pages show them.
SCORE_KINDS = ("combined", "failure", "dependency", "geopolitical")


@dataclass(frozen=True, slots=True)
class ScorePoint:
    as_of: date
    value: float
    band: str


@dataclass(frozen=True, slots=True)
class ScoreView:
    """The latest score of one kind (and category) with its explanation, and its history."""

    kind: str
    category: str
    value: float
    band: str
    confidence: float
    coverage: float
    as_of: date
    model_version: str
    reasons: list[dict[str, Any]]
    inputs: list[dict[str, Any]]
    history: list[ScorePoint]


def supplier_scores(session: Session, organisation_id: int | Sequence[int],
                    prefixes: Sequence[str] | None) -> list[ScoreView]:
    """Latest score per (kind, category) with its history, oldest run first in the history.

    ``organisation_id`` may be several ids: the organisations merged under one supplier. Only
    finished runs count (a run still writing, or one that failed, is no history).
    """
    ids = [organisation_id] if isinstance(organisation_id, int) else list(organisation_id)
    rows = session.execute(
        select(RiskScore, ScoringRun.as_of, ScoringRun.model_version)
        .join(ScoringRun, ScoringRun.id == RiskScore.run_id)
        .where(RiskScore.organisation_id.in_(ids), ScoringRun.status == "ok")
        .order_by(ScoringRun.as_of, ScoringRun.id)
    ).all()
    series: dict[tuple[str, str], list[tuple[RiskScore, date, str]]] = defaultdict(list)
    for score, as_of, version in rows:
        if score.category and not covers(prefixes, score.category):
            continue
        series[(score.kind, score.category)].append((score, as_of, version))
    views = []
    for (kind, category), points in series.items():
        latest, as_of, version = points[-1]
        views.append(
            ScoreView(
                kind=kind, category=category, value=latest.value, band=latest.band, confidence=latest.confidence,
                coverage=latest.coverage, as_of=as_of, model_version=version, reasons=list(latest.reasons or []),
                inputs=list(latest.inputs or []), history=[ScorePoint(d, s.value, s.band) for s, d, _ in points],
            )
        )
    order = {kind: i for i, kind in enumerate(SCORE_KINDS)}
    return sorted(views, key=lambda v: (order.get(v.kind, len(order)), v.kind, v.category))


@dataclass(frozen=True, slots=True)
class LatestScore:
    """The score a list ranks a supplier by: its kind and category, value and band."""

    kind: str
    category: str
    value: float
    band: str


def latest_run_id(session: Session) -> int | None:
    """The newest finished scoring run (by its day, then its id): the run whose scores are current."""
    return session.scalar(
        select(ScoringRun.id).where(ScoringRun.status == "ok").order_by(ScoringRun.as_of.desc(), ScoringRun.id.desc())
        .limit(1)
    )


def latest_scores(session: Session, organisation_ids: Iterable[int], category: str | None = None) -> dict[int, LatestScore]:
    """Per organisation, its most telling score in the latest finished run: combined first, then failure, dependency...

    With ``category`` (a prefix), a score for that category beats the supplier-level one of the same
    kind. Only the latest finished run is read (issue 20: older runs are history, and reading all of
    them made the lists slow down with every run): an organisation that run did not score has no
    score here. Only plain columns are read (no reasons): lists rank thousands of suppliers.

    The kinds are read in their order, each for the organisations no earlier kind gave a score (then every other
    kind, for the rest): a kind found beats any later one, so nearly every organisation is settled by the first
    read (its combined score) and the rows of the kinds after it are never fetched. Without ``category`` only the
    supplier-level rows are read (a category's score would be passed over anyway). Reading every row of the run
    for the organisations and ranking them here cost the list of our 2,000 suppliers 13.6 ms; this, 9.4.
    """
    run_id = latest_run_id(session)
    remaining = sorted(set(organisation_ids))
    if run_id is None or not remaining:
        return {}
    found: dict[int, LatestScore] = {}
    for kind in (*SCORE_KINDS, None):  # None: any other kind, all of equal rank
        best = _best_of_kind(session, run_id, remaining, kind, category)
        found.update(best)
        remaining = [org_id for org_id in remaining if org_id not in best]
        if not remaining:
            break
    return found


def _best_of_kind(session: Session, run_id: int, organisation_ids: list[int], kind: str | None,
                  category: str | None) -> dict[int, LatestScore]:
    """Per organisation, its best score of ``kind`` (None: of the kinds outside ``SCORE_KINDS``) in run ``run_id``:
    the one for ``category`` before the supplier-level one, ties to the row written first."""
    best: dict[int, tuple[tuple[int, int], LatestScore]] = {}  # org id -> (rank, its score)
    for start in range(0, len(organisation_ids), 500):
        # No ORDER BY: ordered by id, SQLite walked all of the run's rows in id order (its run_id index, 100,000
        # rows for 500 suppliers: 18-42 ms) instead of looking the 500 up by (run_id, organisation_id) (2 ms).
        # Ties of equal rank still go to the row written first: the id is the rank's last part.
        query = select(RiskScore.id, RiskScore.organisation_id, RiskScore.kind, RiskScore.category, RiskScore.value,
                       RiskScore.band).where(RiskScore.run_id == run_id,
                                             RiskScore.organisation_id.in_(organisation_ids[start : start + 500]))
        query = query.where(RiskScore.kind == kind if kind is not None else RiskScore.kind.not_in(SCORE_KINDS))
        if not category:
            query = query.where(RiskScore.category == "")
        for row_id, org_id, row_kind, cat, value, band in session.execute(query):
            if cat and (not category or cpv_prefix(cat) != category):
                continue
            rank = (0 if cat else 1, row_id)
            known = best.get(org_id)
            if known is None or rank < known[0]:
                best[org_id] = (rank, LatestScore(row_kind, cat, value, band))
    return {org_id: score for org_id, (_, score) in best.items()}
