"""The award (and bid) history as columns, and the candidate features read from it for one request.

Pure: records come in, numbers go out; no I/O. The history is indexed once (sorted by scheme and
code, so a branch is one contiguous slice) and then answers any number of requests in a few
milliseconds, which the backtest (hundreds of requests) and an alert run (one per alert) need.

Every feature is a fact about a candidate that one phrase can state (``FEATURES``); counts use
the awards published from ``since`` (``years`` before the reference day) up to the day before
the reference day: an award published on the reference day itself is not yet known.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from operator import attrgetter

import numpy as np

from models.alternative_columns import Columns
from models.categories import Branch, branch_of, parent_of, scheme_name
from models.group_stats import example_buyers, median_per_group, value_fit
from models.history_rows import Codes, award_rows, bid_rows, by_scheme, ordinals

#: The candidate features, in matrix column order, and what each one says.
FEATURES: tuple[str, ...] = (
    "branch_wins",        # recency-weighted wins in the branch (log)
    "neighbour_wins",     # recency-weighted wins in the parent, outside the branch (log)
    "region_wins",        # recency-weighted wins in the branch for buyers in the buyer's region (log)
    "region_share",       # share of its weighted wins in the parent for buyers in the region, shrunk: r / (all + 1)
    "similar_buyer_wins", # recency-weighted wins in the parent for buyers of the same kind and size (log)
    "same_buyer_wins",    # recency-weighted wins in the parent for this very buyer (log)
    "peer_buyer_wins",    # recency-weighted wins in the parent for buyers that hire the same suppliers (log)
    "bids",               # tenders submitted in the branch, won or lost (log); 0 where no bids are known
    "value_fit",          # how close the candidate's award values are to the reference value (0.5: unknown)
    "active_lately",      # exp(-days since its last win, any category, / 365)
    "risk_high",          # latest failure band high
    "risk_medium",        # latest failure band medium
    "risk_unknown",       # no failure band: unknown is not low
)
F = {name: i for i, name in enumerate(FEATURES)}


@dataclass(frozen=True, slots=True)
class PastAward:
    """One award in the history: when, what (a code of ``scheme``), for which buyer, to whom."""

    published: date
    cpv: str  # the category code: 8 CPV digits, or a code of ``scheme`` as published
    buyer_key: str
    buyer_name: str
    buyer_kind: str | None  # "municipality", "province", "water-board", "hospital", "university", "agency"
    buyer_region: str | None
    value: float | None
    winners: tuple[str, ...]  # organisation keys
    scheme: str = "CPV"


@dataclass(frozen=True, slots=True)
class PastBid:
    """One tender submitted (won, lost, or not said), as far as the source lists bids."""

    published: date
    cpv: str
    buyer_key: str
    bidders: tuple[str, ...]  # a consortium is one bid by several
    won: bool | None = None
    scheme: str = "CPV"


@dataclass(frozen=True, slots=True)
class CompanyFacts:
    """What the registers, news and scores say about a candidate, as of the reference day."""

    key: str
    name: str
    country: str | None = None
    dissolved_on: date | None = None
    insolvent_since: date | None = None
    sanctioned_on: date | None = None
    failure_band: str | None = None


@dataclass(frozen=True, slots=True)
class Query:
    """What a suggestion is for: a code, a reference day, and what is known of the buyer."""

    cpv: str
    as_of: date
    scheme: str = "CPV"
    buyer_key: str | None = None
    buyer_kind: str | None = None
    buyer_region: str | None = None
    reference_value: float | None = None
    depth: int = 3
    years: int = 5
    half_life_years: float = 2.0
    exclude: frozenset[str] = frozenset()


@dataclass(slots=True)
class Candidates:
    """The candidates of one query: keys, the feature matrix, and the plain counts behind the reasons."""

    branch: Branch
    parent: Branch
    since: date
    keys: list[str]
    X: np.ndarray  # (n, len(FEATURES)); risk columns are filled by ``set_risk``
    branch_count: np.ndarray  # contracts won in the branch in the window (unweighted)
    parent_count: np.ndarray  # contracts won in the parent outside the branch
    region_count: np.ndarray  # contracts won in the branch for buyers in the region
    region_parent_count: np.ndarray  # contracts won in the parent for buyers in the region
    similar_count: np.ndarray  # contracts won in the parent for similar buyers
    same_buyer_count: np.ndarray  # contracts won in the parent for this buyer
    peer_count: np.ndarray  # contracts won in the parent for buyers sharing suppliers with this one
    bid_count: np.ndarray  # bids in the branch (won or lost)
    lost_count: np.ndarray  # of which lost
    median_value: np.ndarray  # median value of the candidate's valued wins in the branch (nan: none)
    last_win: np.ndarray  # ordinal day of the last win, any category (0: none)
    last_branch_win: np.ndarray  # ordinal day of the last win in the branch (0: none)
    example_buyer: list[str] = field(default_factory=list)
    bids_known: bool = False  # whether the history holds any bid in the branch
    size_compared: bool = False  # whether "similar buyers" also compared the buyer's size (the buyer is known)

    def __len__(self) -> int:
        return len(self.keys)


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


class HistoryIndex:
    """The history, indexed once; ``candidates`` answers a query from it."""

    def __init__(self, awards: Iterable[PastAward], bids: Iterable[PastBid] = ()) -> None:
        self.awards: list[PastAward] = sorted(awards, key=attrgetter("published", "buyer_key", "cpv"))
        self._sup: dict[str, int] = {}
        self._buyer: dict[str, int] = {}
        self._kind: dict[str, int] = {}
        self._region: dict[str, int] = {}
        self._days = ordinals(self.awards)
        # Built attribute by attribute (``models.history_rows``): the same ids and rows as one loop over the awards.
        names: dict[str, str] = {}  # buyer key -> the name it came with first
        ids = {"sup": self._sup, "buyer": self._buyer, "kind": self._kind, "region": self._region, "names": names}
        codes, won = Codes(), [i for i, a in enumerate(self.awards) if a.winners]
        wins = award_rows([self.awards[i] for i in won], np.array(self._days, dtype=np.int64)[won], codes, ids)
        self._wins = by_scheme(wins, codes)
        self._bids = by_scheme(bid_rows(list(bids), codes, ids), codes)
        self._buyer_days = np.sort(wins["buyer_day"])
        self._win_days = np.sort(wins["sup"] * 10_000_000 + wins["day"])
        self.suppliers: list[str] = list(self._sup)
        self.buyer_names: list[str] = list(names.values())
        self._by_buyer_branch: dict[int, dict] = {}
        self._bands: dict[int, np.ndarray] = {}
        self._lasts: dict[int, np.ndarray] = {}

    def awards_between(self, start: date, end: date) -> list[PastAward]:
        """The awards published from ``start`` up to the day before ``end``, in date order."""
        lo = bisect.bisect_left(self._days, start.toordinal())
        hi = bisect.bisect_left(self._days, end.toordinal())
        return self.awards[lo:hi]

    def previous_award(self, buyer_key: str, branch: Branch, *, before: date, depth: int = 3) -> PastAward | None:
        """The buyer's latest award (with winners) in the branch published before the day: its incumbent."""
        if depth not in self._by_buyer_branch:
            table: dict[tuple[str, Branch], list[PastAward]] = {}
            branches: dict[tuple[str, str], Branch] = {}  # a history repeats its codes
            for award in self.awards:
                if award.winners:
                    code = (award.cpv, award.scheme)
                    if code not in branches:
                        branches[code] = branch_of(award.cpv, award.scheme, cpv_depth=depth)
                    table.setdefault((award.buyer_key, branches[code]), []).append(award)
            self._by_buyer_branch[depth] = {k: ([a.published.toordinal() for a in v], v) for k, v in table.items()}
        days, awards = self._by_buyer_branch[depth].get((buyer_key, branch), ((), ()))
        i = bisect.bisect_left(days, before.toordinal())
        return awards[i - 1] if i else None

    def _sup_id(self, key: str) -> int:
        if key not in self._sup:
            self._sup[key] = len(self.suppliers)
            self.suppliers.append(key)
        return self._sup[key]

    def _buyer_id(self, key: str, name: str) -> int:
        if key not in self._buyer:
            self._buyer[key] = len(self.buyer_names)
            self.buyer_names.append(name)
        return self._buyer[key]

    def knows_buyer(self, key: str | None) -> bool:
        """Whether the history holds awards of this buyer (its own and its peers' wins can be counted)."""
        return bool(key) and key in self._buyer

    @property
    def has_bids(self) -> bool:
        return bool(self._bids)

    def _size_band(self, buyers: np.ndarray, as_of: int) -> np.ndarray:
        """log2(1 + awards the buyer made before the day): buyers of a similar size share a band (+-1)."""
        before = np.searchsorted(self._buyer_days, buyers * 10_000_000 + as_of)
        start = np.searchsorted(self._buyer_days, buyers * 10_000_000)
        return np.floor(np.log2(1 + before - start))

    def _last_win(self, sups: np.ndarray, as_of: int) -> np.ndarray:
        """Ordinal day of each supplier's last win (any category) before the day; 0 when none."""
        pos = np.searchsorted(self._win_days, sups * 10_000_000 + as_of) - 1
        found = self._win_days[np.clip(pos, 0, None)] if len(self._win_days) else np.zeros(len(sups), dtype=np.int64)
        same = (pos >= 0) & (found // 10_000_000 == sups)
        return np.where(same, found % 10_000_000, 0)

    def _peer_similarity(self, idx: np.ndarray, query: Query, wins: Columns) -> np.ndarray:
        """Per row: how alike its buyer is to the query's buyer, as the share of that buyer's wins (in the
        window and the parent) that went to suppliers the query's buyer also hired there; 0 for the buyer itself."""
        buyer_id = self._buyer.get(query.buyer_key, -2) if query.buyer_key else -2
        if buyer_id < 0 or not len(idx):
            return np.zeros(len(idx))
        buyers, sups = wins.buyer[idx], wins.sup[idx]
        own = np.unique(sups[buyers == buyer_id])
        if not len(own):
            return np.zeros(len(idx))
        # Per buyer id (a count over every buyer, not a sort of the rows': learning asks a thousand times).
        shared = np.bincount(buyers, weights=np.isin(sups, own).astype(float), minlength=len(self.buyer_names))
        similarity = shared / np.maximum(np.bincount(buyers, minlength=len(self.buyer_names)), 1)
        similarity[buyer_id] = 0.0
        return similarity[buyers]

    def candidates(self, query: Query) -> Candidates:
        """Everyone who won in the parent (or bid in the branch) in the window, with their features."""
        window = self._window(query)
        pool = window.pool(self._sup, query.exclude)
        X, counts, (bid_count, lost_count), last = self._features(query, window, pool, counts=True)
        return Candidates(
            branch=window.branch, parent=window.parent, since=window.since, keys=[self.suppliers[i] for i in pool],
            X=X, bid_count=bid_count, lost_count=lost_count, last_win=last,
            bids_known=window.bids is not None and len(window.bid_idx) > 0,
            size_compared=bool(query.buyer_key) and query.buyer_key in self._buyer, **counts,
        )

    def candidate_pool(self, query: Query) -> np.ndarray:
        """The supplier ids of ``candidates(query)`` (sorted), without their features."""
        return self._window(query).pool(self._sup, query.exclude)

    def candidate_features(self, query: Query, risk: np.ndarray, pool: np.ndarray | None = None
                           ) -> tuple[np.ndarray, np.ndarray]:
        """The supplier ids and the feature matrix of ``candidates(query)``, its risk columns set from ``risk``
        (``risk_codes(index.suppliers, companies)``), without the counts the reasons state: what learning reads.

        ``pool``: only these candidates (ids from ``candidate_pool``). A candidate's features are its own counts
        in the window, so its row is the same whoever else is asked about; learning reads the winners and the
        losers it draws, not the thousands of others of a long list.
        """
        window = self._window(query)
        if pool is None:
            pool = window.pool(self._sup, query.exclude)
        X = self._features(query, window, pool, counts=False)[0]
        _fill_risk(X, slice(None), risk[pool])
        return pool, X

    def supplier_ids(self, keys: Iterable[str]) -> np.ndarray:
        """The index's ids of the suppliers among ``keys`` it knows."""
        return np.array([self._sup[key] for key in keys if key in self._sup], dtype=np.int64)

    def _features(self, query: Query, window: _Window, pool: np.ndarray, *, counts: bool) -> tuple:
        """The candidates' feature matrix (risk unknown until set), their counts (when ``counts``), bids, last wins."""
        n = len(pool)
        X = np.zeros((n, len(FEATURES)))
        at = np.full(len(self.suppliers), -1, dtype=np.int64)  # supplier id -> position in the pool (-1: none)
        at[pool] = np.arange(n)
        rows = _Rows.of(window, at, n, self._peer_similarity(window.idx, query, window.wins) if window.wins else None)
        found = self._win_features(query, window, rows, X, counts=counts) if rows.any else _no_wins(X, n)
        bids = _bid_features(window, at, n, X)
        if not counts:  # learning: every supplier's last win, once per day (it asks on 20 days)
            if window.as_of not in self._lasts:
                self._lasts[window.as_of] = self._last_win(np.arange(len(self.suppliers), dtype=np.int64), window.as_of)
            last = self._lasts[window.as_of][pool]
        else:
            last = self._last_win(pool, window.as_of) if n else np.zeros(0, dtype=np.int64)
        X[:, F["active_lately"]] = np.where(last > 0, np.exp(-(window.as_of - last) / 365.0), 0.0)
        X[:, F["risk_unknown"]] = 1.0  # until set_risk says otherwise: unknown is not low
        return X, found, bids, last

    def _window(self, query: Query) -> _Window:
        """The win rows in the parent and the bid rows in the branch, published in the query's window."""
        scheme = scheme_name(query.scheme)
        branch = branch_of(query.cpv, scheme, cpv_depth=query.depth)
        parent = parent_of(query.cpv, scheme, cpv_depth=query.depth)
        since = years_before(query.as_of, query.years)
        as_of, start = query.as_of.toordinal(), since.toordinal()
        wins, bids = self._wins.get(scheme), self._bids.get(scheme)
        idx, in_branch = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool)
        if wins is not None:
            lo, hi = wins.span(parent.key)
            blo, bhi = wins.span(branch.key)
            idx = np.arange(lo, hi)[(wins.day[lo:hi] >= start) & (wins.day[lo:hi] < as_of)]
            in_branch = (idx >= blo) & (idx < bhi)
        bid_idx = np.zeros(0, dtype=np.int64)
        if bids is not None:
            blo, bhi = bids.span(branch.key)
            bid_idx = np.arange(blo, bhi)[(bids.day[blo:bhi] >= start) & (bids.day[blo:bhi] < as_of)]
        return _Window(branch, parent, since, as_of, wins, idx, in_branch, bids, bid_idx)

    def _win_features(self, query: Query, window: _Window, rows: _Rows, X: np.ndarray, *, counts: bool = True) -> dict:
        """Fill the win-based feature columns; return the plain counts the reasons state (none if not ``counts``)."""
        wins, idx, total = window.wins, rows.idx, rows.total
        age_years = (window.as_of - wins.day[idx]) / 365.25
        weight = wins.share[idx] * 0.5 ** (age_years / query.half_life_years)
        in_branch, in_region = rows.in_branch, wins.region[idx] == self._id(self._region, query.buyer_region)
        similar = self._similar_buyers(query, wins.kind[idx], wins.buyer[idx], window.as_of)
        same_buyer = wins.buyer[idx] == self._id(self._buyer, query.buyer_key)
        everything = np.ones(len(idx), dtype=bool)
        X[:, F["peer_buyer_wins"]] = np.log1p(total(rows.peer > 0, weight * rows.peer))
        branch_w, parent_w = total(in_branch, weight), total(everything, weight)
        X[:, F["branch_wins"]] = np.log1p(branch_w)
        X[:, F["neighbour_wins"]] = np.log1p(parent_w - branch_w)
        X[:, F["region_wins"]] = np.log1p(total(in_branch & in_region, weight))
        # Shrunk towards 0 (one weighted win of prior): one win in the region is not "all its wins".
        X[:, F["region_share"]] = total(in_region, weight) / (parent_w + 1.0)
        X[:, F["similar_buyer_wins"]] = np.log1p(total(similar, weight))
        X[:, F["same_buyer_wins"]] = np.log1p(total(same_buyer, weight))
        logv = wins.logv[idx]
        valued = in_branch & ~np.isnan(logv)
        X[:, F["value_fit"]] = value_fit(total, valued, logv, query.reference_value, len(X))
        if not counts:
            return {}
        branch_count = total(in_branch)
        last_branch = np.zeros(len(X), dtype=np.int64)
        np.maximum.at(last_branch, rows.pos[in_branch], wins.day[idx][in_branch])
        return {
            "branch_count": branch_count, "parent_count": total(everything) - branch_count,
            "region_count": total(in_branch & in_region), "region_parent_count": total(in_region),
            "similar_count": total(similar), "same_buyer_count": total(same_buyer), "peer_count": total(rows.peer > 0),
            "median_value": median_per_group(rows.pos[valued], logv[valued], len(X)), "last_branch_win": last_branch,
            "example_buyer": example_buyers(rows.pos[in_branch], weight[in_branch], wins.buyer[idx][in_branch],
                                             len(X), self.buyer_names),
        }

    @staticmethod
    def _id(ids: dict[str, int], key: str | None) -> int:
        """The internal id of a region, kind or buyer; -2 (matching no row) when unknown or not given."""
        return ids.get(key, -2) if key else -2

    def _similar_buyers(self, query: Query, kinds: np.ndarray, buyers: np.ndarray, as_of: int) -> np.ndarray:
        """Rows whose buyer is of the query buyer's kind and (when the buyer is known) of a similar size."""
        similar = kinds == self._id(self._kind, query.buyer_kind)
        buyer_id = self._id(self._buyer, query.buyer_key)
        if buyer_id >= 0:
            if as_of not in self._bands:  # every buyer's band on the day, once per day (learning asks on 20 days)
                self._bands[as_of] = self._size_band(np.arange(len(self.buyer_names), dtype=np.int64), as_of)
            bands = self._bands[as_of]
            similar &= np.abs(bands[buyers] - bands[buyer_id]) <= 1
        return similar


@dataclass(slots=True)
class _Window:
    """The rows one query reads: wins in the parent, bids in the branch, in the window."""

    branch: Branch
    parent: Branch
    since: date
    as_of: int  # ordinal of the reference day
    wins: Columns | None
    idx: np.ndarray  # win rows (in the parent, in the window)
    in_branch: np.ndarray  # per win row: inside the branch
    bids: Columns | None
    bid_idx: np.ndarray  # bid rows (in the branch, in the window)

    def win_sups(self) -> np.ndarray:
        return self.wins.sup[self.idx] if self.wins is not None else np.zeros(0, dtype=np.int64)

    def bid_sups(self) -> np.ndarray:
        return self.bids.sup[self.bid_idx] if self.bids is not None else np.zeros(0, dtype=np.int64)

    def pool(self, ids: Mapping[str, int], exclude: frozenset[str]) -> np.ndarray:
        """The candidates' supplier ids (sorted): everyone with a win or a bid row, minus the excluded."""
        # Sorted ids of the suppliers present: a count over every supplier id, cheaper than sorting the rows.
        pool = np.flatnonzero(np.bincount(np.concatenate([self.win_sups(), self.bid_sups()]), minlength=len(ids)))
        if exclude:
            pool = pool[~np.isin(pool, np.array([ids.get(k, -1) for k in exclude], dtype=np.int64))]
        return pool


@dataclass(slots=True)
class _Rows:
    """The window's win rows of candidates (the excluded dropped), with each row's candidate position."""

    idx: np.ndarray
    in_branch: np.ndarray
    pos: np.ndarray  # row -> position in the pool
    peer: np.ndarray  # row -> similarity of its buyer to the query's buyer
    n: int

    @classmethod
    def of(cls, window: _Window, at: np.ndarray, n: int, peer: np.ndarray | None) -> _Rows:
        """``at``: each supplier id's position in the pool of ``n`` candidates (-1: not a candidate)."""
        sups = window.win_sups()
        pos = at[sups]
        keep = pos >= 0
        peer = peer if peer is not None else np.zeros(len(sups))
        return cls(window.idx[keep], window.in_branch[keep], pos[keep], peer[keep], n)

    @property
    def any(self) -> bool:
        return bool(len(self.idx))

    def total(self, mask: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        """Per candidate: the number (or the sum of ``weights``) of its rows under ``mask``."""
        w = mask.astype(np.float64) if weights is None else np.where(mask, weights, 0.0)
        return np.bincount(self.pos, weights=w, minlength=self.n)[: self.n] if self.n else np.zeros(0)


def _no_wins(X: np.ndarray, n: int) -> dict:
    """The counts of candidates that only bid (no win row in the window)."""
    X[:, F["value_fit"]] = 0.5
    zeros = np.zeros(n)
    return {
        "branch_count": zeros, "parent_count": zeros, "region_count": zeros, "region_parent_count": zeros,
        "similar_count": zeros, "same_buyer_count": zeros, "peer_count": zeros,
        "median_value": np.full(n, math.nan), "last_branch_win": np.zeros(n, dtype=np.int64),
        "example_buyer": [""] * n,
    }


def _bid_features(window: _Window, at: np.ndarray, n: int, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fill the bids column; return each candidate's bids in the branch and how many of them were lost
    (``at``: each supplier id's position among the ``n`` candidates, -1 for none)."""
    if window.bids is None or not len(window.bid_idx) or not n:
        return np.zeros(n), np.zeros(n)
    bpos = at[window.bid_sups()]
    ok = bpos >= 0
    bid_count = np.bincount(bpos[ok], minlength=n)[:n].astype(float)
    lost = (window.bids.share[window.bid_idx][ok] == 0.0).astype(float)
    lost_count = np.bincount(bpos[ok], weights=lost, minlength=n)[:n]
    X[:, F["bids"]] = np.log1p(bid_count)
    return bid_count, lost_count


def set_risk(candidates: Candidates, companies: Mapping[str, CompanyFacts], rows: Iterable[int] | None = None) -> None:
    """Fill the risk columns from the failure bands (no band: ``risk_unknown``), for ``rows`` or all."""
    index = np.arange(len(candidates.keys)) if rows is None else np.fromiter(rows, dtype=np.int64)
    _fill_risk(candidates.X, index, risk_codes([candidates.keys[i] for i in index.tolist()], companies))


_RISK_CODES = {"low": 1, "medium": 2, "high": 3}


def risk_codes(keys: Iterable[str], companies: Mapping[str, CompanyFacts]) -> np.ndarray:
    """Per key its failure band as a code: 0 none (unknown is not low), 1 low, 2 medium, 3 high."""
    return np.array([_RISK_CODES.get(facts.failure_band, 0) if (facts := companies.get(key)) else 0 for key in keys],
                    dtype=np.int8)


def _fill_risk(X: np.ndarray, rows: np.ndarray | slice, codes: np.ndarray) -> None:
    X[rows, F["risk_high"]] = codes == 3
    X[rows, F["risk_medium"]] = codes == 2
    X[rows, F["risk_unknown"]] = codes == 0
