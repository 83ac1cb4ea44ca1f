"""Confidence intervals for counted proportions (precision, recall, hit rates), shared by every evaluation.

Why Wilson: our labelled sets are small (tens to a few hundred cases) and the proportions often sit near 0 or 1,
where the textbook normal interval is too narrow or leaves [0, 1]. Pure: no I/O.
"""

from __future__ import annotations


def wilson_interval(hits: int, total: int, z: float = 1.96) -> tuple[float, float] | None:
    """The Wilson score interval of ``hits`` out of ``total`` (95% by default); None when nothing was counted."""
    if total <= 0:
        return None
    p = hits / total
    denominator = 1 + z * z / total
    centre = (p + z * z / (2 * total)) / denominator
    half = z * ((p * (1 - p) / total + z * z / (4 * total * total)) ** 0.5) / denominator
    return round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)
