"""The history of one CPV division in a window, answering as the index of the whole history would.

An alert run suggests alternatives for a few contracts on one day. Every feature of a suggestion
reads the wins in the code's division (its parent) and the bids in its branch, published in the
window of ``years`` before that day, except three facts that look at all categories:

- each candidate's last win before the day (``active_lately``),
- each buyer's number of awards before the day (``similar_buyer_wins`` compares buyers' sizes),
- whether our own buyer is in the history at all (``same_buyer_wins``, ``peer_buyer_wins``).

``BranchIndex`` is a ``HistoryIndex`` of the division's awards and bids in the window that is told
those three (``Beyond``: aggregated by the store) instead of holding every award of the store, so
an alert run's cost follows the divisions its alerts ask about, not the size of the store. Its rows
are the whole index's rows of the division in the same order, so its sums, and the suggestions,
are the same to the last bit; it refuses a query it could not answer that way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np

from models.alternative_columns import Columns
from models.alternative_history import Candidates, HistoryIndex, PastAward, PastBid, Query, years_before
from models.categories import CPV, parent_of, scheme_name


@dataclass(frozen=True, slots=True)
class Beyond:
    """What a history of one division must be told of all categories, as of the reference day ``as_of``."""

    as_of: date
    #: supplier key -> its last win published before ``as_of``, in any category (none: never won)
    last_win: Mapping[str, date]
    #: buyer key -> its awards with a winner published before ``as_of``, in any category (none: not in the
    #: history). Our own buyer is here when the history holds its awards or (with 0) only its bids.
    buyer_awards: Mapping[str, int]


class BranchIndex(HistoryIndex):
    """The wins and bids under the CPV ``division`` published from ``since`` to the day before ``beyond.as_of``."""

    def __init__(self, awards: Iterable[PastAward], bids: Iterable[PastBid], *, division: str, since: date,
                 beyond: Beyond) -> None:
        super().__init__(awards, bids)
        self.division, self.since, self.beyond = division, since, beyond
        self.awards, self._days = [], []  # the columns answer queries; the records would only hold memory
        for key in beyond.buyer_awards:  # known outside the division (our own buyer): known here too
            self._buyer_id(key, key)
        keys = sorted(self._buyer, key=self._buyer.__getitem__)
        self._buyer_awards = np.array([beyond.buyer_awards.get(key, 0) for key in keys], dtype=np.int64)
        self._win_days = np.sort(np.array(
            [self._sup[key] * 10_000_000 + day.toordinal() for key, day in beyond.last_win.items() if key in self._sup],
            dtype=np.int64,
        ))

    def answers(self, query: Query) -> bool:
        """Whether the query reads only what this index holds: its day, a CPV code of the division, the window."""
        return (query.as_of == self.beyond.as_of and scheme_name(query.scheme) == CPV
                and parent_of(query.cpv, CPV, cpv_depth=query.depth).key == self.division
                and years_before(query.as_of, query.years) >= self.since)

    def candidates(self, query: Query) -> Candidates:
        if not self.answers(query):
            raise ValueError(f"the history of CPV {self.division}* from {self.since} as of {self.beyond.as_of} "
                             f"cannot answer {query.scheme} {query.cpv} as of {query.as_of} over {query.years} years")
        return super().candidates(query)

    def awards_between(self, start: date, end: date) -> list[PastAward]:
        raise ValueError("a division's history in a window does not list awards (learning reads the whole history)")

    def previous_award(self, buyer_key: str, branch, *, before: date, depth: int = 3) -> PastAward | None:
        raise ValueError("a division's history in a window does not know a buyer's previous award")

    def _size_band(self, buyers: np.ndarray, as_of: int) -> np.ndarray:
        """As ``HistoryIndex._size_band``, from each buyer's awards in all categories (``Beyond``)."""
        return np.floor(np.log2(1 + self._buyer_awards[buyers]))


# A division's index as plain arrays and JSON values, so that the flow that learns the ranker can keep the
# divisions our alerts will ask about in the store, and an alert run loads them instead of reading their awards.

_COLUMNS = ("day", "sup", "share", "buyer", "kind", "region", "logv")


def branch_state(index: BranchIndex) -> tuple[dict[str, np.ndarray], dict[str, object]]:
    """The arrays and the JSON-able values ``branch_from_state`` rebuilds ``index`` from (its caches left out)."""
    arrays: dict[str, np.ndarray] = {"buyer_days": index._buyer_days, "win_days": index._win_days,
                                     "buyer_awards": index._buyer_awards}
    for part, by_scheme in (("wins", index._wins), ("bids", index._bids)):
        for scheme, columns in by_scheme.items():
            arrays[f"{part}.{scheme}.codes"] = np.array(columns.codes, dtype=str)
            arrays[f"{part}.{scheme}.starts"] = np.array(columns.starts, dtype=np.int64)
            arrays.update((f"{part}.{scheme}.{name}", getattr(columns, name)) for name in _COLUMNS)
    meta = {
        "division": index.division, "since": index.since.isoformat(), "as_of": index.beyond.as_of.isoformat(),
        "suppliers": index.suppliers, "buyer_keys": sorted(index._buyer, key=index._buyer.__getitem__),
        "buyer_names": index.buyer_names, "kinds": sorted(index._kind, key=index._kind.__getitem__),
        "regions": sorted(index._region, key=index._region.__getitem__),
        "wins": sorted(index._wins), "bids": sorted(index._bids),
    }
    return arrays, meta


def _columns(arrays: Mapping[str, np.ndarray], prefix: str) -> Columns:
    columns = object.__new__(Columns)
    columns.codes = arrays[f"{prefix}.codes"].tolist()
    columns.starts = arrays[f"{prefix}.starts"].tolist()
    for name in _COLUMNS:
        setattr(columns, name, arrays[f"{prefix}.{name}"])
    return columns


def branch_from_state(arrays: Mapping[str, np.ndarray], meta: Mapping) -> BranchIndex:
    """The ``BranchIndex`` that ``branch_state`` took apart: it answers every query as the original did.

    Its ``beyond`` keeps the reference day only: the suppliers' last wins and the buyers' award counts it was
    told are already in its arrays, which is all a query reads."""
    index = object.__new__(BranchIndex)
    index.awards, index._days = [], []
    index.suppliers = list(meta["suppliers"])
    index._sup = {key: i for i, key in enumerate(index.suppliers)}
    index.buyer_names = list(meta["buyer_names"])
    index._buyer = {key: i for i, key in enumerate(meta["buyer_keys"])}
    index._kind = {key: i for i, key in enumerate(meta["kinds"])}
    index._region = {key: i for i, key in enumerate(meta["regions"])}
    index._wins = {scheme: _columns(arrays, f"wins.{scheme}") for scheme in meta["wins"]}
    index._bids = {scheme: _columns(arrays, f"bids.{scheme}") for scheme in meta["bids"]}
    index._buyer_days, index._win_days = arrays["buyer_days"], arrays["win_days"]
    index._buyer_awards = arrays["buyer_awards"]
    index._by_buyer_branch, index._bands, index._lasts = {}, {}, {}
    index.division, index.since = meta["division"], date.fromisoformat(meta["since"])
    index.beyond = Beyond(date.fromisoformat(meta["as_of"]), last_win={}, buyer_awards={})
    return index
