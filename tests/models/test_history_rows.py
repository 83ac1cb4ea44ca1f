"""``HistoryIndex`` built column by column (``models.history_rows``) holds exactly what the loop over the
awards it replaced held: the same ids in the same order, the same rows in the same order, bit for bit.

The reference below is that loop, kept verbatim; the history is random and has every awkward case the loop
handled one record at a time: awards without winners, repeated winners and bidders, a buyer under two names,
blank kinds and regions, unvalued, zero and negative values, another scheme, bids without bidders, bid-only buyers.
"""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import numpy as np
import pytest

from models.alternative_history import HistoryIndex, PastAward, PastBid
from models.categories import clean_code, match_key, scheme_name


def _loop_index(awards: list[PastAward], bids: list[PastBid]) -> dict:
    """The index's contents as the loop of the old ``HistoryIndex.__init__`` built them."""
    awards = sorted(awards, key=lambda a: (a.published, a.buyer_key, a.cpv))
    sup: dict[str, int] = {}
    buyer: dict[str, int] = {}
    names: list[str] = []
    kinds: dict[str, int] = {}
    regions: dict[str, int] = {}

    def sup_id(key: str) -> int:
        return sup.setdefault(key, len(sup))

    def buyer_id(key: str, name: str) -> int:
        if key not in buyer:
            buyer[key] = len(names)
            names.append(name)
        return buyer[key]

    def matched(scheme: str | None, cpv: str) -> tuple[str, str]:
        name = scheme_name(scheme)
        return name, match_key(clean_code(cpv, name))

    rows: dict[str, list[tuple]] = {}
    buyer_days, win_keys = [], []
    for award in awards:
        if not award.winners:
            continue
        scheme, code = matched(award.scheme, award.cpv)
        day = award.published.toordinal()
        b = buyer_id(award.buyer_key, award.buyer_name)
        kind = kinds.setdefault(award.buyer_kind, len(kinds)) if award.buyer_kind else -1
        region = regions.setdefault(award.buyer_region, len(regions)) if award.buyer_region else -1
        logv = math.log10(award.value) if award.value and award.value > 0 else math.nan
        buyer_days.append(b * 10_000_000 + day)
        winners = tuple(dict.fromkeys(award.winners))
        for key in winners:
            s = sup_id(key)
            rows.setdefault(scheme, []).append((code, day, s, 1.0 / len(winners), b, kind, region, logv))
            win_keys.append(s * 10_000_000 + day)
    bid_rows: dict[str, list[tuple]] = {}
    for bid in bids:
        scheme, code = matched(bid.scheme, bid.cpv)
        won = {True: 1.0, False: 0.0, None: math.nan}[bid.won]
        for key in dict.fromkeys(bid.bidders):
            bid_rows.setdefault(scheme, []).append(
                (code, bid.published.toordinal(), sup_id(key), won, buyer_id(bid.buyer_key, bid.buyer_key), -1, -1,
                 math.nan))
    return {"suppliers": list(sup), "sup": sup, "buyer": buyer, "buyer_names": names, "kind": kinds,
            "region": regions, "wins": _columns(rows), "bids": _columns(bid_rows),
            "buyer_days": sorted(buyer_days), "win_days": sorted(win_keys)}


def _columns(by_scheme: dict[str, list[tuple]]) -> dict[str, tuple]:
    found = {}
    for scheme, rows in by_scheme.items():
        rows.sort(key=lambda r: r[0])
        codes = list(dict.fromkeys(r[0] for r in rows))
        starts = [next(i for i, r in enumerate(rows) if r[0] == c) for c in codes] + [len(rows)]
        found[scheme] = (codes, starts, [[r[i] for r in rows] for i in range(1, 8)])
    return found


def _built(index: HistoryIndex) -> dict:
    names = ("day", "sup", "share", "buyer", "kind", "region", "logv")

    def columns(by_scheme: dict) -> dict[str, tuple]:
        return {s: (c.codes, c.starts, [getattr(c, n).tolist() for n in names]) for s, c in by_scheme.items()}

    return {"suppliers": index.suppliers, "sup": index._sup, "buyer": index._buyer, "buyer_names": index.buyer_names,
            "kind": index._kind, "region": index._region, "wins": columns(index._wins), "bids": columns(index._bids),
            "buyer_days": index._buyer_days.tolist(), "win_days": index._win_days.tolist()}


def _history(seed: int) -> tuple[list[PastAward], list[PastBid]]:
    rng = random.Random(seed)
    codes = [f"{d}{rng.randint(0, 999999):06d}" for d in ("09", "45", "72") for _ in range(5)]
    start = date(2018, 1, 1)
    awards = []
    for _ in range(800):
        buyer = f"B{rng.randint(1, 30)}"
        scheme = rng.choice(("CPV", "CPV", "CPV", "UNSPSC"))
        awards.append(PastAward(
            published=start + timedelta(days=rng.randint(0, 2000)),
            cpv=rng.choice(codes) if scheme == "CPV" else f"{rng.randint(10, 12)}{rng.randint(0, 999999):06d}",
            buyer_key=buyer, buyer_name=rng.choice((f"Name of {buyer}", f"Other name of {buyer}")),
            buyer_kind=rng.choice(("municipality", "hospital", None, "")), buyer_region=rng.choice(("NL-1", None, "")),
            value=rng.choice((None, 0.0, -5.0, rng.lognormvariate(12, 1))),
            winners=tuple(f"S{rng.randint(0, 40)}" for _ in range(rng.choice((0, 1, 1, 2, 3)))), scheme=scheme))
    bids = [PastBid(published=start + timedelta(days=rng.randint(0, 2000)), cpv=rng.choice(codes),
                    buyer_key=rng.choice(("B7", f"B{rng.randint(1, 60)}", "only-bids")),
                    bidders=tuple(f"S{rng.randint(0, 90)}" for _ in range(rng.choice((0, 1, 1, 2)))),
                    won=rng.choice((True, False, None)))
            for _ in range(300)]
    return awards, bids


def _same(a: object, b: object) -> bool:
    """Equal, a nan equal to a nan (the unvalued awards' log value)."""
    return repr(a) == repr(b)


@pytest.mark.parametrize("seed", range(6))
def test_the_columns_are_the_loops_bit_for_bit(seed: int) -> None:
    awards, bids = _history(seed)
    expected, built = _loop_index(awards, bids), _built(HistoryIndex(awards, bids))
    for part in expected:
        assert _same(built[part], expected[part]), part
    assert built["wins"].keys() == {"CPV", "UNSPSC"} and any(len(a.winners) > 1 for a in awards)


def test_an_empty_history_and_one_without_winners_or_bidders() -> None:
    day = date(2020, 1, 1)
    for awards, bids in (([], []), ([PastAward(day, "45000000", "B1", "B", None, None, None, ())],
                                    [PastBid(day, "45000000", "B2", ())])):
        index = HistoryIndex(awards, bids)
        assert _same(_built(index), _loop_index(awards, bids))
        assert index.suppliers == [] and index.buyer_names == [] and index._wins == {} and index._bids == {}
        assert index._buyer_days.dtype == index._win_days.dtype == np.int64
