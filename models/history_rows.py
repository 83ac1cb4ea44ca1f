"""The award and bid history turned into ``HistoryIndex``'s columns, one attribute at a time.

Why its own module: ``HistoryIndex`` is built once over the whole history and once per CPV division a day's alerts
ask about (``models.alternative_branches``); a loop doing every step per award cost more than half a CPU-second per
build of the whole history at scale 54. Here each attribute is one comprehension (the id of a key still assigned in
the order the records come, as the loop did), the rest array arithmetic, and the rows are ordered by code with a
stable sort of code ranks, which is the order the loop's ``Columns(rows)`` gave: the same ids, the same rows in the
same order, so every sum the index makes is the same to the last bit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from itertools import chain
from operator import attrgetter
from typing import Any

import numpy as np

from models.alternative_columns import Columns
from models.categories import clean_code, match_key, scheme_name

COLUMNS = ("day", "sup", "share", "buyer", "kind", "region", "logv")
_WON = {True: 1.0, False: 0.0, None: math.nan}


class Codes:
    """(scheme, code) pairs as the index matches them, each worked out once (a history repeats its codes)."""

    def __init__(self) -> None:
        self._ids: dict[tuple[str | None, str], int] = {}
        self.pairs: list[tuple[str, str]] = []  # id -> (scheme name, match key)

    def ids(self, records: Sequence[Any]) -> list[int]:
        """The pair id of each record (``scheme``, ``cpv``)."""
        ids = self._ids
        raw = list(map(attrgetter("scheme", "cpv"), records))
        for scheme, cpv in dict.fromkeys(raw):
            if (scheme, cpv) not in ids:
                name = scheme_name(scheme)
                ids[scheme, cpv] = len(self.pairs)
                self.pairs.append((name, match_key(clean_code(cpv, name))))
        return list(map(ids.__getitem__, raw))

    def ranks(self) -> tuple[np.ndarray, np.ndarray, list[str], list[str]]:
        """Per pair id: its scheme's index and its code's rank; the scheme names and the distinct codes, sorted."""
        schemes = list(dict.fromkeys(name for name, _ in self.pairs))
        codes = sorted({code for _, code in self.pairs})
        at = {code: i for i, code in enumerate(codes)}
        scheme_at = {name: i for i, name in enumerate(schemes)}
        return (np.array([scheme_at[name] for name, _ in self.pairs], dtype=np.int64),
                np.array([at[code] for _, code in self.pairs], dtype=np.int64), schemes, codes)


def ordinals(records: Sequence[Any]) -> list[int]:
    """The ordinal day each record was published."""
    return list(map(date.toordinal, map(attrgetter("published"), records)))


def _distinct(keys: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """Each record's keys without repeats, in order (a tuple of one, the common case, as it is)."""
    for i in np.flatnonzero(np.fromiter(map(len, keys), dtype=np.int64, count=len(keys)) > 1).tolist():
        keys[i] = tuple(dict.fromkeys(keys[i]))
    return keys


def _ids(ids: dict[str, int], keys: Sequence[str | None], *, blank: bool = False) -> list[int]:
    """The id of each key, a new one (the next number) for a key not seen before, in the order they come;
    ``blank``: a key that is None or empty has none (-1) and gets none."""
    distinct = dict.fromkeys(keys)
    for key in distinct:
        if key not in ids and (key or not blank):
            ids[key] = len(ids)
    found = ids
    if blank and (None in distinct or "" in distinct):
        found = {**ids, None: -1, "": -1}
    return list(map(found.__getitem__, keys))


def _first(names: dict[str, str], keys: Sequence[str], values: Sequence[str]) -> None:
    """Set each key not in ``names`` yet to its first value, in the order the keys first come."""
    first = dict(zip(reversed(keys), reversed(values), strict=True))  # later pairs overwrite: the first stays
    for key in dict.fromkeys(keys):
        if key not in names:
            names[key] = first[key]


def _rows(parties: list[tuple[str, ...]]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Per row (a record and one of its parties): the record's position and 1 / its number of parties; the parties."""
    counts = np.fromiter(map(len, parties), dtype=np.int64, count=len(parties))
    record = np.repeat(np.arange(len(parties), dtype=np.int64), counts)
    return record, 1.0 / counts[record], list(chain.from_iterable(parties))


def award_rows(awards: Sequence[Any], days: np.ndarray, codes: Codes, ids: dict[str, dict]) -> dict[str, np.ndarray]:
    """The columns of the award-winner rows of ``awards`` (those with winners; ``days`` their ordinal days), in
    award order, plus ``record`` (the award's position), ``pair`` (its code's pair id) and ``buyer_day`` (per award).

    ``ids``: the index's id dicts ("sup", "buyer", "kind", "region") and "names" (buyer key -> its first name)."""
    keys = list(map(attrgetter("buyer_key"), awards))
    buyer = np.array(_ids(ids["buyer"], keys), dtype=np.int64)
    _first(ids["names"], keys, list(map(attrgetter("buyer_name"), awards)))
    kind = np.array(_ids(ids["kind"], list(map(attrgetter("buyer_kind"), awards)), blank=True), dtype=np.int64)
    region = np.array(_ids(ids["region"], list(map(attrgetter("buyer_region"), awards)), blank=True), dtype=np.int64)
    logv = np.array([math.log10(a.value) if a.value and a.value > 0 else math.nan for a in awards], dtype=np.float64)
    pair = np.array(codes.ids(awards), dtype=np.int64)
    record, share, winners = _rows(_distinct(list(map(attrgetter("winners"), awards))))
    return {"record": record, "pair": pair[record], "day": days[record],
            "sup": np.array(_ids(ids["sup"], winners), dtype=np.int64), "share": share, "buyer": buyer[record],
            "kind": kind[record], "region": region[record], "logv": logv[record], "buyer_day": buyer * 10_000_000 + days}


def bid_rows(bids: Sequence[Any], codes: Codes, ids: dict[str, dict]) -> dict[str, np.ndarray]:
    """The columns of the bidder-bid rows of ``bids``, in bid order (``share``: whether the bid won, nan: not said);
    a bid's buyer is known by its key alone, and only through a bid with bidders."""
    pair = np.array(codes.ids(bids), dtype=np.int64)
    record, _, bidders = _rows(_distinct(list(map(attrgetter("bidders"), bids))))
    sup = np.array(_ids(ids["sup"], bidders), dtype=np.int64)  # every bidder's id before any buyer's, as the loop
    with_bidders = [i for i, b in enumerate(bids) if b.bidders]
    keys = [bids[i].buyer_key for i in with_bidders]
    _first(ids["names"], keys, keys)
    buyer = np.full(len(bids), -1, dtype=np.int64)
    buyer[with_bidders] = _ids(ids["buyer"], keys)
    day = np.array(ordinals(bids), dtype=np.int64)
    won = np.array([_WON[b.won] for b in bids], dtype=np.float64)
    n = len(record)
    return {"record": record, "pair": pair[record], "day": day[record], "sup": sup, "share": won[record],
            "buyer": buyer[record], "kind": np.full(n, -1, dtype=np.int64), "region": np.full(n, -1, dtype=np.int64),
            "logv": np.full(n, math.nan)}


def by_scheme(rows: dict[str, np.ndarray], codes: Codes) -> dict[str, Columns]:
    """The rows split by their code's scheme (in the order schemes first come) and each part ordered stably by
    code: what ``Columns(rows)`` of each scheme's rows, appended in order, holds."""
    scheme_of, rank_of, schemes, names = codes.ranks()
    scheme, rank = scheme_of[rows["pair"]], rank_of[rows["pair"]]
    distinct, first = np.unique(scheme, return_index=True)
    found: dict[str, Columns] = {}
    for s in distinct[np.argsort(first)].tolist():
        part = np.flatnonzero(scheme == s)
        order = part[np.argsort(rank[part], kind="stable")]
        ranks, starts = np.unique(rank[order], return_index=True)
        columns = object.__new__(Columns)
        columns.codes = [names[r] for r in ranks.tolist()]
        columns.starts = [*starts.tolist(), len(order)]
        for name in COLUMNS:
            setattr(columns, name, rows[name][order])
        found[schemes[s]] = columns
    return found
