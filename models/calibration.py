"""How good a probability is on held-out data: ROC AUC, Brier score and a reliability table.

Pure: arrays in, numbers out. The bins of the reliability table are fixed (not quantiles) and
dense at the low end, where failure probabilities live, so two model cards compare bin by bin.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.metrics import brier_score_loss, roc_auc_score

#: Upper edges of the reliability bins (the first starts at 0).
BIN_EDGES: tuple[float, ...] = (0.02, 0.05, 0.1, 0.2, 0.4, 1.0)


@dataclass(frozen=True, slots=True)
class Metrics:
    rows: int
    positives: int
    roc_auc: float | None  # None with only one class
    brier: float | None
    reliability: tuple[dict[str, float | int | str | None], ...]

    def as_dict(self) -> dict[str, object]:
        return {"rows": self.rows, "positives": self.positives, "roc_auc": self.roc_auc, "brier": self.brier,
                "reliability": list(self.reliability)}


def reliability_table(labels: Sequence[int], probabilities: Sequence[float]) -> tuple[dict, ...]:
    """Per bin: rows, mean predicted probability and observed rate (None in an empty bin)."""
    y = np.asarray(labels, dtype=float)
    p = np.asarray(probabilities, dtype=float)
    rows = []
    lower = 0.0
    for upper in BIN_EDGES:
        mask = (p >= lower) & ((p < upper) if upper < 1.0 else (p <= upper))
        n = int(mask.sum())
        rows.append({
            "bin": f"{lower:.2f}-{upper:.2f}",
            "rows": n,
            "mean_predicted": float(p[mask].mean()) if n else None,
            "observed_rate": float(y[mask].mean()) if n else None,
        })
        lower = upper
    return tuple(rows)


def evaluate(labels: Sequence[int], probabilities: Sequence[float]) -> Metrics:
    """ROC AUC (None when only one class is present), Brier score and the reliability table."""
    y = np.asarray(labels, dtype=int)
    p = np.clip(np.asarray(probabilities, dtype=float), 0.0, 1.0)
    positives = int(y.sum())
    auc = float(roc_auc_score(y, p)) if 0 < positives < len(y) else None
    brier = float(brier_score_loss(y, p)) if len(y) else None
    return Metrics(rows=len(y), positives=positives, roc_auc=auc, brier=brier, reliability=reliability_table(y, p))
