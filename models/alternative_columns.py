"""One scheme's rows of the award (or bid) history as columns, sorted by code: what ``HistoryIndex`` slices.

Its own module so that a division's history can be taken apart and rebuilt (``models.alternative_branches``)
without reaching into the index's internals.
"""

from __future__ import annotations

import bisect

import numpy as np


class Columns:
    """One scheme's rows (an award-winner pair or a bidder-bid pair), sorted by their code's ``match_key``."""

    def __init__(self, rows: list[tuple]) -> None:
        rows.sort(key=lambda r: r[0])
        # The distinct codes in order and the row each starts at (the row count last): rows repeat their codes.
        self.codes: list[str] = []
        self.starts: list[int] = []
        for i, row in enumerate(rows):
            if not self.codes or row[0] != self.codes[-1]:
                self.codes.append(row[0])
                self.starts.append(i)
        self.starts.append(len(rows))
        self.day = np.array([r[1] for r in rows], dtype=np.int64)
        self.sup = np.array([r[2] for r in rows], dtype=np.int64)
        self.share = np.array([r[3] for r in rows], dtype=np.float64)
        self.buyer = np.array([r[4] for r in rows], dtype=np.int64)
        self.kind = np.array([r[5] for r in rows], dtype=np.int64)
        self.region = np.array([r[6] for r in rows], dtype=np.int64)
        self.logv = np.array([r[7] for r in rows], dtype=np.float64)

    def span(self, prefix: str) -> tuple[int, int]:
        """The rows whose code starts with ``prefix``."""
        first, last = bisect.bisect_left(self.codes, prefix), bisect.bisect_left(self.codes, prefix + "\U0010ffff")
        return self.starts[first], self.starts[last]
