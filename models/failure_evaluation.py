"""The failure model judged as a credit-risk team would: by failing companies, not rows.

Why: monthly snapshots give one failing company up to twelve positive rows, and rows of one company are not
independent. So guards count distinct failing companies, intervals come from resampling companies (all rows of a
drawn company together), and beside ROC AUC and Brier the figures a risk team acts on are reported: how many
months of warning a failing company got before its first insolvency publication (lead time), and how many alerts
the score raises per 100 suppliers per year (the workload it creates). Pure: arrays in, numbers out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from sklearn.metrics import brier_score_loss, roc_auc_score

BOOTSTRAP_SAMPLES = 400
SEED = 0


def failing_companies(organisations: Sequence[int], labels: Sequence[int]) -> int:
    """Distinct organisations with at least one positive row."""
    return len({org for org, label in zip(organisations, labels, strict=True) if label})


@dataclass(frozen=True, slots=True)
class Interval:
    value: float | None
    low: float | None
    high: float | None

    def text(self, digits: int = 3) -> str:
        if self.value is None:
            return "n/a"
        if self.low is None or self.high is None:
            return f"{self.value:.{digits}f} (no interval)"
        return f"{self.value:.{digits}f} (95% CI {self.low:.{digits}f} to {self.high:.{digits}f})"


def _auc(y: np.ndarray, p: np.ndarray) -> float | None:
    return float(roc_auc_score(y, p)) if 0 < y.sum() < len(y) else None


class _WeightedAuc:
    """ROC AUC of one score vector under row multiplicities, from ranks computed once.

    A company-resampled replicate is the held-out rows, each counted as often as its company was drawn: the
    AUC of that sample is the Mann-Whitney statistic (ties count a half) over the weighted rows. With integer
    weights every sum below is an exact integer in float64, so the value is the exact rational AUC rounded once,
    what ``roc_auc_score`` of the concatenated sample gives up to its trapezoid rounding (~1e-16), without its
    input checks on every replicate.

    Why it reads the rows once per replicate: positives are a few in a hundred rows, so only the weight of
    every row per distinct score is summed over all rows; the positives' own sums, and the negatives below each
    positive's score, are then read at the positives' ranks alone. Every sum being an exact integer, the order in
    which they are added does not change a bit of the result.
    """

    def __init__(self, y: np.ndarray, p: np.ndarray) -> None:
        _, self.rank = np.unique(p, return_inverse=True)  # distinct score values, ascending
        self.distinct = int(self.rank.max()) + 1 if len(p) else 0
        self.positives = np.flatnonzero(y)  # the positive rows
        # the positives' distinct ranks, ascending, and each positive row's place among them
        self.ranks, self.place = np.unique(self.rank[self.positives], return_inverse=True)

    def __call__(self, w: np.ndarray) -> float | None:
        every = np.bincount(self.rank, weights=w, minlength=self.distinct)  # all rows' weight per distinct value
        pos = np.bincount(self.place, weights=w[self.positives], minlength=len(self.ranks))
        n_pos = pos.sum()
        n_neg = every.sum() - n_pos
        if not n_pos or not n_neg:
            return None
        # at each positive rank: negatives scored strictly lower, and tied negatives
        neg = every[self.ranks] - pos
        below = (np.cumsum(every)[self.ranks] - every[self.ranks]) - (np.cumsum(pos) - pos)
        return float(np.dot(pos, 2.0 * below + neg) / (2.0 * n_pos * n_neg))


def company_bootstrap(organisations: Sequence[int], labels: Sequence[int], model: Sequence[float],
                      baseline: Sequence[float], *, samples: int = BOOTSTRAP_SAMPLES, seed: int = SEED
                      ) -> dict[str, Interval]:
    """ROC AUC and Brier of both, and the model's AUC gain over the baseline, with 95% percentile intervals from
    resampling companies with replacement (a drawn company brings all its rows).

    Point values from scikit-learn on the held-out rows; each replicate's figures from the rows weighted by how
    often their company was drawn (:class:`_WeightedAuc`, Brier as the weighted mean squared error), the same
    draws as concatenating the drawn companies' rows.
    """
    orgs = np.asarray(organisations)
    y = np.asarray(labels, dtype=int)
    pm, pb = np.asarray(model, dtype=float), np.asarray(baseline, dtype=float)
    by_org: dict[int, list[int]] = defaultdict(list)
    for i, org in enumerate(orgs.tolist()):
        by_org[org].append(i)
    group_of = np.empty(len(y), dtype=int)
    for k, ix in enumerate(by_org.values()):
        group_of[ix] = k
    n_groups = len(by_org)

    auc_m, auc_b = _auc(y, pm), _auc(y, pb)
    point = {"auc_model": auc_m, "auc_baseline": auc_b,
             "auc_gain": None if auc_m is None or auc_b is None else auc_m - auc_b,
             "brier_model": float(brier_score_loss(y, pm)) if len(y) else None,
             "brier_baseline": float(brier_score_loss(y, pb)) if len(y) else None}
    draws: dict[str, list[float]] = defaultdict(list)
    rng = np.random.default_rng(seed)
    if n_groups:
        weighted_m, weighted_b = _WeightedAuc(y, pm), _WeightedAuc(y, pb)
        sq_m, sq_b = (y - pm) ** 2, (y - pb) ** 2
        for _ in range(samples):
            picked = rng.integers(0, n_groups, n_groups)
            w = np.bincount(picked, minlength=n_groups).astype(float)[group_of]  # gathered as floats: no second copy
            total = w.sum()
            a_m, a_b = weighted_m(w), weighted_b(w)
            replicate = {"auc_model": a_m, "auc_baseline": a_b,
                         "auc_gain": None if a_m is None or a_b is None else a_m - a_b,
                         "brier_model": float(np.dot(w, sq_m) / total), "brier_baseline": float(np.dot(w, sq_b) / total)}
            for key, value in replicate.items():
                if value is not None:
                    draws[key].append(value)
    out = {}
    for key, value in point.items():
        values = draws.get(key, [])
        enough = len(values) >= samples // 2
        out[key] = Interval(value, float(np.percentile(values, 2.5)) if enough else None,
                            float(np.percentile(values, 97.5)) if enough else None)
    return out


@dataclass(frozen=True)
class Warning_:
    """What an alert threshold does on the held-out period."""

    threshold: float
    failing: int
    warned: int
    lead_months: tuple[float, ...]
    alerts: int
    supplier_years: float
    alerted_companies: int
    alerted_that_failed: int

    @property
    def alerts_per_100_per_year(self) -> float | None:
        return 100 * self.alerts / self.supplier_years if self.supplier_years else None

    @property
    def median_lead_months(self) -> float | None:
        return float(np.median(self.lead_months)) if self.lead_months else None


def warning_figures(organisations: Sequence[int], snapshots: Sequence[date], probabilities: Sequence[float],
                    first_failure: Mapping[int, date], *, threshold: float, horizon_days: int,
                    snapshot_months: int) -> Warning_:
    """Lead time and alert burden at ``threshold``.

    - Lead time: for each company whose first failure (bankruptcy or suspension of payments) falls within the
      horizon after one of its held-out snapshots, the months between the earliest such snapshot at or above the
      threshold and that failure; a failing company never above the threshold got no warning.
    - Alerts: a supplier entering the alert state (at or above the threshold after a snapshot below it, or at its
      first snapshot), per 100 supplier-years observed (rows x snapshot months / 12).
    """
    alerts, alerted = _alerts(organisations, snapshots, probabilities, threshold)
    # Only the failing companies' own rows are walked one by one (a few in a hundred companies).
    rows: dict[int, list[tuple[date, float]]] = defaultdict(list)
    for org, day, p in zip(organisations, snapshots, probabilities, strict=True):
        if org in first_failure:
            rows[org].append((day, float(p)))
    failing = warned = 0
    lead: list[float] = []
    for org, series in rows.items():
        series.sort()
        failed_on = first_failure[org]
        window = [(day, p) for day, p in series if day < failed_on and (failed_on - day).days <= horizon_days]
        if not window:
            continue
        failing += 1
        flagged = [day for day, p in window if p >= threshold]
        if flagged:
            warned += 1
            lead.append(round((failed_on - min(flagged)).days / 30.44, 1))
    supplier_years = len(organisations) * snapshot_months / 12
    alerted_failed = sum(1 for org in alerted if org in first_failure and any(
        day < first_failure[org] and (first_failure[org] - day).days <= horizon_days for day, _ in rows[org]))
    return Warning_(threshold, failing, warned, tuple(sorted(lead)), alerts, supplier_years, len(alerted), alerted_failed)


def _alerts(organisations: Sequence[int], snapshots: Sequence[date], probabilities: Sequence[float],
            threshold: float) -> tuple[int, set[int]]:
    """How often a supplier enters the alert state (at or above ``threshold`` at its first snapshot or after one
    below it), and the suppliers that ever do.

    Why with numpy: every held-out row is read (hundreds of thousands at a national scale), and a list of
    (day, probability) per supplier sorted in Python was most of working out the warning figures. The rows are
    sorted by supplier, day and probability, as each supplier's sorted list of (day, probability) had them.
    """
    if not len(organisations):
        return 0, set()
    orgs = np.asarray(organisations)
    days = np.fromiter((day.toordinal() for day in snapshots), dtype=np.int64, count=len(orgs))
    p = np.asarray(probabilities, dtype=float)
    order = np.lexsort((p, days, orgs))
    orgs, above = orgs[order], p[order] >= threshold
    before = np.zeros(len(orgs), dtype=bool)  # the same supplier's previous row was at or above the threshold
    before[1:] = above[:-1] & (orgs[1:] == orgs[:-1])
    return int((above & ~before).sum()), set(orgs[above].tolist())
