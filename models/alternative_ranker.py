"""How candidates are ordered: a logistic regression learned from earlier awards, or fixed weights.

Pure (scikit-learn in memory, no I/O). Both rankers are linear in the candidate features of
``models.alternative_history``, so a candidate's score is a sum of per-feature contributions and
its reason can name the two or three largest ones: the words are exactly what moved it up.

**Learned.** Trained only on awards published before the reference day: at ``snapshots``
earlier days ``s`` (every ``step_days``; by default twenty quarters, the whole five-year
window), the awards of ``[s, s + step_days)`` become queries whose candidates' features are read
from the history before ``s``; a candidate is a winner when it won that award (the buyer's
previous winners in the branch are left out, as when a replacement is sought). The model is
**pairwise**: a logistic regression without intercept on winner-minus-loser feature differences
within one query (a conditional logit), so it learns only what sets the winner apart from the
other candidates of the same list, not how long lists are or how often a branch is bought. Its
regularisation is chosen by validation inside the training period: fitted on all but the latest
quarter, scored by the log-likelihood of that quarter's winners (``C_GRID``), then refitted on
everything; each weight then keeps the sign its feature must have (``SIGNS``). At most
``max_queries`` queries (a seeded sample) and ``negatives`` losers drawn from each query's list keep
training to seconds on a national history: only those losers' features are read (and the whole lists of the
validation quarter, whose winners are scored against everyone). Features are standardised over the rows read;
a contribution is ``coefficient x (value - training mean) / training spread``: how much the candidate's score
sits above an average candidate because of that feature.

**Transparent** (the fallback when fewer than ``min_positives`` positives or ``min_queries``
queries are found): fixed weights on the same features, contributions ``weight x value``.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from models.alternative_history import (
    FEATURES,
    CompanyFacts,
    HistoryIndex,
    Query,
    risk_codes,
)
from models.categories import branch_of
from models.one_thread import one_blas_thread

#: The fallback's weights, chosen on the demo history with a 2023-01-01 cutoff (never on the
#: evaluation window); a log-scale wins feature of 1.0 is about 1.7 recency-weighted wins.
TRANSPARENT_WEIGHTS: dict[str, float] = {
    "branch_wins": 1.0, "neighbour_wins": 0.35, "region_wins": 0.8, "region_share": 0.5,
    "similar_buyer_wins": 0.3, "same_buyer_wins": 0.3, "peer_buyer_wins": 0.5, "bids": 0.3, "value_fit": 0.5, "active_lately": 0.5,
    "risk_high": -1.5, "risk_medium": -0.5, "risk_unknown": -0.1,
}


#: The regularisation strengths (sklearn's C: larger is weaker) validated inside the training period.
C_GRID: tuple[float, ...] = (0.001, 0.003, 0.01, 0.03, 0.1, 1.0)
#: The sign each feature's weight must have: +1 more is better, -1 more is worse (the risk bands).
SIGNS: dict[str, float] = {"risk_high": -1.0, "risk_medium": -1.0, "risk_unknown": -1.0}


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
    regularisation: float | None = None  # the C chosen by validation inside the training period
    without: tuple[str, ...] = ()  # features left out: their buyer inputs are unknown for these suggestions

    def contributions(self, X: np.ndarray) -> np.ndarray:
        return (X - self.center) / self.scale * self.weights

    def scores(self, X: np.ndarray) -> np.ndarray:
        return self.contributions(X).sum(axis=1) if len(X) else np.zeros(0)

    def describe(self) -> str:
        """One line for the notes of a suggestion and the backtest output."""
        if self.kind == "learned":
            # The alert wording translates this exact sentence; the features left out (``without``) are not in it.
            return (f"ranked by a model learned from {self.queries:,} awards before {self.trained_until} "
                    f"({self.positives:,} winners among the candidates); reasons name its largest contributions")
        return f"ranked by fixed weights ({self.why_fallback or 'no learned model'}); reasons name the largest contributions"


def transparent_ranker(why: str | None = None) -> Ranker:
    weights = np.array([TRANSPARENT_WEIGHTS[name] for name in FEATURES])
    return Ranker("transparent", weights, np.zeros(len(FEATURES)), np.ones(len(FEATURES)), why_fallback=why)


@dataclass
class _Case:
    """One training query: the features of its winners and of the losers drawn from its list, which of them won,
    and the query itself (validation scores a winner against its whole list, read again from it)."""

    X: np.ndarray
    hit: np.ndarray
    day: date
    query: Query
    winners: np.ndarray  # the index's ids of the award's winners


def _training_cases(
    index: HistoryIndex, risk: np.ndarray, *, as_of: date, depth: int, years: int,
    half_life_years: float, snapshots: int, step_days: int, max_queries: int, negatives: int, seed: int,
    category: str, rows: _RowBlocks,
) -> list[_Case]:
    """The queries the ranker learns from: awards of ``[s, s + step_days)`` seen from the history before ``s``.

    Of each query's list only the winners and ``negatives`` losers drawn at random (seeded) are read (their rows
    kept in ``rows``): the pairs are made of them and nothing else. At scale 54 (issue 20) a list held about
    7,000 candidates; reading them all was 7 million rows, 0.7 GB and most of learning's time, to use 51 a query.
    """
    rng = random.Random(seed)
    draw = np.random.default_rng(seed)
    jobs: list[tuple[date, object]] = []
    for j in range(1, snapshots + 1):
        start = as_of - timedelta(days=j * step_days)
        end = start + timedelta(days=step_days)
        jobs += [(start, a) for a in index.awards_between(start, end) if a.winners and a.cpv.startswith(category)]
    rng.shuffle(jobs)
    cases: list[_Case] = []
    for start, award in jobs:
        if len(cases) >= max_queries:
            break
        branch = branch_of(award.cpv, award.scheme, cpv_depth=depth)
        previous = index.previous_award(award.buyer_key, branch, before=start, depth=depth)
        incumbents = frozenset(previous.winners) if previous else frozenset()
        winners = set(award.winners) - incumbents
        if not winners:
            continue
        query = Query(
            cpv=award.cpv, as_of=start, scheme=award.scheme, buyer_key=award.buyer_key, buyer_kind=award.buyer_kind,
            buyer_region=award.buyer_region, reference_value=previous.value if previous else None, depth=depth,
            years=years, half_life_years=half_life_years, exclude=incumbents,
        )
        pool = index.candidate_pool(query)
        winner_ids = index.supplier_ids(winners)
        hit = np.isin(pool, winner_ids)
        if not hit.any() or hit.all():
            continue  # nothing to tell apart
        drawn = _drawn(hit, negatives, draw)
        _, X = index.candidate_features(query, risk, pool[drawn])
        cases.append(_Case(rows.add(X), hit[drawn], start, query, winner_ids))
    return cases


def _drawn(hit: np.ndarray, negatives: int, draw: np.random.Generator) -> np.ndarray:
    """Positions in a list to read: every winner and ``negatives`` losers drawn without replacement (all when fewer),
    in list order."""
    losers = np.flatnonzero(~hit)
    if len(losers) > negatives:
        losers = draw.choice(losers, negatives, replace=False)
    return np.sort(np.concatenate([np.flatnonzero(hit), losers]))


class _RowBlocks:
    """The candidate rows of every training case, in order, in blocks that each case's matrix is a view of.

    Why: the cases' own matrices (one per query, freed to the heap, not to the system) and then their
    ``np.vstack`` held every row twice while learning, and ``X.std`` a third full-size copy. A block is
    large enough to be mapped on its own (its unfilled tail is never touched) and the rows are held once.
    """

    def __init__(self, size: int = 65_536) -> None:
        self.size = size
        self.blocks: list[np.ndarray] = []
        self.used: list[int] = []

    def add(self, X: np.ndarray) -> np.ndarray:
        """Copy ``X`` in after the rows so far; return the copy (a view of its block)."""
        if not self.blocks or self.used[-1] + len(X) > len(self.blocks[-1]):
            self.blocks.append(np.empty((max(self.size, len(X)), len(FEATURES))))
            self.used.append(0)
        at = self.used[-1]
        view = self.blocks[-1][at:at + len(X)]
        view[...] = X
        self.used[-1] = at + len(X)
        return view

    def chunks(self, rows: int = 16_384) -> Iterator[np.ndarray]:
        """All rows, in order, at most ``rows`` at a time."""
        for block, used in zip(self.blocks, self.used, strict=True):
            for i in range(0, used, rows):
                yield block[i:min(i + rows, used)]

    def __len__(self) -> int:
        return sum(self.used)


def _center_scale(rows: _RowBlocks) -> tuple[np.ndarray, np.ndarray]:
    """The rows' ``X.mean(axis=0)`` and ``X.std(axis=0)``, the same floats as numpy's on them stacked, chunk by chunk.

    A column sum adds the rows in order, so summing a chunk at a time with the running total as its
    first row gives the very same sums (``tests/models`` checks it against numpy); no full-size copy
    of the deviations is made.
    """
    def squares(center: np.ndarray) -> Iterator[np.ndarray]:
        for chunk in rows.chunks():
            deviation = chunk - center
            deviation *= deviation
            yield deviation

    center = _row_sum(rows.chunks()) / len(rows)
    return center, np.sqrt(_row_sum(squares(center)) / len(rows))


def _row_sum(chunks: Iterable[np.ndarray]) -> np.ndarray:
    """The sum over the rows of all ``chunks``, added in order (as numpy adds the rows of one matrix)."""
    total: np.ndarray | None = None
    for rows in chunks:
        total = np.add.reduce(rows if total is None else np.concatenate([total[None], rows]), axis=0)
    return total if total is not None else np.zeros(len(FEATURES))


def _pairs(cases: list[_Case], center: np.ndarray, scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Winner-minus-loser differences (label 1) and their mirror images (label 0): each winner of a query against
    each loser drawn from its list (``_training_cases``).

    A logistic regression without intercept on these is a pairwise ranking model: it learns only
    what sets a winner apart from the others of the same list, never how large a list is.
    """
    width = len(FEATURES)
    n = sum(int(case.hit.sum()) * int((~case.hit).sum()) for case in cases)
    X = np.empty((2 * n, width))  # filled in place: no list of per-case differences, no stack of them
    at = 0
    for case in cases:
        pos, neg = (case.X[case.hit] - center) / scale, (case.X[~case.hit] - center) / scale
        rows = X[at:at + len(pos) * len(neg)].reshape(len(pos), len(neg), width)
        np.subtract(pos[:, None, :], neg[None, :, :], out=rows)
        at += len(pos) * len(neg)
    np.negative(X[:n], out=X[n:])
    return X, np.r_[np.ones(n), np.zeros(n)]


def _fit_weights(pairs: tuple[np.ndarray, np.ndarray], C: float, *, signed: bool = True,
                 without: frozenset[str] = frozenset()) -> np.ndarray:
    """Pairwise logistic weights with the signs every feature must have (``SIGNS``; unchecked if not ``signed``).

    A feature whose weight comes out with the wrong sign (more wins in the region making a
    supplier *less* likely, a high risk band making it *more* likely) is a correlation artefact
    among overlapping counts; it is dropped (weight 0) and the rest refitted, until every weight
    has its sign. That keeps each reason truthful in words: a contribution that lifts a
    candidate always comes from having more of something good.
    """
    from sklearn.linear_model import LogisticRegression

    X, y = pairs  # from ``_pairs``: made once and shared by the fits of every C
    signs = np.array([SIGNS.get(name, 1.0) for name in FEATURES])
    active = np.array([name not in without for name in FEATURES])
    weights = np.zeros(len(FEATURES))
    while active.any():
        model = LogisticRegression(C=C, fit_intercept=False, max_iter=1000)
        model.fit(X[:, active], y)
        weights[:] = 0.0
        weights[active] = model.coef_[0]
        wrong = active & (weights * signs < 0)
        if not signed or not wrong.any():
            break
        active[np.argmin(np.where(wrong, weights * signs, np.inf))] = False  # the most wrong first, then refit
    weights[~active] = 0.0
    return weights


def _choose_c(cases: list[_Case], whole: Callable[[_Case], tuple[np.ndarray, np.ndarray]], center: np.ndarray,
              scale: np.ndarray, grid: tuple[float, ...], without: frozenset[str]) -> float:
    """The regularisation under which the latest quarter of the training cases is likeliest, learned on the earlier ones.

    The measure is the held-out log-likelihood of each winner being chosen from its whole list:
    it rewards the right order and honest odds (a preferred country adds fixed odds to a score,
    which only means something when the scores are calibrated), and it does not hinge on one k.
    Validation stays inside the training period (everything is before the reference day); on a
    tie the stronger regularisation (smaller C) wins. The strength is chosen on the model without
    the sign check (one fit per value, which keeps learning to seconds on a national history).
    """
    last = max(c.day for c in cases)
    fit, held = [c for c in cases if c.day < last], [c for c in cases if c.day == last]
    if len(fit) < 20 or len(held) < 10:
        return grid[len(grid) // 2]
    scored = []
    pairs = _pairs(fit, center, scale)
    lists = [whole(case) for case in held]  # each held-out winner is scored against its whole list
    for C in grid:
        weights = _fit_weights(pairs, C, signed=False, without=without)
        scored.append((_log_likelihood(lists, weights, center, scale), -C))
    return -max(scored)[1]


def _log_likelihood(lists: list[tuple[np.ndarray, np.ndarray]], weights: np.ndarray, center: np.ndarray,
                    scale: np.ndarray) -> float:
    """Mean log-probability that the winner is the one chosen from its whole list (a softmax over the scores);
    ``lists``: each query's whole candidate matrix and which rows won."""
    total = 0.0
    for X, hit in lists:
        scores = ((X - center) / scale) @ weights
        top = scores.max()
        total += np.log(np.exp(scores[hit] - top).sum()) - np.log(np.exp(scores - top).sum())
    return total / len(lists) if lists else 0.0


@one_blas_thread
def fit_ranker(
    index: HistoryIndex, companies: dict[str, CompanyFacts] | None, *, as_of: date, depth: int = 3, years: int = 5,
    half_life_years: float = 2.0, snapshots: int = 20, step_days: int = 91, max_queries: int = 1000,
    negatives: int = 50, min_positives: int = 30, min_queries: int = 20, seed: int = 17, category: str = "",
    c_grid: tuple[float, ...] = C_GRID, without: frozenset[str] = frozenset(),
) -> Ranker:
    """A ranker learned from the history before ``as_of`` (or the transparent one when it is too thin).

    ``without``: features left out of the model (weight 0), for suggestions whose inputs for them
    are unknown (``unknown_buyer_features``): a model that leans on the buyer's region must not
    rank for a buyer whose region nobody knows, where every candidate's region count is 0.
    """
    rows = _RowBlocks()
    # Failure bands per supplier of the index, looked up once (no companies: every band unknown).
    risk = risk_codes(index.suppliers, companies) if companies is not None else np.zeros(len(index.suppliers), np.int8)
    cases = _training_cases(index, risk, as_of=as_of, depth=depth, years=years, half_life_years=half_life_years,
                            snapshots=snapshots, step_days=step_days, max_queries=max_queries, negatives=negatives,
                            seed=seed, category=category, rows=rows)
    positives = sum(int(c.hit.sum()) for c in cases)
    if positives < min_positives or len(cases) < min_queries:
        return transparent_ranker(f"too little history before {as_of} to learn from: {len(cases)} usable awards, "
                                  f"{positives} winners among candidates")
    center, scale = _center_scale(rows)
    scale[scale < 1e-9] = 1.0

    def whole(case: _Case) -> tuple[np.ndarray, np.ndarray]:
        pool, X = index.candidate_features(case.query, risk)
        return X, np.isin(pool, case.winners)

    C = _choose_c(cases, whole, center, scale, c_grid, without) if len(c_grid) > 1 else c_grid[0]
    weights = _fit_weights(_pairs(cases, center, scale), C, without=without)
    return Ranker("learned", weights, center, scale, trained_until=as_of, queries=len(cases), positives=positives,
                  regularisation=C, without=tuple(name for name in FEATURES if name in without))


#: The features that need something known about the buyer, and what.
BUYER_INPUTS: dict[str, str] = {
    "region_wins": "region", "region_share": "region", "similar_buyer_wins": "kind",
    "same_buyer_wins": "history", "peer_buyer_wins": "history",
}


def unknown_buyer_features(*, kind: str | None, region: str | None, known_buyer: bool) -> frozenset[str]:
    """The features whose buyer input is unknown for a suggestion (``known_buyer``: it has awards in the history)."""
    known = {"region": region is not None, "kind": kind is not None, "history": known_buyer}
    return frozenset(name for name, needs in BUYER_INPUTS.items() if not known[needs])
