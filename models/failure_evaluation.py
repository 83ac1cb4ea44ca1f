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


def company_bootstrap(organisations: Sequence[int], labels: Sequence[int], model: Sequence[float],
                      baseline: Sequence[float], *, samples: int = BOOTSTRAP_SAMPLES, seed: int = SEED
                      ) -> dict[str, Interval]:
    """ROC AUC and Brier of both, and the model's AUC gain over the baseline, with 95% percentile intervals from
    resampling companies with replacement (a drawn company brings all its rows)."""
    orgs = np.asarray(organisations)
    y = np.asarray(labels, dtype=int)
    pm, pb = np.asarray(model, dtype=float), np.asarray(baseline, dtype=float)
    by_org: dict[int, list[int]] = defaultdict(list)
    for i, org in enumerate(orgs.tolist()):
        by_org[org].append(i)
    groups = [np.array(ix) for ix in by_org.values()]

    def stats(ix: np.ndarray) -> dict[str, float | None]:
        ys, m, b = y[ix], pm[ix], pb[ix]
        auc_m, auc_b = _auc(ys, m), _auc(ys, b)
        return {"auc_model": auc_m, "auc_baseline": auc_b,
                "auc_gain": None if auc_m is None or auc_b is None else auc_m - auc_b,
                "brier_model": float(brier_score_loss(ys, m)) if len(ys) else None,
                "brier_baseline": float(brier_score_loss(ys, b)) if len(ys) else None}

    point = stats(np.arange(len(y)))
    draws: dict[str, list[float]] = defaultdict(list)
    rng = np.random.default_rng(seed)
    if groups:
        for _ in range(samples):
            picked = rng.integers(0, len(groups), len(groups))
            for key, value in stats(np.concatenate([groups[k] for k in picked])).items():
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
    rows: dict[int, list[tuple[date, float]]] = defaultdict(list)
    for org, day, p in zip(organisations, snapshots, probabilities, strict=True):
        rows[org].append((day, float(p)))
    failing = warned = alerts = 0
    lead: list[float] = []
    alerted: set[int] = set()
    for org, series in rows.items():
        series.sort()
        above_before = False
        for _day, p in series:
            above = p >= threshold
            if above and not above_before:
                alerts += 1
                alerted.add(org)
            above_before = above
        failed_on = first_failure.get(org)
        if failed_on is None:
            continue
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
