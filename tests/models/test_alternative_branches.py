"""A CPV division's history in a window, told the rest (``Beyond``), answers as the whole history does.

The whole history is random but shaped like a market (suppliers and buyers active across divisions,
consortia, bids, unvalued awards), so that every feature that looks beyond the division (a candidate's
last win anywhere, a buyer's size, our own buyer known only elsewhere or only by its bids) is exercised.
"""

from __future__ import annotations

import random
from dataclasses import fields
from datetime import date, timedelta

import numpy as np
import pytest

from models.alternative_branches import Beyond, BranchIndex
from models.alternative_history import HistoryIndex, PastAward, PastBid, Query, years_before
from models.categories import parent_of

AS_OF = date(2026, 11, 1)
YEARS = 5


def _history(seed: int) -> tuple[list[PastAward], list[PastBid]]:
    rng = random.Random(seed)
    codes = [f"{d}{b}{rng.randint(0, 99999):05d}" for d in ("09", "45", "72", "90") for b in range(4)]
    start = date(2016, 1, 1)
    buyers = [f"B{rng.randint(1, 40)}" for _ in range(2500)]
    awards = [
        PastAward(  # a buyer's name is its organisation's (one per key), and names repeat across buyers
            published=start + timedelta(days=rng.randint(0, 3960)), cpv=rng.choice(codes),
            buyer_key=buyer, buyer_name=f"Buyer {int(buyer[1:]) % 3}",
            buyer_kind=rng.choice(("municipality", "hospital", None)), buyer_region=rng.choice(("NL-1", "NL-2", None)),
            value=rng.choice((None, rng.lognormvariate(12, 1))),
            winners=tuple(f"S{int(rng.paretovariate(1.1)) % 60}" for _ in range(rng.choice((0, 1, 1, 1, 2)))),
        )
        for buyer in buyers
    ]
    bids = [
        PastBid(published=start + timedelta(days=rng.randint(0, 3960)), cpv=rng.choice(codes),
                buyer_key=rng.choice(("B7", f"B{rng.randint(1, 40)}")), bidders=(f"S{rng.randint(0, 80)}",),
                won=rng.choice((True, False, None)))
        for _ in range(600)
    ]
    # B99 is known by one bid, years ago, in one division: not by any row of the others' windows
    bids.append(PastBid(published=date(2017, 3, 1), cpv=codes[0], buyer_key="B99", bidders=("S3",)))
    return awards, bids


def _beyond(awards: list[PastAward], bids: list[PastBid], *, ours: str | None) -> Beyond:
    """What the store aggregates, worked out here from the whole history by its definition."""
    last_win: dict[str, date] = {}
    buyer_awards: dict[str, int] = {}
    for a in awards:
        if a.published < AS_OF and a.winners:
            buyer_awards[a.buyer_key] = buyer_awards.get(a.buyer_key, 0) + 1
            for w in a.winners:
                last_win[w] = max(last_win.get(w, a.published), a.published)
    keep = {k: v for k, v in buyer_awards.items()}
    if ours and ours not in keep and any(b.buyer_key == ours and b.published < AS_OF for b in bids):
        keep[ours] = 0
    return Beyond(AS_OF, last_win=last_win, buyer_awards=keep)


def _division(awards, bids, division: str, ours: str | None) -> BranchIndex:
    since = years_before(AS_OF, YEARS)
    mine = [a for a in awards if a.cpv.startswith(division) and since <= a.published < AS_OF]
    my_bids = [b for b in bids if b.cpv.startswith(division) and since <= b.published < AS_OF]
    beyond = _beyond(awards, bids, ours=ours)
    wanted = {a.buyer_key for a in mine if a.winners} | ({ours} if ours else set())
    beyond = Beyond(AS_OF, beyond.last_win, {k: v for k, v in beyond.buyer_awards.items() if k in wanted})
    return BranchIndex(mine, my_bids, division=division, since=since, beyond=beyond)


def _same(a, b) -> None:
    """The same candidates with the same figures; their order (the index's internal ids, given by the order in
    which suppliers first appear) may differ, and ``suggest`` orders them by score, wins, last win, name, key."""
    assert sorted(a.keys) == sorted(b.keys)
    order_a, order_b = np.argsort(a.keys, kind="stable"), np.argsort(b.keys, kind="stable")
    for f in fields(a):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):  # to the last bit, not approximately
            assert np.array_equal(x[order_a], y[order_b], equal_nan=True), f.name
        elif isinstance(x, list):
            assert [x[i] for i in order_a] == [y[i] for i in order_b], f.name
        else:
            assert x == y, f.name


@pytest.mark.parametrize("ours", [None, "B7", "B99", "B404"])  # none; known by its awards; by its bids only; unknown
def test_a_division_answers_every_query_as_the_whole_history(ours: str | None) -> None:
    awards, bids = _history(seed=3)
    whole = HistoryIndex([a for a in awards if a.published < AS_OF], [b for b in bids if b.published < AS_OF])
    codes = sorted({a.cpv for a in awards})
    assert whole.knows_buyer(ours) == (ours in ("B7", "B99"))  # the cases are what they say
    assert all(a.buyer_key != "B99" for a in awards)
    for division in sorted({c[:2] for c in codes}):
        part = _division(awards, bids, division, ours)
        assert part.knows_buyer(ours) == whole.knows_buyer(ours)
        for code in [c for c in codes if c.startswith(division)][:6]:
            for kind, region, value in (("municipality", "NL-1", 250_000.0), (None, None, None)):
                query = Query(cpv=code, as_of=AS_OF, buyer_key=ours, buyer_kind=kind, buyer_region=region,
                              reference_value=value, years=YEARS, exclude=frozenset({"S1"}))
                expected, found = whole.candidates(query), part.candidates(query)
                assert len(expected) > 0
                _same(expected, found)


def test_a_division_refuses_what_it_cannot_answer() -> None:
    awards, bids = _history(seed=4)
    part = _division(awards, bids, "72", None)
    code = next(a.cpv for a in awards if a.cpv.startswith("72"))
    assert parent_of(code).key == "72"
    for query in (Query(cpv="45000000", as_of=AS_OF), Query(cpv=code, as_of=AS_OF - timedelta(days=1)),
                  Query(cpv=code, as_of=AS_OF, years=YEARS + 1), Query(cpv=code, as_of=AS_OF, scheme="UNSPSC")):
        assert not part.answers(query)
        with pytest.raises(ValueError, match="cannot answer"):
            part.candidates(query)


@pytest.mark.parametrize("ours", [None, "B7", "B99"])
def test_a_division_taken_apart_and_rebuilt_answers_as_before(ours: str | None) -> None:
    """What the score-suppliers flow keeps for the alert runs (``branch_state``: arrays and JSON, through a real
    ``.npz`` and JSON text, as the store keeps them) rebuilds an index with the same candidates in the same order."""
    import io
    import json

    from models.alternative_branches import branch_from_state, branch_state

    awards, bids = _history(seed=5)
    codes = sorted({a.cpv for a in awards})
    for division in ("09", "72"):
        part = _division(awards, bids, division, ours)
        arrays, meta = branch_state(part)
        buffer = io.BytesIO()
        np.savez(buffer, **arrays)
        with np.load(io.BytesIO(buffer.getvalue()), allow_pickle=False) as kept:
            rebuilt = branch_from_state({name: kept[name] for name in kept.files}, json.loads(json.dumps(meta)))
        assert rebuilt.knows_buyer(ours) == part.knows_buyer(ours)
        compared = 0
        for code in [c for c in codes if c.startswith(division)]:
            query = Query(cpv=code, as_of=AS_OF, buyer_key=ours, buyer_kind="municipality", buyer_region="NL-1",
                          reference_value=250_000.0, years=YEARS)
            expected, found = part.candidates(query), rebuilt.candidates(query)
            assert found.keys == expected.keys  # the same order, not only the same set
            _same(expected, found)
            compared += len(expected)
        assert compared > 0
        with pytest.raises(ValueError, match="cannot answer"):  # and it still refuses what it cannot answer
            rebuilt.candidates(Query(cpv=code, as_of=AS_OF - timedelta(days=1)))
