"""Per-group statistics of the candidate rows (``models.alternative_history``): the median value, the weightiest
buyer, the closeness of values to a reference.

Pure numpy over rows already grouped by candidate position; no I/O.
"""

from __future__ import annotations

import math

import numpy as np


def median_per_group(groups: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """The median of ``values`` (log10 of amounts) per group, back in amounts; nan for a group without values."""
    out = np.full(n, math.nan)
    if not len(groups):
        return out
    order = np.lexsort((values, groups))
    groups, values = groups[order], values[order]
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]])
    ends = np.r_[starts[1:], len(groups)]
    low, high = starts + (ends - starts - 1) // 2, starts + (ends - starts) // 2
    out[groups[starts]] = 10 ** ((values[low] + values[high]) / 2)
    return out


def example_buyers(pos: np.ndarray, weight: np.ndarray, buyers: np.ndarray, n: int, names: list[str]) -> list[str]:
    """The buyer of each candidate's most weighty win in the branch (the most recent, for equal shares)."""
    who = np.full(n, -1, dtype=np.int64)
    order = np.argsort(weight, kind="stable")
    who[pos[order]] = buyers[order]  # with repeated indices the last (heaviest) assignment stays
    return [names[b] if b >= 0 else "" for b in who]


def value_fit(total, valued: np.ndarray, logv: np.ndarray, reference: float | None, n: int) -> np.ndarray:
    """Mean closeness (1 / (1 + |log10 ratio|)) of the valued wins in the branch to the reference; 0.5: unknown."""
    if not reference or reference <= 0:
        return np.full(n, 0.5)
    fit = 1.0 / (1.0 + np.abs(np.nan_to_num(logv) - math.log10(reference)))
    valued_n = total(valued)
    return np.divide(total(valued, fit), valued_n, out=np.full(n, 0.5), where=valued_n > 0)
