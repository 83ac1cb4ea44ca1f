"""How candidates are ordered: a logistic regression learned from earlier awards, or fixed weights.

Pure (scikit-learn in memory, no I/O). Both rankers are linear in the candidate features of
``models.alternative_history``, so a candidate's score is a sum of per-feature contributions and
its reason can name the two or three largest ones: the words are exactly what moved it up.

**Learned.** Trained only on awards published before the reference day: at ``snapshots``
earlier days ``s`` (every ``step_days``), the awards of ``[s, s + step_days)`` become queries
whose candidates' features are read from the history before ``s``; a candidate is a positive
when it won that award (the buyer's previous winners in the branch are left out, as when a
replacement is sought). At most ``max_queries`` queries (a seeded sample) and ``negatives``
losing candidates per query keep training to a few seconds on a national history; sampling
negatives shifts only the intercept, never the order. Features are standardised; a
contribution is ``coefficient x (value - training mean) / training spread``: how much the
candidate's logit sits above an average candidate because of that feature.

**Transparent** (the fallback when fewer than ``min_positives`` positives or ``min_queries``
queries are found): fixed weights on the same features, contributions ``weight x value``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from models.alternative_history import (
    FEATURES,
    CompanyFacts,
    HistoryIndex,
    Query,
    set_risk,
)
from models.categories import branch_of

#: The fallback's weights, chosen on the demo history with a 2023-01-01 cutoff (never on the
#: evaluation window); a log-scale wins feature of 1.0 is about 1.7 recency-weighted wins.
TRANSPARENT_WEIGHTS: dict[str, float] = {
    "branch_wins": 1.0, "neighbour_wins": 0.35, "region_wins": 0.8, "region_share": 0.5,
    "similar_buyer_wins": 0.3, "same_buyer_wins": 0.3, "peer_buyer_wins": 0.5, "bids": 0.3, "value_fit": 0.5, "active_lately": 0.5,
    "risk_high": -1.5, "risk_medium": -0.5, "risk_unknown": -0.1,
}


@dataclass(frozen=True)
class Ranker:
    kind: str  # "learned" or "transparent"
    weights: np.ndarray
    center: np.ndarray
    scale: np.ndarray
    trained_until: date | None = None  # the reference day: training used awards before it
    queries: int = 0
    positives: int = 0
    why_fallback: str | None = None

    def contributions(self, X: np.ndarray) -> np.ndarray:
        return (X - self.center) / self.scale * self.weights

    def scores(self, X: np.ndarray) -> np.ndarray:
        return self.contributions(X).sum(axis=1) if len(X) else np.zeros(0)

    def describe(self) -> str:
        """One line for the notes of a suggestion and the backtest output."""
        if self.kind == "learned":
            return (f"ranked by a model learned from {self.queries:,} awards before {self.trained_until} "
                    f"({self.positives:,} winners among the candidates); reasons name its largest contributions")
        return f"ranked by fixed weights ({self.why_fallback or 'no learned model'}); reasons name the largest contributions"


def transparent_ranker(why: str | None = None) -> Ranker:
    weights = np.array([TRANSPARENT_WEIGHTS[name] for name in FEATURES])
    return Ranker("transparent", weights, np.zeros(len(FEATURES)), np.ones(len(FEATURES)), why_fallback=why)


def fit_ranker(
    index: HistoryIndex, companies: dict[str, CompanyFacts] | None, *, as_of: date, depth: int = 3, years: int = 5,
    half_life_years: float = 2.0, snapshots: int = 8, step_days: int = 91, max_queries: int = 1000,
    negatives: int = 50, min_positives: int = 30, min_queries: int = 20, seed: int = 17, category: str = "",
) -> Ranker:
    """A ranker learned from the history before ``as_of`` (or the transparent one when it is too thin)."""
    from sklearn.linear_model import LogisticRegression

    rng = random.Random(seed)
    jobs: list[tuple[date, object]] = []
    for j in range(1, snapshots + 1):
        start = as_of - timedelta(days=j * step_days)
        end = start + timedelta(days=step_days)
        jobs += [(start, a) for a in index.awards_between(start, end) if a.winners and a.cpv.startswith(category)]
    rng.shuffle(jobs)
    rows: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    queries = positives = 0
    for start, award in jobs:
        if queries >= max_queries:
            break
        branch = branch_of(award.cpv, award.scheme, cpv_depth=depth)
        previous = index.previous_award(award.buyer_key, branch, before=start)
        incumbents = frozenset(previous.winners) if previous else frozenset()
        winners = set(award.winners) - incumbents
        if not winners:
            continue
        found = index.candidates(Query(
            cpv=award.cpv, as_of=start, scheme=award.scheme, buyer_key=award.buyer_key, buyer_kind=award.buyer_kind,
            buyer_region=award.buyer_region, reference_value=previous.value if previous else None, depth=depth,
            years=years, half_life_years=half_life_years, exclude=incumbents,
        ))
        hit = np.array([key in winners for key in found.keys], dtype=bool)
        if not hit.any():
            continue
        losers = np.flatnonzero(~hit)
        if len(losers) > negatives:
            losers = np.array(sorted(rng.sample(range(len(losers)), negatives)))
            losers = np.flatnonzero(~hit)[losers]
        keep = np.concatenate([np.flatnonzero(hit), losers])
        if companies is not None:
            set_risk(found, companies, keep.tolist())
        rows.append(found.X[keep])
        labels.append(hit[keep])
        queries += 1
        positives += int(hit.sum())
    if positives < min_positives or queries < min_queries:
        return transparent_ranker(f"too little history before {as_of} to learn from: {queries} usable awards, "
                                  f"{positives} winners among candidates")
    X = np.vstack(rows)
    y = np.concatenate(labels)
    center = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale < 1e-9] = 1.0
    model = LogisticRegression(C=1.0, max_iter=1000)
    model.fit((X - center) / scale, y)
    return Ranker("learned", model.coef_[0].copy(), center, scale, trained_until=as_of, queries=queries,
                  positives=positives)
